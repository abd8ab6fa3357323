"""Scores the classifiers on labelled items (the dev labels in ``../shared/data/labels``).

The dev set spans many provinces, so relevance is measured generally: each item gets a
minimal profile holding only its labelled province name, and the gazetteer decides
whether the item is about that province or only mentions it. Coverage often names a
province by its city ("Đà Lạt" for Lâm Đồng), which a name-only profile cannot see, so
relevance is also scored with ``GUIDELINE_ALIASES``, closer to a real profile, and with
the full province profiles of ``classify.provinces`` (what a deployment uses).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from classify.gazetteer import Gazetteer
from classify.passages import passage
from classify.prototypes import PrototypeClassifier
from classify.provinces import province_profile
from core.enums import Stance, Topic
from core.locality import LocalityProfile
from core.ports import Embedder

#: The city → province examples given to labellers in GUIDELINES.md, plus the press's usual
#: short forms of the provinces whose official names are rarely written in full.
GUIDELINE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "Khánh Hòa": ("Nha Trang",),
    "Lâm Đồng": ("Đà Lạt",),
    "Quảng Ninh": ("Hạ Long",),
    "Bà Rịa - Vũng Tàu": ("Vũng Tàu",),
    "Kiên Giang": ("Phú Quốc",),
    "Lào Cai": ("Sa Pa",),
    "Quảng Nam": ("Hội An",),
    "Nghệ An": ("Vinh",),
    "Thừa Thiên Huế": ("Huế",),
    "TP Hồ Chí Minh": ("Sài Gòn", "TP HCM", "TP.HCM", "TPHCM", "TP. Hồ Chí Minh", "thành phố Hồ Chí Minh"),
}


@dataclass(frozen=True, slots=True)
class LabelledItem:
    """One labelled item; ``stance`` is ``None`` when not about, ``topic`` when labellers disagreed."""

    id: str
    title: str
    text: str
    locality: str
    about: bool
    stance: Stance | None
    topic: Topic | None


@dataclass(frozen=True, slots=True)
class BinaryScores:
    """Precision, recall and F1 of the positive class."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class LabelScores:
    """Stance and topic scores over the items labelled about their locality."""

    stance_macro_f1: float
    topic_accuracy: float
    items: int


def load_labelled(path: Path) -> list[LabelledItem]:
    """Read a labels JSONL file.

    The corpora store the headline as the first line of ``text`` with an empty ``title``;
    that line becomes the title, as a crawled item would have it.
    """
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        title, text = row["title"].strip(), row["text"].strip()
        if not title and "\n" in text:
            title, text = (part.strip() for part in text.split("\n", 1))
        items.append(
            LabelledItem(
                id=row["id"],
                title=title,
                text=text,
                locality=row["locality"],
                about=bool(row["about"]),
                stance=Stance(row["stance"]) if row["stance"] else None,
                topic=Topic(row["topic"]) if row["topic"] else None,
            )
        )
    return items


def binary_scores(gold: Sequence[bool], predicted: Sequence[bool]) -> BinaryScores:
    """Precision, recall and F1 of ``True``; zero where undefined."""
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    precision = tp / sum(predicted) if any(predicted) else 0.0
    recall = tp / sum(gold) if any(gold) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BinaryScores(precision, recall, f1)


def macro_f1(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Mean F1 over the labels present in ``gold``."""
    labels = sorted(set(gold), key=str)
    per_label = [binary_scores([g == label for g in gold], [p == label for p in predicted]).f1 for label in labels]
    return sum(per_label) / len(per_label) if per_label else 0.0


def accuracy(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of exact agreements."""
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0


def predict_about(items: Sequence[LabelledItem], aliases: Mapping[str, Sequence[str]] | None = None) -> list[bool]:
    """The gazetteer's about decision for each item, against a profile of its province's name.

    Args:
        items: the labelled items.
        aliases: province name → other names to add to its profile; none by default.
    """
    aliases = aliases or {}
    predictions = []
    for item in items:
        profile = LocalityProfile(name=item.locality, aliases=tuple(aliases.get(item.locality, ())))
        predictions.append(Gazetteer(profile).is_about(item.title, item.text)[0])
    return predictions


def score_about(items: Sequence[LabelledItem], aliases: Mapping[str, Sequence[str]] | None = None) -> BinaryScores:
    """About/not-about scores of the gazetteer over ``items`` (``aliases`` as in ``predict_about``)."""
    return binary_scores([item.about for item in items], predict_about(items, aliases))


def predict_about_provinces(items: Sequence[LabelledItem]) -> list[bool]:
    """The gazetteer's about decision against the full profile of each item's province.

    The profile holds the province's short forms, cities, districts and places from
    ``classify/provinces.json``, as a real deployment's profile would.
    """
    return [Gazetteer(province_profile(item.locality)).is_about(item.title, item.text)[0] for item in items]


def score_about_provinces(items: Sequence[LabelledItem]) -> BinaryScores:
    """About/not-about scores with the full province profiles (``predict_about_provinces``)."""
    return binary_scores([item.about for item in items], predict_about_provinces(items))


def score_labels(items: Sequence[LabelledItem], embedder: Embedder) -> LabelScores:
    """Stance macro-F1 and topic accuracy of the prototype classifier on the items labelled about.

    Items whose topic the labellers disagreed on are left out of the topic accuracy.
    """
    about = [item for item in items if item.about]
    vectors = embedder.embed_passages([passage(item.title, item.text) for item in about])
    judgements = PrototypeClassifier(embedder).classify(vectors)
    stance = macro_f1([item.stance for item in about], [j.stance for j in judgements])
    topics = [(item.topic, j.topic) for item, j in zip(about, judgements, strict=True) if item.topic is not None]
    topic = accuracy([gold for gold, _ in topics], [predicted for _, predicted in topics])
    return LabelScores(stance, topic, len(about))
