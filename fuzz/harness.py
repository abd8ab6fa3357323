"""Coverage-guided fuzzing with atheris (libFuzzer) for long runs outside CI.

CI runs the bounded hypothesis fuzzers in ``tests/fuzz/``; this harness is for hours-long
runs that explore branches hypothesis does not reach. One target per run::

    .venv/bin/pip install -e '.[fuzz]'
    mkdir -p fuzz/corpus/feed
    .venv/bin/python fuzz/harness.py feed fuzz/corpus/feed /work/shared/data/feeds/vnexpress-2017 \\
        -max_total_time=3600 -rss_limit_mb=2048 -timeout=20

Targets: ``feed`` (``read_feed``), ``sitemap`` (``read_sitemap``), ``page`` (``extract_page``),
``query`` (``indexing.query.parse``), ``config`` (``core.config.load_config``). The first
corpus folder collects new interesting inputs; further folders seed it (real feeds and
pages from ``/work/shared/data``). ``-rss_limit_mb`` and ``-timeout`` make memory blow-ups
and hangs crashes, as the CI tests do. A crash leaves ``crash-<hash>`` in the current
folder: turn it into an explicit test in ``tests/fuzz/test_fuzz_regressions.py``, then fix it.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

# Coverage is gathered where bugs would be: our readers and the parsers they lean on (not numpy, rich, ...).
with atheris.instrument_imports(include=["core", "crawlers", "indexing", "feedparser", "trafilatura", "htmldate"]):
    from core.config import load_config
    from core.errors import ConfigError, ExtractionError, QueryError
    from crawlers import extract_page, read_feed
    from crawlers.sitemaps import read_sitemap
    from indexing.query import parse

_CONFIG = Path(tempfile.mkdtemp(prefix="pressdesk-fuzz-")) / "pressdesk.toml"
_OUR_BUGS = ("TypeError", "AttributeError", "KeyError", "IndexError", "AssertionError", "NameError")


def _feed(data: bytes) -> None:
    parsed = read_feed(data, "https://baodanang.vn/rss", "")
    # read_feed never raises; a Python error inside our code shows up as its problem text.
    if parsed.problem.startswith(tuple(f"unreadable feed: {name}" for name in _OUR_BUGS)):
        raise RuntimeError(parsed.problem)


def _sitemap(data: bytes) -> None:
    read_sitemap(data, "https://baodanang.vn/sitemap.xml")


def _page(data: bytes) -> None:
    with contextlib.suppress(ExtractionError):
        extract_page(data, "https://baodanang.vn/a.html", min_chars=20)


def _query(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    try:
        parse(text)
    except QueryError as exc:
        if exc.position is None:
            raise RuntimeError(f"QueryError without a position for {text!r}") from exc


def _config(data: bytes) -> None:
    _CONFIG.write_bytes(data)
    with contextlib.suppress(ConfigError):
        load_config(_CONFIG)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "feed": _feed,
    "sitemap": _sitemap,
    "page": _page,
    "query": _query,
    "config": _config,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: harness.py {{{'|'.join(TARGETS)}}} [CORPUS_DIR ...] [libFuzzer options]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
