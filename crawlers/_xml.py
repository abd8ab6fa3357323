"""Parsing untrusted XML (sitemaps, OPML) with the standard library, safely.

Neither format needs a DTD, so a document that declares one is refused before parsing:
no entity can then expand (billion laughs) or reach outside the document.
"""

from __future__ import annotations

from xml.etree import ElementTree

_HEAD = 4096


def parse_xml(body: bytes) -> ElementTree.Element:
    """The root element of ``body``.

    Raises:
        ValueError: the document has a DOCTYPE or entity declaration, declares an unknown
            encoding, or is not well-formed XML; the message says which, for a source's health.
    """
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:_HEAD].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise ValueError("has a DOCTYPE (an HTML page, or a DTD we do not read)")
    try:
        return ElementTree.fromstring(body)  # noqa: S314 - DTDs are refused above, so no entity can expand
    except ElementTree.ParseError as exc:
        raise ValueError(f"malformed XML: {exc}") from exc
    except LookupError as exc:  # the XML declaration names an encoding Python does not know
        raise ValueError(f"unknown character encoding: {exc}") from exc


def local_name(tag: str) -> str:
    """An element's name without its namespace (formats use several namespace versions)."""
    return tag.rpartition("}")[2]
