"""The listing spider against a real local site: robots.txt, delay, 429/503, User-Agent, HTTP cache, resume.

Each test runs real Scrapy crawls in a child process (``SpiderRunner``) against a
``ThreadingHTTPServer`` on 127.0.0.1 serving replayed article pages (real Vietnamese news
from ``pressdesk/replay``) behind a listing page with menus, an external link and a link
that robots.txt forbids.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.enums import SourceKind
from core.source import Outlet, Source
from crawlers.spiders import ListingCrawl, SpiderRunner
from pressdesk.replay import ReplaySite, load_articles

DELAY = 0.2
ARTICLE_PATTERN = r"-\d+\.html$"
PRIVATE = "/private/ban-nhap-999.html"


def _site_routes(route: Any, count: int) -> tuple[dict[str, Any], list[str]]:
    """Routes of a small news site: robots.txt, one listing page, ``count`` article pages."""
    articles = load_articles(datetime(2026, 12, 1, tzinfo=UTC))[:count]
    replay = ReplaySite(articles)
    text = (("Content-Type", "text/plain"),)
    routes: dict[str, Any] = {"/robots.txt": route(b"User-agent: *\nDisallow: /private/\n", headers=text)}
    items = "".join(f'<li><h3><a href="{a.path}">{html.escape(a.title)}</a></h3></li>' for a in articles)
    listing = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tin mới</title></head><body>'
        '<nav><a href="/gioi-thieu-1.html">Giới thiệu</a> <a href="/lien-he.html">Liên hệ</a></nav>'
        f'<ul class="tin-moi">{items}<li><a href="{PRIVATE}">Bản nháp</a></li>'
        '<li><a href="https://baokhac.example/tin-2.html">Báo khác</a></li></ul></body></html>'
    )
    routes["/tin-moi/"] = route(listing.encode("utf-8"))
    for article in articles:
        routes[article.path] = route((replay.article(article.path) or "").encode("utf-8"))
    return routes, [a.path for a in articles]


def _source(site: Any) -> Source:
    return Source(
        id="baothu.tin-moi",
        url=site.url("/tin-moi/"),
        outlet=Outlet("Báo Thử"),
        kind=SourceKind.LISTING,
        article_pattern=ARTICLE_PATTERN,
        article_css="ul.tin-moi",
    )


def _runner(tmp_path: Path, user_agent: str, delay: float = DELAY) -> SpiderRunner:
    return SpiderRunner(user_agent, tmp_path / "data", delay=delay, allow_hosts=["127.0.0.1"])


def _article_requests(site: Any, since: int = 0) -> list[str]:
    return [r.path for r in site.received[since:] if r.path.endswith(".html")]


def test_spider_follows_article_links_only_obeys_robots_names_itself_and_waits(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    routes, paths = _site_routes(route, 5)
    site = serve(routes)
    runner = _runner(tmp_path, user_agent)

    crawl = runner.run([_source(site)])

    assert crawl.finished, crawl.finish_reason
    assert sorted(p.url for p in crawl.pages) == sorted(site.url(p) for p in paths)
    assert {p.url: p.body for p in crawl.pages} == {site.url(p): routes[p].body for p in paths}
    assert all(p.status == 200 and not p.cached and p.title for p in crawl.pages)
    # Menus, the external link and nothing else: the link robots.txt forbids is listed but never requested.
    assert [url for url, _ in crawl.listed[0].links] == [*(site.url(p) for p in paths), site.url(PRIVATE)]
    assert PRIVATE not in site.paths()
    assert [(p.kind, p.url, p.listing) for p in crawl.problems] == [("robots", site.url(PRIVATE), False)]
    assert site.paths()[:2] == ["/robots.txt", "/tin-moi/"]
    assert {r.headers.get("user-agent") for r in site.received} == {user_agent}
    times = [r.at for r in site.received]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= DELAY * 0.95, gaps  # one site, one request at a time, at least the delay apart
    assert not runner.job_dir.exists()  # a finished crawl leaves nothing to resume
    assert not runner.output.exists()  # findings were handed on


def test_a_site_that_asks_for_more_gets_its_own_longer_delay(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    routes, _ = _site_routes(route, 3)
    site = serve(routes)
    slow = _slow_source(site)

    crawl = _runner(tmp_path, user_agent, delay=0.05).run([slow])

    assert crawl.finished
    times = [r.at for r in site.received]
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= 0.6 * 0.95


def test_robots_crawl_delay_wins_when_longer(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    routes, _ = _site_routes(route, 2)
    routes["/robots.txt"] = route(b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n")
    site = serve(routes)

    crawl = _runner(tmp_path, user_agent, delay=0.05).run([_source(site)])

    assert crawl.finished and len(crawl.pages) == 2
    times = [r.at for r in site.received if r.path != "/robots.txt"]
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= 1.0 * 0.95


def _slow_source(site: Any) -> Source:
    base = _source(site)
    return Source(
        id=base.id,
        url=base.url,
        outlet=base.outlet,
        kind=base.kind,
        article_pattern=base.article_pattern,
        article_css=base.article_css,
        delay_seconds=0.6,
    )


@pytest.mark.slow  # two crawls, each a Scrapy process
def test_second_run_answers_article_pages_from_the_http_cache(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    routes, paths = _site_routes(route, 4)
    site = serve(routes)
    runner = _runner(tmp_path, user_agent)

    first = runner.run([_source(site)])
    seen = len(site.received)
    second = runner.run([_source(site)])

    assert first.finished and second.finished
    # The listing page is read again (it is what changes); the articles are not asked for again.
    assert [r.path for r in site.received[seen:]] == ["/robots.txt", "/tin-moi/"]
    assert sorted(p.url for p in second.pages) == sorted(p.url for p in first.pages)
    assert all(p.cached for p in second.pages) and not any(p.cached for p in first.pages)
    assert {p.url: p.body for p in second.pages} == {p.url: p.body for p in first.pages}
    assert (second.stats or {}).get("httpcache/hit") == len(paths)


class _OnceBusy(dict[str, Any]):
    """Routes where chosen paths answer with ``busy`` the first time they are asked, normally after."""

    def __init__(self, routes: dict[str, Any], busy: dict[str, Any]) -> None:
        super().__init__(routes)
        self.busy = dict(busy)
        self.lock = threading.Lock()

    def get(self, path: str, default: Any = None) -> Any:  # type: ignore[override]
        with self.lock:
            if path in self.busy:
                return self.busy.pop(path)
        return super().get(path, default)


def test_429_with_retry_after_is_retried_after_the_wait(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    routes, paths = _site_routes(route, 3)
    busy = route(b"slow down", 429, (("Content-Type", "text/plain"), ("Retry-After", "1")))
    site = serve(_OnceBusy(routes, {paths[0]: busy}))

    crawl = _runner(tmp_path, user_agent).run([_source(site)])

    asked = [r.at for r in site.received if r.path == paths[0]]
    assert len(asked) == 2
    assert asked[1] - asked[0] >= 1.0  # Retry-After: 1 honoured
    # The pause holds for the whole site, not only the URL that was refused.
    others = [r.at for r in site.received if r.path in paths[1:]]
    assert all(at >= asked[0] + 1.0 for at in others)
    assert sorted(p.url for p in crawl.pages) == sorted(site.url(p) for p in paths)
    assert [p.kind for p in crawl.problems] == ["robots"]


def test_a_long_retry_after_gives_up_and_pauses_the_site(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    routes, paths = _site_routes(route, 3)
    later = "Thu, 03 Dec 2099 10:00:00 GMT"  # an HTTP date, far beyond what a crawl waits
    for path in paths:
        routes[path] = route(b"maintenance", 503, (("Content-Type", "text/plain"), ("Retry-After", later)))
    site = serve(routes)

    crawl = _runner(tmp_path, user_agent).run([_source(site)])

    assert crawl.finished
    assert len(_article_requests(site)) == 1  # the first refusal paused the site: no more requests
    kinds = sorted(p.kind for p in crawl.problems if p.url != site.url(PRIVATE))
    assert kinds == ["backoff", "backoff", "http_503"]
    refused = next(p for p in crawl.problems if p.kind == "http_503")
    assert refused.retry_after is not None and refused.retry_after > 3600
    assert "Retry-After" in refused.reason
    assert all(p.retry_after and p.retry_after > 3000 for p in crawl.problems if p.kind == "backoff")


@pytest.mark.slow  # two crawls, each a Scrapy process
def test_a_crawl_stopped_midway_resumes_without_fetching_done_pages_again(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    routes, paths = _site_routes(route, 20)
    site = serve(routes)
    runner = _runner(tmp_path, user_agent, delay=0.1)
    stop = threading.Event()

    def stop_after_three() -> None:
        while len(_article_requests(site)) < 3:
            time.sleep(0.01)
        stop.set()

    threading.Thread(target=stop_after_three, daemon=True).start()
    first = runner.run([_source(site)], stop=stop)
    done = _article_requests(site)
    seen = len(site.received)
    assert first.finish_reason == "shutdown"
    assert runner.job_dir.exists()
    assert 3 <= len(done) < len(paths)

    second = runner.run([_source(site)])
    resumed = _article_requests(site, seen)

    assert second.finished
    assert set(done).isdisjoint(resumed)  # nothing fetched twice
    assert sorted(done + resumed) == sorted(paths)
    assert sorted(p.url for p in (*first.pages, *second.pages)) == sorted(site.url(p) for p in paths)
    # robots.txt still holds for requests that waited in the job directory.
    assert PRIVATE not in site.paths()
    assert not runner.job_dir.exists()


@pytest.mark.slow  # two crawls, each a Scrapy process
def test_findings_of_an_interrupted_parent_are_handed_on_next_time(
    tmp_path: Path, serve: Callable[..., Any], route: Any, user_agent: str
) -> None:
    routes, paths = _site_routes(route, 2)
    site = serve(routes)
    runner = _runner(tmp_path, user_agent)
    runner.folder.mkdir(parents=True)
    stale = runner.run([_source(site)])
    # Write the findings back as if the parent had died before reading them.
    runner.output.write_text(
        "".join(json.dumps(p.as_json()) + "\n" for p in stale.pages) + '{"line": "page", "cut sh', encoding="utf-8"
    )

    crawl: ListingCrawl = runner.run([_source(site)])

    assert sorted(p.url for p in crawl.pages) == sorted([*(site.url(p) for p in paths)] * 2)
    assert not runner.output.exists()
