"""The text embedded for an item: its title and the start of its body."""

from __future__ import annotations

#: Characters of body kept after the title: e5-small reads 512 tokens, and the title and
#: lead carry what an item is about; ~1000 characters of Vietnamese is ~250-300 tokens.
PASSAGE_CHARS = 1000


def passage(title: str, text: str, limit: int = PASSAGE_CHARS) -> str:
    """The text embedded for an item: the title, then the body cut at a word near ``limit``."""
    body = " ".join(text.split())
    if len(body) > limit:
        cut = body.rfind(" ", 0, limit)
        body = body[: cut if cut > limit // 2 else limit]
    return f"{title.strip()}\n{body}".strip()
