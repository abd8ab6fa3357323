"""The store for when one machine is not enough: Elasticsearch 8 with the analysis-icu plugin.

Items go to monthly indices ``{prefix}-items-YYYY.MM`` (by publication date, else
fetch date) that an index template puts behind the alias ``{prefix}-items``; reads go
through the alias. Old months can then be closed or deleted as a whole.

The ``elasticsearch`` client is imported on first use, so the default install, which
does not have it, can still import this module.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ConfigError, PressdeskError, QueryError, StoreError, StoreUnavailable
from core.item import Item, Vector
from core.search import DAY_FACET, FACET_FIELDS, SearchHit, SearchPage, SearchQuery, UpsertResult
from indexing.elasticsearch_query import MAX_WINDOW, compile_search, continued, seek
from indexing.fields import as_utc, index_fields
from indexing.query import active_filters, check, parse
from indexing.query_tree import Node, positive_text
from indexing.records import item_to_record, record_to_item
from indexing.snippet import snippet

if TYPE_CHECKING:
    from elasticsearch import ApiError, Elasticsearch

_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ID_CHUNK = 1_000  # ids per lookup; far below the default 10,000-hit window
_BULK_CHUNK = 500
_BULK_RETRIES = 3  # for 429 "too many requests" answers, with exponential back-off
_MAX_CANDIDATES = 10_000  # the most kNN candidates Elasticsearch accepts per shard
_FACETS = (*FACET_FIELDS, DAY_FACET)


def load_template() -> dict[str, Any]:
    """Return the index settings and mappings kept in ``indexing/mappings/items.json``."""
    text = resources.files("indexing").joinpath("mappings", "items.json").read_text(encoding="utf-8")
    template: dict[str, Any] = json.loads(text)
    return template


class ElasticsearchStore:
    """``core.ports.Store`` over an Elasticsearch 8 cluster.

    Upserts wait for a refresh, so what ``upsert`` wrote is visible to the next search.

    Args:
        url: the cluster, e.g. ``http://localhost:9200`` (credentials may go in the URL).
        index_prefix: names the alias ``{prefix}-items``, its indices and its template.
        request_timeout: seconds before one request is abandoned.

    Raises:
        ConfigError: ``index_prefix`` is not a valid index name start.
    """

    def __init__(self, url: str, index_prefix: str = "pressdesk", *, request_timeout: float = 30.0) -> None:
        if not _PREFIX.fullmatch(index_prefix):
            raise ConfigError(
                f"index prefix {index_prefix!r} must be lower-case letters, digits, '-' or '_', "
                "starting with a letter or digit"
            )
        self._url = url
        self._alias = f"{index_prefix}-items"
        self._request_timeout = request_timeout
        self._lock = threading.Lock()
        self._es: Elasticsearch | None = None
        self._template_ready = False

    @property
    def alias(self) -> str:
        """The alias every read goes through."""
        return self._alias

    def index_for(self, item: Item) -> str:
        """Return the monthly index a new ``item`` is written to."""
        return f"{self._alias}-{index_fields(item).published:%Y.%m}"

    def upsert(self, items: Sequence[Item]) -> UpsertResult:
        """Write ``items`` with the bulk API; an item already stored is replaced where it lives.

        Raises:
            StoreUnavailable: the cluster cannot be reached.
            StoreError: some items were refused (the message gives the first reason).
        """
        if not items:
            return UpsertResult(added=0, updated=0)
        with self._translated("write items"):
            client = self._client()
            from elasticsearch.helpers import streaming_bulk  # noqa: PLC0415 - the client is optional

            self._ensure_template(client)
            # Ids are per URL, indices per month: an item already stored stays in the index
            # it lives in, even if its date moved, or it would exist twice.
            homes = self._locate(client, [item.id for item in items])
            actions = [
                {
                    "_op_type": "index",
                    "_index": homes.setdefault(item.id, self.index_for(item)),
                    "_id": item.id,
                    "_source": to_document(item),
                }
                for item in items
            ]
            added = updated = 0
            failures: list[Mapping[str, Any]] = []
            for ok, info in streaming_bulk(
                client,
                actions,
                chunk_size=_BULK_CHUNK,
                max_retries=_BULK_RETRIES,
                initial_backoff=1,
                raise_on_error=False,
                refresh="wait_for",
            ):
                result = info.get("index", {})
                if not ok:
                    failures.append(result)
                elif result.get("result") == "created":
                    added += 1
                else:
                    updated += 1
        if failures:
            raise StoreError(
                f"{len(failures)} of {len(items)} items were not written to {self._url}; "
                f"first reason: {failures[0].get('error')}"
            )
        return UpsertResult(added=added, updated=updated)

    def get(self, item_id: str) -> Item | None:
        """Return the stored item with this id, embedding included, or ``None``."""
        with self._translated("read an item"):
            response = self._search(query={"ids": {"values": [item_id]}}, size=1)
        hits = _hits(response)
        return _item(hits[0]["_source"]) if hits else None

    def existing(self, item_ids: Iterable[str]) -> set[str]:
        """Return the subset of ``item_ids`` already stored."""
        ids = list(dict.fromkeys(item_ids))
        with self._translated("look up item ids"):
            return set(self._locate(self._client(), ids))

    def search(self, query: SearchQuery) -> SearchPage:
        """Run ``query`` through the alias: its text in the boolean language, filters, order, paging, facets.

        Any page can be reached: past the first 10,000 results the store walks there
        with ``search_after``, one request per 10,000 results skipped.

        Raises:
            QueryError: invalid query text (with its position), an unknown filter field, or
                a negative limit or offset.
            StoreUnavailable: the cluster cannot be reached.
        """
        check(query)
        tree = parse(query.text)
        request = compile_search(query, tree)
        with self._translated("search", bad_request_is_query_error=True):
            if query.offset + query.limit <= MAX_WINDOW:
                response = self._search(**request)
                raw_hits = _hits(response)
            else:
                response, raw_hits = self._deep_page(request, query.offset, query.limit)
        if response is None:
            empty: dict[str, dict[str, int]] = {name: {} for name in _FACETS} if query.facets else {}
            return SearchPage(total=0, hits=(), facets=empty)
        hits = tuple(_hit(raw, tree, exact=query.exact) for raw in raw_hits)
        total = int(response["hits"]["total"]["value"])
        return SearchPage(total=total, hits=hits, facets=_facets(response) if query.facets else {})

    def _deep_page(
        self, request: dict[str, Any], offset: int, limit: int
    ) -> tuple[Mapping[str, Any] | None, list[Mapping[str, Any]]]:
        """Return the first response (total, facets) and the hits of a page beyond ``MAX_WINDOW``.

        The hits before the page are skipped reading only their sort values; the sort
        ends on ``id``, so the walk neither repeats nor misses a hit.
        """
        after: list[Any] | None = None
        skipped = 0
        while skipped < offset:
            size = min(MAX_WINDOW, offset - skipped)
            passed = _hits(self._search(**seek(request, after, size)))
            if passed:
                skipped += len(passed)
                after = list(passed[-1]["sort"])
            if len(passed) < size:  # fewer results than the offset: the page is empty
                return self._search(**continued(request, after, 0, first=True)), []
        first: Mapping[str, Any] | None = None
        hits: list[Mapping[str, Any]] = []
        while True:  # a page larger than the window comes in parts; the first carries total and facets
            size = min(MAX_WINDOW, limit - len(hits))
            response = self._search(**continued(request, after, size, first=not hits))
            if not hits:
                first = response
            chunk = _hits(response)
            hits += chunk
            if len(chunk) < size or len(hits) >= limit:
                return first, hits
            after = list(chunk[-1]["sort"])

    def nearest(self, vector: Vector, k: int = 10, within: SearchQuery | None = None) -> list[tuple[str, float]]:
        """Return up to ``k`` ``(id, cosine)`` pairs from an approximate kNN search, most similar first.

        With ``within``, its filters and date range filter the kNN search itself (so
        ``k`` results come back when that many pass), its text is ignored.

        Raises:
            QueryError: ``within`` filters on an unknown field.
            StoreUnavailable: the cluster cannot be reached.
        """
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if k <= 0 or not np.any(query):
            return []
        k = min(k, _MAX_CANDIDATES)
        knn: dict[str, Any] = {
            "field": "embedding",
            "query_vector": query.astype(float).tolist(),
            "k": k,
            "num_candidates": min(_MAX_CANDIDATES, max(100, 10 * k)),
        }
        if within is not None:
            check(within)
            knn["filter"] = {"bool": {"filter": _knn_filters(within)}}
        with self._translated("find similar items"):
            response = self._search(knn=knn, size=k, source=False)
        # Elasticsearch scores cosine similarity as (1 + cosine) / 2.
        pairs = [(str(hit["_id"]), 2.0 * float(hit["_score"]) - 1.0) for hit in _hits(response)]
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))

    def count(self) -> int:
        """Return how many items are stored."""
        with self._translated("count items"):
            # No index yet counts as empty rather than failing.
            response = self._client().count(index=self._alias, ignore_unavailable=True, allow_no_indices=True)
        return int(response["count"])

    def close(self) -> None:
        """Close the client's connections; the next call opens new ones."""
        with self._lock:
            client, self._es = self._es, None
            self._template_ready = False
        if client is not None:
            with self._translated("close the connection"):
                client.close()

    def _client(self) -> Elasticsearch:
        with self._lock:
            if self._es is None:
                try:
                    from elasticsearch import Elasticsearch  # noqa: PLC0415 - the client is optional
                except ModuleNotFoundError as exc:
                    raise ConfigError(
                        "PRESSDESK_STORE=elasticsearch needs the Elasticsearch client: "
                        "pip install 'pressdesk[elasticsearch]'"
                    ) from exc
                try:
                    self._es = Elasticsearch(
                        self._url, request_timeout=self._request_timeout, retry_on_timeout=True, max_retries=3
                    )
                except ValueError as exc:
                    raise ConfigError(
                        f"PRESSDESK_ES_URL {self._url!r} is not usable ({exc}); write it as http://host:9200"
                    ) from exc
            return self._es

    def _ensure_template(self, client: Elasticsearch) -> None:
        if self._template_ready:
            return
        template = load_template()
        client.indices.put_index_template(
            name=self._alias,
            index_patterns=[f"{self._alias}-*"],
            template={**template, "aliases": {self._alias: {}}},
            priority=200,  # above the built-in templates, whose patterns never match ours anyway
            meta={"managed_by": "pressdesk"},
        )
        self._template_ready = True

    def _search(self, **request: Any) -> Mapping[str, Any] | None:
        """Search the alias; ``None`` when there is no index yet."""
        from elasticsearch import NotFoundError  # noqa: PLC0415 - the client is optional

        try:
            # No index yet reads as empty rather than failing.
            response = self._client().search(
                index=self._alias, ignore_unavailable=True, allow_no_indices=True, **request
            )
        except NotFoundError:
            return None
        body: Mapping[str, Any] = response.body
        return body

    def _locate(self, client: Elasticsearch, ids: list[str]) -> dict[str, str]:
        """Map each stored id among ``ids`` to the index holding it."""
        homes: dict[str, str] = {}
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            response = self._search(query={"ids": {"values": chunk}}, size=len(chunk), source=False)
            homes.update({str(hit["_id"]): str(hit["_index"]) for hit in _hits(response)})
        return homes

    @contextmanager
    def _translated(self, action: str, *, bad_request_is_query_error: bool = False) -> Iterator[None]:
        try:
            yield
        except PressdeskError:
            raise
        except Exception as exc:
            error = self._translate(exc, action, bad_request_is_query_error=bad_request_is_query_error)
            if error is None:
                raise
            raise error from exc

    def _translate(self, exc: Exception, action: str, *, bad_request_is_query_error: bool) -> PressdeskError | None:
        from elasticsearch import (  # noqa: PLC0415 - the client is optional
            ApiError,
            ConnectionError,
            ConnectionTimeout,
            SerializationError,
            TransportError,
        )

        where = f"Elasticsearch at {self._url}"
        if isinstance(exc, ApiError):
            return self._translate_answer(exc, action, bad_request_is_query_error=bad_request_is_query_error)
        if isinstance(exc, ConnectionError | ConnectionTimeout):
            return StoreUnavailable(
                f"cannot reach {where} to {action} ({exc}); check PRESSDESK_ES_URL and that the cluster is running"
            )
        if isinstance(exc, SerializationError):
            return StoreError(f"could not {action}: a request or answer of {where} was not valid JSON ({exc})")
        if isinstance(exc, TransportError):
            return StoreUnavailable(f"could not {action} at {where} ({exc}); retry later")
        return None

    def _translate_answer(self, exc: ApiError, action: str, *, bad_request_is_query_error: bool) -> PressdeskError:
        """Translate an error answer of the cluster (as opposed to no answer)."""
        from elasticsearch import (  # noqa: PLC0415 - the client is optional
            AuthenticationException,
            AuthorizationException,
            BadRequestError,
            UnsupportedProductError,
        )

        where = f"Elasticsearch at {self._url}"
        if isinstance(exc, AuthenticationException | AuthorizationException):
            return StoreError(
                f"{where} refused to let us {action} ({exc.message}); put valid credentials in PRESSDESK_ES_URL"
            )
        if isinstance(exc, UnsupportedProductError):
            return StoreError(f"{self._url} is not an Elasticsearch 8 cluster; point PRESSDESK_ES_URL at one")
        if exc.status_code in (429, 502, 503, 504):
            return StoreUnavailable(f"{where} is busy or starting ({exc.status_code}) and could not {action}")
        if isinstance(exc, BadRequestError) and "icu" in str(exc.info).lower():
            return StoreError(
                f"{where} lacks the analysis-icu plugin: run `bin/elasticsearch-plugin install analysis-icu` "
                "on every node and restart it"
            )
        if isinstance(exc, BadRequestError) and bad_request_is_query_error:
            return QueryError(f"Elasticsearch rejected the search: {exc.message}")
        return StoreError(f"{where} could not {action}: {exc}")


def to_document(item: Item) -> dict[str, Any]:
    """Return the document stored for ``item``: its record plus the fields the mapping indexes."""
    fields = index_fields(item)
    document: dict[str, Any] = {
        "id": item.id,
        "title": fields.title,
        "body": fields.body,
        **fields.facets,
        "about": fields.about,
        "published": fields.published.isoformat(),
        "record": item_to_record(item),
    }
    if item.embedding is not None:
        document["embedding"] = np.asarray(item.embedding, dtype=np.float32).reshape(-1).astype(float).tolist()
    return document


def _knn_filters(within: SearchQuery) -> list[dict[str, Any]]:
    """The ``filter`` clauses for ``within``'s filters and date range, as ``search`` applies them."""
    filters: list[dict[str, Any]] = [{"terms": {name: list(values)}} for name, values in active_filters(within)]
    published: dict[str, str] = {}
    if within.since is not None:
        published["gte"] = as_utc(within.since).isoformat()
    if within.until is not None:
        published["lt"] = as_utc(within.until).isoformat()
    return [*filters, {"range": {"published": published}}] if published else filters


def _hits(response: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if response is None:
        return []
    hits: list[Mapping[str, Any]] = response["hits"]["hits"]
    return hits


def _item(source: Mapping[str, Any]) -> Item:
    vector = source.get("embedding")
    embedding = None if vector is None else np.asarray(vector, dtype=np.float32)
    return record_to_item(source["record"], embedding)


def _hit(raw: Mapping[str, Any], tree: Node | None, *, exact: bool) -> SearchHit:
    item = _item(raw["_source"])
    highlight: Mapping[str, list[str]] = raw.get("highlight", {})
    suffix = ".exact" if exact else ""
    fragments = highlight.get(f"body{suffix}") or highlight.get(f"title{suffix}")
    if fragments:
        text = fragments[0]
    else:
        fields = index_fields(item)
        text = snippet(fields.title, fields.body, tree, exact=exact)
    score = float(raw.get("_score") or 0.0) if positive_text(tree) else 0.0
    return SearchHit(item=item, score=score, snippet=text)


def _facets(response: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    aggregations = response.get("aggregations", {})
    facets: dict[str, dict[str, int]] = {}
    for name in _FACETS:
        # Day buckets are keyed by their start in milliseconds; ``key_as_string`` is the YYYY-MM-DD.
        key = "key_as_string" if name == DAY_FACET else "key"
        facets[name] = {b[key]: int(b["doc_count"]) for b in aggregations.get(name, {}).get("buckets", [])}
    return facets
