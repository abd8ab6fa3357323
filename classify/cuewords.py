"""Event words that tilt stance toward the locality, counted as features for the trained head.

Embeddings of a whole passage blur what happened *in* the locality with how it is told;
counting harm words (accidents, crime, corruption, pollution) and promotion words
(awards, growth, festivals) in the title and lead gives the head a sharper signal. The
lists come from the labelling guidelines' stance definitions, not from labelled items.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from core.item import Vector
from core.text import fold

CUES: Mapping[str, tuple[str, ...]] = {
    "harm": (
        "tai nạn", "tử vong", "thiệt mạng", "chết", "bị thương", "cháy", "nổ", "đuối nước", "sập", "sạt lở",
        "lũ", "bão", "thiệt hại", "ngộ độc", "dịch", "mất tích", "nạn nhân", "thương tâm", "hoang mang",
    ),
    "wrongdoing": (
        "tham nhũng", "hối lộ", "sai phạm", "vi phạm", "trái phép", "lừa đảo", "chiếm đoạt", "gian lận",
        "buôn lậu", "hàng giả", "tiêu cực", "lãng phí", "bức xúc", "khiếu nại", "khiếu kiện", "ô nhiễm",
        "chặt chém", "bỏ hoang", "chậm tiến độ", "yếu kém", "bê bối", "xuống cấp", "ùn tắc", "quá tải",
    ),
    "crime": (
        "giết", "sát hại", "cướp", "trộm", "ma túy", "đâm", "truy nã", "hiếp", "bắt cóc", "đánh bạc", "côn đồ",
        "hung thủ", "nghi phạm", "đối tượng",
    ),
    "procedure": (
        "khởi tố", "bắt giữ", "tạm giam", "xét xử", "tuyên án", "phiên tòa", "điều tra", "bị cáo", "bị can",
        "thông báo", "kế hoạch", "dự báo", "lịch", "quy định", "hội nghị", "họp",
    ),
    "praise": (
        "thành công", "hấp dẫn", "thu hút", "vinh danh", "giải thưởng", "đạt giải", "huy chương", "tăng trưởng",
        "khánh thành", "khai trương", "lễ hội", "du khách", "đẹp", "nổi tiếng", "hỗ trợ", "trao tặng", "tặng",
        "giúp đỡ", "phát triển", "hiệu quả", "đầu tư", "kỷ lục", "xuất sắc", "thơ mộng", "đặc sản", "trải nghiệm",
        "hạnh phúc", "ấm áp", "yêu thương", "bội thu", "được mùa",
    ),
}  # fmt: skip

_PATTERNS = {
    group: re.compile(r"\b(?:" + "|".join(re.escape(fold(w)) for w in words) + r")\b") for group, words in CUES.items()
}


def cue_features(titles: Sequence[str], leads: Sequence[str]) -> Vector:
    """``(n, 2 * len(CUES))`` log-counts of each cue group in the title and in the lead."""
    rows = []
    for title, lead in zip(titles, leads, strict=True):
        ft, fl = fold(title), fold(lead)
        row = [np.log1p(len(p.findall(ft))) for p in _PATTERNS.values()]
        row += [np.log1p(len(p.findall(fl))) for p in _PATTERNS.values()]
        rows.append(row)
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), 2 * len(CUES))
