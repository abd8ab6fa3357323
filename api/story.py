"""How far an item's story went, for the item page and ``GET /api/items/{id}``.

The pipeline groups re-publications of one story in the story index (``stories.db``
beside the store, ``classify.stories``). The item view shows the story's outlets and the
other items of it, so an analyst sees at once whether a story is one outlet's or everyone's.
"""

from __future__ import annotations

import logging

from fastapi import Request

from api.deps import Services, opened_once
from classify.stories import StoryIndex, StorySpread
from core.errors import StoreError
from core.item import Item

log = logging.getLogger("pressdesk.api")

#: The other items of a story listed on the item page; the count says how many there are in all.
SHOWN_SIBLINGS = 20


def story_index(request: Request, services: Services) -> StoryIndex | None:
    """The story index of this data directory, opened once per app; ``None`` when the pipeline kept none."""
    path = services.settings.path("stories.db")
    if not path.exists():
        return None  # never create an empty index from a page view
    return opened_once(request, "stories", StoryIndex, lambda: StoryIndex(path))


def story_of(request: Request, services: Services, item: Item) -> StorySpread | None:
    """The spread of ``item``'s story, or ``None`` (no cluster, no index, or the index cannot be read)."""
    cluster = item.classified.cluster_id if item.classified else ""
    if not cluster:
        return None
    index = story_index(request, services)
    if index is None:
        return None
    try:
        return index.spread(cluster)
    except StoreError as exc:
        log.warning("story index %s unreadable: %s", services.settings.path("stories.db"), exc)
        return None
