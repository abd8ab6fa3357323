"""``GET /api/sources``: the source-health rows, the same as ``pressdesk sources health --json``."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends

from api.auth import require
from api.deps import ServicesDep
from api.permissions import Permission
from crawlers import SourceState, source_health

router = APIRouter()


@router.get("/api/sources", dependencies=[Depends(require(Permission.SOURCES))])
def sources(services: ServicesDep) -> dict[str, object]:
    """Per source: status, last success, items per day, errors by kind, failures, interval, next poll.

    Configured sources come first (those never polled included), then any source the
    collection state still remembers. 503 problem when the state file cannot be opened.
    """
    now = datetime.now(UTC)
    configured = services.config.sources if services.config else ()
    state = SourceState.for_settings(services.settings)
    try:
        rows = source_health(state, configured, now)
    finally:
        state.close()
    return {"as_of": now.isoformat(), "sources": [row.as_json() for row in rows]}
