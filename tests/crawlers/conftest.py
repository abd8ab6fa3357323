"""A real HTTP server on 127.0.0.1 serving recorded pages, feeds and misbehaving routes.

Tests reach everything here through fixtures (``site``, ``serve``, ``route``,
``user_agent``, ``fixture_bytes``, ``articles``): with ``--import-mode=importlib`` a
conftest is not importable as a module.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
USER_AGENT = "pressdesk-test/0.1 (+https://example.test/contact)"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
BIG = 2 * 1024 * 1024  # bodies served past the 1 MiB limit the size tests use
HTML = (("Content-Type", "text/html; charset=utf-8"),)


@dataclass(frozen=True)
class Route:
    """What the server answers on one path.

    ``etag`` and ``last_modified``, when set, are sent as validators and honoured: a request
    whose ``If-None-Match`` (else ``If-Modified-Since``) matches gets a bodiless 304, as a
    well-behaved server does (and as a lying one does, if the body changes but they do not).
    """

    body: bytes = b""
    status: int = 200
    headers: tuple[tuple[str, str], ...] = HTML
    content_length: bool = True
    delay: float = 0.0
    etag: str = ""
    last_modified: str = ""

    def not_modified(self, request_headers: dict[str, str]) -> bool:
        if "if-none-match" in request_headers:
            return bool(self.etag) and request_headers["if-none-match"] == self.etag
        return bool(self.last_modified) and request_headers.get("if-modified-since") == self.last_modified

    def validators(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in (("ETag", self.etag), ("Last-Modified", self.last_modified)) if value]


@dataclass(frozen=True)
class Received:
    """One request as the server saw it (``at`` is ``time.monotonic()``)."""

    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Site:
    """A running local site and the requests it received."""

    routes: dict[str, Route]
    received: list[Received] = field(default_factory=list)
    base_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.received]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up on purpose (size limit, timeout, TLS probe) are not errors here."""


def _handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            site.record(Received(self.path, headers, time.monotonic()))
            route = site.routes.get(self.path, Route(b"not found", 404, (("Content-Type", "text/plain"),)))
            if route.delay:
                time.sleep(route.delay)
            if route.not_modified(headers):
                self.send_response(304)
                for name, value in route.validators():
                    self.send_header(name, value)
                self.end_headers()
                return
            try:
                self.send_response(route.status)
                for name, value in [*route.headers, *route.validators()]:
                    self.send_header(name, value)
                if route.content_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the fetcher stopped reading on purpose

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output clean."""

    return Handler


@cache
def _gzip_bomb() -> bytes:
    """About 20 KiB on the wire, 20 MiB once decompressed."""
    return gzip.compress(bytes(20 * 1024 * 1024), compresslevel=9)


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _articles() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(_fixture("articles.json"))
    return data


def standard_routes() -> dict[str, Route]:
    routes = {
        "/robots.txt": Route(ROBOTS, headers=(("Content-Type", "text/plain"),)),
        "/feeds/rss.xml": Route(_fixture("rss.xml"), headers=(("Content-Type", "application/rss+xml"),)),
        "/feeds/atom.xml": Route(_fixture("atom.xml"), headers=(("Content-Type", "application/atom+xml"),)),
        "/feeds/feed.json": Route(_fixture("feed.json"), headers=(("Content-Type", "application/feed+json"),)),
        # A site that moved its feed to a web page but kept the feed URL and type.
        "/feeds/html": Route(_fixture("article-hoc-phi.html"), headers=(("Content-Type", "application/rss+xml"),)),
        "/articles/near-empty.html": Route(_fixture("near-empty.html")),
        "/private/secret.html": Route(b"<p>never served: robots.txt forbids it</p>"),
        "/unavailable": Route(b"busy", 503),
        "/loop": Route(status=302, headers=(("Location", "/loop"),)),
        "/moved": Route(status=301, headers=(("Location", "/articles/hoc-phi.html"),)),
        "/to-private": Route(status=302, headers=(("Location", "/private/secret.html"),)),
        "/bomb": Route(_gzip_bomb(), headers=(*HTML, ("Content-Encoding", "gzip"))),
        "/bad-gzip": Route(b"this is not gzip at all", headers=(*HTML, ("Content-Encoding", "gzip"))),
        "/big": Route(b"x" * BIG),
        "/big-undeclared": Route(b"x" * BIG, content_length=False),
        "/slow": Route(b"late", delay=3.0),
    }
    for article in _articles():
        routes[f"/articles/{article['slug']}.html"] = Route(_fixture(f"article-{article['slug']}.html"))
    return routes


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Route]], Site]]:
    """Start sites on demand (``serve(routes)``); all are shut down after the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(routes: dict[str, Route]) -> Site:
        site = Site(routes)
        server = _QuietServer(("127.0.0.1", 0), _handler_for(site))
        site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return site

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(serve: Callable[[dict[str, Route]], Site]) -> Site:
    """The standard site: robots.txt with a Disallow, feeds, articles and broken routes."""
    return serve(standard_routes())


@pytest.fixture
def route() -> type[Route]:
    """The ``Route`` class, to build sites with ``serve``."""
    return Route


@pytest.fixture
def user_agent() -> str:
    return USER_AGENT


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    """Read a file of ``tests/crawlers/fixtures``."""
    return _fixture


@pytest.fixture
def articles() -> list[dict[str, Any]]:
    """What each recorded article page holds: slug, title, paragraphs, published (ISO or null)."""
    return _articles()
