"""What the full-text index costs to build, by what it indexes: words, word pairs, or both.

    .venv/bin/python bench/fts_cost.py [--items N] [--json]

Why this exists: since quoted phrases are searched as word pairs (schema step 8), a bulk
load runs at half its earlier rate, and ``bench/search.py`` cannot say where the time
goes. This script indexes the same synthetic items (``bench/synthetic.py``, recombined
real Vietnamese news) into in-memory FTS5 tables that differ only in their columns or
``detail``, in batches as the store writes them, and reports the CPU seconds each took,
with the tokens and distinct terms per item and per batch behind them. The texts are
folded and paired before the clock starts: only SQLite's indexing is timed.

Variants: ``words`` (title, body: the table before step 8), ``pairs`` (the two pair
columns alone), ``words+pairs`` (the store's table since step 8), ``words+words`` (the
word texts twice: as many tokens as ``words+pairs``, but only the words' few distinct
terms), ``pairs detail=none`` (pairs without positions). With ``--json`` prints one
JSON object; otherwise a table. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# The repository's packages first, this folder's helpers after them (see bench/search.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table
from synthetic import PROFILE, SHARED, Corpus, MissingDataError, default_data_dir, load_base

from core.config import load_config
from indexing.query_tree import split_tokens
from indexing.sqlite_fts import fts_values

Texts = tuple[str, str, str, str]  # folded title, folded body, title pairs, body pairs

#: name → (columns, detail, the column values taken from an item's texts)
VARIANTS: dict[str, tuple[tuple[str, ...], str, Callable[[Texts], tuple[str, ...]]]] = {
    "words": (("title", "body"), "full", lambda t: (t[0], t[1])),
    "pairs": (("title_pairs", "body_pairs"), "full", lambda t: (t[2], t[3])),
    "words+pairs": (("title", "body", "title_pairs", "body_pairs"), "full", lambda t: t),
    "words+words": (("title", "body", "title_again", "body_again"), "full", lambda t: (t[0], t[1], t[0], t[1])),
    "pairs detail=none": (("title_pairs", "body_pairs"), "none", lambda t: (t[2], t[3])),
}


def log(message: str) -> None:
    """Progress on stderr, so ``--json`` keeps stdout to one object."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def index_cpu_s(batches: Sequence[Sequence[tuple[int, Texts]]], variant: str) -> float:
    """CPU seconds to index every batch into a fresh in-memory table of ``variant``, one transaction a batch.

    The table has the store's settings (contentless, its tokenizer, 32 MB hash), so each
    batch ends as one new segment and FTS5 merges them as it would in the store.
    """
    columns, detail, values = VARIANTS[variant]
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(
        f"CREATE VIRTUAL TABLE f USING fts5({', '.join(columns)}, content='', detail={detail}, "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    conn.execute("INSERT INTO f (f, rank) VALUES ('automerge', 8)")
    conn.execute("INSERT INTO f (f, rank) VALUES ('hashsize', 33554432)")
    insert = f"INSERT INTO f (rowid, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})"
    rows = [[(doc, *values(texts)) for doc, texts in batch] for batch in batches]
    started = time.process_time()
    for batch in rows:
        conn.execute("BEGIN")
        conn.executemany(insert, batch)
        conn.execute("COMMIT")
    spent = time.process_time() - started
    conn.close()
    return spent


def measure(batches: Sequence[Sequence[tuple[int, Texts]]], repeats: int) -> dict[str, Any]:
    """Index each variant ``repeats`` times (interleaved, the least taken) and count what was indexed."""
    items = sum(len(batch) for batch in batches)
    best = dict.fromkeys(VARIANTS, float("inf"))
    for turn in range(repeats):
        for variant in VARIANTS:
            best[variant] = min(best[variant], index_cpu_s(batches, variant))
            log(f"round {turn + 1}: {variant} {best[variant]:.2f} CPU-s")
    # Words as the tokenizer splits them (split_tokens, the rule pairs are made by); pairs are space-joined.
    words = [[split_tokens(t[0]) + split_tokens(t[1]) for _, t in batch] for batch in batches]
    pairs = [[t[2].split() + t[3].split() for _, t in batch] for batch in batches]
    distinct_words = [len({w for item in batch for w in item}) for batch in words]
    distinct_pairs = [len({p for item in batch for p in item}) for batch in pairs]
    return {
        "items": items,
        "batch": len(batches[0]) if batches else 0,
        "cpu_s": {name: round(seconds, 2) for name, seconds in best.items()},
        "cpu_us_per_item": {name: round(seconds / items * 1e6, 1) for name, seconds in best.items()},
        "tokens_per_item": {
            "words": round(sum(len(item) for batch in words for item in batch) / items, 1),
            "pairs": round(sum(len(item) for batch in pairs for item in batch) / items, 1),
        },
        # One doclist entry per distinct term of an item: what FTS5 writes, sorts and merges.
        "distinct_terms_per_item": {
            "words": round(sum(len(set(item)) for batch in words for item in batch) / items, 1),
            "pairs": round(sum(len(set(item)) for batch in pairs for item in batch) / items, 1),
        },
        "distinct_terms_per_batch": {
            "words": round(sum(distinct_words) / len(batches)),
            "pairs": round(sum(distinct_pairs) / len(batches)),
        },
        "repeats": repeats,
        "sqlite": sqlite3.sqlite_version,
    }


def print_table(data: dict[str, Any]) -> None:
    """The result for a person: one line per variant."""
    table = Table(title=f"FTS5 indexing, {data['items']:,} items in batches of {data['batch']:,}")
    table.add_column("indexed")
    table.add_column("CPU-s", justify="right")
    table.add_column("µs an item", justify="right")
    for name, seconds in data["cpu_s"].items():
        table.add_row(name, f"{seconds:.2f}", f"{data['cpu_us_per_item'][name]:,.0f}")
    Console().print(table)
    tokens, distinct = data["tokens_per_item"], data["distinct_terms_per_batch"]
    print(f"tokens an item: {tokens['words']} words, {tokens['pairs']} pairs")
    print(f"distinct terms a batch: {distinct['words']:,} words, {distinct['pairs']:,} pairs")
    per_item = data["distinct_terms_per_item"]
    print(f"distinct terms an item: {per_item['words']} words, {per_item['pairs']} pairs")


def main() -> int:
    """Parse the options, measure, print; exit 2 when the shared corpora are missing."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=30_000, help="items to index (default 30,000)")
    parser.add_argument("--batch", type=int, default=2000, help="items per transaction, as bench/search.py writes")
    parser.add_argument("--repeats", type=int, default=2, help="times each variant is built; the least CPU counts")
    parser.add_argument("--base", type=int, default=3000, help="real passages to recombine (default 3000)")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument(
        "--data",
        type=Path,
        default=default_data_dir(),
        help="where bench/search.py caches the base passages' vectors",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    try:
        base, _ = load_base(SHARED, args.base, args.data / "vectors", args.seed)
    except MissingDataError as exc:
        print(f"bench/fts_cost.py: {exc}", file=sys.stderr)
        return 2
    corpus = Corpus(base, load_config(PROFILE), args.items, args.seed)
    batches: list[list[tuple[int, Texts]]] = []
    doc = 0
    for items in corpus.batches(args.batch):
        batch = []
        for item in items:
            doc += 1
            batch.append((doc, fts_values(item)))
        batches.append(batch)
    log(f"{doc:,} items folded and paired; indexing")
    data = measure(batches, args.repeats)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print_table(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
