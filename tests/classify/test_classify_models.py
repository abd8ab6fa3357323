"""The trainable head, versioned model files and the review queue, on real files in a temporary folder."""

from pathlib import Path

import numpy as np
import pytest

from classify import ModelRegistry, ReviewQueue
from classify.head import train_head
from classify.trained import CentroidHead, Example, LabelModel, data_hash
from core.enums import Stance, Topic
from core.errors import ConfigError


def _separable(seed: int = 0) -> tuple[np.ndarray, list[Stance]]:
    rng = np.random.default_rng(seed)
    centres = {Stance.POSITIVE: 2.0, Stance.NEUTRAL: 0.0, Stance.NEGATIVE: -2.0}
    labels = [s for s in centres for _ in range(30)]
    x = np.stack([np.full(4, centres[s]) + rng.normal(0, 0.5, 4) for s in labels]).astype(np.float32)
    return x, labels


def test_the_head_learns_separable_classes_and_reports_probabilities() -> None:
    x, labels = _separable()
    head = train_head(x, labels, l2=0.1, classes=tuple(Stance))
    predicted = [label for label, _ in head.predict(x)]
    assert sum(p == g for p, g in zip(predicted, labels, strict=True)) >= 0.95 * len(labels)
    probabilities = head.probabilities(x)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert head.predict(np.full((1, 4), 2.0, dtype=np.float32))[0][0] == Stance.POSITIVE


def test_the_head_refuses_one_label_only() -> None:
    with pytest.raises(ValueError, match=r"at least two labels"):
        train_head(np.zeros((3, 2), dtype=np.float32), [Stance.NEUTRAL] * 3)


def _model(seed: int) -> LabelModel:
    x, labels = _separable(seed)
    matrix = np.eye(len(Topic), 4, dtype=np.float32)[:, :4]
    matrix = matrix + 1e-3
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    examples = [Example(f"t{seed}", "x", Stance.NEUTRAL, None)]
    return LabelModel(
        "test-embedder",
        train_head(x, labels, classes=tuple(Stance)),
        CentroidHead(tuple(Topic), matrix),
        data_hash(examples),
        90,
    )


def test_versions_are_saved_listed_loaded_and_rolled_back(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "models")
    assert registry.versions() == [] and registry.load() is None
    first = registry.save(_model(1), eval_scores={"stance_macro_f1_cv": 0.7})
    second = registry.save(_model(2), eval_scores={}, corrections=3)
    assert (first, second) == ("v0001", "v0002")
    assert registry.active() == "v0002"
    infos = registry.info()
    assert [i.active for i in infos] == [False, True]
    assert infos[0].eval == {"stance_macro_f1_cv": 0.7} and infos[1].corrections == 3
    assert infos[0].data_hash != infos[1].data_hash
    registry.activate("v0001")
    loaded = registry.load()
    assert loaded is not None and loaded.meta["version"] == "v0001"
    x, _ = _separable(1)
    assert np.allclose(loaded.stance.probabilities(x), _model(1).stance.probabilities(x), atol=1e-6)
    with pytest.raises(ConfigError, match="v0009"):
        registry.activate("v0009")


def test_a_damaged_version_says_how_to_recover(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "models")
    version = registry.save(_model(1), eval_scores={})
    (tmp_path / "models" / version / "weights.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="rollback"):
        registry.load()


def test_the_queue_holds_unsure_items_until_an_analyst_decides(tmp_path: Path) -> None:
    review = ReviewQueue(tmp_path / "review.db")
    for item_id, confidence in (("a", 0.41), ("b", 0.35)):
        review.enqueue(
            item_id=item_id,
            title=f"tin {item_id}",
            text="nội dung",
            stance=Stance.NEGATIVE,
            stance_confidence=confidence,
            topic=Topic.HEALTH,
            model_version="v0001/test",
        )
    assert [q.item_id for q in review.pending()] == ["b", "a"]  # least confident first
    review.correct("b", "tin b", "nội dung", about=True, stance=Stance.NEUTRAL, topic=None, actor="account:lan")
    review.correct("b", "tin b", "nội dung", about=None, stance=None, topic=Topic.EDUCATION, actor="account:lan")
    review.correct("c", "tin c", "khác", about=False, stance=None, topic=Topic.SPORTS, actor="account:lan")
    assert [q.item_id for q in review.pending()] == ["a"]
    examples = {e.title: e for e in review.examples()}
    assert (examples["tin b"].stance, examples["tin b"].topic) == (Stance.NEUTRAL, Topic.EDUCATION)
    assert (examples["tin c"].stance, examples["tin c"].topic) == (None, Topic.SPORTS)
    review.close()
    assert len(ReviewQueue(tmp_path / "review.db").corrections()) == 3  # survives reopening
