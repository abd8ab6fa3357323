"""The extractor on hostile pages: an article or ``ExtractionError``, never another exception, never a hang.

Pages are real ones (readability's test pages, the Zyte benchmark, fundus) cut, spliced
and salted with fragments that break HTML readers: lying charsets, legacy Vietnamese
encodings, entity tricks, NUL bytes, markup that never closes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager

from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.errors import ExtractionError
from crawlers import extract_page

#: Examples per test are multiplied by this for long runs outside CI.
SCALE = int(os.environ.get("PRESSDESK_FUZZ_SCALE", "1"))
PAGE_URL = "https://baodanang.vn/du-lich/da-nang-don-khach-4000001.html"


def _check(page: bytes | str) -> None:
    try:
        result = extract_page(page, PAGE_URL, min_chars=20)
    except ExtractionError as exc:
        assert str(exc).startswith(PAGE_URL)
        return
    extracted = result.extracted
    assert len(extracted.text) >= 20
    assert "\x00" not in extracted.text + extracted.title
    assert extracted.published is None or extracted.published.utcoffset() is not None
    assert isinstance(result.outlet, str)


@settings(max_examples=30 * SCALE, deadline=None)
@given(body=st.data())
def test_mutated_real_pages(
    body: st.DataObject,
    page_seeds: list[bytes],
    mutate: Callable[[list[bytes]], st.SearchStrategy[bytes]],
    within: Callable[[float], AbstractContextManager[None]],
) -> None:
    page = body.draw(mutate(page_seeds), label="page")
    with within(20):
        _check(page)


@settings(max_examples=20 * SCALE, deadline=None)
@given(body=st.data())
def test_mutated_pages_as_text(
    body: st.DataObject,
    page_seeds: list[bytes],
    mutate: Callable[[list[bytes]], st.SearchStrategy[bytes]],
    within: Callable[[float], AbstractContextManager[None]],
) -> None:
    """Already-decoded pages take another road (legacy encoding repair on ``str``)."""
    page = body.draw(mutate(page_seeds), label="page").decode("utf-8", errors="surrogateescape")
    with within(20):
        _check(page)


@settings(max_examples=100 * SCALE, deadline=None)
@given(page=st.one_of(st.binary(max_size=2048), st.text(max_size=2048)))
@example(page=b"")
@example(page="")
@example(page=b"\x00" * 100)
@example(page="\ud800<p>" + "Đà Nẵng " * 20)
@example(page=b"<html><body>" + b"<div>" * 5000 + "Đà Nẵng đón khách. ".encode() * 20)
@example(page=b'<?xml version="1.0" encoding="utf-16"?><html><p>' + b"x" * 300)
@example(page=b'<meta charset="x-no-such-codec"><p>' + "Hội An ".encode() * 40)
@example(page=b"<p>" + "Ðà Nẵng ".encode("cp1258", errors="replace") * 40)
def test_arbitrary_input(page: bytes | str, within: Callable[[float], AbstractContextManager[None]]) -> None:
    with within(20):
        _check(page)
