"""What ``extract_page`` reads besides the body (outlet, links, date, language), and the cascade's fallbacks."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawlers import extract_page
from crawlers.language import detect_language

EXTRACTION = Path(__file__).parent / "fixtures" / "extraction"
BODY = "".join(
    f"<p>{s}</p>"
    for s in (
        "The city of Da Nang welcomed more than eight million visitors last year, the tourism department said.",
        "Officials said the new airport terminal and the Dragon Bridge light show drew record crowds in the summer.",
        "Hotel occupancy stayed above seventy percent for six consecutive months, the department reported.",
    )
)
# One or two sentences of news in each language the office follows.
SAMPLES = {
    "vi": "Thành phố Đà Nẵng đón hơn tám triệu lượt khách du lịch trong năm qua, theo sở du lịch.",
    "en": "The city welcomed more than eight million visitors last year, according to the tourism department.",
    "zh": "岘港市去年接待游客超过八百万人次，旅游部门表示新机场航站楼吸引了大量游客。",
    "ko": "다낭시는 작년에 800만 명이 넘는 관광객을 맞이했다고 관광청이 밝혔다.",
    "ja": "ダナン市は昨年、800万人以上の観光客を迎えたと観光局が発表した。",
    "lo": "ນະຄອນດານັງ ໄດ້ຕ້ອນຮັບນັກທ່ອງທ່ຽວຫຼາຍກວ່າແປດລ້ານຄົນໃນປີກາຍນີ້ ອີງຕາມກົມທ່ອງທ່ຽວ.",
    "th": "เมืองดานังต้อนรับนักท่องเที่ยวมากกว่าแปดล้านคนในปีที่แล้ว ตามข้อมูลของกรมการท่องเที่ยว",
    "km": "ទីក្រុងដាណាំងបានស្វាគមន៍ភ្ញៀវទេសចរជាងប្រាំបីលាននាក់កាលពីឆ្នាំមុន នេះបើយោងតាមមន្ទីរទេសចរណ៍។",
    "fr": "La ville de Da Nang a accueilli plus de huit millions de visiteurs l'an dernier, selon le tourisme.",
    "de": "Die Stadt Da Nang hat im vergangenen Jahr mehr als acht Millionen Besucher empfangen, teilte das Amt mit.",
    "ru": "В прошлом году город Дананг принял более восьми миллионов туристов, сообщили в департаменте туризма.",
}


def _page(head: str = "", body: str = BODY, title: str = "Da Nang tourism | Example News") -> str:
    return f'<html lang="en"><head><title>{title}</title>{head}</head><body>{body}</body></html>'


def _zyte(key_prefix: str) -> tuple[bytes, dict[str, Any]]:
    gold = json.loads((EXTRACTION / "ground-truth.json").read_text("utf-8"))
    key = next(k for k in gold if k.startswith(key_prefix))
    return gzip.decompress((EXTRACTION / f"{key}.html.gz").read_bytes()), gold[key]


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("language", "text"), list(SAMPLES.items()))
def test_each_followed_language_is_detected_against_a_wrong_declaration(language: str, text: str) -> None:
    wrong = "en" if language == "vi" else "vi"
    assert detect_language(text, wrong) == language


def test_a_declaration_breaks_a_tie_the_text_cannot() -> None:
    assert detect_language("OK 2025", "fr") == "fr"
    assert detect_language("", "fr") == ""


def test_outlet_canonical_and_share_image_come_from_the_page() -> None:
    head = (
        '<meta property="og:site_name" content="Báo Đà Nẵng">'
        '<link rel="canonical" href="/du-lich/a.html"><meta property="og:image" content="/img/a.jpg">'
    )
    page = extract_page(_page(head, title="Da Nang tourism - Báo Đà Nẵng"), "https://baodanang.vn/du-lich/a.html?x=1")
    assert page.outlet == "Báo Đà Nẵng"
    assert page.extracted.canonical_url == "https://baodanang.vn/du-lich/a.html"
    assert page.extracted.image_url == "https://baodanang.vn/img/a.jpg"
    assert page.extracted.title == "Da Nang tourism", "the outlet's name is not part of the headline"


def test_outlet_falls_back_to_the_domain_and_image_to_the_article() -> None:
    body = f'<article><img src="/photos/bridge.jpg">{BODY}</article>'
    page = extract_page(_page(body=body), "https://www.example.com/news/1")
    assert page.outlet == "example.com"
    assert page.extracted.image_url == "https://www.example.com/photos/bridge.jpg"
    assert page.extracted.canonical_url == ""


def test_twitter_image_is_used_without_og_image() -> None:
    page = extract_page(_page('<meta name="twitter:image" content="https://cdn.example.com/t.jpg">'), "https://e.com/")
    assert page.extracted.image_url == "https://cdn.example.com/t.jpg"


def test_publication_time_from_json_ld_keeps_its_offset() -> None:
    ld = '{"@type": "NewsArticle", "datePublished": "2025-07-01T08:30:00+07:00"}'
    ld = f'<script type="application/ld+json">{ld}</script>'
    assert extract_page(_page(ld), "https://e.com/a").extracted.published == datetime(2025, 7, 1, 1, 30, tzinfo=UTC)


def test_date_in_the_text_is_found_by_htmldate() -> None:
    body = f"<p class='date'>Published 12 March 2024</p>{BODY}"
    assert extract_page(_page(body=body), "https://e.com/a").extracted.published == datetime(2024, 3, 12, tzinfo=UTC)


def test_menu_returned_by_trafilatura_is_replaced_by_its_full_mode() -> None:
    html, gold = _zyte("f6ac15")
    text = extract_page(html, gold["url"]).extracted.text
    assert "Ouvidoria SUS" not in text, "the site menu is not the article"
    for paragraph in gold["articleBody"].split("\n"):
        assert _one_line(paragraph) in _one_line(text)


def test_article_split_over_containers_is_completed_by_readability() -> None:
    html, gold = _zyte("d48aeb")
    text = _one_line(extract_page(html, gold["url"]).extracted.text)
    paragraphs = [_one_line(p) for p in gold["articleBody"].split("\n") if p.strip()]
    found = [p for p in paragraphs if p in text]
    assert paragraphs[0] in text and paragraphs[-1] in text
    assert len(found) >= 0.8 * len(paragraphs)
