"""Highlighted excerpts computed from the original text.

The full-text index holds folded words, so its own highlighter would show "da nang"
where the article says "Đà Nẵng". Matching the query's folded tokens against the
original text's tokens keeps the diacritics the analyst reads. Every positive text
leaf is marked (a prefix marks the words it expands to, NEAR marks its two sides
where they are near each other); words the query excludes never are.

Folded matching makes common syllables match often ("đà nẵng" also finds "đã" and
"năng"), so the excerpt is not simply the text around the first match: it is the
window that shows the most of the query's distinct parts, then the most of them spelled
as the analyst typed them (when the query has diacritics), then the earliest.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left

from indexing.query_tree import Near, Node, Term, TextLeaf, normalise_token, positive_text, token_spans

_WIDTH = 32  # words shown: about two lines in the result list
_BEFORE = 8  # words of context kept before the first match
_SPACE = re.compile(r"\s+")


def snippet(title: str, body: str, tree: Node | None, *, exact: bool) -> str:
    """Return an HTML excerpt of ``body`` (or of ``title`` when only it matches) around its best match.

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
    found = _found(text, spans, leaves, exact=exact)
    if not found and require_match:
        return ""
    marked = [False] * len(spans)
    for begin, stop, _, _ in found:
        marked[begin:stop] = [True] * (stop - begin)
    start = _best_start(found) if found else 0
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


def _found(
    text: str, spans: list[tuple[int, int]], leaves: list[TextLeaf], *, exact: bool
) -> list[tuple[int, int, int, bool]]:
    """Every occurrence of a leaf as ``(start, end, leaf number, spelled as typed)``, by start.

    "As typed" only counts for a folded search whose leaf was typed with diacritics:
    "Đà Nẵng" for the query "đà nẵng", not "đã ... năng"; a query typed without them
    prefers no spelling.
    """
    raw = [text[a:b] for a, b in spans]
    # An article repeats its words: each distinct one is normalised once (a search marks up to a hundred texts).
    distinct = set(raw)
    forms = {word: normalise_token(word, exact=exact) for word in distinct}
    words = [forms[word] for word in raw]
    typed_forms: list[str] | None = None
    found: list[tuple[int, int, int, bool]] = []
    for number, leaf in enumerate(leaves):
        if isinstance(leaf, Near):
            terms: tuple[Term, ...] = (leaf.left, leaf.right)
            ranges = near(occurrences(words, leaf.left, exact), occurrences(words, leaf.right, exact), leaf.distance)
        else:
            terms = (leaf,)
            ranges = occurrences(words, leaf, exact)
        marks = [term for term in terms if not exact and term.tokens(exact=True) != term.tokens(exact=False)]
        if marks and typed_forms is None:
            lowered = {word: normalise_token(word, exact=True) for word in distinct}
            typed_forms = [lowered[word] for word in raw]
        for start, end in ranges:
            typed = typed_forms is not None and any(_spelled(typed_forms[start:end], term) for term in marks)
            found.append((start, end, number, typed))
    found.sort()
    return found


def _spelled(words: list[str], term: Term) -> bool:
    """Whether ``words`` (lower-cased, diacritics kept) are ``term`` as it was typed."""
    *head, last = term.tokens(exact=True)
    if len(words) != len(head) + 1 or words[:-1] != head:
        return False
    return words[-1].startswith(last) if term.prefix else words[-1] == last


def _best_start(found: list[tuple[int, int, int, bool]]) -> int:
    """The first word of the window to show (see the module docstring for what "best" is).

    Each window starts ``_BEFORE`` words before an occurrence and is scored from the
    occurrences wholly inside it, found by bisection rather than by scanning every
    occurrence for every window (a common syllable can occur hundreds of times).
    """
    starts = [start for start, _, _, _ in found]
    best: tuple[int, int, int] | None = None
    chosen = 0
    for begin in sorted({max(0, start - _BEFORE) for start in starts}):
        limit = begin + _WIDTH
        leaves: set[int] = set()
        typed = 0
        at = bisect_left(starts, begin)
        while at < len(found) and found[at][0] < limit:
            _, end, number, as_typed = found[at]
            if end <= limit:
                leaves.add(number)
                typed += as_typed
            at += 1
        score = (len(leaves), typed, -begin)
        if best is None or score > best:
            best, chosen = score, begin
    return chosen


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
