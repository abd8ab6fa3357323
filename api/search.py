"""Search requests from the page and the JSON API: parsed once, run once, audited every time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.audit import AuditLog
from core.enums import Stance, Topic
from core.errors import EmbeddingError, QueryError
from core.search import FACET_FIELDS, SearchMode, SearchPage, SearchQuery, Sort
from indexing import Searcher
from indexing.phrase_hint import phrase_count

MAX_PAGE = 500


class SearchParams(BaseModel):
    """The query string of ``/`` and ``/api/search``. Filters repeat: ``?stance=negative&stance=neutral``."""

    model_config = ConfigDict(frozen=True)

    q: str = Field(default="", max_length=500)
    exact: bool = False
    stance: list[Stance] = []
    topic: list[Topic] = []
    outlet: list[str] = []
    language: list[str] = []
    unit: list[str] = []
    sort: Sort | None = None
    mode: SearchMode = SearchMode.KEYWORD
    like: str = Field(default="", max_length=64)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    size: int = Field(default=20, ge=1, le=100)
    # In date order, whether each hit carries its relevance score (``SearchQuery.scored``).
    # The JSON API scores unless asked not to; the search page shows no scores and never asks.
    scores: bool = True

    @classmethod
    def from_query(cls, query: SearchQuery) -> SearchParams:
        """The parameters that show ``query`` (a saved search) on the page; its dates stay in its text."""
        fields: dict[str, object] = {name: list(values) for name, values in query.filters.items()}
        sort = None if query.sort is Sort.RELEVANCE else query.sort
        return cls.model_validate(
            {**fields, "q": query.text, "exact": query.exact, "sort": sort, "mode": query.mode, "like": query.like}
        )

    @field_validator("stance", "topic", "outlet", "language", "unit", mode="before")
    @classmethod
    def _drop_blanks(cls, value: object) -> object:
        # An empty form field arrives as "", which means "no filter", not "the value ''".
        if isinstance(value, str):
            value = [value]
        return [v for v in value if v != ""] if isinstance(value, list) else value

    @field_validator("sort", mode="before")
    @classmethod
    def _blank_sort(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("mode", mode="before")
    @classmethod
    def _blank_mode(cls, value: object) -> object:
        return SearchMode.KEYWORD if value == "" else value

    def filters(self) -> dict[str, tuple[str, ...]]:
        """The active filters as the store expects them (field → accepted values)."""
        out: dict[str, tuple[str, ...]] = {}
        for name in FACET_FIELDS:
            values = tuple(str(v) for v in getattr(self, name))
            if values:
                out[name] = values
        return out

    def effective_sort(self) -> Sort:
        """Relevance when there is query text or an item to compare with, else newest first."""
        return self.sort or (Sort.RELEVANCE if self.q.strip() or self.like else Sort.NEWEST)

    def to_query(self) -> SearchQuery:
        """The engine-independent query for this request."""
        return SearchQuery(
            text=self.q.strip(),
            filters=self.filters(),
            exact=self.exact,
            sort=self.effective_sort(),
            limit=self.size,
            offset=(self.page - 1) * self.size,
            mode=self.mode,
            like=self.like,
            scored=self.scores,
        )

    def url(
        self,
        *,
        toggle: tuple[str, str] | None = None,
        page: int | None = None,
        clear: Literal["filters"] | None = None,
    ) -> str:
        """A link to this search with one filter added or removed, another page, or no filters."""
        filters = {} if clear == "filters" else {k: list(v) for k, v in self.filters().items()}
        if toggle is not None:
            name, value = toggle
            values = filters.setdefault(name, [])
            if value in values:
                values.remove(value)
            else:
                values.append(value)
        pairs = self._pairs(filters)
        if self.size != 20:
            pairs.append(("size", self.size))
        # Changing the filters starts again at page 1.
        target = page if page is not None else (self.page if toggle is None and clear is None else 1)
        if target != 1:
            pairs.append(("page", target))
        return "/?" + urlencode(pairs) if pairs else "/"

    def export_url(self, fmt: str) -> str:
        """The download of every result of this search (not just this page) as ``fmt`` (csv or jsonl)."""
        return "/api/export?" + urlencode([("format", fmt), *self._pairs(self.filters())])

    def _pairs(self, filters: dict[str, list[str]] | dict[str, tuple[str, ...]]) -> list[tuple[str, str | int]]:
        pairs: list[tuple[str, str | int]] = [("q", self.q)] if self.q else []
        if self.exact:
            pairs.append(("exact", "true"))
        if self.mode is not SearchMode.KEYWORD:
            pairs.append(("mode", self.mode.value))
        if self.like:
            pairs.append(("like", self.like))
        pairs += [(name, value) for name, values in filters.items() for value in values]
        if self.sort is not None:
            pairs.append(("sort", self.sort.value))
        return pairs


def audit_detail(query: SearchQuery, client: str, via: str) -> dict[str, object]:
    """What the audit log keeps of a search or an export: the query, its filters, who asked and how."""
    return {
        "q": query.text,
        "mode": query.mode.value,
        "like": query.like,
        "exact": query.exact,
        "filters": {name: list(values) for name, values in query.filters.items()},
        "sort": query.sort.value,
        "via": via,
        "client": client,
    }


def run_search(
    searcher: Searcher, audit: AuditLog, params: SearchParams, client: str, *, via: str, actor: str
) -> SearchPage:
    """Run the search in its mode and write it to the audit log under ``actor``, refused searches included.

    Raises:
        QueryError: the query text is invalid (already audited).
        EmbeddingError: semantic or hybrid search without a working model (already audited).
        StoreUnavailable: the store or the audit log cannot be reached.
    """
    query = params.to_query()
    detail = {**audit_detail(query, client, via), "page": params.page, "size": params.size}
    try:
        page = searcher.search(query)
    except (QueryError, EmbeddingError) as exc:
        audit.record("search", actor, {**detail, "error": str(exc)})
        raise
    audit.record("search", actor, {**detail, "total": page.total})
    return page


@dataclass(frozen=True, slots=True)
class PhraseHint:
    """The search's bare words as one phrase (``indexing.phrase_hint``), what it finds, and its link."""

    phrase: str
    total: int
    url: str


def phrase_hint_for(
    searcher: Searcher, audit: AuditLog, params: SearchParams, found: SearchPage, client: str, *, actor: str
) -> PhraseHint | None:
    """Offer ``params``' bare words as one phrase when that finds fewer items (first page of a keyword search).

    The count is a search run for the analyst, so it is audited like one (``via`` "page-hint").

    Raises:
        StoreUnavailable: the store or the audit log cannot be reached.
    """
    counted = phrase_count(searcher, params.to_query(), found.total)
    if counted is None:
        return None
    audit.record("search", actor, {**audit_detail(counted.query, client, "page-hint"), "total": counted.total})
    if not counted.offered:
        return None
    phrase = counted.query.text
    return PhraseHint(phrase, counted.total, params.model_copy(update={"q": phrase}).url(page=1))
