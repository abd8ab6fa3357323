"""Every classification score on the dev set, next to the baselines and the pinned floors.

What ``pressdesk eval`` prints. Relevance is scored three ways (name-only profiles, the
guideline aliases, the full province gazetteer in ``provinces.json``). Stance and topic
are scored for the label prototypes (untrained, but written with the dev set in view),
for the trained head by k-fold cross-validation (the number its design was tuned on),
for the same head by nested cross-validation (penalties chosen inside each outer fold:
the honest estimate), and for two baselines cross-validated on the same folds
(majority class; TF-IDF + logistic regression).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from classify.crossval import (
    FOLDS,
    Predictions,
    confusion,
    cross_validate_head,
    majority_baseline,
    nested_cross_validate_head,
    tfidf_baseline,
    weak_examples,
)
from classify.evaluate import (
    GUIDELINE_ALIASES,
    LabelledItem,
    accuracy,
    binary_scores,
    load_labelled,
    macro_f1,
    predict_about,
    predict_about_provinces,
)
from classify.passages import passage
from classify.prototypes import PrototypeClassifier
from classify.trained import Example
from classify.weak import load_weak_topics
from core.errors import ConfigError
from core.ports import Embedder

DEV_LABELS = Path("labels") / "locality-stance-topic-dev.jsonl"


def shared_data(explicit: Path | None = None) -> Path:
    """The shared data folder: ``explicit``, else ``PRESSDESK_SHARED_DATA``, else ``../shared/data`` of the checkout.

    Raises:
        ConfigError: none of them exists; the message says how to point at it.
    """
    candidates = [explicit] if explicit else []
    if os.environ.get("PRESSDESK_SHARED_DATA"):
        candidates.append(Path(os.environ["PRESSDESK_SHARED_DATA"]))
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data")
    for path in candidates:
        if path is not None and (path / DEV_LABELS).exists():
            return path
    raise ConfigError(
        "the labelled dev set was not found; pass --data DIR (the folder holding labels/) or set PRESSDESK_SHARED_DATA"
    )


def floors() -> dict[str, float]:
    """The floors pinned in ``classify/floors.json`` (the note is left out)."""
    data = json.loads(resources.files("classify").joinpath("floors.json").read_text(encoding="utf-8"))
    return {k: float(v) for k, v in data.items() if not k.startswith("_")}


@dataclass(frozen=True, slots=True)
class LabelRow:
    """One method's stance and topic scores, and its confusion matrices."""

    method: str
    stance_macro_f1: float
    topic_accuracy: float
    stance_confusion: tuple[list[str], list[list[int]]]
    topic_confusion: tuple[list[str], list[list[int]]]


def _row(p: Predictions) -> LabelRow:
    return LabelRow(
        p.method,
        p.stance_macro_f1,
        p.topic_accuracy,
        confusion(p.stance_gold, p.stance_pred),
        confusion(p.topic_gold, p.topic_pred),
    )


def prototype_row(items: Sequence[LabelledItem], embedder: Embedder) -> LabelRow:
    """The untrained label prototypes on the items labelled about."""
    about = [i for i in items if i.about]
    judgements = PrototypeClassifier(embedder).classify(
        embedder.embed_passages([passage(i.title, i.text) for i in about])
    )
    s_gold = [i.stance for i in about if i.stance]
    s_pred = [j.stance for i, j in zip(about, judgements, strict=True) if i.stance]
    t_gold = [i.topic for i in about if i.topic]
    t_pred = [j.topic for i, j in zip(about, judgements, strict=True) if i.topic]
    return LabelRow(
        "label prototypes (untrained)",
        macro_f1(s_gold, s_pred),
        accuracy(t_gold, t_pred),
        confusion(s_gold, s_pred),
        confusion(t_gold, t_pred),
    )


def about_rows(items: Sequence[LabelledItem]) -> list[dict[str, object]]:
    """Relevance precision, recall, F1 and confusion (gold x predicted) three ways."""
    gold = [i.about for i in items]
    rows = []
    for name, predicted in (
        ("name only", predict_about(items)),
        ("guideline aliases", predict_about(items, GUIDELINE_ALIASES)),
        ("province gazetteer", predict_about_provinces(items)),
    ):
        s = binary_scores(gold, predicted)
        rows.append(
            {
                "profile": name,
                "precision": s.precision,
                "recall": s.recall,
                "f1": s.f1,
                "confusion": confusion(gold, predicted),
            }
        )
    return rows


def dev_report(
    embedder: Embedder, data: Path, *, extra: Sequence[Example] = (), folds: int = FOLDS, weak_per_topic: int = 0
) -> dict[str, object]:
    """All dev-set scores as one JSON-ready dict (see the module docstring).

    ``weak_per_topic`` > 0 adds a row for the head trained with that many corpus texts per
    topic as weak examples (``classify.weak``); they cost embedding time on the first run.
    """
    items = load_labelled(data / DEV_LABELS)
    nested = nested_cross_validate_head(embedder, items, extra, k=folds)
    label_rows = [_row(cross_validate_head(embedder, items, extra, k=folds)), _row(nested)]
    if weak_per_topic > 0:
        seen = [text for i in items for text in (i.title, i.text, f"{i.title}\n{i.text}")]
        weak = weak_examples(load_weak_topics(data / "corpora", seen, per_topic=weak_per_topic))
        row = _row(cross_validate_head(embedder, items, [*extra, *weak], k=folds))
        label_rows.append(replace(row, method=f"head + {len(weak)} weak corpus texts (CV)"))
    label_rows += [
        prototype_row(items, embedder),
        _row(majority_baseline(items, k=folds)),
        _row(tfidf_baseline(items, k=folds)),
    ]
    return {
        "dev_items": len(items),
        "about_items": sum(i.about for i in items),
        "folds": folds,
        "about": about_rows(items),
        "labels": [
            {
                "method": r.method,
                "stance_macro_f1": r.stance_macro_f1,
                "topic_accuracy": r.topic_accuracy,
                "stance_confusion": r.stance_confusion,
                "topic_confusion": r.topic_confusion,
            }
            for r in label_rows
        ],
        "nested_choices": list(nested.chosen),
        "floors": floors(),
    }
