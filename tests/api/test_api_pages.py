"""The server-rendered pages: language, facets, highlighting, escaping, item page, static CSS."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api import AuditLog
from core import Item
from core.ports import Store
from tests.indexing.store_contract import article

EVIL = "<script>alert('x')</script>"


def test_search_page_is_vietnamese_by_default(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="vi">' in page
    assert '<label for="q">Tìm kiếm tin</label>' in page
    assert "3 kết quả" in page
    for stance in ("tích cực", "trung lập", "tiêu cực"):
        assert stance in page
    assert '<span class="badge stance-negative">tiêu cực</span>' in page
    assert "Sở Y tế" in page  # unit facet shows the unit's name from the project config


def test_english_on_request_and_remembered_in_a_cookie(client: TestClient) -> None:
    english = client.get("/", params={"lang": "en"})
    later = client.get("/")

    assert '<html lang="en">' in english.text
    assert '<label for="q">Search coverage</label>' in english.text
    assert '<span class="badge stance-negative">negative</span>' in english.text
    assert english.cookies.get("pressdesk_lang") == "en"
    assert '<html lang="en">' in later.text
    assert '<html lang="vi">' in client.get("/", params={"lang": "vi"}).text


def test_snippet_marks_render_but_titles_and_text_are_escaped(client: TestClient) -> None:
    page = client.get("/", params={"q": "cau rong"}).text

    assert "<mark>Cầu</mark> <mark>Rồng</mark>" in page
    assert EVIL not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Cầu Rồng phun lửa cuối tuần" in page
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_facet_links_toggle_filters(client: TestClient) -> None:
    page = client.get("/", params={"q": "da nang"}).text
    link = re.search(r'<a href="([^"]+)">(?:<span[^>]*></span>)?tiêu cực <span class="count">1</span>', page)

    assert link is not None
    assert link.group(1) == "/?q=da+nang&amp;stance=negative"
    filtered = client.get("/?q=da+nang&stance=negative").text
    assert "1 kết quả" in filtered
    assert 'aria-current="true"' in filtered
    assert '<input type="hidden" name="stance" value="negative">' in filtered


def test_paging_links(client: TestClient) -> None:
    page = client.get("/", params={"size": 2}).text

    assert "Trang 1/2" in page
    assert 'href="/?size=2&amp;page=2" rel="next"' in page
    assert 'rel="prev"' not in page


def test_page_searches_are_audited(client: TestClient, audit: AuditLog) -> None:
    client.get("/", params={"q": "du lịch", "topic": "tourism_culture"})

    [entry] = audit.entries(action="search")
    assert entry.detail["via"] == "page"
    assert entry.detail["q"] == "du lịch"
    assert entry.detail["filters"] == {"topic": ["tourism_culture"]}


def test_item_page_shows_labels_routing_and_evidence(client: TestClient, items: list[Item]) -> None:
    page = client.get(f"/items/{items[0].id}").text

    assert "<h1>Bệnh viện Đà Nẵng quá tải vì sốt xuất huyết</h1>" in page
    assert "độ tin cậy 87%" in page
    assert "y tế" in page
    assert "Sở Y tế" in page
    assert "Tin tiêu cực về Đà Nẵng, chủ đề: y tế" in page
    assert '<a href="https://factcheck.example/7" rel="noopener noreferrer">Bằng chứng</a>' in page
    assert "<p>Sở Y tế đã tăng cường giường bệnh.</p>" in page


def test_item_page_escapes_the_title(client: TestClient, items: list[Item]) -> None:
    page = client.get(f"/items/{items[2].id}").text

    assert EVIL not in page
    assert "&lt;script&gt;" in page


def test_missing_item_page_is_a_404_page(client: TestClient) -> None:
    response = client.get("/items/nope")

    assert response.status_code == 404
    assert "Không tìm thấy tin này" in response.text


def test_pages_load_nothing_from_elsewhere(client: TestClient) -> None:
    response = client.get("/")
    css = client.get("/static/pressdesk.css")

    assert css.status_code == 200 and ":focus-visible" in css.text
    assert '<link rel="stylesheet" href="/static/pressdesk.css">' in response.text
    assert "<script" not in response.text
    assert not re.search(r'(src|href)="(https?:)?//', response.text)
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.fixture
def football(store: Store) -> Store:
    """One item with the word "bóng đá", one with "bóng" and "đá" apart."""
    when = datetime(2026, 11, 20, tzinfo=UTC)
    store.upsert(
        [
            article("bong-da", "Bóng đá Đà Nẵng thắng lớn", "Đội bóng đá thành phố thắng 3-0.", when),
            article("bong-ro", "Sân bóng rổ mới", "Sân được lát đá granite, có mái che.", when),
        ]
    )
    return store


def test_bare_words_are_offered_as_one_phrase_when_it_finds_fewer(
    client: TestClient, football: Store, audit: AuditLog
) -> None:
    page = client.get("/", params={"q": "bóng đá"}).text

    assert "2 kết quả" in page
    hint = re.search(r'<p class="phrase-hint">Tìm cả cụm <a href="([^"]+)">([^<]+)</a>: ([^<]+)</p>', page)
    assert hint is not None
    assert hint.group(1) == "/?q=%22b%C3%B3ng+%C4%91%C3%A1%22"
    assert hint.group(2) == "&#34;bóng đá&#34;"
    assert hint.group(3) == "1 tin (trong 2 tin có đủ các từ ở bất kỳ chỗ nào)"
    searches = {entry.detail["via"]: entry.detail for entry in audit.entries(action="search")}
    assert searches["page-hint"]["q"] == '"bóng đá"' and searches["page-hint"]["total"] == 1
    assert "1 kết quả" in client.get(hint.group(1)).text


@pytest.mark.parametrize("q", ["da nang", "bóng AND đá", '"bóng đá"', "bóng* đá"])
def test_no_phrase_hint_when_it_would_not_narrow_or_the_query_is_not_bare(
    client: TestClient, football: Store, q: str
) -> None:
    assert 'class="phrase-hint"' not in client.get("/", params={"q": q}).text
