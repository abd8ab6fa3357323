"""Stance and topic by nearest label prototype: a first classifier that needs no training.

Each label's prototype is the mean of its descriptions in ``classify.labels``, embedded on
the e5 ``query:`` side once, on first use. An item's passage vector is compared with every
prototype by cosine similarity; a softmax over the similarities divided by a temperature
turns them into a confidence. e5 similarities sit in a narrow band (0.82-0.90 against these
prototypes), so the temperatures are small. They were chosen to minimise log-loss on the dev
labels, so that there the mean confidence is close to the accuracy. They change confidences
only, never the chosen label.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from classify.labels import STANCE_PROTOTYPES, TOPIC_PROTOTYPES
from core.enums import Stance, Topic
from core.item import Vector
from core.ports import Embedder

L = TypeVar("L", Stance, Topic)

#: Softmax temperatures over cosine similarities (see the module docstring).
STANCE_TEMPERATURE = 0.01
TOPIC_TEMPERATURE = 0.005


@dataclass(frozen=True, slots=True)
class Judgement:
    """The stance and topic chosen for one item, each with the softmax probability of the choice."""

    stance: Stance
    stance_confidence: float
    topic: Topic
    topic_confidence: float


@dataclass(frozen=True, slots=True)
class _Prototypes(Generic[L]):
    labels: tuple[L, ...]
    matrix: Vector  # (len(labels), dim), unit rows


def _prototypes(embedder: Embedder, table: Mapping[L, Sequence[str]]) -> _Prototypes[L]:
    labels = tuple(table)
    texts = [text for label in labels for text in table[label]]
    vectors = embedder.embed_queries(texts)
    rows, at = [], 0
    for label in labels:
        n = len(table[label])
        mean = vectors[at : at + n].mean(axis=0)
        rows.append(mean / np.linalg.norm(mean))
        at += n
    return _Prototypes(labels, np.stack(rows).astype(np.float32))


def _softmax(similarities: Vector, temperature: float) -> Vector:
    scaled = similarities / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    weights = np.exp(scaled)
    result: Vector = (weights / weights.sum(axis=1, keepdims=True)).astype(np.float32)
    return result


class PrototypeClassifier:
    """Assigns a stance and a topic to passage vectors by their nearest label prototypes.

    Args:
        embedder: embeds the label descriptions; must be the model that embedded the items.
        stance_temperature: softmax temperature for stance confidences.
        topic_temperature: softmax temperature for topic confidences.
    """

    def __init__(
        self,
        embedder: Embedder,
        stance_temperature: float = STANCE_TEMPERATURE,
        topic_temperature: float = TOPIC_TEMPERATURE,
    ) -> None:
        if stance_temperature <= 0 or topic_temperature <= 0:
            raise ValueError("temperatures must be positive")
        self._embedder = embedder
        self._temperatures = (stance_temperature, topic_temperature)
        self._stance: _Prototypes[Stance] | None = None
        self._topic: _Prototypes[Topic] | None = None
        self._lock = threading.Lock()

    def classify(self, vectors: Vector) -> list[Judgement]:
        """Judge each row of ``vectors`` (``(n, dim)`` unit passage vectors).

        Raises:
            EmbeddingError: the label descriptions could not be embedded (first call only).
            ValueError: ``vectors`` is not ``(n, dim)`` for the embedder's ``dim``.
        """
        if vectors.ndim != 2 or vectors.shape[1] != self._embedder.dim:
            raise ValueError(f"expected vectors of shape (n, {self._embedder.dim}), got {vectors.shape}")
        if not len(vectors):
            return []
        stance, topic = self._load()
        stance_p = _softmax(vectors @ stance.matrix.T, self._temperatures[0])
        topic_p = _softmax(vectors @ topic.matrix.T, self._temperatures[1])
        judgements = []
        for sp, tp in zip(stance_p, topic_p, strict=True):
            s, t = int(sp.argmax()), int(tp.argmax())
            judgements.append(Judgement(stance.labels[s], float(sp[s]), topic.labels[t], float(tp[t])))
        return judgements

    def similarities(self, vectors: Vector) -> tuple[Vector, Vector]:
        """Cosine similarities of each row to the stance and to the topic prototypes.

        Returns ``(n, len(Stance))`` and ``(n, len(Topic))`` arrays, columns in the order of
        ``classify.labels``; the trained head (``classify.trained``) uses them as features.
        """
        stance, topic = self._load()
        return vectors @ stance.matrix.T, vectors @ topic.matrix.T

    def topic_prototypes(self) -> tuple[tuple[Topic, ...], Vector]:
        """The topics and their prototype rows (unit vectors), which trained centroids start from."""
        _, topic = self._load()
        return topic.labels, topic.matrix

    def _load(self) -> tuple[_Prototypes[Stance], _Prototypes[Topic]]:
        with self._lock:
            if self._stance is None or self._topic is None:
                self._stance = _prototypes(self._embedder, STANCE_PROTOTYPES)
                self._topic = _prototypes(self._embedder, TOPIC_PROTOTYPES)
            return self._stance, self._topic
