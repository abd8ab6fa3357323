"""Article extraction on recorded Vietnamese news pages served locally, and on pages that hold too little."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from core.errors import ExtractionError
from core.item import Extracted
from core.text import normalise_text
from crawlers import Fetcher, extract_article

SENTENCES = (
    "The city of Da Nang welcomed more than eight million visitors last year, according to the tourism department.",
    "Officials said the new airport terminal and the Dragon Bridge light show drew record crowds in the summer.",
    "Hotel occupancy stayed above seventy percent for six consecutive months, the department reported on Tuesday.",
)
ENGLISH = "".join(f"<p>{sentence}</p>" for sentence in SENTENCES)
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _one_line(text: str) -> str:
    return " ".join(normalise_text(text).split())


def _windows_1258(text: str) -> bytes:
    """Encode as windows-1258 does: base letters precomposed, tone marks as combining characters."""
    out = bytearray()
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tones = "".join(m for m in marks if m in TONE_MARKS)
        shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONE_MARKS))
        out += char.encode("cp1258") if not tones else (shaped + tones).encode("cp1258")
    return bytes(out)


@pytest.fixture
def extracted(site: Any, user_agent: str, articles: list[dict[str, Any]]) -> dict[str, tuple[Extracted, str]]:
    """Each recorded article fetched from the local site and extracted, with the URL it came from."""
    results = {}
    with Fetcher(user_agent, min_delay=0.0) as fetcher:
        for article in articles:
            page = fetcher.fetch(site.url(f"/articles/{article['slug']}.html"))
            results[article["slug"]] = (extract_article(page.body, page.final_url), page.final_url)
    return results


def test_articles_give_title_text_lead_and_language(
    extracted: dict[str, tuple[Extracted, str]], articles: list[dict[str, Any]]
) -> None:
    for article in articles:
        result, _ = extracted[article["slug"]]
        paragraphs = [_one_line(p) for p in article["paragraphs"]]
        assert result.title == article["title"]
        assert result.language == "vi"
        assert result.lead == paragraphs[0]
        assert result.text.endswith(paragraphs[-1])
        for paragraph in paragraphs:
            assert paragraph in result.text
        assert "Tin liên quan" not in result.text  # related links are page furniture
        assert not result.text.startswith(result.title)
        assert result.text == unicodedata.normalize("NFC", result.text)


def test_publication_time_is_utc(extracted: dict[str, tuple[Extracted, str]]) -> None:
    # The page states 17:05 at +07:00.
    assert extracted["hoc-phi"][0].published == datetime(2006, 9, 13, 10, 5, tzinfo=UTC)
    # Only a visible date: the day, at midnight UTC.
    assert extracted["sua-me"][0].published == datetime(2006, 6, 12, tzinfo=UTC)


def test_links_are_absolute(extracted: dict[str, tuple[Extracted, str]]) -> None:
    hoc_phi, url = extracted["hoc-phi"]
    origin = url.rsplit("/articles/", 1)[0]
    assert hoc_phi.canonical_url == f"{origin}/giao-duc/lam-ro-chi-phi-hoc-phi.htm"
    assert hoc_phi.image_url == f"{origin}/images/hoc-phi.jpg"
    assert extracted["truong-sa"][0].canonical_url == "https://nld.example.vn/thoi-su/truong-sa.htm"
    assert extracted["sua-me"][0].canonical_url == ""


def test_near_empty_page_raises(site: Any, user_agent: str) -> None:
    with Fetcher(user_agent, min_delay=0.0) as fetcher:
        page = fetcher.fetch(site.url("/articles/near-empty.html"))
    with pytest.raises(ExtractionError, match="characters of article text"):
        extract_article(page.body, page.final_url)


@pytest.mark.parametrize("body", [b"", b"   \n", "<html></html>"])
def test_empty_input_raises(body: bytes | str) -> None:
    with pytest.raises(ExtractionError):
        extract_article(body, "https://example.vn/empty")


def test_declared_legacy_charset_is_honoured(
    fixture_bytes: Callable[[str], bytes], articles: list[dict[str, Any]]
) -> None:
    page = fixture_bytes("article-truong-sa.html").decode("utf-8")
    legacy = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    page = page.replace('<meta charset="utf-8">', legacy)
    result = extract_article(_windows_1258(page), "https://nld.example.vn/thoi-su/truong-sa.htm")
    article = next(a for a in articles if a["slug"] == "truong-sa")
    assert result.title == article["title"]
    assert _one_line(article["paragraphs"][0]) in result.text


def test_utf8_bom_is_honoured(fixture_bytes: Callable[[str], bytes]) -> None:
    result = extract_article(b"\xef\xbb\xbf" + fixture_bytes("article-sua-me.html"), "https://vnexpress.net/a.html")
    assert result.title == "Sữa mẹ giàu năng lượng hơn sau 1 năm"


@pytest.mark.parametrize("declared", ["en-US", "vi", ""])
def test_english_text_is_english_whatever_the_page_declares(declared: str) -> None:
    page = f'<html lang="{declared}"><head><title>Tourism</title></head><body><main>{ENGLISH}</main></body></html>'
    assert extract_article(page, "https://e.vnexpress.net/news/tourism").language == "en"


def test_vietnamese_text_is_vietnamese_on_a_page_declared_english(fixture_bytes: Callable[[str], bytes]) -> None:
    page = fixture_bytes("article-hoc-phi.html").decode("utf-8")
    page = page.replace("<html", '<html lang="en"', 1).replace('lang="vi"', "")
    assert extract_article(page, "https://nld.example.vn/a.htm").language == "vi"


def test_single_block_page_falls_back_to_paragraphs() -> None:
    result = extract_article(f"<p>{' '.join(SENTENCES)}</p>", "https://example.vn/fragment")
    assert result.text == " ".join(SENTENCES)


def test_reader_comments_are_not_taken_as_article_text() -> None:
    comments = "".join(f'<div class="comment-item"><p>{sentence}</p></div>' for sentence in SENTENCES)
    page = f"<html><head><title>x</title></head><body><div id='box_comment'>{comments}</div></body></html>"
    with pytest.raises(ExtractionError):
        extract_article(page, "https://example.vn/comments")
