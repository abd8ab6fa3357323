"""The alerts and reports for API clients: what the inbox and report pages show, as JSON.

A unit's own tools (a ticket system, a chat bot) list its alerts, acknowledge them and
record the published answer here with an API token; the rules are the pages' rules:
a responder sees only its own unit's alerts (another unit's alert is a 404, as a missing
one is), and every acknowledgement and answer is written to the audit log under the
account's name. The report figures are the numbers behind the weekly and yearly reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from alerts import Alert, AlertStatus
from api import pages
from api.auth import Principal, require
from api.deps import ClientDep, Services, ServicesDep
from api.permissions import Permission
from api.reports import REPORT_KEY, build_report, default_period
from reports.figures import Figures

router = APIRouter(tags=["alerts"])

AlertsPrincipal = Annotated[Principal, Depends(require(Permission.ALERTS_ALL, Permission.ALERTS_OWN_UNIT))]
ReportsPrincipal = Annotated[Principal, Depends(require(Permission.REPORTS))]

#: The most alerts one listing returns.
MAX_LISTING = 500


class Answer(BaseModel):
    """The unit's published answer: a link to the statement, correction request or result."""

    link: str = Field(min_length=1, max_length=2000, examples=["https://danang.gov.vn/thong-cao/2026-12-03"])


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def alert_json(alert: Alert) -> dict[str, object]:
    """An alert as the API shows it: what was routed, why, to whom, and where its answer stands."""
    return {
        "id": alert.id,
        "item_id": alert.item_id,
        "unit": alert.unit_id,
        "title": alert.title,
        "url": alert.url,
        "outlet": alert.outlet,
        "outlets": list(alert.outlets),
        "spread": alert.spread,
        "published": _iso(alert.published),
        "stance": alert.stance.value if alert.stance else None,
        "topic": alert.topic.value if alert.topic else None,
        "reason": alert.reason,
        "urgency": alert.urgency.value,
        "trigger": alert.trigger,
        "evidence_url": alert.evidence_url,
        "cluster": alert.cluster_id,
        "status": alert.status.value,
        "created_at": _iso(alert.created_at),
        "acknowledged_at": _iso(alert.acknowledged_at),
        "answered_at": _iso(alert.answered_at),
        "answer_link": alert.answer_link,
        "escalated_at": _iso(alert.escalated_at),
    }


def _visible(services: Services, principal: Principal, alert_id: str) -> Alert:
    alert = pages.visible_alert(services, principal, alert_id)
    if alert is None:
        raise HTTPException(status_code=404, detail=f"no alert with id {alert_id!r}")
    return alert


def _book_or_503(services: Services) -> None:
    if services.alerts is None:
        raise HTTPException(status_code=503, detail="alerts are not enabled on this server (no alert book)")


@router.get("/api/alerts")
def list_alerts(
    services: ServicesDep,
    principal: AlertsPrincipal,
    status: AlertStatus | None = None,
    unit: Annotated[str, Query(max_length=64, description="a unit id; ignored for responders")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LISTING)] = 100,
) -> dict[str, object]:
    """Alerts, newest first; a responder gets only its own unit's, whatever ``unit`` says."""
    _book_or_503(services)
    assert services.alerts is not None
    if not principal.can(Permission.ALERTS_ALL):
        unit = principal.account.unit_id or ""
        if not unit:
            return {"alerts": []}  # a responder without a unit sees nothing
    found = services.alerts.listing(status=status, unit_id=unit, limit=limit)
    return {"alerts": [alert_json(a) for a in found if principal.sees_unit(a.unit_id)]}


@router.get("/api/alerts/{alert_id}")
def get_alert(alert_id: str, services: ServicesDep, principal: AlertsPrincipal) -> dict[str, object]:
    """One alert; 404 when it does not exist or belongs to a unit this account may not see."""
    _book_or_503(services)
    return alert_json(_visible(services, principal, alert_id))


@router.post("/api/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    alert_id: str, services: ServicesDep, client: ClientDep, principal: AlertsPrincipal
) -> dict[str, object]:
    """Record that the unit received the alert (a second call changes nothing); audited."""
    _book_or_503(services)
    alert = pages.acknowledge_alert(services, principal, alert_id, client)
    if alert is None:
        raise HTTPException(status_code=404, detail=f"no alert with id {alert_id!r}")
    return alert_json(alert)


@router.post("/api/alerts/{alert_id}/answer")
def answer_alert(
    alert_id: str, answer: Answer, services: ServicesDep, client: ClientDep, principal: AlertsPrincipal
) -> dict[str, object]:
    """Record the link to the unit's published answer (the alert becomes answered); audited.

    422 when the link is not an http(s) address.
    """
    _book_or_503(services)
    _visible(services, principal, alert_id)
    link = answer.link.strip()
    if not pages.answer_link_ok(link):
        raise HTTPException(status_code=422, detail="the answer link must be an http:// or https:// address")
    alert = pages.answer_alert(services, principal, alert_id, link, client)
    if alert is None:
        raise HTTPException(status_code=404, detail=f"no alert with id {alert_id!r}")
    return alert_json(alert)


def _counts(counter: Counter[object]) -> dict[str, int]:
    return {str(getattr(key, "value", key)): n for key, n in counter.most_common()}


def figures_json(figures: Figures) -> dict[str, object]:
    """The numbers behind a report: volumes, stances, topics, outlets, languages, false claims, stories, alerts."""
    return {
        "period": {
            "key": figures.period.key,
            "start": figures.period.start.isoformat(),
            "end": figures.period.end.isoformat(),
        },
        "total": figures.total,
        "negative_share": round(figures.negative_share, 4),
        "by_day_stance": {
            day.isoformat(): {stance.value: n for stance, n in counts.items()}
            for day, counts in sorted(figures.by_day_stance.items())
        },
        "stances": _counts(Counter(figures.stances)),
        "topics": _counts(Counter(figures.topics)),
        "outlets": _counts(Counter(figures.outlets)),
        "languages": _counts(Counter(figures.languages)),
        "foreign": {
            "total": figures.foreign_total,
            "stances": _counts(Counter(figures.foreign_stances)),
            "languages": _counts(Counter(figures.foreign_languages)),
        },
        "false_claims": [asdict(row) for row in figures.false_claims],
        "stories": [asdict(story) for story in figures.stories],
        "alerts": {
            "total": figures.alerts_total,
            "by_status": _counts(Counter(figures.alerts_by_status)),
            "by_unit": _counts(Counter(figures.alerts_by_unit)),
            "escalated": figures.escalated,
            "median_ack_hours": figures.median_ack_hours,
            "median_answer_hours": figures.median_answer_hours,
        },
        "changes": list(figures.changes),
    }


@router.get("/api/reports/{kind}", tags=["reports"])
def report_figures(
    kind: Annotated[str, Path(pattern="^(weekly|yearly)$")],
    services: ServicesDep,
    client: ClientDep,
    principal: ReportsPrincipal,
    key: Annotated[str, Query(alias="period", pattern=REPORT_KEY)] = "",
) -> dict[str, object]:
    """The weekly (``?period=2026-W47``, default this week) or yearly (``?period=2026``) report's figures."""
    key = key or default_period(kind)
    built = build_report(services, kind, key)
    services.audit.record(
        "report.view",
        principal.actor,
        {"kind": kind, "period": built.figures.period.key, "client": client, "via": "api"},
    )
    return {"kind": kind, "title": built.title, **figures_json(built.figures)}
