"""Stance and topic learned from labelled examples, starting from the label prototypes.

Stance: a softmax head (``classify.head``) over the item's cosine similarities to the
stance and topic prototypes and counts of harm and promotion words in its title and lead
(``classify.cuewords``). Topic: the topic prototypes moved toward the mean of the labelled
examples of each topic (nearest centroid), which needs few examples per topic.

These shapes won a k-fold cross-validation on the dev set against a softmax head over the
full embedding and against adding weak corpus examples (``classify.crossval``;
numbers in ``classify/floors.json``). A ``LabelModel`` is tied to the embedder that
produced its training vectors: with another embedder it is not used.

Tried on 2026-12-03 and not adopted, mean stance macro-F1 of 5-fold CV over 20 fold
seeds (this head: 0.706, sd 0.024): a sentiment head trained on the UIT-VSFC
sentences of ``../shared/data/corpora`` (11,426 student-feedback sentences, 0.91
accuracy on its own validation split), its three probabilities added as features for
the title (0.717), the passage vector (with the title: 0.713), or the lead's sentences
(0.693; with the title 0.712). Within one standard deviation, for a second embedding
of every title. A softmax head over the gazetteer's own evidence (mentions, title,
lead, venue, other provinces) did not beat the about rules either (F1 0.922 against
0.921).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from classify.cuewords import cue_features
from classify.head import SoftmaxHead, train_head
from classify.passages import passage
from classify.prototypes import Judgement, PrototypeClassifier
from core.enums import Stance, Topic
from core.item import Vector
from core.ports import Embedder

log = logging.getLogger(__name__)

#: Characters of body read as the lead for the event-word features.
LEAD_CHARS = 400
#: Weight of a weak (corpus-section) example relative to a labelled one.
WEAK_WEIGHT = 0.3
#: L2 penalty of the stance head, chosen by cross-validation on the dev set.
STANCE_L2 = 10.0
#: Share of the written prototype kept in a learned topic centroid; the rest is the mean of
#: the labelled examples, shrunk toward the prototype when a topic has few (n / (n + 2)).
TOPIC_PROTOTYPE_SHARE = 0.3
#: Softmax temperature over centroid similarities (as ``classify.prototypes``).
TOPIC_TEMPERATURE = 0.005


@dataclass(frozen=True, slots=True)
class Example:
    """A training example: labelled by an analyst or the dev set (weight 1) or weak (less)."""

    title: str
    text: str
    stance: Stance | None
    topic: Topic | None
    weight: float = 1.0
    source: str = "labelled"


@dataclass(frozen=True)
class CentroidHead:
    """Topic centroids (unit rows): the topic is the most similar, confidence a softmax."""

    labels: tuple[Topic, ...]
    matrix: Vector
    temperature: float = TOPIC_TEMPERATURE

    def predict(self, vectors: Vector) -> list[tuple[Topic, float]]:
        """The nearest topic of each row, with its softmax probability."""
        z = (vectors @ self.matrix.T) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        return [(self.labels[int(row.argmax())], float(row.max())) for row in p]


@dataclass(frozen=True)
class LabelModel:
    """A trained stance head and topic centroids, and what they were trained with."""

    embedder: str
    stance: SoftmaxHead[Stance]
    topic: CentroidHead
    data_hash: str
    examples: int
    meta: dict[str, object] = field(default_factory=dict)


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """The first ``limit`` characters of the body, where the event usually is."""
    return " ".join(text.split())[:limit]


def features(prototypes: PrototypeClassifier, vectors: Vector, titles: Sequence[str], texts: Sequence[str]) -> Vector:
    """``(n, d)`` stance features: prototype similarities (centred per row) and event-word counts."""
    if not len(vectors):
        return np.empty((0, 0), dtype=np.float32)
    stance_sim, topic_sim = prototypes.similarities(vectors)
    stance_sim = stance_sim - stance_sim.mean(axis=1, keepdims=True)
    topic_sim = topic_sim - topic_sim.mean(axis=1, keepdims=True)
    cues = cue_features(titles, [lead(t) for t in texts])
    return np.hstack([stance_sim, topic_sim, cues]).astype(np.float32)


def topic_centroids(
    prototypes: PrototypeClassifier,
    vectors: Vector,
    topics: Sequence[Topic | None],
    weights: Sequence[float],
    share: float = TOPIC_PROTOTYPE_SHARE,
) -> CentroidHead:
    """Prototypes moved toward the weighted mean of each topic's examples (see the constants).

    ``share`` is the part of the written prototype kept (``TOPIC_PROTOTYPE_SHARE`` unless a
    nested cross-validation is choosing it).
    """
    labels, matrix = prototypes.topic_prototypes()
    rows = []
    for k, label in enumerate(labels):
        own = [i for i, t in enumerate(topics) if t == label]
        centroid = share * matrix[k]
        if own:
            w = np.asarray([weights[i] for i in own], dtype=np.float64)
            mean = (vectors[own] * w[:, None]).sum(axis=0) / w.sum()
            n = float(w.sum())
            centroid = centroid + (1 - share) * mean * n / (n + 2)
        else:
            centroid = matrix[k].copy()
        rows.append(centroid / np.linalg.norm(centroid))
    return CentroidHead(tuple(labels), np.stack(rows).astype(np.float32))


def data_hash(examples: Sequence[Example]) -> str:
    """sha256 of the training examples (texts, labels, weights), to tie a model to its data."""
    digest = hashlib.sha256()
    for ex in examples:
        row = [ex.title, ex.text, ex.stance or "", ex.topic or "", f"{ex.weight:.4f}", ex.source]
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def embed_examples(embedder: Embedder, examples: Sequence[Example]) -> Vector:
    """Passage vectors of the examples (weak ones are shorter: they are cheap section samples)."""
    return embedder.embed_passages(
        [passage(ex.title, ex.text, 1000 if ex.source == "labelled" else 400) for ex in examples]
    )


def train_model(
    embedder: Embedder,
    examples: Sequence[Example],
    *,
    vectors: Vector | None = None,
    stance_l2: float = STANCE_L2,
    topic_share: float = TOPIC_PROTOTYPE_SHARE,
    prototypes: PrototypeClassifier | None = None,
) -> LabelModel:
    """Train the stance head and the topic centroids on ``examples`` (embedded here unless given).

    ``prototypes`` lets cross-validation embed the label descriptions once for all its fits.

    Raises:
        ValueError: fewer than two stance labels among the examples.
        EmbeddingError: the embedder failed.
    """
    if vectors is None:
        vectors = embed_examples(embedder, examples)
    prototypes = prototypes or PrototypeClassifier(embedder)
    x = features(prototypes, vectors, [e.title for e in examples], [e.text for e in examples])
    s_rows = [(i, s) for i, e in enumerate(examples) if (s := e.stance) is not None]
    stance = train_head(
        x[[i for i, _ in s_rows]],
        [s for _, s in s_rows],
        weights=[examples[i].weight for i, _ in s_rows],
        l2=stance_l2,
        classes=tuple(Stance),
    )
    topic = topic_centroids(
        prototypes, vectors, [e.topic for e in examples], [e.weight for e in examples], share=topic_share
    )
    return LabelModel(embedder.model_name, stance, topic, data_hash(examples), len(examples))


class TrainedJudge:
    """Judges stance and topic with a ``LabelModel``, or by prototypes when there is none.

    Args:
        embedder: the embedder of the item vectors.
        model: the trained heads; ignored (prototypes answer) when trained with another embedder.
        prototypes: the label prototypes of ``embedder``, when already embedded elsewhere.
    """

    def __init__(
        self, embedder: Embedder, model: LabelModel | None, prototypes: PrototypeClassifier | None = None
    ) -> None:
        self._embedder = embedder
        self._model = model
        self._prototypes = prototypes or PrototypeClassifier(embedder)
        self._warned = False

    @property
    def version(self) -> str:
        """The model version in use, or ``prototypes-v1``."""
        model = self._usable()
        return str(model.meta.get("version", "unversioned")) if model else "prototypes-v1"

    def _usable(self) -> LabelModel | None:
        model = self._model
        if model is None:
            return None
        if model.embedder != self._embedder.model_name:
            if not self._warned:
                self._warned = True
                log.warning(
                    "model %s was trained with %s, not %s: using the label prototypes; run `pressdesk model train`",
                    model.meta.get("version", "?"),
                    model.embedder,
                    self._embedder.model_name,
                )
            return None
        return model

    def judge(self, vectors: Vector, titles: Sequence[str], texts: Sequence[str]) -> list[Judgement]:
        """A stance and a topic per row of ``vectors`` (passage vectors of the items given)."""
        model = self._usable()
        if model is None:
            return self._prototypes.classify(vectors)
        if not len(vectors):
            return []
        x = features(self._prototypes, vectors, titles, texts)
        stances = model.stance.predict(x)
        topics = model.topic.predict(vectors)
        return [Judgement(s, sc, t, tc) for (s, sc), (t, tc) in zip(stances, topics, strict=True)]
