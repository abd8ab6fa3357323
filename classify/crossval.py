"""k-fold cross-validated stance and topic scores on the dev set, and the baselines.

The dev set is the only labelled data, so a trained head is scored by k-fold
cross-validation: every dev item is predicted by a model that never saw it (the weak
corpus examples, which hold no dev item, are in every fold's training set). The folds
are fixed by a seed, so a run is reproducible. Nothing here reports train-on-test numbers.

Plain k-fold is still optimistic: the head's shape and its penalties were chosen by
looking at those same k-fold scores. ``nested_cross_validate_head`` is the honest
number: inside each outer fold, an inner k-fold over the outer training items alone
picks the stance penalty and the topic prototype share from a fixed grid, and only then
is the held-out fold predicted. The outer folds never take part in any choice.
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
from classify.prototypes import PrototypeClassifier
from classify.trained import (
    STANCE_L2,
    TOPIC_PROTOTYPE_SHARE,
    WEAK_WEIGHT,
    Example,
    TrainedJudge,
    embed_examples,
    train_model,
)
from classify.weak import WeakExample
from core.enums import Stance, Topic
from core.item import Vector
from core.ports import Embedder
from core.text import fold as fold_text

FOLDS = 5
SEED = 13
#: Inner folds of the nested cross-validation, and the grids it chooses from.
INNER_FOLDS = 4
STANCE_L2_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
TOPIC_SHARE_GRID = (0.0, 0.15, 0.3, 0.5, 0.7)


@dataclass(frozen=True, slots=True)
class Predictions:
    """Gold and predicted labels over the dev items labelled about their locality."""

    method: str
    stance_gold: tuple[Stance, ...]
    stance_pred: tuple[Stance, ...]
    stance_confidence: tuple[float, ...]
    topic_gold: tuple[Topic, ...]
    topic_pred: tuple[Topic, ...]
    chosen: tuple[str, ...] = ()  # nested CV: what each outer fold's inner CV chose

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
    method: str,
    items: Sequence[LabelledItem],
    predicted: dict[int, tuple[Stance, float, Topic]],
    chosen: Sequence[str] = (),
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
        tuple(chosen),
    )


@dataclass(frozen=True, slots=True)
class _Embedded:
    """The dev items as examples with their vectors, and extra examples trained in every fold."""

    items: Sequence[LabelledItem]
    dev: list[Example]
    vectors: Vector
    extra: list[Example]
    extra_vectors: Vector
    prototypes: PrototypeClassifier

    @classmethod
    def of(cls, embedder: Embedder, items: Sequence[LabelledItem], extra: Sequence[Example]) -> _Embedded:
        dev = dev_examples(items)
        vectors = embed_examples(embedder, dev)
        extra_vectors = embed_examples(embedder, extra) if extra else np.empty((0, vectors.shape[1]), np.float32)
        return cls(items, dev, vectors, list(extra), extra_vectors, PrototypeClassifier(embedder))

    def predict(
        self, embedder: Embedder, train: Sequence[int], test: Sequence[int], stance_l2: float, topic_share: float
    ) -> dict[int, tuple[Stance, float, Topic]]:
        """Train on the dev items ``train`` (and the extra examples); judge the dev items ``test``."""
        model = train_model(
            embedder,
            [self.dev[i] for i in train] + self.extra,
            vectors=np.vstack([self.vectors[list(train)], self.extra_vectors]),
            stance_l2=stance_l2,
            topic_share=topic_share,
            prototypes=self.prototypes,
        )
        judge = TrainedJudge(embedder, model, self.prototypes)
        rows = list(test)
        judgements = judge.judge(
            self.vectors[rows], [self.items[i].title for i in rows], [self.items[i].text for i in rows]
        )
        return {i: (j.stance, j.stance_confidence, j.topic) for i, j in zip(rows, judgements, strict=True)}


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
    data = _Embedded.of(embedder, items, extra)
    assignment = folds(items, k, seed)
    predicted: dict[int, tuple[Stance, float, Topic]] = {}
    for fold in range(k):
        train = [i for i in range(len(items)) if assignment[i] != fold]
        test = [i for i in range(len(items)) if assignment[i] == fold and items[i].about]
        predicted.update(data.predict(embedder, train, test, stance_l2 or STANCE_L2, TOPIC_PROTOTYPE_SHARE))
    return _collect("head (CV)", items, predicted)


def nested_cross_validate_head(
    embedder: Embedder,
    items: Sequence[LabelledItem],
    extra: Sequence[Example] = (),
    *,
    k: int = FOLDS,
    inner: int = INNER_FOLDS,
    seed: int = SEED,
) -> Predictions:
    """Nested k-fold predictions: the penalties are chosen inside each outer fold (module docstring).

    The stance penalty and the topic share are chosen separately (they belong to separate
    heads), each by its inner score: stance macro-F1, topic accuracy, on items labelled about.
    Ties go to the earlier grid value.
    """
    data = _Embedded.of(embedder, items, extra)
    assignment = folds(items, k, seed)
    predicted: dict[int, tuple[Stance, float, Topic]] = {}
    chosen = []
    for fold in range(k):
        outer_train = [i for i in range(len(items)) if assignment[i] != fold]
        inner_assignment = folds([items[i] for i in outer_train], inner, seed + 1 + fold)
        # one fit per grid position: position j pairs STANCE_L2_GRID[j] with TOPIC_SHARE_GRID[j],
        # and since the two heads are trained apart, each fit scores one value of each
        inner_predicted: list[dict[int, tuple[Stance, float, Topic]]] = [{} for _ in STANCE_L2_GRID]
        for inner_fold in range(inner):
            train = [i for i, f in zip(outer_train, inner_assignment, strict=True) if f != inner_fold]
            test = [i for i, f in zip(outer_train, inner_assignment, strict=True) if f == inner_fold and items[i].about]
            for j, (l2, share) in enumerate(zip(STANCE_L2_GRID, TOPIC_SHARE_GRID, strict=True)):
                inner_predicted[j].update(data.predict(embedder, train, test, l2, share))
        scores = [_collect("inner", [items[i] for i in outer_train], _reindex(outer_train, p)) for p in inner_predicted]
        best_l2 = STANCE_L2_GRID[max(range(len(scores)), key=lambda j: (scores[j].stance_macro_f1, -j))]
        best_share = TOPIC_SHARE_GRID[max(range(len(scores)), key=lambda j: (scores[j].topic_accuracy, -j))]
        chosen.append(f"fold {fold}: stance_l2 {best_l2:g}, topic_share {best_share:g}")
        test = [i for i in range(len(items)) if assignment[i] == fold and items[i].about]
        predicted.update(data.predict(embedder, outer_train, test, best_l2, best_share))
    return _collect("head (nested CV)", items, predicted, chosen)


def _reindex(
    members: Sequence[int], predicted: dict[int, tuple[Stance, float, Topic]]
) -> dict[int, tuple[Stance, float, Topic]]:
    """Predictions keyed by position in ``members`` instead of by dev index."""
    return {position: predicted[i] for position, i in enumerate(members) if i in predicted}


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
