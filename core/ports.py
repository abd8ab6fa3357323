"""The ports the components meet through. Adapters live in their own packages.

Every adapter translates its vendor exceptions into ``core.errors`` and does no I/O in
its constructor: connections open on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from core.item import Item, Vector
from core.message import Message
from core.search import SearchPage, SearchQuery, UpsertResult


@runtime_checkable
class Store(Protocol):
    """Where items live and are searched."""

    def upsert(self, items: Sequence[Item]) -> UpsertResult:
        """Write ``items``; an item whose ``id`` is already stored is replaced, never duplicated.

        Returns:
            counts of items added and replaced.

        Raises:
            StoreUnavailable: the store cannot be reached. Some items may have been written
                (bulk writes can fail part-way); upserting the same items again is safe.
            StoreError: the write failed.
        """
        ...

    def get(self, item_id: str) -> Item | None:
        """Return the stored item with this id (embedding included), or ``None`` if absent.

        Raises:
            StoreUnavailable: the store cannot be reached.
        """
        ...

    def existing(self, item_ids: Iterable[str]) -> set[str]:
        """Return the subset of ``item_ids`` already stored (used to skip known URLs cheaply).

        Raises:
            StoreUnavailable: the store cannot be reached.
        """
        ...

    def search(self, query: SearchQuery) -> SearchPage:
        """Run ``query`` and return one page of hits, the total and facet counts.

        Facets count every match (not just the page) for each of ``FACET_FIELDS`` and the
        ``DAY_FACET`` histogram (calendar days in Vietnam time).

        Raises:
            QueryError: the query text is invalid; the message says where and how to fix it.
            StoreUnavailable: the store cannot be reached.
        """
        ...

    def nearest(self, vector: Vector, k: int = 10, within: SearchQuery | None = None) -> list[tuple[str, float]]:
        """Return up to ``k`` ``(item_id, cosine similarity)`` pairs, most similar first.

        Items stored without an embedding are never returned. With ``within``, only items
        that pass its filters and date range are considered (its text is ignored).

        Raises:
            StoreUnavailable: the store cannot be reached.
        """
        ...

    def count(self) -> int:
        """Return how many items are stored."""
        ...

    def close(self) -> None:
        """Release connections; the store may be used again afterwards (it reopens lazily)."""
        ...


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length vectors. ``dim`` is fixed per model."""

    @property
    def dim(self) -> int:
        """The vector size (384 for multilingual-e5-small)."""
        ...

    @property
    def model_name(self) -> str:
        """A name that identifies the model and its version (kept with stored vectors)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vector:
        """Embed documents; returns a ``(len(texts), dim)`` float32 array of unit rows.

        Raises:
            EmbeddingError: the runtime failed or is not installed.
        """
        ...

    def embed_queries(self, texts: Sequence[str]) -> Vector:
        """Embed search queries or label descriptions (the e5 ``query:`` side); same shape rules.

        Raises:
            EmbeddingError: the runtime failed or is not installed.
        """
        ...


@runtime_checkable
class Notifier(Protocol):
    """Delivers a message to a unit's shared channel."""

    def deliver(self, message: Message) -> None:
        """Deliver ``message`` to every address in ``message.to``.

        Raises:
            DeliveryError: delivery failed; the caller keeps the message to retry.
        """
        ...
