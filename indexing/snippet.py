"""Highlighted excerpts computed from the original text.

The full-text index holds folded words, so its own highlighter would show "da nang"
where the article says "Đà Nẵng". Matching the query's folded tokens against the
original text's tokens keeps the diacritics the analyst reads.
"""

from __future__ import annotations

import html
import re

from indexing.query import ParsedQuery, normalise_token, token_spans

_WIDTH = 32  # words shown: about two lines in the result list
_BEFORE = 8  # words of context kept before the first match
_SPACE = re.compile(r"\s+")


def snippet(title: str, body: str, parsed: ParsedQuery, *, exact: bool) -> str:
    """Return an HTML excerpt of ``body`` (or of ``title`` when only it matches) around the first match.

    Matched words are wrapped in ``<mark>``…``</mark>``; all other text is escaped.
    Without a match the excerpt is the start of the body.
    """
    for text in (body, title):
        excerpt = _excerpt(text, parsed, exact=exact, require_match=True)
        if excerpt:
            return excerpt
    return _excerpt(body or title, parsed, exact=exact, require_match=False)


def _excerpt(text: str, parsed: ParsedQuery, *, exact: bool, require_match: bool) -> str:
    spans = token_spans(text)
    marked = _marked(text, spans, parsed, exact=exact)
    first = next((i for i, m in enumerate(marked) if m), None)
    if first is None and require_match:
        return ""
    start = 0 if first is None else max(0, first - _BEFORE)
    end = min(len(spans), start + _WIDTH)
    if not spans:
        return _gap(text)
    pieces = ["…" if start > 0 else _gap(text[: spans[0][0]])]
    for i in range(start, end):
        begin, stop = spans[i]
        word = html.escape(text[begin:stop])
        pieces.append(f"<mark>{word}</mark>" if marked[i] else word)
        if i + 1 < end:
            pieces.append(_gap(text[stop : spans[i + 1][0]]))
    pieces.append("…" if end < len(spans) else _gap(text[spans[-1][1] :]))
    return "".join(pieces).strip()


def _marked(text: str, spans: list[tuple[int, int]], parsed: ParsedQuery, *, exact: bool) -> list[bool]:
    words = [normalise_token(text[a:b], exact=exact) for a, b in spans]
    marked = [False] * len(words)
    for term in parsed.terms:
        tokens = list(term.tokens(exact=exact))
        size = len(tokens)
        for i in range(len(words) - size + 1):
            if words[i : i + size] == tokens:
                marked[i : i + size] = [True] * size
    return marked


def _gap(text: str) -> str:
    return html.escape(_SPACE.sub(" ", text))
