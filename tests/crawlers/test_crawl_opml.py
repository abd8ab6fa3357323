"""OPML import and export: an office's list in, config blocks out, and our own export back in unchanged."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import pytest

from core.config import parse_config
from core.enums import SourceKind
from crawlers import ListedSource, read_opml, sources_toml, write_opml

NOW = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
LOCALITY_AND_UNITS: dict[str, Any] = {
    "locality": {"name": "Đà Nẵng", "kind": "city"},
    "units": [{"id": "office", "name": "Văn phòng", "coordinating": True}],
}


@pytest.fixture
def office_list(fixture_bytes: Callable[[str], bytes]) -> bytes:
    return fixture_bytes("collection/office-list.opml")


def test_an_office_list_is_read_flat_and_deduplicated(office_list: bytes) -> None:
    parsed = read_opml(office_list)
    assert parsed.problem == ""
    assert parsed.title == "Danh sách nguồn tin - Sở Thông tin Thử nghiệm"
    assert parsed.feeds == (
        ListedSource(
            "https://baothunghiem.example/rss/thoi-su.rss",
            "Báo Thử nghiệm",
            language="vi",
            html_url="https://baothunghiem.example/",
        ),
        ListedSource("https://tinnhanh.example/feed", "Tin Nhanh & Du lịch"),
        ListedSource(
            "https://times.example/asia/rss.xml", "Example Times Asia", language="en", html_url="https://times.example/"
        ),
        ListedSource("http://dongnai.example/rss", "Đồng Nai Thử nghiệm"),
    )
    assert parsed.skipped == 2  # the portal's home page (a link, not a feed) and the gopher feed


def test_imported_list_becomes_valid_config_blocks(office_list: bytes) -> None:
    text = sources_toml(read_opml(office_list).feeds, taken_ids=["example-times-asia"])
    config = parse_config({**LOCALITY_AND_UNITS, **tomllib.loads(text)})
    assert [(s.id, s.outlet.name, s.outlet.language) for s in config.sources] == [
        ("bao-thu-nghiem", "Báo Thử nghiệm", "vi"),
        ("tin-nhanh-du-lich", "Tin Nhanh & Du lịch", "vi"),
        ("example-times-asia-2", "Example Times Asia", "en"),
        ("dong-nai-thu-nghiem", "Đồng Nai Thử nghiệm", "vi"),
    ]


def test_export_then_import_gives_back_the_same_sources() -> None:
    original = parse_config(
        {
            **LOCALITY_AND_UNITS,
            "sources": [
                {"id": "vnx.thoi-su", "url": "https://vnexpress.example/rss/thoi-su.rss", "outlet": "VnExpress"},
                {
                    "id": "times-asia",
                    "url": "https://times.example/asia/rss.xml",
                    "outlet": 'The "Example" Times',
                    "language": "en",
                    "country": "GB",
                    "priority": True,
                },
                {
                    "id": "bao-sitemap",
                    "url": "https://baothunghiem.example/sitemap-news.xml",
                    "outlet": "Báo Thử nghiệm",
                    "kind": "sitemap",
                },
            ],
        }
    )
    document = write_opml(original.sources, "pressdesk: Đà Nẵng", NOW)
    root = ElementTree.fromstring(document)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/dateCreated") == "Sun, 02 Jun 2024 08:00:00 +0000"
    first = root.find("body/outline")
    assert first is not None
    assert (first.get("type"), first.get("xmlUrl"), first.get("text")) == (
        "rss",
        "https://vnexpress.example/rss/thoi-su.rss",
        "VnExpress",
    )
    again = parse_config({**LOCALITY_AND_UNITS, **tomllib.loads(sources_toml(read_opml(document).feeds))})
    assert again.sources == original.sources


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "not an OPML file: malformed XML"),
        (b"<rss version='2.0'/>", "not an OPML file (root element <rss>)"),
        (b"<!DOCTYPE opml [<!ENTITY x 'y'>]><opml/>", "not an OPML file: has a DOCTYPE"),
    ],
)
def test_a_file_that_is_not_opml_is_refused(body: bytes, problem: str) -> None:
    parsed = read_opml(body)
    assert parsed.feeds == ()
    assert parsed.problem.startswith(problem)


def test_names_with_quotes_and_control_characters_survive_toml() -> None:
    name = 'Báo "Thử" \\ nghiệm\x7f\tmới'
    text = sources_toml([ListedSource("https://a.example/rss", name, kind=SourceKind.FEED)])
    (source,) = tomllib.loads(text)["sources"]
    assert source["outlet"] == name
    assert source["id"] == "bao-thu-nghiem-moi"
