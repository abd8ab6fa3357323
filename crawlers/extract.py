"""Article extraction: a fetched page into title, text, date, language and links.

trafilatura does the main work. When it finds too little text, it runs again favouring
recall, and then plain ``<p>`` collection takes over (trafilatura rejects single-block
pages), because a rough text is more use to an analyst than none. The page's own markup is read
for what trafilatura leaves vague: the exact publication time with its offset, the
canonical URL and the share image, resolved against the page URL.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped, unused-ignore]  # lxml ships no types; stubs may be absent
from charset_normalizer import from_bytes
from lxml import etree  # type: ignore[import-untyped, unused-ignore]
from trafilatura import bare_extraction
from trafilatura.settings import Document

from core.errors import ExtractionError
from core.item import Extracted
from core.text import normalise_text

# Letters only Vietnamese uses among Latin-script languages: ă đ ơ ư, ĩ ũ, and the
# precomposed tone/shape combinations of U+1EA0-U+1EF9. French or Portuguese share
# à á â ê ô ã, so those do not count as evidence.
_VIETNAMESE_ONLY = frozenset("ăĂđĐơƠưƯĩĨũŨ") | frozenset(chr(c) for c in range(0x1EA0, 0x1EFA))
# Vietnamese news text has a median near 19% of such letters and rarely falls below 5%;
# English text dense with Vietnamese place names stays under 4%.
_VIETNAMESE_SHARE = 0.05
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.IGNORECASE)
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})
_COMMENT_MARKERS = ("comment", "binh-luan", "binhluan")  # "bình luận" is Vietnamese for comments
# A lead is a paragraph of prose, not a dateline, byline or photo credit.
_LEAD_MIN_CHARS = 40
_PUBLISHED_XPATH = (
    "//meta[@property='article:published_time' or @name='article:published_time'"
    " or @itemprop='datePublished' or @name='pubdate']/@content"
    " | //time[@itemprop='datePublished']/@datetime"
)


def extract_article(html: bytes | str, url: str, *, min_chars: int = 200) -> Extracted:
    """Extract the article of a news page.

    Args:
        html: the page as fetched (bytes are decoded from the BOM, ``<meta charset>``,
            UTF-8, or a detected encoding, in that order) or already decoded.
        url: the page URL, used to resolve relative links.
        min_chars: the least article text worth keeping.

    Returns:
        title, NFC-normalised text (paragraphs separated by blank lines), lead,
        publication time (UTC) when the page states one, language, canonical URL and
        share image.

    Raises:
        ExtractionError: the page held fewer than ``min_chars`` characters of article text.
    """
    markup = html if isinstance(html, str) else _decode(html)
    tree = _parse(markup)
    if tree is None:
        raise ExtractionError(f"{url}: empty or unparsable page, no article text")
    document = _trafilatura(markup, url, favor_recall=False)
    text = _text(document)
    if len(text) < min_chars:
        recalled = _trafilatura(markup, url, favor_recall=True)
        if len(_text(recalled)) > len(text):
            document, text = recalled, _text(recalled)
    if len(text) < min_chars:
        text = max(text, _paragraphs(tree), key=len)
    title = _title(document, tree)
    text = _drop_leading_title(text, title)
    if len(text) < min_chars:
        raise ExtractionError(f"{url}: only {len(text)} characters of article text (need {min_chars})")
    return Extracted(
        title=title,
        text=text,
        lead=_lead(text),
        published=_published(tree, document),
        language=_language(text, tree.get("lang", "")),
        canonical_url=_link(tree, "//link[@rel='canonical']/@href", url),
        image_url=_link(tree, "//meta[@property='og:image' or @name='og:image']/@content", url),
    )


def _decode(body: bytes) -> str:
    """Decode an HTML body: BOM first, then the declared charset, UTF-8, and a guess last.

    This is the HTML standard's order. trafilatura alone never reads ``<meta charset>``
    and always guesses; a guess is usually right, a declaration is right by definition.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    declared = _META_CHARSET.search(body[:4096])
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            encoding = ""
        # A page cannot really be UTF-16 if it could be scanned as ASCII (HTML spec).
        if encoding and not encoding.startswith("utf-16"):
            return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        guess = from_bytes(body).best()
        return str(guess) if guess is not None else body.decode("utf-8", errors="replace")


def _language(text: str, declared: str) -> str:
    """The language of ``text``: ``"vi"`` on Vietnamese-only letters, else the page's declaration.

    Args:
        text: the article text.
        declared: the page's ``lang`` attribute (``"vi-VN"``, ``"en"``...), possibly empty.

    Returns:
        a lower-case primary language code, or ``""`` when unknown. A page declared
        Vietnamese whose text has no Vietnamese letters to speak of gets ``""``: templates
        often keep ``lang="vi"`` on their English or Chinese pages.
    """
    letters = [ch for ch in text if ch.isalpha()]
    vietnamese = sum(ch in _VIETNAMESE_ONLY for ch in letters)
    if letters and vietnamese >= 3 and vietnamese / len(letters) >= _VIETNAMESE_SHARE:
        return "vi"
    primary = declared.strip().lower().replace("_", "-").split("-")[0]
    return "" if primary == "vi" else primary


def _trafilatura(markup: str, url: str, *, favor_recall: bool) -> Document | None:
    result = bare_extraction(
        markup,
        url=url,
        favor_recall=favor_recall,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": True, "original_date": True},
    )
    return result if isinstance(result, Document) else None


def _parse(markup: str) -> lxml.html.HtmlElement | None:
    """Our own tree of the page, for metadata; ``None`` when there is no document at all."""
    if not markup.strip():
        return None
    try:
        # Bytes with an explicit encoding: lxml refuses str input carrying an XML declaration.
        parser = lxml.html.HTMLParser(encoding="utf-8")
        return lxml.html.document_fromstring(markup.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _text(document: Document | None) -> str:
    if document is None or not document.text:
        return ""
    return _join(document.text.split("\n"))


def _paragraphs(tree: lxml.html.HtmlElement) -> str:
    """The last resort: the page's ``<p>`` text, minus page furniture and reader comments.

    trafilatura rejects a page that is a single block (``<p>...</p>`` and nothing else);
    this catches it. Reader comments stay out: we collect what outlets publish, not what
    their readers write.
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


def _title(document: Document | None, tree: lxml.html.HtmlElement) -> str:
    candidates = [document.title if document and document.title else ""]
    candidates += tree.xpath("//meta[@property='og:title']/@content | //title/text()")
    for candidate in candidates:
        title = " ".join(normalise_text(str(candidate)).split())
        if title:
            return title
    return ""


def _drop_leading_title(text: str, title: str) -> str:
    """The body without the headline trafilatura often keeps as its first line."""
    first, _, rest = text.partition("\n\n")
    return rest if title and first == title and rest else text


def _lead(text: str) -> str:
    paragraphs = text.split("\n\n")
    return next((p for p in paragraphs if len(p) >= _LEAD_MIN_CHARS), paragraphs[0])


def _published(tree: lxml.html.HtmlElement, document: Document | None) -> datetime | None:
    """The page's stated publication time in UTC.

    A machine-readable timestamp with its offset wins. Otherwise trafilatura's date
    (a day, no time) is placed at midnight UTC, which is the same calendar day in Vietnam.
    """
    for value in tree.xpath(_PUBLISHED_XPATH):
        try:
            stated = datetime.fromisoformat(str(value).strip())
        except ValueError:
            continue
        if stated.tzinfo is not None:
            return stated.astimezone(UTC)
    if document is not None and document.date:
        try:
            day = datetime.strptime(document.date[:10], "%Y-%m-%d")
        except ValueError:
            return None
        return day.replace(tzinfo=UTC)
    return None


def _link(tree: lxml.html.HtmlElement, xpath: str, page_url: str) -> str:
    """The first http(s) URL the XPath finds, absolute; ``""`` when there is none."""
    for value in tree.xpath(xpath):
        try:
            link = urljoin(page_url, str(value).strip()) if str(value).strip() else ""
            if urlsplit(link).scheme in ("http", "https"):
                return link
        except ValueError:  # e.g. a broken IPv6 host: publishers' markup is not always valid
            continue
    return ""
