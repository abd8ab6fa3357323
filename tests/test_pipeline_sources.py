"""Cycles poll only due sources and record their health; `pressdesk sources` over real files and servers."""

from __future__ import annotations

import json
import logging
import threading
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from core.enums import SourceKind
from core.ports import Embedder
from core.settings import Settings
from core.source import Outlet, Source
from crawlers import SourceRecord, SourceState, read_opml, source_health
from pressdesk.cli import main
from pressdesk.pipeline import run_cycle
from pressdesk.replay import ReplayServer, ReplaySite, load_articles
from pressdesk.wiring import build_journey, default_config_path, load_project

NOW = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
SOURCES_TOML = """
[[sources]]
id = "vnx.thoi-su"
url = "https://vnexpress.example/rss/thoi-su.rss"
outlet = "VnExpress"

[[sources]]
id = "bao-sitemap"
url = "https://baothunghiem.example/sitemap-news.xml"
outlet = "Báo Thử nghiệm"
kind = "sitemap"
priority = true
"""


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer(ReplaySite(load_articles(datetime.now(UTC)))) as server:
        yield server


class _BadLinks(BaseHTTPRequestHandler):
    """A feed whose links go wrong three ways: forbidden by robots.txt, missing, and a PDF."""

    pages: ClassVar[dict[str, tuple[int, str, bytes]]] = {
        "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/feed.rss": (
            200,
            "application/rss+xml",
            b"<rss version='2.0'><channel><title>Links</title>"
            b"<item><title>Private</title><link>/private/a.html</link></item>"
            b"<item><title>Missing</title><link>/missing.html</link></item>"
            b"<item><title>Report</title><link>/report.pdf</link></item></channel></rss>",
        ),
        "/report.pdf": (200, "application/pdf", b"%PDF-1.4"),
    }

    def do_GET(self) -> None:
        status, content_type, body = self.pages.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def bad_links() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BadLinks)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_cycles_poll_due_sources_only_and_record_health(
    tmp_path: Path, embedder: Embedder, replay: ReplayServer, bad_links: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path)
    journey = build_journey(settings, load_project(settings), embedder=embedder, min_delay=0.0)
    good = next(s for s in replay.site.sources() if s.id == "nld.tin-moi-nhat")
    gone = Source(id="gone", url=f"{replay.base_url}/no-such-outlet/rss/x.rss", outlet=Outlet("Gone"))
    links = Source(id="links", url=f"{bad_links}/feed.rss", outlet=Outlet("Links"))
    sources = [gone, good, links]

    with caplog.at_level(logging.WARNING):
        first = run_cycle(journey, sources, now=NOW)
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    soon = run_cycle(journey, sources, now=NOW + timedelta(minutes=1))
    forced = run_cycle(journey, sources, now=NOW + timedelta(minutes=2), every=True)
    later = run_cycle(journey, sources, now=NOW + timedelta(hours=2))
    journey.fetcher.close()

    assert (first.sources, first.not_due, first.feeds_failed) == (3, 0, 1)
    assert warnings == [
        "feed gone failed: HTTP 404",
        f"article from links failed: HTTP 404 ({bad_links}/missing.html)",
        "article from links failed: content type application/pdf is not one we read here (html) "
        f"({bad_links}/report.pdf)",
    ]
    assert first.extracted == first.fetched == 5  # the good feed's articles went on to classification
    assert (soon.sources, soon.not_due, soon.entries) == (0, 3, 0)
    assert (forced.sources, forced.unchanged, forced.fetched) == (3, 2, 0)
    assert forced.already_seen > 0  # an unchanged feed's entries still go by the ledger
    assert (later.sources, later.unchanged, later.feeds_failed) == (3, 2, 1)

    rows = {r.source_id: r for r in source_health(journey.poller.state, sources, NOW + timedelta(hours=2))}
    assert rows["gone"].status == "failing"
    assert rows["gone"].errors == {"http_404": 3}
    assert rows["gone"].failures == 3
    assert rows["nld.tin-moi-nhat"].status == "ok"
    assert rows["nld.tin-moi-nhat"].errors == {}
    assert rows["nld.tin-moi-nhat"].items_per_day == round((first.entries - 3) / 7, 2)  # all but the links feed's 3
    # Article failures are counted against the source that listed them, each time they are tried.
    assert rows["links"].errors == {"article:content_type": 3, "article:http_404": 3, "article:robots": 3}
    assert rows["links"].status == "ok"
    # A feed that did not change is polled later each time: 30, then 45, then 67.5 minutes.
    assert rows["nld.tin-moi-nhat"].interval_minutes == 67.5


@pytest.fixture
def project(tmp_path: Path) -> dict[str, str]:
    """Environment for the CLI: a data folder and a config with two sources."""
    config = tmp_path / "config.toml"
    config.write_text(default_config_path().read_text(encoding="utf-8") + SOURCES_TOML, encoding="utf-8")
    return {"PRESSDESK_DATA_DIR": str(tmp_path / "data"), "PRESSDESK_CONFIG": str(config)}


def test_cli_health_json_lists_configured_sources(project: dict[str, str]) -> None:
    state = SourceState(Path(project["PRESSDESK_DATA_DIR"]) / "sources.db")
    state.put(SourceRecord("vnx.thoi-su", "VnExpress", 3600.0, failures=2, last_error="HTTP 503"))
    state.add_error("vnx.thoi-su", "http_503", datetime.now(UTC))
    state.close()
    result = CliRunner().invoke(main, ["sources", "health", "--json"], env=project)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["sources"]
    assert [(r["id"], r["status"]) for r in rows] == [("vnx.thoi-su", "failing"), ("bao-sitemap", "never polled")]
    assert rows[0]["errors"] == {"http_503": 1}
    assert rows[0]["interval_minutes"] == 60
    table = CliRunner().invoke(main, ["sources", "health"], env={**project, "COLUMNS": "250"})
    assert table.exit_code == 0 and "vnx.thoi-su" in table.output and "http_503 1" in table.output


def test_cli_export_then_import_opml(project: dict[str, str], tmp_path: Path) -> None:
    exported = CliRunner().invoke(main, ["sources", "export-opml", "--out", str(tmp_path / "list.opml")], env=project)
    assert exported.exit_code == 0, exported.output
    listed = read_opml((tmp_path / "list.opml").read_bytes())
    assert [(f.url, f.kind, f.priority) for f in listed.feeds] == [
        ("https://vnexpress.example/rss/thoi-su.rss", SourceKind.FEED, False),
        ("https://baothunghiem.example/sitemap-news.xml", SourceKind.SITEMAP, True),
    ]
    out = tmp_path / "new-sources.toml"
    imported = CliRunner().invoke(main, ["sources", "import-opml", str(tmp_path / "list.opml"), "--out", str(out)])
    assert imported.exit_code == 0, imported.output
    assert [s["id"] for s in tomllib.loads(out.read_text(encoding="utf-8"))["sources"]] == [
        "vnx.thoi-su",
        "bao-sitemap",
    ]
    again = CliRunner().invoke(
        main, ["sources", "import-opml", str(tmp_path / "list.opml"), "--out", str(out)], env={"COLUMNS": "250"}
    )
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_cli_import_of_a_file_that_is_not_opml_says_so(tmp_path: Path) -> None:
    junk = tmp_path / "junk.opml"
    junk.write_text("<html><body>no</body></html>", encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "import-opml", str(junk)], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "junk.opml: not an OPML file (root element <html>)" in result.output


def test_cli_discover_prints_config_blocks(replay: ReplayServer, tmp_path: Path) -> None:
    env = {"PRESSDESK_DATA_DIR": str(tmp_path), "PRESSDESK_CRAWL_DELAY_SECONDS": "0"}
    result = CliRunner().invoke(main, ["sources", "discover", f"{replay.base_url}/"], env=env)
    assert result.exit_code == 0, result.output
    found = tomllib.loads(result.output)["sources"]
    assert {s["url"] for s in found} == {f"{replay.base_url}/{c}/rss/tin-moi-nhat.rss" for c in replay.site.outlets}
    failed = CliRunner().invoke(
        main, ["sources", "discover", f"{replay.base_url}/missing"], env={**env, "COLUMNS": "250"}
    )
    assert failed.exit_code == 1
    assert "HTTP 404" in failed.output
