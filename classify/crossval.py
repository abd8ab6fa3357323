"""k-fold cross-validated stance and topic scores on the dev set, and the baselines.

The dev set is the only labelled data, so a trained head is scored by k-fold
cross-validation: every dev item is predicted by a model that never saw it (the weak
corpus examples, which hold no dev item, are in every fold's training set). The folds
are fixed by a seed, so a run is reproducible. Nothing here reports train-on-test numbers.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from classify.evaluate import LabelledItem, accuracy, macro_f1
from classify.head import train_head
from classify.trained import WEAK_WEIGHT, Example, TrainedJudge, embed_examples, train_model
from classify.weak import WeakExample
from core.enums import Stance, Topic
from core.item import Vector
from core.ports import Embedder
from core.text import fold as fold_text

FOLDS = 5
SEED = 13


@dataclass(frozen=True, slots=True)
class Predictions:
    """Gold and predicted labels over the dev items labelled about their locality."""

    method: str
    stance_gold: tuple[Stance, ...]
    stance_pred: tuple[Stance, ...]
    stance_confidence: tuple[float, ...]
    topic_gold: tuple[Topic, ...]
    topic_pred: tuple[Topic, ...]

    @property
    def stance_macro_f1(self) -> float:
        return macro_f1(self.stance_gold, self.stance_pred)

    @property
    def topic_accuracy(self) -> float:
        return accuracy(self.topic_gold, self.topic_pred)


def folds(items: Sequence[LabelledItem], k: int = FOLDS, seed: int = SEED) -> list[int]:
    """A fold number per item, stratified by (about, stance) so each fold has every stance."""
    rng = random.Random(seed)  # noqa: S311 - reproducible folds, not secrets
    groups: dict[tuple[bool, str], list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault((item.about, str(item.stance)), []).append(i)
    assignment = [0] * len(items)
    offset = 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for j, i in enumerate(members):
            assignment[i] = (offset + j) % k
        offset += len(members)
    return assignment


def dev_examples(items: Sequence[LabelledItem]) -> list[Example]:
    """Dev items as training examples (stance only where about; topic where agreed)."""
    return [Example(i.title, i.text, i.stance if i.about else None, i.topic) for i in items]


def weak_examples(weak: Sequence[WeakExample], weight: float = WEAK_WEIGHT) -> list[Example]:
    """Corpus examples carrying only a topic, at ``weight`` each."""
    return [Example(w.title, w.text, None, w.topic, weight, "weak") for w in weak]


def _collect(
    method: str, items: Sequence[LabelledItem], predicted: dict[int, tuple[Stance, float, Topic]]
) -> Predictions:
    stanced = [(i, s) for i, item in enumerate(items) if item.about and (s := item.stance) is not None]
    topical = [(i, t) for i, item in enumerate(items) if item.about and (t := item.topic) is not None]
    return Predictions(
        method,
        tuple(s for _, s in stanced),
        tuple(predicted[i][0] for i, _ in stanced),
        tuple(predicted[i][1] for i, _ in stanced),
        tuple(t for _, t in topical),
        tuple(predicted[i][2] for i, _ in topical),
    )


def cross_validate_head(
    embedder: Embedder,
    items: Sequence[LabelledItem],
    extra: Sequence[Example] = (),
    *,
    k: int = FOLDS,
    seed: int = SEED,
    stance_l2: float | None = None,
) -> Predictions:
    """k-fold predictions of the trained head; ``extra`` examples (weak, corrections) train every fold."""
    dev = dev_examples(items)
    dev_vectors = embed_examples(embedder, dev)
    weak_vectors = embed_examples(embedder, extra) if extra else np.empty((0, dev_vectors.shape[1]), np.float32)
    assignment = folds(items, k, seed)
    predicted: dict[int, tuple[Stance, float, Topic]] = {}
    options: dict[str, float] = {}
    if stance_l2 is not None:
        options["stance_l2"] = stance_l2
    for fold in range(k):
        train = [i for i in range(len(items)) if assignment[i] != fold]
        test = [i for i in range(len(items)) if assignment[i] == fold and items[i].about]
        examples = [dev[i] for i in train] + list(extra)
        vectors = np.vstack([dev_vectors[train], weak_vectors])
        model = train_model(embedder, examples, vectors=vectors, **options)
        judge = TrainedJudge(embedder, model)
        judgements = judge.judge(dev_vectors[test], [items[i].title for i in test], [items[i].text for i in test])
        for i, j in zip(test, judgements, strict=True):
            predicted[i] = (j.stance, j.stance_confidence, j.topic)
    return _collect("head (CV)", items, predicted)


def majority_baseline(items: Sequence[LabelledItem], *, k: int = FOLDS, seed: int = SEED) -> Predictions:
    """Each fold predicts the most common stance and topic of its training folds."""
    assignment = folds(items, k, seed)
    predicted: dict[int, tuple[Stance, float, Topic]] = {}
    for fold in range(k):
        train = [items[i] for i in range(len(items)) if assignment[i] != fold and items[i].about]
        stance = Counter(i.stance for i in train if i.stance).most_common(1)[0][0]
        topic = Counter(i.topic for i in train if i.topic).most_common(1)[0][0]
        for i in range(len(items)):
            if assignment[i] == fold and items[i].about and stance is not None and topic is not None:
                predicted[i] = (stance, 1.0, topic)
    return _collect("majority class (CV)", items, predicted)


_WORD = re.compile(r"\w+")


def _tfidf(train_docs: Sequence[str], test_docs: Sequence[str], max_terms: int = 3000) -> tuple[Vector, Vector]:
    """Unigram + bigram TF-IDF on folded words, vocabulary from the training docs only."""

    def terms(doc: str) -> list[str]:
        words = _WORD.findall(fold_text(doc))
        return words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]

    train_terms = [terms(d) for d in train_docs]
    df = Counter(t for doc in train_terms for t in set(doc))
    ranked = sorted(df.items(), key=lambda pair: (-pair[1], pair[0]))[:max_terms]  # ties by term: reproducible
    vocab = {t: i for i, (t, _) in enumerate(ranked)}
    idf = np.log((1 + len(train_docs)) / (1 + np.array([df[t] for t in vocab], dtype=np.float64))) + 1

    def matrix(docs: Sequence[list[str]]) -> Vector:
        out = np.zeros((len(docs), len(vocab)), dtype=np.float32)
        for row, doc in enumerate(docs):
            for term, n in Counter(doc).items():
                if term in vocab:
                    out[row, vocab[term]] = (1 + np.log(n)) * idf[vocab[term]]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        result: Vector = (out / np.where(norms == 0, 1, norms)).astype(np.float32)
        return result

    return matrix(train_terms), matrix([terms(d) for d in test_docs])


def tfidf_baseline(items: Sequence[LabelledItem], *, k: int = FOLDS, seed: int = SEED) -> Predictions:
    """TF-IDF + logistic regression trained on the other folds of the dev set only."""
    assignment = folds(items, k, seed)
    docs = [f"{i.title}\n{i.text[:1000]}" for i in items]
    predicted: dict[int, tuple[Stance, float, Topic]] = {}
    for fold in range(k):
        train = [i for i in range(len(items)) if assignment[i] != fold]
        test = [i for i in range(len(items)) if assignment[i] == fold and items[i].about]
        x_train, x_test = _tfidf([docs[i] for i in train], [docs[i] for i in test])
        s_rows = [(j, s) for j, i in enumerate(train) if items[i].about and (s := items[i].stance) is not None]
        t_rows = [(j, t) for j, i in enumerate(train) if (t := items[i].topic) is not None]
        stance = train_head(x_train[[j for j, _ in s_rows]], [s for _, s in s_rows], l2=1.0, classes=tuple(Stance))
        topic = train_head(x_train[[j for j, _ in t_rows]], [t for _, t in t_rows], l2=1.0, classes=tuple(Topic))
        for i, (s, sc), (t, _) in zip(test, stance.predict(x_test), topic.predict(x_test), strict=True):
            predicted[i] = (s, sc, t)
    return _collect("TF-IDF + logistic regression (CV)", items, predicted)


def confusion(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[list[str], list[list[int]]]:
    """Labels (those in gold or predictions) and the matrix ``[gold][predicted]`` of counts."""
    labels = sorted({str(g) for g in gold} | {str(p) for p in predicted})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[str(g)]][index[str(p)]] += 1
    return labels, matrix
