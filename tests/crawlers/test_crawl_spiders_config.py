"""Listing sources in the config file: what they need, and errors that name the key to fix."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.config import parse_config
from core.enums import SourceKind
from core.errors import ConfigError
from crawlers.spiders import SpiderRunner
from pressdesk.cli import main

LISTING = """
[[sources]]
id = "baothu.tin-moi"
url = "https://baothu.example/tin-moi/"
outlet = "Báo Thử"
kind = "listing"
listing_urls = ["https://baothu.example/tin-moi/trang-2/"]
article_pattern = '-\\d+\\.html$'
article_css = "ul.tin-moi h3"
delay_seconds = 5
"""


MINIMAL = """
[locality]
name = "Đà Nẵng"

[[units]]
id = "vp"
name = "Văn phòng"
coordinating = true
"""


def _config(extra: str) -> dict[str, object]:
    return tomllib.loads(MINIMAL + extra)


def test_a_listing_source_is_read_with_its_pages_pattern_selector_and_delay() -> None:
    [source] = [s for s in parse_config(_config(LISTING)).sources if s.kind is SourceKind.LISTING]
    assert source.listing_urls == ("https://baothu.example/tin-moi/trang-2/",)
    assert (source.article_pattern, source.article_css, source.delay_seconds) == (r"-\d+\.html$", "ul.tin-moi h3", 5)

    job = SpiderRunner("ua", Path("/nonexistent"), delay=2.0).job([source])
    [target] = job.targets
    assert target.listing_urls == ("https://baothu.example/tin-moi/", "https://baothu.example/tin-moi/trang-2/")
    assert target.delay_seconds == 5.0  # the site's own delay wins over the shorter default


PATTERN_LINE = r"article_pattern = '-\d+\.html$'"


@pytest.mark.parametrize(
    ("old", "new", "where", "says"),
    [
        (PATTERN_LINE + '\narticle_css = "ul.tin-moi h3"\n', "", "sources.0", "needs article_pattern"),
        (PATTERN_LINE, "article_pattern = '([a-z'", "sources.0.article_pattern", "not a regular expression"),
        ('article_css = "ul.tin-moi h3"', 'article_css = "ul[[["', "sources.0.article_css", "not a CSS selector"),
        ('["https://baothu.example/tin-moi/trang-2/"]', '["trang-2"]', "sources.0.listing_urls", "web address"),
        ('kind = "listing"', 'kind = "feed"', "sources.0", 'only apply to kind = "listing"'),
        ("delay_seconds = 5", "delay_seconds = 0", "sources.0.delay_seconds", "greater than 0"),
    ],
)
def test_listing_mistakes_name_the_key(old: str, new: str, where: str, says: str) -> None:
    text = LISTING.replace(old, new)
    assert text != LISTING
    with pytest.raises(ConfigError) as info:
        parse_config(_config(text))
    line = next(line for line in str(info.value).splitlines() if says in line)
    assert line.strip().startswith(f"- {where}:")


def test_crawl_command_explains_when_there_is_nothing_to_crawl(tmp_path: Path) -> None:
    env = {"PRESSDESK_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["crawl"], env=env)
    assert result.exit_code == 2
    assert 'kind = "listing"' in result.output
    bad = CliRunner().invoke(main, ["crawl", "--url", "https://baothu.example/", "--pattern", "([a-z"], env=env)
    assert bad.exit_code == 2 and "article_pattern" in bad.output
