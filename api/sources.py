"""``GET /api/sources``: the source-health rows, the same as ``pressdesk sources health --json``.

The sources are the config file's with those added or paused in the admin pages laid over
them (``api.admin_sourcebook``); a paused source reports the status ``paused``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends

from api.admin_ops import SourceBookDep, health_rows
from api.auth import require
from api.deps import ServicesDep
from api.permissions import Permission

router = APIRouter()


@router.get("/api/sources", dependencies=[Depends(require(Permission.SOURCES))])
def sources(services: ServicesDep, book: SourceBookDep) -> dict[str, object]:
    """Per source: status, last success, items per day, errors by kind, failures, interval, next poll.

    Configured sources come first (those never polled included), in config order, then any
    source the collection state still remembers. 503 problem when the state file cannot be opened.
    """
    now = datetime.now(UTC)
    rows = health_rows(services, book, now, sort="config")
    return {"as_of": now.isoformat(), "sources": [row.health.as_json() for row in rows]}
