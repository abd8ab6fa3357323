"""Weak supervision for the topic head: real news from the shared corpora, by section.

The corpora were labelled by section (VNTC's 10 topics, baomoi's categories, VnExpress
sections), not by our topic set, so only sections that map cleanly onto one of our
topics are used, and a capped sample per topic keeps embedding cost affordable.

The labelled dev items were drawn from the same corpora: every corpus text whose start
matches a dev item is dropped, so cross-validated dev scores never see a dev item's text
through the weak set.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.enums import Topic

#: Section name in a corpus → our topic. Sections that mix several of our topics
#: ("Chinh tri Xa hoi", "Doi song", "Con người & Xã hội") or lie outside them are left out.
VNTC_TOPICS: Mapping[str, Topic] = {
    "Phap luat": Topic.PUBLIC_SAFETY_CRIME,
    "The thao": Topic.SPORTS,
    "Suc khoe": Topic.HEALTH,
    "Kinh doanh": Topic.INVESTMENT_BUSINESS,
    "Van hoa": Topic.TOURISM_CULTURE,
    "Vi tinh": Topic.SCIENCE_TECHNOLOGY,
    "Khoa hoc": Topic.SCIENCE_TECHNOLOGY,
}
BAOMOI_TOPICS: Mapping[str, Topic] = {
    "Du lịch": Topic.TOURISM_CULTURE,
    "Văn hóa Ẩm thực": Topic.TOURISM_CULTURE,
    "Bất động sản": Topic.LAND_URBAN,
    "Khoa học - Sinh thái & Môi trường": Topic.ENVIRONMENT,
    "Giáo dục và Việc làm - Giáo dục": Topic.EDUCATION,
    "Giáo dục và Việc làm - Việc làm": Topic.SOCIETY_WELFARE_LABOUR,
    "Sức khoẻ": Topic.HEALTH,
    "Kinh doanh và Công nghiệp": Topic.TRADE_INDUSTRY_PRODUCTS,
    "Tài chính - Đầu tư - Cổ phiếu và trái phiếu": Topic.INVESTMENT_BUSINESS,
    "Chính trị và Pháp luật": Topic.PUBLIC_SAFETY_CRIME,
    "Nhà vườn": Topic.AGRICULTURE,
    "Mạng máy tính và Viễn thông": Topic.SCIENCE_TECHNOLOGY,
}
VNEXPRESS_TOPICS: Mapping[str, Topic] = {
    "DU_LICH": Topic.TOURISM_CULTURE,
    "GIAO_DUC": Topic.EDUCATION,
    "PHAP_LUAT": Topic.PUBLIC_SAFETY_CRIME,
    "SUC_KHOE": Topic.HEALTH,
    "THE_THAO": Topic.SPORTS,
    "KHOA_HOC": Topic.SCIENCE_TECHNOLOGY,
    "KINH_DOANH": Topic.INVESTMENT_BUSINESS,
}

#: Characters compared when dropping corpus texts that are dev items.
_KEY_CHARS = 80


@dataclass(frozen=True, slots=True)
class WeakExample:
    """A corpus text with the topic its section maps to."""

    title: str
    text: str
    topic: Topic
    source: str


def _key(text: str) -> str:
    return " ".join(text.split())[:_KEY_CHARS].casefold()


def _split(text: str) -> tuple[str, str]:
    """Headline and body: the corpora keep the headline as the first line."""
    text = text.replace("\r", "")
    head, _, body = text.strip().partition("\n")
    return head.strip(), body.strip()


def _corpus_rows(corpora: Path) -> Iterable[tuple[str, str, str]]:
    """(source, section, text) for every corpus row with a mapped section."""
    vntc = corpora / "vntc-10topics-sample" / "vntc_test_sample.jsonl"
    if vntc.exists():
        for line in vntc.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["label"] in VNTC_TOPICS:
                yield "vntc", row["label"], row["text"]
    baomoi = corpora / "baomoi-2018-sample" / "baomoi_tc201805_sample.jsonl"
    if baomoi.exists():
        for line in baomoi.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["label"] in BAOMOI_TOPICS:
                yield "baomoi", row["label"], row["text"]
    titles = corpora / "vnexpress-titles-8cat" / "raw_data"
    for section in VNEXPRESS_TOPICS:
        path = titles / f"{section}.txt"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    yield "vnexpress", section, line.strip()


def load_weak_topics(corpora: Path, exclude: Iterable[str], per_topic: int = 60, seed: int = 5) -> list[WeakExample]:
    """A seeded sample of at most ``per_topic`` corpus texts per topic, dev items removed.

    Args:
        corpora: the shared ``corpora/`` folder.
        exclude: texts (titles and bodies) of labelled items that must not appear.
        per_topic: cap per topic, which bounds the embedding cost.
        seed: sampling seed, so the same call gives the same sample.
    """
    banned = {_key(text) for text in exclude if text.strip()}
    by_topic: dict[Topic, list[WeakExample]] = {}
    for source, section, raw in _corpus_rows(corpora):
        title, body = _split(raw)
        if _key(raw) in banned or _key(title) in banned or (body and _key(body) in banned):
            continue
        table = {"vntc": VNTC_TOPICS, "baomoi": BAOMOI_TOPICS, "vnexpress": VNEXPRESS_TOPICS}[source]
        topic = table[section]
        by_topic.setdefault(topic, []).append(WeakExample(title, body, topic, f"{source}:{section}"))
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not secrets
    sample: list[WeakExample] = []
    for topic in sorted(by_topic, key=str):
        pool = by_topic[topic]
        rng.shuffle(pool)
        sample += pool[:per_topic]
    return sample
