"""Extract many pages at once: local files (plain or gzipped), folders of them, and URLs.

This is what ``pressdesk extract`` runs, for people checking a site and for measurement.
Extraction is CPU-bound, so files are extracted in a bounded pool of processes; URLs are
fetched one after another through the one polite ``Fetcher`` (robots.txt, per-host
delay) and their pages extracted in the same pool. Results come back in the order the
sources were given, one ``PageResult`` per page, a failure being a result with an error.
"""

from __future__ import annotations

import gzip
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from core.errors import ExtractionError, FetchError
from crawlers.extract import extract_page
from crawlers.fetch import Fetcher

log = logging.getLogger("pressdesk.crawlers")

_PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
_GZIP_MAGIC = b"\x1f\x8b"
_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page's extraction, or why there is none (``error`` set, the rest empty).

    ``url`` is the page's canonical URL when it declares one, else where it was read
    from (the fetched URL, or the file's ``file://`` URL).
    """

    source: str
    url: str = ""
    title: str = ""
    text: str = ""
    published: datetime | None = None
    language: str = ""
    outlet: str = ""
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        """The JSON object ``pressdesk extract --json`` prints for this page."""
        if self.error:
            return {"source": self.source, "error": self.error}
        return {
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "outlet": self.outlet,
        }


def page_sources(arguments: Sequence[str]) -> list[str]:
    """The pages named by command-line arguments: URLs and files as given, folders expanded.

    A folder stands for the ``.html``/``.htm`` files (gzipped or not) below it, sorted.
    """
    sources: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if not _is_url(argument) and path.is_dir():
            sources += sorted(str(p) for p in path.rglob("*") if p.is_file() and p.name.endswith(_PAGE_SUFFIXES))
        else:
            sources.append(argument)
    return sources


def extract_sources(
    sources: Sequence[str],
    fetcher: Fetcher | None = None,
    *,
    workers: int | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> Iterator[PageResult]:
    """Extract every source, in order.

    Args:
        sources: file paths (``.gz`` files are decompressed) and http(s) URLs.
        fetcher: fetches the URLs; a URL given without one gets an error result.
        workers: extraction processes (default: one per CPU); one source, or one
            worker, runs in this process.
        on_done: called with (pages done, pages in all) as results come back.

    Yields:
        one ``PageResult`` per source, in the order of ``sources``.
    """
    count = min(workers or os.cpu_count() or 1, len(sources))
    executor: Executor = (
        ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")) if count > 1 else _InProcess()
    )
    with executor:
        futures: dict[int, Future[PageResult]] = {
            i: executor.submit(_extract_file, source) for i, source in enumerate(sources) if not _is_url(source)
        }
        for i, source in enumerate(sources):
            if _is_url(source):
                futures[i] = _fetched(executor, fetcher, source)
        for i in range(len(sources)):
            yield futures[i].result()
            if on_done:
                on_done(i + 1, len(sources))


def _fetched(executor: Executor, fetcher: Fetcher | None, url: str) -> Future[PageResult]:
    if fetcher is None:
        return _failed(url, "URLs need a fetcher")
    try:
        page = fetcher.fetch(url)
    except FetchError as exc:
        return _failed(url, f"could not fetch: {exc.reason}")
    return executor.submit(_extract, url, page.body, page.final_url)


def _extract_file(source: str) -> PageResult:
    path = Path(source)
    try:
        body = path.read_bytes()
        if body.startswith(_GZIP_MAGIC):
            body = gzip.decompress(body)
    except FileNotFoundError:
        return PageResult(source, error="no such file")
    except (OSError, EOFError) as exc:  # EOFError: a truncated gzip file
        return PageResult(source, error=f"could not read: {exc}")
    return _extract(source, body, path.resolve().as_uri())


def _extract(source: str, body: bytes, url: str) -> PageResult:
    try:
        page = extract_page(body, url)
    except ExtractionError as exc:
        return PageResult(source, error=str(exc))
    except Exception as exc:  # one broken page must not end a run over hundreds; the line says why
        log.warning("extraction failed on %s", source, exc_info=True)
        return PageResult(source, error=f"extraction failed: {type(exc).__name__}: {exc}")
    article = page.extracted
    return PageResult(
        source,
        url=article.canonical_url or url,
        title=article.title,
        text=article.text,
        published=article.published,
        language=article.language,
        outlet=page.outlet,
    )


def _failed(source: str, reason: str) -> Future[PageResult]:
    future: Future[PageResult] = Future()
    future.set_result(PageResult(source, error=reason))
    return future


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


class _InProcess(Executor):
    """Runs each job at once in this process: no pool to start for one page or one worker."""

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        future: Future[_T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future
