"""Scoring story clustering on a *constructed* near-duplicate set (there is no labelled one).

Base articles are real VNTC news texts (``corpora/vntc-10topics-sample``). Each base is
published once, and some are re-published 1–3 times by "other outlets" with two or three
light edits drawn at random (seeded) from:

- ``drop``: 10–20 % of the sentences removed (at least one);
- ``reorder``: two neighbouring paragraphs swapped;
- ``headline``: the headline replaced by the article's first sentence, cut to 12 words;
- ``boilerplate``: outlet lines added ("Theo báo ...", "Tin liên quan:" with three real
  headlines of other articles, a copyright line);
- ``truncate``: only the first 55–80 % of the paragraphs kept.

Distinct bases are the negatives; pairs from the same VNTC topic are the hard ones
(same vocabulary, different story). Bases that already overlap in the corpus (exact
5-syllable-shingle containment above 0.5) are dropped first so that the truth is clean.
Items are clustered in a shuffled order through a real ``StoryIndex`` (text only, no
embeddings: embedding ~800 texts is too slow for a routine check on this machine), and
every pair of items is scored: precision, recall and F1 of "same cluster".
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path

from classify.stories import StoryIndex, StoryRules, shingles

CORPUS = Path("corpora") / "vntc-10topics-sample" / "vntc_test_sample.jsonl"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_OUTLETS = ("Tuổi Trẻ", "Thanh Niên", "Dân Trí", "VietNamNet", "Người Lao Động", "Zing", "Báo Mới")


@dataclass(frozen=True, slots=True)
class Article:
    """One item of the constructed set: ``story`` is the base it came from (the truth)."""

    item_id: str
    story: str
    topic: str
    title: str
    text: str
    edits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoryScores:
    """Pair scores of a clustering run on the constructed set."""

    items: int
    stories: int
    true_pairs: int
    hard_negative_pairs: int
    predicted_pairs: int
    precision: float
    recall: float
    f1: float
    false_merges_same_topic: int
    constructed: bool = True

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        return asdict(self)


def _split(raw: str) -> tuple[str, list[str]]:
    lines = [line.strip() for line in raw.replace("\r", "").split("\n") if line.strip()]
    return lines[0], lines[1:]


def _containment(a: set[int], b: set[int]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def load_bases(data_dir: Path, count: int, seed: int) -> list[Article]:
    """``count`` real articles, spread over the topics, none overlapping another in the corpus."""
    rows = [json.loads(line) for line in (data_dir / CORPUS).read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    rng.shuffle(rows)
    by_topic: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        title, paragraphs = _split(row["text"])
        if len(paragraphs) >= 3 and 800 <= len(row["text"]) <= 6000:
            by_topic[row["label"]].append(row)
    per_topic = max(1, count // max(1, len(by_topic)))
    chosen: list[Article] = []
    kept: list[set[int]] = []
    for topic in sorted(by_topic):
        taken = 0
        for row in by_topic[topic]:
            if taken == per_topic:
                break
            title, paragraphs = _split(row["text"])
            body = "\n\n".join(paragraphs)
            shingle_set = shingles(title, body)
            if any(_containment(shingle_set, other) > 0.5 for other in kept):
                continue  # already a near-duplicate inside the corpus: the truth would be wrong
            kept.append(shingle_set)
            chosen.append(Article(f"base-{len(chosen)}", f"s{len(chosen)}", topic, title, body))
            taken += 1
    return chosen


def _edit(base: Article, rng: random.Random, others: list[Article], n: int) -> Article:
    title, paragraphs = base.title, base.text.split("\n\n")
    edits = sorted(rng.sample(["drop", "reorder", "headline", "boilerplate", "truncate"], n))
    if "truncate" in edits:
        keep = max(2, round(len(paragraphs) * rng.uniform(0.55, 0.8)))
        paragraphs = paragraphs[:keep]
    if "drop" in edits:
        sentences = [s for p in paragraphs for s in _SENTENCE.split(p)]
        drop = set(rng.sample(range(len(sentences)), max(1, round(len(sentences) * rng.uniform(0.1, 0.2)))))
        kept_ids = iter(i not in drop for i in range(len(sentences)))
        paragraphs = [" ".join(s for s in _SENTENCE.split(p) if next(kept_ids)) for p in paragraphs]
        paragraphs = [p for p in paragraphs if p]
    if "reorder" in edits and len(paragraphs) >= 2:
        i = rng.randrange(len(paragraphs) - 1)
        paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    if "headline" in edits:
        first = _SENTENCE.split(paragraphs[0])[0].split()
        title = " ".join(first[:12])
    if "boilerplate" in edits:
        outlet = rng.choice(_OUTLETS)
        related = "; ".join(o.title for o in rng.sample(others, 3))
        paragraphs = [
            f"(Theo báo {outlet})",
            *paragraphs,
            f"Tin liên quan: {related}",
            f"© Bản quyền thuộc về {outlet}. Ghi rõ nguồn khi phát hành lại thông tin từ website này.",
        ]
    return Article("", base.story, base.topic, title, "\n\n".join(paragraphs), tuple(edits))


def build_set(data_dir: Path, *, bases: int = 300, seed: int = 7) -> list[Article]:
    """The constructed set: every base, and 0–3 lightly edited re-publications of each."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    originals = load_bases(data_dir, bases, seed)
    out: list[Article] = list(originals)
    for base in originals:
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            copy = _edit(base, rng, [o for o in originals if o.story != base.story], rng.choice((2, 2, 3)))
            out.append(Article(f"copy-{len(out)}", copy.story, copy.topic, copy.title, copy.text, copy.edits))
    rng.shuffle(out)
    return out


def score_clusters(articles: list[Article], clusters: list[str]) -> StoryScores:
    """Pair precision, recall and F1 of ``clusters`` (one per article) against the true stories."""
    tp = fp = fn = hard = same_topic_fp = 0
    for (a, ca), (b, cb) in combinations(zip(articles, clusters, strict=True), 2):
        truth, said = a.story == b.story, ca == cb
        hard += not truth and a.topic == b.topic
        tp += truth and said
        fp += said and not truth
        fn += truth and not said
        same_topic_fp += said and not truth and a.topic == b.topic
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return StoryScores(
        items=len(articles),
        stories=len({a.story for a in articles}),
        true_pairs=tp + fn,
        hard_negative_pairs=hard,
        predicted_pairs=tp + fp,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        false_merges_same_topic=same_topic_fp,
    )


def evaluate_stories(
    data_dir: Path, *, rules: StoryRules | None = None, bases: int = 300, seed: int = 7
) -> StoryScores:
    """Cluster the constructed set incrementally in a throw-away index and score the pairs.

    Args:
        data_dir: the shared data folder (``/work/shared/data``).
        rules: the clustering rules (default: the shipped ones).
        bases: how many real base articles to draw.
        seed: the seed of the draw and of the edits.
    """
    articles = build_set(data_dir, bases=bases, seed=seed)
    with tempfile.TemporaryDirectory(prefix="pressdesk-stories-") as folder:
        index = StoryIndex(Path(folder) / "stories.db", rules)
        try:
            clusters = index.assign_many([(a.item_id, a.title, a.text) for a in articles])
        finally:
            index.close()
    return score_clusters(articles, clusters)
