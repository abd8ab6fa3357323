"""Story clusters: the same story re-published by several outlets, lightly edited, is one story.

Each item is cut into shingles (runs of 5 folded syllables, hashed). A quarter of them,
picked by hash value so that two copies pick the same ones, go into a lookup table that
finds earlier items sharing any passage; each candidate is then compared exactly on
Jaccard similarity and on containment (how much of the shorter text is in the longer
one, which survives truncation and added boilerplate). The e5 embedding cosine, when
both items have one, is a second signal that lets a weaker text overlap count (a
rewritten headline and lead). An item joins the cluster of its most similar earlier
item, else starts its own; clusters never merge afterwards, so a stored ``cluster_id``
stays true.

The index is a SQLite file (``stories.db``, WAL, ``user_version`` migrations), so
clustering is incremental as items arrive. ``spread`` tells how far a story went.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from core.errors import StoreError, StoreUnavailable
from core.item import Vector
from core.sqlite import connect
from core.text import fold

SHINGLE = 5
#: One shingle in ``SAMPLE`` (by hash) goes into the lookup table: enough to find every
#: candidate sharing a paragraph, at a quarter of the rows.
SAMPLE = 4
_WORD = re.compile(r"\w+")
Shingles = npt.NDArray[np.uint32]

_MIGRATIONS = (
    """
    CREATE TABLE story_item (
        item_id TEXT PRIMARY KEY,
        cluster_id TEXT NOT NULL,
        outlet TEXT NOT NULL DEFAULT '',
        seen_at TEXT NOT NULL,
        shingles BLOB NOT NULL,
        vector BLOB
    );
    CREATE INDEX story_item_cluster ON story_item (cluster_id, seen_at);
    CREATE TABLE story_shingle (shingle INTEGER NOT NULL, item_id TEXT NOT NULL);
    CREATE INDEX story_shingle_value ON story_shingle (shingle);
    """,
)


@dataclass(frozen=True, slots=True)
class StoryRules:
    """When two items are the same story (values chosen on the constructed set; see ``docs/claims.md``).

    Attributes:
        jaccard: estimated Jaccard of shingles at or above which two texts are one story.
        containment: estimated share of the shorter text found in the longer one.
        weak_containment: a weaker containment that counts when the embeddings agree.
        cosine: embedding cosine needed beside ``weak_containment``.
        min_shingles: shorter texts are only clustered when (nearly) identical.
    """

    jaccard: float = 0.5
    containment: float = 0.6
    weak_containment: float = 0.3
    cosine: float = 0.93
    min_shingles: int = 12


@dataclass(frozen=True, slots=True)
class StorySpread:
    """How far one story went: its items, the outlets that published it, first and last seen."""

    cluster_id: str
    items: tuple[str, ...]
    outlets: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        return {
            "cluster_id": self.cluster_id,
            "items": list(self.items),
            "outlets": list(self.outlets),
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
        }


def shingles(title: str, text: str) -> set[int]:
    """Hashes of every run of ``SHINGLE`` folded syllables of the title and text."""
    words = _WORD.findall(fold(f"{title}\n{text}"))
    if len(words) < SHINGLE:
        words = words + [""] * (SHINGLE - len(words)) if words else []
    return {
        int.from_bytes(hashlib.blake2b(" ".join(words[i : i + SHINGLE]).encode(), digest_size=4).digest(), "little")
        for i in range(max(len(words) - SHINGLE + 1, 0))
    }


def shingle_array(hashes: set[int]) -> Shingles:
    """The shingle hashes as a sorted array, the form kept in the index."""
    return np.array(sorted(hashes), dtype=np.uint32)


def overlap(a: Shingles, b: Shingles) -> tuple[float, float]:
    """``(jaccard, containment of the smaller in the larger)`` of two shingle arrays."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared), shared / min(len(a), len(b))


def same_story(
    jaccard: float, containment: float, cosine: float | None, sizes: tuple[int, int], rules: StoryRules
) -> bool:
    """Whether two items are one story under ``rules``."""
    if min(sizes) < rules.min_shingles:
        return jaccard >= 0.9
    if jaccard >= rules.jaccard or containment >= rules.containment:
        return True
    return cosine is not None and containment >= rules.weak_containment and cosine >= rules.cosine


class StoryIndex:
    """The persistent near-duplicate index; ``assign`` gives each new item its ``cluster_id``.

    Args:
        path: the SQLite file (``stories.db`` under the data directory), opened on first use.
        rules: when two items are one story.
    """

    def __init__(self, path: Path, rules: StoryRules | None = None) -> None:
        self.path = path
        self.rules = rules or StoryRules()
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def assign(
        self,
        item_id: str,
        title: str,
        text: str,
        *,
        outlet: str = "",
        seen: datetime | None = None,
        embedding: Vector | None = None,
    ) -> str:
        """Return the item's ``cluster_id``, indexing it on first sight (an item seen again keeps its cluster).

        The cluster id is the id of the story's first indexed item.

        Raises:
            StoreUnavailable: the index cannot be opened or is locked.
            StoreError: the write failed.
        """
        mine = shingle_array(shingles(title, text))
        vector = None if embedding is None else np.asarray(embedding, dtype=np.float32)
        with self._lock:
            conn = self._open()
            try:
                with conn:
                    row = conn.execute("SELECT cluster_id FROM story_item WHERE item_id = ?", (item_id,)).fetchone()
                    if row:
                        return str(row[0])
                    cluster = self._best_cluster(conn, mine, vector) or item_id
                    conn.execute(
                        "INSERT INTO story_item VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            item_id, cluster, outlet, (seen or datetime.now(UTC)).isoformat(),
                            mine.tobytes(), None if vector is None else vector.tobytes(),
                        ),
                    )  # fmt: skip
                    conn.executemany(
                        "INSERT INTO story_shingle VALUES (?, ?)", [(int(h), item_id) for h in _sampled(mine)]
                    )
                    return cluster
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc

    def assign_many(self, items: Sequence[tuple[str, str, str]]) -> list[str]:
        """``assign`` for ``(item_id, title, text)`` triples in order (no outlets, no embeddings)."""
        return [self.assign(item_id, title, text) for item_id, title, text in items]

    def spread(self, cluster_id: str) -> StorySpread | None:
        """How far the story went, or ``None`` for an unknown cluster id.

        Raises:
            StoreUnavailable: the index cannot be opened.
        """
        with self._lock:
            conn = self._open()
            try:
                rows = conn.execute(
                    "SELECT item_id, outlet, seen_at FROM story_item WHERE cluster_id = ? ORDER BY seen_at, item_id",
                    (cluster_id,),
                ).fetchall()
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc
        if not rows:
            return None
        seen = [datetime.fromisoformat(r[2]) for r in rows]
        return StorySpread(
            cluster_id=cluster_id,
            items=tuple(r[0] for r in rows),
            outlets=tuple(sorted({r[1] for r in rows if r[1]})),
            first_seen=min(seen),
            last_seen=max(seen),
        )

    def close(self) -> None:
        """Close the file; the next call reopens it."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _best_cluster(self, conn: sqlite3.Connection, mine: Shingles, vector: Vector | None) -> str | None:
        sample = [int(h) for h in _sampled(mine)]
        candidates: set[str] = set()
        for at in range(0, len(sample), 500):  # under SQLite's bound-parameter limit
            chunk = sample[at : at + 500]
            marks = ",".join("?" * len(chunk))
            candidates.update(
                r[0]
                for r in conn.execute(f"SELECT item_id FROM story_shingle WHERE shingle IN ({marks})", chunk)  # noqa: S608 - placeholders only
            )
        best: tuple[float, str] | None = None
        for item_id in sorted(candidates):
            row: Any = conn.execute(
                "SELECT cluster_id, shingles, vector FROM story_item WHERE item_id = ?", (item_id,)
            ).fetchone()
            other = np.frombuffer(row[1], dtype=np.uint32)
            jaccard, containment = overlap(mine, other)
            cosine = None
            if vector is not None and row[2] is not None:
                cosine = float(vector @ np.frombuffer(row[2], dtype=np.float32))
            if same_story(jaccard, containment, cosine, (len(mine), len(other)), self.rules):
                strength = max(jaccard, containment)
                if best is None or strength > best[0]:
                    best = (strength, str(row[0]))
        return best[1] if best else None

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, _MIGRATIONS, "the story index")
        return self._conn


def _sampled(mine: Shingles) -> Shingles:
    """The shingles kept in the lookup table (all of them for very short texts)."""
    picked = mine[mine % SAMPLE == 0]
    return picked if len(picked) >= 3 else mine


def _translate(exc: sqlite3.Error, path: Path) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return StoreUnavailable(f"the story index {path} is busy: {exc}; retry later")
    return StoreError(f"the story index {path}: {exc}")
