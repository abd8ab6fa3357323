"""The fact-check registry: claims already shown false, each with its verdict and its link.

An item may be called false only when it matches a record here (``classify.claims``), so
every record keeps the evidence an analyst or reader needs: the verdict, the explanation
and the URL of the fact-check or official correction. Records come from two places:

- ``claimreview``: schema.org ClaimReview JSON-LD published by fact-checkers (single
  objects, arrays, ``@graph``). The publisher is the fact-checking organisation
  (``author.name``); the person or account who made the reviewed claim
  (``itemReviewed.author``) is deliberately not kept: attribution stops at the outlet.
- ``correction``: an official correction entered by the office, or our JSONL records
  (``claim_id``, ``claim``, ``verdict``, ``explanation``, ``url``, ``date``).

The registry is one SQLite file (``factchecks.db``, WAL, ``user_version`` migrations)
opened on first use. Claim embeddings are kept beside the records, keyed by model name,
so a model change re-embeds instead of comparing vectors from two models.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ConfigError, StoreError, StoreUnavailable
from core.item import Vector
from core.ports import Embedder
from core.sqlite import connect
from core.text import normalise_text

#: Verdicts we keep, folded from the many ways fact-checkers write them.
VERDICTS = ("false", "misleading", "true", "unproven", "other")
#: Verdicts that may make an item be flagged (a "true" verdict must never call an item false).
FLAGGING_VERDICTS = frozenset({"false", "misleading"})
ORIGINS = ("claimreview", "correction")

_VERDICT_WORDS = {
    "false": (
        "false", "fake", "falsch", "faux", "falso", "sai", "gia", "tin gia", "sai su that", "pants on fire",
        "incorrect", "fabricated", "hoax", "bịa đặt", "không đúng",
    ),
    "misleading": (
        "misleading", "mostly false", "partly false", "half true", "missing context", "irrefuhrend",
        "gay hieu lam", "sai lệch", "trompeur", "engañoso", "out of context", "distorts the facts",
    ),
    "true": ("true", "correct", "mostly true", "richtig", "vrai", "dung", "đúng", "accurate"),
    "unproven": ("unproven", "unverified", "unsupported", "chua kiem chung", "unbelegt", "no evidence"),
}  # fmt: skip

_MIGRATIONS = (
    """
    CREATE TABLE factcheck (
        claim_id TEXT PRIMARY KEY,
        claim TEXT NOT NULL,
        verdict TEXT NOT NULL,
        rating TEXT NOT NULL DEFAULT '',
        explanation TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        published TEXT,
        publisher TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE TABLE claim_vector (
        claim_id TEXT NOT NULL REFERENCES factcheck (claim_id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        claim_hash TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (claim_id, model)
    );
    """,
)


@dataclass(frozen=True, slots=True)
class FactCheck:
    """One claim shown false (or rated otherwise) by a fact-check or an official correction.

    Attributes:
        claim_id: stable id; ClaimReview imports get ``cr-`` plus a hash of their URL and claim.
        verdict: one of ``VERDICTS``; only ``false`` and ``misleading`` records flag items.
        rating: the verdict as the fact-checker wrote it ("Falsch", "Pants on Fire").
        url: the link shown beside a flagged item; a record without one is never auto-flagged.
        date: when the fact-check or correction was published; records older than the
            matcher's ``max_age`` are never auto-flagged.
        publisher: the fact-checking organisation or the office, never a person.
        origin: ``claimreview`` or ``correction``.
    """

    claim_id: str
    claim: str
    verdict: str
    explanation: str = ""
    url: str = ""
    date: date | None = None
    publisher: str = ""
    language: str = ""
    origin: str = "correction"
    rating: str = ""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view (dates as ISO strings)."""
        return {
            "claim_id": self.claim_id,
            "claim": self.claim,
            "verdict": self.verdict,
            "rating": self.rating,
            "explanation": self.explanation,
            "url": self.url,
            "date": self.date.isoformat() if self.date else None,
            "publisher": self.publisher,
            "language": self.language,
            "origin": self.origin,
        }


def normalise_verdict(rating: str) -> str:
    """Map a fact-checker's rating ("Falsch", "Mostly False", "Sai") to one of ``VERDICTS``."""
    from core.text import fold  # noqa: PLC0415 - kept local: only this helper needs it

    words = fold(rating).strip().strip(".!").strip()
    for verdict in ("misleading", "unproven", "true", "false"):  # "mostly false" is misleading, not false
        if any(words == fold(w) for w in _VERDICT_WORDS[verdict]):
            return verdict
    for verdict in ("misleading", "unproven", "false", "true"):
        if any(fold(w) in words for w in _VERDICT_WORDS[verdict] if len(w) > 4):
            return verdict
    return "other"


def parse_date(value: object) -> date | None:
    """Read ``2019-11-18``, ``2026-05-13 15:44`` or ``2019-11-18T10:15:00+00:00``; anything else is ``None``."""
    if not isinstance(value, str) or len(value.strip()) < 10:
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else value


def _text(value: object) -> str:
    value = _first(value)
    return normalise_text(value) if isinstance(value, str) else ""


def _name(value: object) -> str:
    value = _first(value)
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _is_claimreview(node: dict[str, Any]) -> bool:
    kind = node.get("@type", node.get("type"))
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1] == "ClaimReview" for k in kinds)


def _walk(node: object) -> Iterator[dict[str, Any]]:
    """Every ClaimReview object in a JSON-LD document (arrays and ``@graph`` included)."""
    if isinstance(node, list):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, dict):
        if _is_claimreview(node):
            yield node
        elif "@graph" in node:
            yield from _walk(node["@graph"])


def claimreview_records(document: object) -> list[FactCheck]:
    """The fact-checks in a parsed ClaimReview JSON-LD document.

    Raises:
        ConfigError: a ClaimReview has no ``claimReviewed`` text (nothing to match against).
    """
    records = []
    for node in _walk(document):
        claim = _text(node.get("claimReviewed"))
        reviewed = _first(node.get("itemReviewed"))
        if not claim and isinstance(reviewed, dict):
            claim = _text(reviewed.get("name"))
        url = _text(node.get("url")) or _text(node.get("mainEntityOfPage"))
        if not claim:
            raise ConfigError(f"a ClaimReview ({url or 'without url'}) has no claimReviewed text; fix or drop it")
        rating_node = _first(node.get("reviewRating"))
        rating = _text(rating_node.get("alternateName")) if isinstance(rating_node, dict) else ""
        digest = hashlib.sha256(f"{url}\x00{claim}".encode()).hexdigest()[:12]
        language = _text(node.get("inLanguage"))
        records.append(
            FactCheck(
                claim_id=f"cr-{digest}",
                claim=claim,
                verdict=normalise_verdict(rating),
                rating=rating,
                explanation=_text(node.get("description")) or _text(node.get("name")),
                url=url,
                date=parse_date(_first(node.get("datePublished"))),
                publisher=_name(node.get("author")) or _name(node.get("publisher")),  # organisations only
                language=language.split("-")[0].lower() if language else "",
                origin="claimreview",
            )
        )
    return records


def correction_record(data: dict[str, Any], *, publisher: str = "", origin: str = "correction") -> FactCheck:
    """One of our JSONL records (``claim_id``, ``claim``, ``verdict``, ``explanation``, ``url``, ``date``).

    Raises:
        ConfigError: ``claim_id`` or ``claim`` is missing, or the verdict is unknown.
    """
    claim_id, claim = _text(data.get("claim_id")), _text(data.get("claim"))
    if not claim_id or not claim:
        raise ConfigError("a fact-check record needs both claim_id and claim")
    rating = _text(data.get("verdict")) or "false"
    verdict = rating.lower() if rating.lower() in VERDICTS else normalise_verdict(rating)
    if verdict == "other":
        raise ConfigError(f"record {claim_id}: unknown verdict {rating!r}; use one of {', '.join(VERDICTS)}")
    return FactCheck(
        claim_id=claim_id,
        claim=claim,
        verdict=verdict,
        rating=rating,
        explanation=_text(data.get("explanation")),
        url=_text(data.get("url")),
        date=parse_date(data.get("date")),
        publisher=_text(data.get("publisher")) or publisher,
        language=_text(data.get("language")) or "vi",
        origin=_text(data.get("origin")) or origin,
    )


def correction_id(url: str, claim: str) -> str:
    """The claim id an office correction gets when none is given: stable for the same link and claim."""
    return "corr-" + hashlib.sha256(f"{url}\x00{claim}".encode()).hexdigest()[:12]


def office_correction(
    *, claim_id: str, claim: str, verdict: str, explanation: str, url: str, when: date, publisher: str
) -> FactCheck:
    """The record of an official correction entered by the office (CLI ``factchecks add`` and the web form)."""
    return FactCheck(
        claim_id=claim_id,
        claim=claim,
        verdict=verdict,
        rating=verdict,
        explanation=explanation,
        url=url,
        date=when,
        publisher=publisher,
        language="vi",
        origin="correction",
    )


def read_factcheck_file(path: Path, *, publisher: str = "") -> list[FactCheck]:
    """Read a ClaimReview JSON-LD file or a JSONL file of ClaimReviews and/or our records.

    Raises:
        ConfigError: the file cannot be read or holds something that is neither; the message
            names the file and line.
    """
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    try:
        whole = json.loads(raw)
    except json.JSONDecodeError:
        whole = None
    documents: list[tuple[str, object]] = []
    if whole is not None:
        documents.append((str(path), whole))
    else:
        for number, line in enumerate(raw.splitlines(), 1):
            if line.strip():
                try:
                    documents.append((f"{path}:{number}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}:{number}: not JSON ({exc.msg}); expected one record per line") from exc
    records: list[FactCheck] = []
    for where, document in documents:
        found = claimreview_records(document)
        if found:
            records += found
        elif isinstance(document, dict) and "claim" in document:
            try:
                records.append(correction_record(document, publisher=publisher))
            except ConfigError as exc:
                raise ConfigError(f"{where}: {exc}") from exc
        else:
            raise ConfigError(
                f"{where}: neither a ClaimReview (JSON-LD) nor a record with claim_id, claim, verdict, url, date"
            )
    return records


class FactCheckRegistry:
    """The registry file (``factchecks.db``), opened on first use.

    Args:
        path: the SQLite file; its folder is created on first use.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def add(self, records: Iterable[FactCheck]) -> tuple[int, int]:
        """Insert ``records``; a record whose ``claim_id`` exists replaces it (and drops its vectors).

        Returns:
            ``(added, replaced)`` counts.

        Raises:
            StoreUnavailable: the file cannot be opened or is locked.
            StoreError: the write failed.
        """
        added = replaced = 0
        now = datetime.now().astimezone().isoformat()
        with self._lock:
            conn = self._open()
            try:
                with conn:
                    for r in records:
                        existed = conn.execute("SELECT 1 FROM factcheck WHERE claim_id = ?", (r.claim_id,)).fetchone()
                        conn.execute("DELETE FROM claim_vector WHERE claim_id = ?", (r.claim_id,))
                        conn.execute(
                            "INSERT OR REPLACE INTO factcheck VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (
                                r.claim_id, r.claim, r.verdict, r.rating, r.explanation, r.url,
                                r.date.isoformat() if r.date else None, r.publisher, r.language, r.origin, now,
                            ),
                        )  # fmt: skip
                        replaced += bool(existed)
                        added += not existed
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc
        return added, replaced

    def records(self) -> list[FactCheck]:
        """Every record, oldest claim id first."""
        rows = self._query("SELECT * FROM factcheck ORDER BY claim_id", ())
        return [_record(row) for row in rows]

    def get(self, claim_id: str) -> FactCheck | None:
        """The record with this id, or ``None``."""
        rows = self._query("SELECT * FROM factcheck WHERE claim_id = ?", (claim_id,))
        return _record(rows[0]) if rows else None

    def version(self) -> tuple[int, str]:
        """Changes whenever records are added or replaced: ``(count, latest added_at)``."""
        row = self._query("SELECT count(*), coalesce(max(added_at), '') FROM factcheck", ())[0]
        return int(row[0]), str(row[1])

    def count(self) -> int:
        """How many records are kept."""
        return int(self._query("SELECT count(*) FROM factcheck", ())[0][0])

    def vectors(self, records: Sequence[FactCheck], embedder: Embedder) -> Vector:
        """The claims' ``query:`` embeddings, computed once per model and kept in the registry.

        Raises:
            EmbeddingError: the embedder failed.
            StoreError: the registry could not be read or written.
        """
        model = embedder.model_name
        hashes = [hashlib.sha256(r.claim.encode()).hexdigest() for r in records]
        stored = {
            row[0]: (row[1], np.frombuffer(row[2], dtype=np.float32))
            for row in self._query("SELECT claim_id, claim_hash, vector FROM claim_vector WHERE model = ?", (model,))
        }
        missing = [
            i for i, (r, h) in enumerate(zip(records, hashes, strict=True)) if stored.get(r.claim_id, ("",))[0] != h
        ]
        out = np.zeros((len(records), embedder.dim), dtype=np.float32)
        for i, r in enumerate(records):
            if i not in missing:
                out[i] = stored[r.claim_id][1]
        if missing:
            fresh = embedder.embed_queries([records[i].claim for i in missing])
            rows = []
            for i, vector in zip(missing, fresh, strict=True):
                out[i] = vector
                rows.append((records[i].claim_id, model, hashes[i], np.asarray(vector, np.float32).tobytes()))
            with self._lock:
                conn = self._open()
                try:
                    with conn:
                        conn.executemany(
                            "INSERT OR REPLACE INTO claim_vector SELECT ?, ?, ?, ? "
                            "WHERE EXISTS (SELECT 1 FROM factcheck WHERE claim_id = ?1)",
                            rows,
                        )
                except sqlite3.Error as exc:
                    raise _translate(exc, self.path) from exc
        return out

    def close(self) -> None:
        """Close the file; the next call reopens it."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _query(self, sql: str, args: tuple[object, ...]) -> list[Any]:
        with self._lock:
            conn = self._open()
            try:
                return conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, _MIGRATIONS, "the fact-check registry")
            self._conn.row_factory = sqlite3.Row
        return self._conn


def _record(row: sqlite3.Row) -> FactCheck:
    return FactCheck(
        claim_id=row["claim_id"],
        claim=row["claim"],
        verdict=row["verdict"],
        rating=row["rating"],
        explanation=row["explanation"],
        url=row["url"],
        date=date.fromisoformat(row["published"]) if row["published"] else None,
        publisher=row["publisher"],
        language=row["language"],
        origin=row["origin"],
    )


def _translate(exc: sqlite3.Error, path: Path) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return StoreUnavailable(f"the fact-check registry {path} is busy: {exc}; retry later")
    return StoreError(f"the fact-check registry {path}: {exc}")


def with_defaults(record: FactCheck, *, url: str = "", when: date | None = None) -> FactCheck:
    """``record`` with ``url`` and ``date`` filled where it has none (dev records carry neither)."""
    return replace(record, url=record.url or url, date=record.date or when)
