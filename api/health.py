"""``/healthz`` for whoever watches the service, and Prometheus ``/metrics``.

``/healthz`` answers 200 only when the store and the audit log both answer, because the
workspace must not serve searches it cannot audit; otherwise 503 with the failing part
named. When the composition root attaches the collection spool (``app.state.spool``, any
object with ``health()``), it is a check too: while the collector cannot write to the
store it answers "degraded: store unavailable since …, N items spooled", even if the
store still answers reads. ``/metrics`` counts requests per route template (never per raw
path, so query text never becomes a label) and reads the item, alert and spool numbers
when scraped.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from api.deps import Services, get_services
from core.errors import PressdeskError

_UNMATCHED = "unmatched"


class SpoolHealth(Protocol):
    """What ``/healthz`` and ``/metrics`` read from the collection spool (``pressdesk.spool.Spool``)."""

    def health(self) -> dict[str, object]:
        """``ok`` (False while the store is unavailable to the collector), ``depth``,
        ``oldest_age_seconds``, ``store`` (``available``/``unavailable``), ``store_down_since``
        and a one-line ``summary``.

        Raises:
            StoreUnavailable: the spool file cannot be read.
        """
        ...


def _spool(app: FastAPI) -> SpoolHealth | None:
    spool: SpoolHealth | None = getattr(app.state, "spool", None)
    return spool


class _StateCollector(Collector):
    """Item and alert counts, read at scrape time so they are never stale."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    def collect(self) -> Iterable[Metric]:
        services: Services = self._app.state.services
        items = GaugeMetricFamily("pressdesk_items", "Items in the store.")
        try:
            items.add_metric([], services.store.count())
        except PressdeskError:
            items.add_metric([], float("nan"))
        yield items
        if services.alerts is not None:
            alerts = GaugeMetricFamily("pressdesk_alerts", "Alerts by response status.", labels=["status"])
            try:
                counts = services.alerts.counts()
            except PressdeskError:
                counts = {}
            for status in ("open", "acknowledged", "answered"):
                if status in counts:
                    alerts.add_metric([status], counts[status])
            yield alerts
        spool = _spool(self._app)
        if spool is not None:
            depth = GaugeMetricFamily("pressdesk_spool_depth", "Collected items waiting in the spool for the store.")
            oldest = GaugeMetricFamily("pressdesk_spool_oldest_seconds", "Age of the oldest item waiting in the spool.")
            up = GaugeMetricFamily("pressdesk_store_writable", "1 when the collector's last write to the store worked.")
            try:
                state = spool.health()
                depth.add_metric([], _number(state.get("depth")))
                oldest.add_metric([], _number(state.get("oldest_age_seconds")))
                up.add_metric([], 1.0 if state.get("store") == "available" else 0.0)
            except PressdeskError:
                for family in (depth, oldest, up):
                    family.add_metric([], float("nan"))
            yield from (depth, oldest, up)


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else float("nan")


def install(app: FastAPI) -> None:
    """Add the request metrics middleware and the ``/healthz`` and ``/metrics`` routes to ``app``."""
    registry = CollectorRegistry(auto_describe=True)
    requests = Counter(
        "pressdesk_http_requests", "HTTP requests answered.", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "pressdesk_http_request_seconds",
        "Time to answer HTTP requests.",
        ["route"],
        registry=registry,
        buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0),
    )
    registry.register(_StateCollector(app))

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", _UNMATCHED)
        requests.labels(request.method, template, str(response.status_code)).inc()
        latency.labels(template).observe(time.perf_counter() - started)
        return response

    @app.get("/healthz", tags=["operations"], response_model=None)
    def healthz(request: Request) -> JSONResponse:
        """200 when the store and the audit log answer; 503 naming what does not."""
        services = get_services(request)
        checks: dict[str, dict[str, object]] = {}
        try:
            checks["store"] = {"ok": True, "items": services.store.count()}
        except PressdeskError as exc:
            checks["store"] = {"ok": False, "error": str(exc)}
        try:
            services.audit.entries(limit=1)
            checks["audit"] = {"ok": True}
        except PressdeskError as exc:
            checks["audit"] = {"ok": False, "error": str(exc)}
        spool = _spool(request.app)
        if spool is not None:
            try:
                checks["spool"] = spool.health()
            except PressdeskError as exc:
                checks["spool"] = {"ok": False, "error": str(exc)}
        healthy = all(check["ok"] for check in checks.values())
        body: dict[str, object] = {
            "status": "ok" if healthy else "degraded",
            "items": checks["store"].get("items"),
            "checks": checks,
        }
        if "summary" in checks.get("spool", {}):
            body["summary"] = checks["spool"]["summary"]
        return JSONResponse(body, status_code=200 if healthy else 503)

    @app.get("/metrics", tags=["operations"], response_model=None)
    def metrics() -> Response:
        """Prometheus text exposition."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
