"""A trainable head over embeddings: multinomial logistic regression in numpy.

Why numpy and not scikit-learn: the head is a few thousand weights, trains in well under
a second on a thousand examples, and the default install stays free of a second numeric
stack. Features are standardised with the training set's mean and spread, which are
saved with the weights so a model file is self-contained.

The head starts from the label prototypes: their cosine similarities are features, and
with no training data at all ``PrototypeClassifier`` still answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from core.enums import Stance, Topic
from core.item import Vector

L = TypeVar("L", Stance, Topic)


@dataclass(frozen=True)
class SoftmaxHead(Generic[L]):
    """Trained weights: ``probabilities(x) = softmax(((x - mean) / scale) @ weights + bias)``."""

    labels: tuple[L, ...]
    mean: Vector
    scale: Vector
    weights: Vector
    bias: Vector

    def probabilities(self, features: Vector) -> Vector:
        """``(n, len(labels))`` class probabilities for ``(n, d)`` features."""
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        result: Vector = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        return result

    def predict(self, features: Vector) -> list[tuple[L, float]]:
        """The most probable label of each row, with its probability."""
        p = self.probabilities(features)
        return [(self.labels[int(row.argmax())], float(row.max())) for row in p]


def train_head(
    features: Vector,
    labels: Sequence[L],
    *,
    weights: Sequence[float] | None = None,
    l2: float = 1.0,
    steps: int = 400,
    learning_rate: float = 0.1,
    classes: Sequence[L] | None = None,
) -> SoftmaxHead[L]:
    """Fit a softmax regression by full-batch Adam on the weighted cross-entropy plus L2.

    Args:
        features: ``(n, d)`` training features.
        labels: the label of each row.
        weights: per-example weights (weak corpus examples count less than analyst labels).
        l2: L2 penalty on the weights, per example weight unit; larger is smoother.
        steps: optimisation steps (the problem is convex, so the result barely depends on it).
        learning_rate: Adam step size.
        classes: the label set, in order; defaults to the labels seen, sorted.

    Raises:
        ValueError: fewer than two distinct labels, or shapes that disagree.
    """
    if features.ndim != 2 or features.shape[0] != len(labels):
        raise ValueError(f"features {features.shape} do not match {len(labels)} labels")
    classes = tuple(classes) if classes is not None else tuple(sorted(set(labels), key=str))
    if len(set(labels)) < 2:
        raise ValueError("training needs examples of at least two labels")
    index = {label: i for i, label in enumerate(classes)}
    y = np.zeros((len(labels), len(classes)), dtype=np.float64)
    y[np.arange(len(labels)), [index[label] for label in labels]] = 1.0
    w_ex = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    w_ex = w_ex / w_ex.sum()
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    x = (features.astype(np.float64) - mean) / scale
    n_total = float(len(labels))
    w = np.zeros((x.shape[1], len(classes)))
    b = np.zeros(len(classes))
    m_w, v_w, m_b, v_b = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b))
    beta1, beta2 = 0.9, 0.999
    for step in range(1, steps + 1):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * w_ex[:, None]
        grad_w = x.T @ g + (l2 / n_total) * w
        grad_b = g.sum(axis=0)
        m_w = beta1 * m_w + (1 - beta1) * grad_w
        v_w = beta2 * v_w + (1 - beta2) * grad_w**2
        m_b = beta1 * m_b + (1 - beta1) * grad_b
        v_b = beta2 * v_b + (1 - beta2) * grad_b**2
        correction1, correction2 = 1 - beta1**step, 1 - beta2**step
        w -= learning_rate * (m_w / correction1) / (np.sqrt(v_w / correction2) + 1e-8)
        b -= learning_rate * (m_b / correction1) / (np.sqrt(v_b / correction2) + 1e-8)
    return SoftmaxHead(
        classes,
        mean.astype(np.float32),
        scale.astype(np.float32),
        w.astype(np.float32),
        b.astype(np.float32),
    )
