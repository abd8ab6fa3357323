"""A real HTTP server on 127.0.0.1 serving the replay site, run in a background thread."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from pressdesk.replay.site import ReplaySite

log = logging.getLogger("pressdesk.replay")


class _Handler(BaseHTTPRequestHandler):
    server: _ReplayHTTPServer

    def do_GET(self) -> None:
        site = self.server.site
        path = urlsplit(self.path).path
        self.server.requests.append((path, self.headers.get("User-Agent", "")))
        parts = path.strip("/").split("/")
        if path == "/robots.txt":
            self._send(200, "text/plain; charset=utf-8", site.robots())
        elif path == "/":
            self._send(200, "text/html; charset=utf-8", site.home())
        elif len(parts) == 3 and parts[1] == "rss" and parts[2].endswith(".rss"):
            feed = site.feed(parts[0], parts[2].removesuffix(".rss"))
            self._send(*((200, "application/rss+xml; charset=utf-8", feed) if feed else self._missing()))
        else:
            page = site.article(path)
            self._send(*((200, "text/html; charset=utf-8", page) if page else self._missing()))

    @staticmethod
    def _missing() -> tuple[int, str, str]:
        return 404, "text/html; charset=utf-8", "<html><body><h1>404</h1></body></html>"

    def _send(self, status: int, content_type: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("replay: " + format, *args)


class _ReplayHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: ReplaySite) -> None:
        super().__init__(address, _Handler)
        self.site = site
        self.requests: list[tuple[str, str]] = []


class ReplayServer:
    """Serves a ``ReplaySite`` on 127.0.0.1 until stopped.

    Use as a context manager; ``base_url`` is known once started. ``requests`` records
    every path asked for with its User-Agent, so tests can check politeness.
    """

    def __init__(self, site: ReplaySite, port: int = 0) -> None:
        self.site = site
        self.port = port
        self._server: _ReplayHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the replay server is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[tuple[str, str]]:
        return self._server.requests if self._server else []

    def start(self) -> ReplayServer:
        self._server = _ReplayHTTPServer(("127.0.0.1", self.port), self.site)
        self.site.base_url = self.base_url
        self._thread = threading.Thread(target=self._server.serve_forever, name="replay-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
