"""Highlighted excerpts computed from the original text.

The full-text index holds folded words, so its own highlighter would show "da nang"
where the article says "Đà Nẵng". Matching the query's folded tokens against the
original text's tokens keeps the diacritics the analyst reads. Every positive text
leaf is marked (a prefix marks the words it expands to, NEAR marks its two sides
where they are near each other); words the query excludes never are.
"""

from __future__ import annotations

import html
import re

from indexing.query_tree import Near, Node, Term, TextLeaf, normalise_token, positive_text, token_spans

_WIDTH = 32  # words shown: about two lines in the result list
_BEFORE = 8  # words of context kept before the first match
_SPACE = re.compile(r"\s+")


def snippet(title: str, body: str, tree: Node | None, *, exact: bool) -> str:
    """Return an HTML excerpt of ``body`` (or of ``title`` when only it matches) around the first match.

    Matched words are wrapped in ``<mark>``…``</mark>``; all other text is escaped.
    Without a match the excerpt is the start of the body.
    """
    leaves = positive_text(tree)
    for text in (body, title):
        excerpt = _excerpt(text, leaves, exact=exact, require_match=True)
        if excerpt:
            return excerpt
    return _excerpt(body or title, leaves, exact=exact, require_match=False)


def _excerpt(text: str, leaves: list[TextLeaf], *, exact: bool, require_match: bool) -> str:
    spans = token_spans(text)
    marked = _marked(text, spans, leaves, exact=exact)
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


def _marked(text: str, spans: list[tuple[int, int]], leaves: list[TextLeaf], *, exact: bool) -> list[bool]:
    raw = [text[a:b] for a, b in spans]
    # An article repeats its words: each distinct one is normalised once (a search marks up to a hundred texts).
    forms = {word: normalise_token(word, exact=exact) for word in set(raw)}
    words = [forms[word] for word in raw]
    marked = [False] * len(words)
    for leaf in leaves:
        if isinstance(leaf, Near):
            found = near(occurrences(words, leaf.left, exact), occurrences(words, leaf.right, exact), leaf.distance)
        else:
            found = occurrences(words, leaf, exact)
        for start, end in found:
            marked[start:end] = [True] * (end - start)
    return marked


def occurrences(words: list[str], term: Term, exact: bool) -> list[tuple[int, int]]:
    """The ``(start, end)`` word ranges where ``term`` occurs: its words in order, the last maybe a prefix.

    ``words`` are already in the form ``exact`` asks for (``normalise_token``).
    """
    *head, last = term.tokens(exact=exact)
    size = len(head) + 1
    found: list[tuple[int, int]] = []
    # Only positions holding the first word (or, for a lone prefix, a word it starts) can begin an occurrence.
    first = head[0] if head else last
    if head or not term.prefix:
        starts = [i for i, word in enumerate(words) if word == first]
    else:
        starts = [i for i, word in enumerate(words) if word.startswith(first)]
    for i in starts:
        if i + size > len(words):
            break
        final = words[i + size - 1]
        if words[i : i + size - 1] == head and (final.startswith(last) if term.prefix else final == last):
            found.append((i, i + size))
    return found


def near(lefts: list[tuple[int, int]], rights: list[tuple[int, int]], distance: int) -> list[tuple[int, int]]:
    """The occurrences of either side with one of the other side at most ``distance`` words away.

    As FTS5 counts it: the words between the end of the one that starts first and the
    start of the other. Overlapping sides count as near (``bắc NEAR/1 bắc`` matches a
    single "bắc" in FTS5), so exact-form matching (``indexing.sqlite_exact``), which
    uses this, finds what the folded index finds.
    """
    found: set[tuple[int, int]] = set()
    for left in lefts:
        for right in rights:
            gap = max(right[0] - left[1], left[0] - right[1])
            if gap <= distance:
                found.update((left, right))
    return sorted(found)


def _gap(text: str) -> str:
    return html.escape(_SPACE.sub(" ", text))
