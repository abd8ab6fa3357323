"""The leaders' reports on the web: the weekly page, its charts and stylesheet, and the DOCX download.

Reports are built from the store and the alert book on request and kept for a minute, so
the page and its five chart images do not each recompute the week. Every view and download
is written to the audit log under the account's name (a report is an export of the office's
data); every route needs the ``reports`` permission (leaders, analysts, admins).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import HTMLResponse, Response

from alerts import Alert
from api.auth import Principal, require_page
from api.deps import ClientDep, Services, ServicesDep
from api.permissions import Permission
from core.item import Item
from reports import Period, Report, assemble, iso_week, items_in, reporting_year, stylesheet

#: One guard object for the router and the handlers, so FastAPI checks it once per request.
_guard = require_page(Permission.REPORTS)
ReportsPrincipal = Annotated[Principal, Depends(_guard)]

router = APIRouter(dependencies=[Depends(_guard)])

_TTL_SECONDS = 60.0
_cache: dict[tuple[int, str, str], tuple[float, Report]] = {}
_cache_lock = threading.Lock()
#: A report period: an ISO week (``2026-W47``) or a year (``2026``).
REPORT_KEY = r"^(\d{4}-W\d{2}|\d{4})$"
_KEY = REPORT_KEY


def build_report(services: Services, kind: str, key: str) -> Report:
    """The report of ``kind`` for period ``key``, built once a minute at most (503 without config or alerts)."""
    if services.config is None or services.alerts is None:
        raise HTTPException(status_code=503, detail="reports need the project config and the alert book")
    try:
        period = iso_week(key) if kind == "weekly" else reporting_year(int(key))
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    cache_key = (id(services), kind, period.key)
    with _cache_lock:
        held = _cache.get(cache_key)
        if held and time.monotonic() - held[0] < _TTL_SECONDS:
            return held[1]
    store, book, config = services.store, services.alerts, services.config

    def load(span: Period) -> tuple[list[Item], list[Alert]]:
        return list(items_in(store, span)), book.between(span.start, span.end)

    built = assemble(kind, period, config, load, datetime.now(UTC))
    with _cache_lock:
        _cache[cache_key] = (time.monotonic(), built)
    return built


def _default_week() -> str:
    year, week, _ = datetime.now(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def default_period(kind: str) -> str:
    """This week's key for a weekly report, this year's for a yearly one."""
    return _default_week() if kind == "weekly" else str(datetime.now(UTC).year)


@router.get("/reports/report.css", include_in_schema=False)
def report_css() -> Response:
    """The report page's stylesheet (the page may not carry inline styles under the site's CSP)."""
    return Response(stylesheet(), media_type="text/css; charset=utf-8")


@router.get("/reports/{kind}", response_class=HTMLResponse)
def report_page(
    kind: Annotated[str, Path(pattern="^(weekly|yearly)$")],
    services: ServicesDep,
    client: ClientDep,
    principal: ReportsPrincipal,
    key: Annotated[str, Query(alias="period", pattern=_KEY)] = "",
) -> HTMLResponse:
    """The weekly (``?period=2026-W47``, default this week) or yearly (``?period=2026``) report as a page."""
    key = key or default_period(kind)
    built = build_report(services, kind, key)
    services.audit.record(
        "report.view", principal.actor, {"kind": kind, "period": built.figures.period.key, "client": client}
    )
    base = f"/reports/{kind}/{built.figures.period.key}"
    sources = {name: f"{base}/charts/{name}.png" for name in built.charts}
    return HTMLResponse(built.html(sources, css_url="/reports/report.css"))


@router.get("/reports/{kind}/{key}/charts/{name}.png")
def report_chart(
    kind: Annotated[str, Path(pattern="^(weekly|yearly)$")],
    key: Annotated[str, Path(pattern=_KEY)],
    name: str,
    services: ServicesDep,
) -> Response:
    """One chart of a report, as PNG."""
    png = build_report(services, kind, key).charts.get(name)
    if png is None:
        raise HTTPException(status_code=404, detail=f"no chart {name!r}")
    return Response(png, media_type="image/png")


@router.get("/reports/{kind}/{key}.docx")
def report_docx(
    kind: Annotated[str, Path(pattern="^(weekly|yearly)$")],
    key: Annotated[str, Path(pattern=_KEY)],
    services: ServicesDep,
    client: ClientDep,
    principal: ReportsPrincipal,
) -> Response:
    """The report as a DOCX in the administrative format (Decree 30/2020/NĐ-CP)."""
    built = build_report(services, kind, key)
    services.audit.record(
        "report.export", principal.actor, {"kind": kind, "period": key, "format": "docx", "client": client}
    )
    return Response(
        built.docx(),
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{built.file_stem}.docx"'},
    )
