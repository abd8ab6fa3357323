"""A unit's inbox (``/inbox``): its alerts, open first, each with the acknowledge and answer forms.

The forms post to the alert routes that already exist (``/alerts/{id}/acknowledge`` and
``/alerts/{id}/answer``), so one code path records, audits and guards every answer. A
responder sees only its own unit (whatever ``?unit=`` says); an account that sees every
unit's alerts gets a unit filter instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from alerts import Alert, AlertBook, AlertStatus
from api.auth import Principal, require_page
from api.deps import ServicesDep, TranslatorDep
from api.pages import hours, render
from api.permissions import Permission
from api.workspace_dashboard import is_overdue
from core.config import ProjectConfig
from core.enums import Urgency

router = APIRouter()

InboxPrincipal = Annotated[Principal, Depends(require_page(Permission.ALERTS_ALL, Permission.ALERTS_OWN_UNIT))]

#: How many alerts of each status the inbox lists (answered ones are history: fewer).
WAITING_LIMIT = 200
ANSWERED_LIMIT = 30


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One alert as the inbox lists it."""

    alert: Alert
    overdue: bool


def inbox(book: AlertBook, config: ProjectConfig | None, unit_id: str, now: datetime) -> list[InboxEntry]:
    """The unit's alerts (every unit's with ``unit_id=""``): open, then acknowledged, then answered.

    Within each status urgent alerts come first, then the newest.
    """
    entries: list[InboxEntry] = []
    for status, limit in (
        (AlertStatus.OPEN, WAITING_LIMIT),
        (AlertStatus.ACKNOWLEDGED, WAITING_LIMIT),
        (AlertStatus.ANSWERED, ANSWERED_LIMIT),
    ):
        found = book.listing(status=status, unit_id=unit_id, limit=limit)  # newest first
        found.sort(key=lambda a: a.urgency is not Urgency.URGENT)  # stable: urgent first, each part newest first
        entries += [InboxEntry(a, is_overdue(a, config, now)) for a in found]
    return entries


@router.get("/inbox")
def inbox_page(
    request: Request,
    *,
    unit: Annotated[str, Query(max_length=64)] = "",
    services: ServicesDep,
    t: TranslatorDep,
    principal: InboxPrincipal,
) -> HTMLResponse:
    """The inbox of the responder's own unit, or of any unit (or all) for accounts that see every unit."""
    sees_all = principal.can(Permission.ALERTS_ALL)
    unit_id = unit if sees_all else (principal.account.unit_id or "")
    config = services.config
    # An empty unit means every unit: only for accounts that may see them all (a responder without a unit sees none).
    allowed = services.alerts is not None and (sees_all or bool(unit_id))
    context: dict[str, object] = {
        "entries": inbox(services.alerts, config, unit_id, datetime.now(UTC)) if services.alerts and allowed else [],
        "unit": unit_id,
        # The filter is offered only to accounts that may look at other units.
        "units": [(u.id, u.name) for u in config.units] if sees_all and config else None,
        "hours": hours,
    }
    return render(request, services, t, "inbox.html", context)
