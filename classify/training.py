"""``pressdesk model train``: a new model version from the dev labels and analysts' corrections.

The version records the sha256 of its training data and, when the dev set is at hand,
k-fold cross-validated scores in which the corrections train every fold (the dev item
being scored is never in its own training set).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from classify.crossval import cross_validate_head, dev_examples
from classify.devreport import DEV_LABELS
from classify.evaluate import load_labelled
from classify.models import ModelRegistry
from classify.trained import Example, train_model
from core.errors import ConfigError
from core.ports import Embedder


def train_version(
    embedder: Embedder, registry: ModelRegistry, corrections: Sequence[Example], data: Path | None
) -> tuple[str, dict[str, float]]:
    """Train on the dev labels (when ``data`` is given) plus ``corrections``; save and activate.

    Returns:
        The new version and its cross-validated dev scores (empty without the dev set).

    Raises:
        ConfigError: nothing to train on (no dev set and fewer than two stance labels corrected).
        EmbeddingError: the embedder failed.
    """
    items = load_labelled(data / DEV_LABELS) if data is not None else []
    examples = dev_examples(items) + list(corrections)
    if len({e.stance for e in examples if e.stance is not None}) < 2:
        raise ConfigError(
            "not enough labels to train: correct items through the review queue (two stances at least) "
            "or train with the dev set (--data)"
        )
    model = train_model(embedder, examples)
    scores: dict[str, float] = {}
    if items:
        predictions = cross_validate_head(embedder, items, corrections)
        scores = {"stance_macro_f1_cv": predictions.stance_macro_f1, "topic_accuracy_cv": predictions.topic_accuracy}
    version = registry.save(model, eval_scores=scores, corrections=len(corrections))
    return version, scores
