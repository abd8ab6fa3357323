"""``GET /api/export``: every result of a search (not just one page) as a CSV or JSONL download, audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.auth import Principal, require
from api.deps import AuditDep, ClientDep, SearcherDep
from api.permissions import Permission
from api.search import SearchParams, audit_detail
from api.views import VIETNAM_TIME
from core.errors import EmbeddingError, QueryError
from indexing import start_export

router = APIRouter()

_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


class ExportParams(SearchParams):
    """The search to export (paging ignored), the file format, and the byte-order mark Excel needs."""

    format: Literal["csv", "jsonl"] = "csv"
    bom: bool = True


@router.get("/api/export", response_class=StreamingResponse)
def export(
    params: Annotated[ExportParams, Query()],
    searcher: SearcherDep,
    audit: AuditDep,
    client: ClientDep,
    principal: Annotated[Principal, Depends(require(Permission.EXPORT))],
) -> StreamingResponse:
    """Stream every match as ``format`` (``csv`` opens in Excel, Vietnamese intact; ``jsonl`` for programs).

    The export is written to the audit log (query, filters, format, count of matches)
    before the first byte is sent; an invalid query is a 400 problem, also audited.
    """
    query = params.to_query()
    detail = {**audit_detail(query, client, via="api"), "format": params.format}
    try:
        stream = start_export(searcher, query, params.format, bom=params.bom)
    except (QueryError, EmbeddingError) as exc:
        audit.record("export", principal.actor, {**detail, "error": str(exc)})
        raise
    audit.record("export", principal.actor, {**detail, "count": stream.total})
    filename = f"pressdesk-{datetime.now(VIETNAM_TIME):%Y%m%d-%H%M}.{params.format}"
    return StreamingResponse(
        (chunk.encode("utf-8") for chunk in stream.chunks()),
        media_type=_MEDIA[params.format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
