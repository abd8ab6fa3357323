"""Score article extraction on ../shared/data/extraction/ with each benchmark's own method.

    .venv/bin/python bench/extraction.py [--json] [--only zyte|trafilatura|fundus] [--limit N]

Runs pressdesk's extractor (``crawlers.extract_page``) and trafilatura alone with its
default settings (``trafilatura.extract(html)``, the configuration behind the data
README's anchors: Zyte F1 0.953, trafilatura-eval F 0.920, fundus body F1 0.937) on the
same pages in the same run, one page after the other, and prints F1, precision, recall
and pages per second for both:

* ``zyte``: the Zyte/ScrapingHub article benchmark's ``evaluate.py``: 4-word shingles,
  TP/FP/FN per page normalised by their sum, precision and recall averaged over pages,
  F1 of the averages.
* ``trafilatura``: trafilatura's evaluation: every ``with`` snippet found is a true
  positive (else a false negative), every ``without`` snippet found a false positive;
  precision, recall and F over all snippets (whitespace-normalised substring match).
* ``fundus``: the body scored as Zyte's, plus the share of exact titles (whitespace-
  normalised) and of publication days (the gold's calendar day, in its own offset or in
  UTC). trafilatura's title and date come from an extra, untimed ``extract_metadata``.

Only the extraction calls are timed, single process. ``bench/extraction_floors.json``
pins the F1 reached; ``tests/crawlers/test_crawl_extract_floors.py`` fails below it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura

from core.errors import ExtractionError
from crawlers import extract_page

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction"
SETS = ("zyte", "trafilatura", "fundus")
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Page:
    """One benchmark page: its HTML as stored, its URL and its gold record."""

    key: str
    html: bytes
    url: str
    gold: dict[str, Any]


@dataclass(frozen=True)
class Output:
    """What a system extracted from one page."""

    text: str
    title: str = ""
    published: datetime | None = None


def pages(name: str, limit: int | None = None) -> list[Page]:
    """The pages of one benchmark, in a fixed order, at most ``limit`` of them."""
    loaded = list(_LOADERS[name]())
    return loaded[:limit] if limit else loaded


def _zyte() -> Iterator[Page]:
    folder = DATA / "zyte-article-benchmark"
    for key, gold in sorted(json.loads((folder / "ground-truth.json").read_text("utf-8")).items()):
        yield Page(key, gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()), gold.get("url", ""), gold)


def _trafilatura_eval() -> Iterator[Page]:
    folder = DATA / "trafilatura-eval"
    for url, gold in sorted(json.loads((folder / "evaldata.json").read_text("utf-8")).items()):
        yield Page(url, gzip.decompress((folder / "html" / f"{gold['file']}.gz").read_bytes()), url, gold)


def _fundus() -> Iterator[Page]:
    folder = DATA / "fundus-pages"
    for line in (folder / "gold.jsonl").read_text("utf-8").splitlines():
        gold = json.loads(line)
        html = gzip.decompress((folder / "test_data" / gold["html"]).read_bytes())
        yield Page(gold["html"], html, gold["url"], gold)


_LOADERS: dict[str, Callable[[], Iterator[Page]]] = {
    "zyte": _zyte,
    "trafilatura": _trafilatura_eval,
    "fundus": _fundus,
}


def ours(page: Page) -> Output:
    """pressdesk's extractor; a page it rejects counts as an empty extraction."""
    try:
        result = extract_page(page.html, page.url, min_chars=1)
    except ExtractionError:
        return Output("")
    return Output(result.extracted.text, result.extracted.title, result.extracted.published)


def trafilatura_alone(page: Page) -> Output:
    """trafilatura with its default settings, body only (what the published anchors ran)."""
    return Output(trafilatura.extract(page.html, url=page.url or None) or "")


def trafilatura_metadata(page: Page) -> Output:
    """trafilatura's own title and date, for the fundus comparison (not timed)."""
    meta = trafilatura.extract_metadata(page.html, default_url=page.url or None)
    day = datetime.strptime(meta.date[:10], "%Y-%m-%d") if meta and meta.date else None
    return Output("", meta.title or "" if meta else "", day)


SYSTEMS: dict[str, Callable[[Page], Output]] = {"ours": ours, "trafilatura": trafilatura_alone}


# --- Zyte's evaluate.py ------------------------------------------------------------------


def shingle_counts(gold: str, predicted: str) -> tuple[float, float, float]:
    """TP, FP, FN over 4-word shingles, normalised to sum to 1 (Zyte's ``string_shingle_matching``)."""
    true, pred = _shingles(gold), _shingles(predicted)
    tp = fp = fn = 0.0
    for key in set(true) | set(pred):
        tp += min(true[key], pred[key])
        fp += max(0, pred[key] - true[key])
        fn += max(0, true[key] - pred[key])
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3)) if tokens[i : i + 4])


def macro_scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Precision and recall averaged over pages, F1 of the averages (Zyte's ``metrics_from_tp_fp_fns``)."""

    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean(precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(recall(*c) for c in counts if c[0] + c[2] > 0)
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


# --- trafilatura's evaluation ------------------------------------------------------------


def snippet_scores(pairs: list[tuple[Page, Output]]) -> dict[str, float]:
    """Precision, recall and F over all ``with``/``without`` snippets (trafilatura's ``count_item``)."""
    tp = fp = fn = 0
    for page, output in pairs:
        text = _ws(output.text)
        found = sum(_ws(snippet) in text for snippet in page.gold["with"])
        tp += found
        fn += len(page.gold["with"]) - found
        fp += sum(_ws(snippet) in text for snippet in page.gold["without"])
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}


def _ws(text: str) -> str:
    return " ".join(text.split())


# --- fundus --------------------------------------------------------------------------------


def same_day(gold: str, found: datetime | None) -> bool:
    """Whether ``found`` falls on the gold's day, in the gold's own offset or in UTC."""
    if not gold or found is None:
        return False
    stated = datetime.fromisoformat(gold)
    if found.tzinfo is None or stated.tzinfo is None:
        return found.date() == stated.date()
    return found.astimezone(stated.tzinfo).date() == stated.date() or found.date() == stated.date()


def score(name: str, outputs: list[tuple[Page, Output]]) -> dict[str, float]:
    """One system's scores on one benchmark, by that benchmark's method."""
    if name == "trafilatura":
        return snippet_scores(outputs)
    body = "articleBody" if name == "zyte" else "body"
    result = macro_scores([shingle_counts(page.gold[body], output.text) for page, output in outputs])
    if name == "fundus":
        result["title"] = statistics.mean(_ws(o.title) == _ws(p.gold["title"]) for p, o in outputs)
        result["date"] = statistics.mean(same_day(p.gold["published"] or "", o.published) for p, o in outputs)
    return result


def run(name: str, limit: int | None = None, systems: tuple[str, ...] = ("ours", "trafilatura")) -> dict[str, Any]:
    """Extract every page of one benchmark with each system; scores and pages per second."""
    loaded = pages(name, limit)
    outputs: dict[str, list[tuple[Page, Output]]] = {system: [] for system in systems}
    seconds = dict.fromkeys(systems, 0.0)
    for page in loaded:
        for system in systems:
            started = time.perf_counter()
            output = SYSTEMS[system](page)
            seconds[system] += time.perf_counter() - started
            outputs[system].append((page, output))
    result: dict[str, Any] = {"pages": len(loaded)}
    for system in systems:
        if name == "fundus" and system == "trafilatura":
            outputs[system] = [(p, Output(o.text, *_meta(p))) for p, o in outputs[system]]
        result[system] = score(name, outputs[system]) | {
            "seconds": seconds[system],
            "pages_per_s": len(loaded) / seconds[system] if seconds[system] else 0.0,
        }
    if {"ours", "trafilatura"} <= set(systems) and seconds["trafilatura"]:
        result["time_ratio"] = seconds["ours"] / seconds["trafilatura"]
    return result


def _meta(page: Page) -> tuple[str, datetime | None]:
    meta = trafilatura_metadata(page)
    return meta.title, meta.published


def _print(results: dict[str, dict[str, Any]]) -> None:
    print(f"{'set':<12} {'system':<12} {'F1':>6} {'P':>6} {'R':>6} {'title':>6} {'date':>6} {'pages/s':>8}")
    for name, result in results.items():
        for system in ("ours", "trafilatura"):
            if system not in result:
                continue
            s = result[system]
            extra = f"{s['title']:>6.3f} {s['date']:>6.3f}" if "title" in s else f"{'':>6} {'':>6}"
            print(
                f"{name:<12} {system:<12} {s['f1']:>6.3f} {s['precision']:>6.3f} {s['recall']:>6.3f} "
                f"{extra} {s['pages_per_s']:>8.1f}"
            )
        if "time_ratio" in result:
            print(f"{name:<12} time ours / trafilatura: {result['time_ratio']:.2f}x over {result['pages']} pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--only", choices=SETS, help="run one benchmark")
    parser.add_argument("--limit", type=int, default=None, help="at most N pages per benchmark")
    args = parser.parse_args()
    if not DATA.is_dir():
        parser.exit(2, f"no benchmark data at {DATA}\n")
    logging.disable(logging.WARNING)  # trafilatura and readability log every page they discard
    results = {name: run(name, args.limit) for name in ((args.only,) if args.only else SETS)}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print(results)


if __name__ == "__main__":
    main()
