"""Article extraction: a fetched page into title, text, date, language, outlet and links.

The body comes from a cascade, each step run only when the one before looks wrong
(as Media Cloud's extractor cascade does), so the common page costs one trafilatura pass:

1. trafilatura in its fast mode (no internal fallbacks), comments left out.
2. Too little text (under ``_SHORT`` characters), or mostly menu-like short lines:
   trafilatura's full mode, which compares its result with its readability and jusText
   ports; kept when it is longer or less menu-like.
3. Still under ``min_chars``: trafilatura favouring recall, then the page's plain ``<p>``
   text (trafilatura rejects single-block pages).
4. The text misses most of the page's prose (articles split over several containers,
   which trafilatura reads one of): readability-lxml, kept when it holds what step 1
   found plus more, and only its prose paragraphs are added.
5. The headline is removed from the start of the body (it is the ``title`` field), and so
   is the page's own URL where a share box put it in the text.

Metadata is read from the page's own markup (``crawlers.metadata``), the language from
the text (``crawlers.language``), and bytes are decoded by ``crawlers.encoding``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass

import lxml.html  # type: ignore[import-untyped, unused-ignore]  # lxml ships no types; stubs may be absent
from lxml import etree  # type: ignore[import-untyped, unused-ignore]
from readability import Document as Readability  # type: ignore[import-untyped]
from trafilatura import bare_extraction, load_html
from trafilatura.settings import Document

from core.errors import ExtractionError
from core.item import Extracted
from core.text import normalise_text
from crawlers.encoding import decode_html, repair_vietnamese
from crawlers.language import detect_language
from crawlers.metadata import read_metadata

log = logging.getLogger("pressdesk.crawlers")

_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})
_COMMENT_MARKERS = ("comment", "binh-luan", "binhluan")  # "bình luận" is Vietnamese for comments
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "td")
# A lead is a paragraph of prose, not a dateline, byline or photo credit.
_LEAD_MIN_CHARS = 40
# Below this, trafilatura's fast mode has probably missed the article (step 2).
_SHORT = 500
# A text whose characters sit mostly in lines of under five words is a menu, not prose.
_MENU_SHARE = 0.4
# Step 4 runs when the text holds under this share of the page's prose, and misses at least
# ``_MISSED_PROSE`` characters of it; readability must contain ``_CONTAINS`` of the text.
_PROSE_COVERED = 0.6
_MISSED_PROSE = 1000
_CONTAINS = 0.9
# Prose: a paragraph of at least this many words that ends like a sentence.
_PROSE_WORDS = 12
_SENTENCE_END = re.compile(r"""[.!?…"”’»)\]:;。！？]\s*$""")
_TOKENS = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """An extracted article and the outlet that published it (``core.Extracted`` has no outlet)."""

    extracted: Extracted
    outlet: str


def extract_article(html: bytes | str, url: str, *, min_chars: int = 200) -> Extracted:
    """Extract the article of a news page.

    Args:
        html: the page as fetched (bytes are decoded by ``crawlers.encoding.decode_html``,
            legacy Vietnamese encodings included) or already decoded (TCVN3 or VNI text
            in it is still converted).
        url: the page URL, used to resolve relative links.
        min_chars: the least article text worth keeping.

    Returns:
        title, NFC-normalised text (paragraphs separated by blank lines), lead,
        publication time (UTC) when the page states one, language, canonical URL and
        main image.

    Raises:
        ExtractionError: the page held fewer than ``min_chars`` characters of article text.
    """
    return extract_page(html, url, min_chars=min_chars).extracted


def extract_page(html: bytes | str, url: str, *, min_chars: int = 200) -> ArticlePage:
    """Like ``extract_article``, with the outlet's name (``og:site_name``, else the domain).

    Raises:
        ExtractionError: the page held fewer than ``min_chars`` characters of article text.
    """
    markup = repair_vietnamese(html) if isinstance(html, str) else decode_html(html)
    tree = _parse(markup)
    if tree is None:
        raise ExtractionError(f"{url}: empty or unparsable page, no article text")
    meta = read_metadata(tree, url)
    text = _without_own_links(_body(tree, url, min_chars), (url, meta.canonical_url))
    text = _drop_headline(text, (meta.title, *_headlines(tree)))
    if len(text) < min_chars:
        raise ExtractionError(f"{url}: only {len(text)} characters of article text (need {min_chars})")
    extracted = Extracted(
        title=meta.title,
        text=text,
        lead=_lead(text),
        published=meta.published,
        language=detect_language(f"{meta.title}\n{text}", meta.declared_language),
        canonical_url=meta.canonical_url,
        image_url=meta.image_url,
    )
    return ArticlePage(extracted, meta.outlet)


def _body(tree: lxml.html.HtmlElement, url: str, min_chars: int) -> str:
    """The article text, by the cascade of the module docstring."""
    text = _trafilatura(tree, url, fast=True)
    menu = _menu_share(text)
    if len(text) < _SHORT or menu > _MENU_SHARE:
        full = _trafilatura(tree, url, fast=False)
        if len(full) > len(text) or (menu > _MENU_SHARE and _menu_share(full) < menu):
            text = full
    if len(text) < min_chars:
        text = max(text, _trafilatura(tree, url, fast=False, favor_recall=True), _paragraphs(tree), key=len)
    if text and _missed_prose(tree, text):
        text = _with_readability(tree, text)
    return text


def _trafilatura(tree: lxml.html.HtmlElement, url: str, *, fast: bool, favor_recall: bool = False) -> str:
    document = bare_extraction(
        tree, url=url or None, fast=fast, favor_recall=favor_recall, include_comments=False, include_tables=True
    )
    if not isinstance(document, Document) or not document.text:
        return ""
    return _join(document.text.split("\n"))


def _missed_prose(tree: lxml.html.HtmlElement, text: str) -> bool:
    """Whether ``text`` misses most of the page's prose (step 4's trigger).

    Only prose paragraphs that share their parent with another missed one count: an
    article split over several containers leaves runs of paragraphs behind, while the
    teasers of a front page or a "more stories" block stand one per card. A paragraph
    counts as found when two of three shingles (its start, middle and end) are in the
    text: checking every shingle of every paragraph costs more than it tells.
    """
    found = set(_shingles(text))
    total = 0
    missed: dict[lxml.html.HtmlElement, list[int]] = {}
    for paragraph in tree.iter("p"):
        content = " ".join(paragraph.text_content().split())
        if not _is_prose(content) or any(map(_outside_article, paragraph.iterancestors())):
            continue
        total += len(content)
        tokens = _TOKENS.findall(content.lower())
        probes = (tuple(tokens[i : i + 4]) for i in (0, (len(tokens) - 4) // 2, len(tokens) - 4))
        if sum(probe in found for probe in probes) < 2:
            missed.setdefault(paragraph.getparent(), []).append(len(content))
    runs = sum(sum(lengths) for lengths in missed.values() if len(lengths) >= 2)
    return runs >= _MISSED_PROSE and runs > (1 - _PROSE_COVERED) * total


def _with_readability(tree: lxml.html.HtmlElement, text: str) -> str:
    """readability-lxml's paragraphs that are in ``text`` or are prose, when it holds ``text``."""
    try:
        summary = Readability(deepcopy(tree)).summary(html_partial=True)
        candidate = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception as exc:  # readability raises its own Exception subclasses, or lxml's, on odd pages
        log.debug("readability failed: %s", exc)
        return text
    paragraphs = [" ".join(block.text_content().split()) for block in candidate.iter(*_BLOCKS)]
    found = set(_shingles(text))
    if sum(map(len, paragraphs)) <= len(text) or _share_in(text, set(_shingles("\n".join(paragraphs)))) < _CONTAINS:
        return text
    kept = [p for p in paragraphs if p and (_is_prose(p) or _share_in(p, found) >= 0.5)]
    return _join(kept)


def _menu_share(text: str) -> float:
    lines = [line for line in text.split("\n") if line.strip()]
    total = sum(map(len, lines))
    return sum(len(line) for line in lines if len(line.split()) < 5) / total if total else 1.0


def _is_prose(paragraph: str) -> bool:
    return len(paragraph.split()) >= _PROSE_WORDS and bool(_SENTENCE_END.search(paragraph))


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    """Four-word shingles, the unit the extraction benchmarks compare texts in."""
    tokens = _TOKENS.findall(text.lower())
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3)) if tokens[i : i + 4])


def _share_in(text: str, shingles: set[tuple[str, ...]]) -> float:
    """The share of ``text``'s shingles found in ``shingles``."""
    own = _shingles(text)
    return sum(count for shingle, count in own.items() if shingle in shingles) / sum(own.values()) if own else 0.0


def _parse(markup: str) -> lxml.html.HtmlElement | None:
    """The page's tree, by trafilatura's parser so that every step sees the same tree.

    trafilatura refuses what does not look like a document (a bare ``<p>``); lxml then
    parses it, because a fragment can still be an article.
    """
    if not markup.strip():
        return None
    try:
        tree = load_html(markup)
        if tree is None:
            # Bytes with an explicit encoding: lxml refuses str input carrying an XML declaration.
            parser = lxml.html.HTMLParser(encoding="utf-8")
            tree = lxml.html.document_fromstring(markup.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None
    return tree


def _paragraphs(tree: lxml.html.HtmlElement) -> str:
    """The last resort: the page's ``<p>`` text, minus page furniture and reader comments.

    Reader comments stay out: we collect what outlets publish, not what their readers write.
    """
    return _join(p.text_content() for p in tree.iter("p") if not any(map(_outside_article, p.iterancestors())))


def _outside_article(element: lxml.html.HtmlElement) -> bool:
    if element.tag in _FURNITURE_TAGS:
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}".lower()
    return any(marker in names for marker in _COMMENT_MARKERS)


def _join(paragraphs: Iterable[str]) -> str:
    """Normalised paragraphs, one line each, separated by blank lines."""
    lines = (" ".join(normalise_text(p).split()) for p in paragraphs)
    return "\n\n".join(line for line in lines if line)


def _headlines(tree: lxml.html.HtmlElement) -> list[str]:
    values = tree.xpath("//h1 | //meta[@property='og:title']/@content | //title/text()")
    return [value.text_content() if isinstance(value, lxml.html.HtmlElement) else str(value) for value in values]


def _drop_headline(text: str, headlines: Iterable[str]) -> str:
    """The body without the headline that trafilatura often keeps as its first lines."""
    folded = [" ".join(_TOKENS.findall(h.lower())) for h in headlines if h]
    paragraphs = text.split("\n\n")
    while len(paragraphs) > 1:
        first = " ".join(_TOKENS.findall(paragraphs[0].lower()))
        if not first or not any(first == h or (len(first) >= 15 and first in h) for h in folded):
            break
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


def _without_own_links(text: str, links: Iterable[str]) -> str:
    """The text without paragraphs that are the page's own URL (a "share this link" box)."""
    own = {link.rstrip("/") for link in links if link}
    return "\n\n".join(p for p in text.split("\n\n") if p.rstrip("/") not in own)


def _lead(text: str) -> str:
    paragraphs = text.split("\n\n")
    return next((p for p in paragraphs if len(p) >= _LEAD_MIN_CHARS), paragraphs[0])
