"""``pressdesk extract``: many pages in, one JSON line per page out, in order, failures included.

Exit code: 0 when at least one page was extracted, 1 when none was (a run over a folder
with a few broken files still succeeds; a run where nothing could be read does not).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pressdesk.cli import main

KEYS = {"source", "url", "title", "text", "published", "language", "outlet"}


@pytest.fixture
def pages(tmp_path: Path, fixture_bytes: Callable[[str], bytes]) -> Path:
    """A folder with a plain page, a gzipped page, a page with no article, and a non-page file."""
    (tmp_path / "hoc-phi.html").write_bytes(fixture_bytes("article-hoc-phi.html"))
    (tmp_path / "sua-me.html.gz").write_bytes(gzip.compress(fixture_bytes("article-sua-me.html")))
    (tmp_path / "near-empty.html").write_bytes(fixture_bytes("near-empty.html"))
    (tmp_path / "notes.txt").write_text("not a page")
    return tmp_path


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(main, ["extract", "--json", *args], env=env)
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


def test_files_come_out_in_order_with_the_promised_keys(pages: Path, articles: list[dict[str, Any]]) -> None:
    sources = [str(pages / "sua-me.html.gz"), str(pages / "missing.html"), str(pages / "hoc-phi.html")]
    code, lines = _run(*sources, "--workers", "2")
    assert code == 0
    assert [line["source"] for line in lines] == sources
    gzipped, missing, plain = lines
    assert set(gzipped) == set(plain) == KEYS
    assert missing == {"source": sources[1], "error": "no such file"}
    titles = {a["slug"]: a["title"] for a in articles}
    assert plain["title"] == titles["hoc-phi"] and gzipped["title"] == titles["sua-me"]
    assert plain["language"] == gzipped["language"] == "vi"
    assert plain["published"] == "2006-09-13T10:05:00+00:00"
    assert gzipped["url"] == (pages / "sua-me.html.gz").resolve().as_uri(), "no canonical URL: the file's own"
    assert plain["outlet"] == "Người Lao Động"


def test_a_folder_stands_for_its_pages(pages: Path) -> None:
    code, lines = _run(str(pages))
    assert code == 0
    assert [Path(line["source"]).name for line in lines] == ["hoc-phi.html", "near-empty.html", "sua-me.html.gz"]
    assert "characters of article text" in lines[1]["error"]


def test_exit_code_is_1_when_no_page_was_extracted(pages: Path) -> None:
    code, lines = _run(str(pages / "near-empty.html"), str(pages / "missing.html"))
    assert code == 1
    assert all(set(line) == {"source", "error"} for line in lines)


def test_urls_are_fetched_politely_and_canonical_urls_reported(site: Any) -> None:
    article, forbidden = site.url("/articles/hoc-phi.html"), site.url("/private/secret.html")
    code, lines = _run(article, forbidden, env={"PRESSDESK_CRAWL_DELAY_SECONDS": "0"})
    assert code == 0
    assert lines[0]["url"] == site.url("/giao-duc/lam-ro-chi-phi-hoc-phi.htm")
    assert lines[1]["source"] == forbidden and "robots.txt" in lines[1]["error"]
    assert not any(r.path == "/private/secret.html" for r in site.received)
    assert site.received[0].headers["user-agent"].startswith("pressdesk/")


def test_without_json_a_summary_is_printed(pages: Path) -> None:
    result = CliRunner().invoke(main, ["extract", str(pages / "hoc-phi.html")])
    assert result.exit_code == 0
    assert "Làm rõ chi phí cần thiết để xác định mức học phí" in result.stdout
