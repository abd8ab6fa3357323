"""Reading the audit log: ``GET /api/audit`` for programs and the ``/audit`` page, for admins and leaders.

The log is how the office shows what its monitoring was used for, so the people who answer
for it (leaders) and who run it (admins) can filter it by action, account and dates. Reading
the log is not itself logged: it changes nothing and would drown the entries that matter.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, field_validator

from api.audit import AuditEntry
from api.auth import Principal, require, require_page
from api.deps import AuditDep, ServicesDep, TranslatorDep
from api.pages import render
from api.permissions import Permission
from api.views import VIETNAM_TIME

router = APIRouter()


class AuditParams(BaseModel):
    """Filters and paging. A date or time without a zone is read as Vietnam time (the office's clock)."""

    action: str = Field(default="", max_length=63)
    actor: str = Field(default="", max_length=100)
    since: datetime | None = None
    until: datetime | None = None
    page: int = Field(default=1, ge=1, le=10_000)
    size: int = Field(default=50, ge=1, le=500)

    @field_validator("since", "until", mode="before")
    @classmethod
    def _blank_date(cls, value: object) -> object:
        # An empty date field in the page's form means "no bound".
        return None if value == "" else value

    @field_validator("since", "until")
    @classmethod
    def _office_time(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=VIETNAM_TIME) if value is not None and value.tzinfo is None else value

    def query_pairs(self, page: int) -> list[tuple[str, str | int]]:
        """The query string of this filter on another page."""
        pairs: list[tuple[str, str | int]] = [(k, getattr(self, k)) for k in ("action", "actor") if getattr(self, k)]
        pairs += [(k, getattr(self, k).date().isoformat()) for k in ("since", "until") if getattr(self, k)]
        if self.size != 50:
            pairs.append(("size", self.size))
        if page != 1:
            pairs.append(("page", page))
        return pairs


def entry_json(entry: AuditEntry) -> dict[str, object]:
    """One entry as JSON."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "action": entry.action,
        "actor": entry.actor,
        "detail": entry.detail,
    }


def _search(audit: AuditDep, params: AuditParams) -> tuple[list[AuditEntry], int]:
    return audit.search(
        action=params.action or None,
        actor=params.actor or None,
        since=params.since,
        until=params.until,
        limit=params.size,
        offset=(params.page - 1) * params.size,
    )


@router.get("/api/audit", tags=["audit"])
def audit_api(
    params: Annotated[AuditParams, Query()],
    audit: AuditDep,
    principal: Annotated[Principal, Depends(require(Permission.AUDIT))],
) -> dict[str, object]:
    """Audit entries, newest first, filtered by ``action``, ``actor`` (``account:NAME``) and ``since``/``until``."""
    del principal  # checked by the dependency
    entries, total = _search(audit, params)
    return {"entries": [entry_json(e) for e in entries], "total": total, "page": params.page, "size": params.size}


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    params: Annotated[AuditParams, Query()],
    services: ServicesDep,
    t: TranslatorDep,
    principal: Annotated[Principal, Depends(require_page(Permission.AUDIT))],
) -> HTMLResponse:
    """The audit log as a table with a filter form and previous/next links."""
    del principal  # checked by the dependency
    entries, total = _search(services.audit, params)
    has_next = params.page * params.size < total
    context: dict[str, object] = {
        # The detail as readable JSON (Vietnamese letters kept, not \u-escaped); the template escapes it.
        "entries": [(entry, json.dumps(entry.detail, ensure_ascii=False, default=str)) for entry in entries],
        "total": total,
        "filters": params,
        "previous_url": f"/audit?{urlencode(params.query_pairs(params.page - 1))}" if params.page > 1 else "",
        "next_url": f"/audit?{urlencode(params.query_pairs(params.page + 1))}" if has_next else "",
    }
    return render(request, services, t, "audit.html", context)
