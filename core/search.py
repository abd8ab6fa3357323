"""What an analyst asks the store and what comes back, independent of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.item import Item

#: Fields a search may filter and facet on. There is no author or person field, by design.
FACET_FIELDS: tuple[str, ...] = ("stance", "topic", "outlet", "language", "unit")

#: The date histogram facet: matches per calendar day in Vietnam time (UTC+7), keys ``YYYY-MM-DD``.
DAY_FACET = "day"


class Sort(StrEnum):
    """Result order."""

    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


class SearchMode(StrEnum):
    """How the query text is matched.

    ``keyword`` is the boolean language over the full-text index; ``semantic`` ranks by
    embedding similarity to the text; ``hybrid`` fuses both rankings (reciprocal rank
    fusion, in our own code).
    """

    KEYWORD = "keyword"
    SEMANTIC = "semantic"
    HYBRID = "hybrid"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A search request.

    Attributes:
        text: the analyst's query in the boolean language (docs/search-language.md: AND, OR,
            NOT, parentheses, "phrases", prefix*, NEAR/n, field:value, published:[a TO b]).
            Words match accent-insensitively unless ``exact``.
        filters: field → accepted values (any of them), fields from ``FACET_FIELDS``.
        since: only items published at or after this time.
        until: only items published before this time.
        exact: match diacritics exactly ("Bắc" does not find "Bạc").
        sort: result order.
        limit: page size.
        offset: how many results to skip.
        facets: whether to count values of ``FACET_FIELDS`` (and ``DAY_FACET``) over all matches.
        mode: keyword, semantic or hybrid matching of ``text``.
        like: an item id: rank items by similarity to it ("more like this"), ``text`` ignored.
        scored: in date order, whether each hit carries its relevance score (0.0 when not).
            Relevance order always scores. Scoring a date-ordered page is about half of
            such a search's time in the SQLite store at 1M items (bm25's statistics are
            table-wide), so a caller that shows no scores, like the search page, says
            ``False``; Elasticsearch's ``track_scores`` is the same switch.
    """

    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    since: datetime | None = None
    until: datetime | None = None
    exact: bool = False
    sort: Sort = Sort.RELEVANCE
    limit: int = 20
    offset: int = 0
    facets: bool = True
    mode: SearchMode = SearchMode.KEYWORD
    like: str = ""
    scored: bool = True


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the item (embedding included), its score under the query, and a highlighted snippet.

    ``snippet`` marks matched words with ``<mark>``…``</mark>``; everything else is escaped HTML.
    """

    item: Item
    score: float
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class SearchPage:
    """A page of results plus the total count and facet counts over all matches."""

    total: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """How many items an upsert created and how many it replaced."""

    added: int
    updated: int


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A search an analyst named and kept; with ``alert_unit`` set, new matches become alerts for that unit.

    Attributes:
        id: stable identifier.
        name: what the analyst called it.
        query: the search itself (text in the boolean language, filters, mode).
        alert_unit: the unit id that new matches are routed to, or ``""`` for none.
        created_by: the account that saved it (an office user, never a monitored person).
        created_at: when it was saved.
    """

    id: str
    name: str
    query: SearchQuery
    alert_unit: str = ""
    created_by: str = ""
    created_at: datetime | None = None
