"""The role matrix: every route of the app, asked by every role and by nobody, answers as the role table says.

The table below names, for each route, the permissions that admit a request (any one of
them) and a request that succeeds when admitted. The expected answer for each role is
derived from ``ROLE_PERMISSIONS``, not written by hand, so changing a role changes the
matrix. A route added to the app without an entry here (or in the short allow-list of
routes that must stay open) fails ``test_every_route_is_in_the_matrix``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from alerts import AlertBook
from api import AuditLog, create_app
from api.accounts import AccountBook, Role
from api.permissions import ROLE_PERMISSIONS, Permission
from core import Item, ProjectConfig, Routed, SearchQuery, Settings, Store
from indexing import SavedSearchBook

#: Routes that must answer without a login: monitoring, logging in, the schema and static files.
OPEN = {
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/api/session"),
    ("DELETE", "/api/session"),
    ("GET", "/openapi.json"),
    ("MOUNT", "/static"),
}

ROLES: dict[str, Role] = {
    "admin": Role.ADMIN,
    "lan.analyst": Role.ANALYST,
    "health.desk": Role.RESPONDER,
    "leader": Role.LEADER,
}


@dataclass
class World:
    """What a request may refer to: an item, an alert of the responder's own unit, a saved search."""

    item: Item
    alert_id: str
    saved: SavedSearchBook

    def fresh_saved_id(self) -> str:
        """A new saved search for each request, so a permitted delete always has something to delete."""
        return self.saved.add("Sốt xuất huyết", SearchQuery(text="sốt xuất huyết")).id


@dataclass(frozen=True)
class Case:
    """How to call one route and who may."""

    permissions: tuple[Permission, ...]
    page: bool  # an HTML page: strangers are redirected to the login page, not answered 401
    call: Callable[[TestClient, World, dict[str, str]], tuple[int, str]]
    #: The answer once admitted when it is not a success (the guard's part is done; the content is refused).
    admitted: int | None = None


def _get(url: Callable[[World], str]) -> Callable[[TestClient, World, dict[str, str]], tuple[int, str]]:
    def call(client: TestClient, world: World, headers: dict[str, str]) -> tuple[int, str]:
        response = client.get(url(world), headers=headers, follow_redirects=False)
        return response.status_code, response.headers.get("location", "")

    return call


def _post(
    url: Callable[[World], str], **body: object
) -> Callable[[TestClient, World, dict[str, str]], tuple[int, str]]:
    def call(client: TestClient, world: World, headers: dict[str, str]) -> tuple[int, str]:
        response = client.post(url(world), headers=headers, follow_redirects=False, **body)  # type: ignore[arg-type]
        return response.status_code, response.headers.get("location", "")

    return call


def _delete_saved(client: TestClient, world: World, headers: dict[str, str]) -> tuple[int, str]:
    response = client.delete(f"/api/saved-searches/{world.fresh_saved_id()}", headers=headers)
    return response.status_code, ""


P = Permission
MATRIX: dict[tuple[str, str], Case] = {
    ("GET", "/api/search"): Case((P.SEARCH,), False, _get(lambda w: "/api/search?q=da+nang")),
    ("GET", "/api/items/{item_id}"): Case((P.SEARCH,), False, _get(lambda w: f"/api/items/{w.item.id}")),
    # The test items carry no vectors, so "similar" is admitted and then refused (400) for want of one.
    ("GET", "/api/items/{item_id}/similar"): Case(
        (P.SEARCH,), False, _get(lambda w: f"/api/items/{w.item.id}/similar"), admitted=400
    ),
    ("GET", "/api/export"): Case((P.EXPORT,), False, _get(lambda w: "/api/export?format=jsonl")),
    ("GET", "/api/saved-searches"): Case((P.SAVED_SEARCHES,), False, _get(lambda w: "/api/saved-searches")),
    ("POST", "/api/saved-searches"): Case(
        (P.SAVED_SEARCHES,), False, _post(lambda w: "/api/saved-searches", json={"name": "Lũ", "q": "lũ"})
    ),
    ("DELETE", "/api/saved-searches/{saved_id}"): Case((P.SAVED_SEARCHES,), False, _delete_saved),
    ("POST", "/saved-searches"): Case(
        (P.SAVED_SEARCHES,), True, _post(lambda w: "/saved-searches", data={"name": "Lũ", "q": "lũ"})
    ),
    ("POST", "/saved-searches/{saved_id}/delete"): Case(
        (P.SAVED_SEARCHES,), True, _post(lambda w: f"/saved-searches/{w.fresh_saved_id()}/delete")
    ),
    ("GET", "/api/sources"): Case((P.SOURCES,), False, _get(lambda w: "/api/sources")),
    ("GET", "/api/review-queue"): Case((P.LABEL,), False, _get(lambda w: "/api/review-queue")),
    ("POST", "/api/items/{item_id}/labels"): Case(
        (P.LABEL,), False, _post(lambda w: f"/api/items/{w.item.id}/labels", json={"topic": "health"})
    ),
    ("GET", "/api/audit"): Case((P.AUDIT,), False, _get(lambda w: "/api/audit?action=search")),
    ("GET", "/audit"): Case((P.AUDIT,), True, _get(lambda w: "/audit")),
    ("GET", "/"): Case((P.SEARCH,), True, _get(lambda w: "/?q=da+nang")),
    ("GET", "/items/{item_id}"): Case((P.SEARCH,), True, _get(lambda w: f"/items/{w.item.id}")),
    ("GET", "/alerts/{alert_id}"): Case(
        (P.ALERTS_ALL, P.ALERTS_OWN_UNIT), True, _get(lambda w: f"/alerts/{w.alert_id}")
    ),
    ("POST", "/alerts/{alert_id}/acknowledge"): Case(
        (P.ALERTS_ALL, P.ALERTS_OWN_UNIT), True, _post(lambda w: f"/alerts/{w.alert_id}/acknowledge")
    ),
    ("POST", "/alerts/{alert_id}/answer"): Case(
        (P.ALERTS_ALL, P.ALERTS_OWN_UNIT),
        True,
        _post(lambda w: f"/alerts/{w.alert_id}/answer", data={"link": "https://danang.gov.example/tra-loi"}),
    ),
    ("GET", "/reports/report.css"): Case((P.REPORTS,), True, _get(lambda w: "/reports/report.css")),
    ("GET", "/reports/{kind}"): Case((P.REPORTS,), True, _get(lambda w: "/reports/weekly?period=2026-W47")),
    ("GET", "/reports/{kind}/{key}/charts/{name}.png"): Case(
        (P.REPORTS,), True, _get(lambda w: "/reports/weekly/2026-W47/charts/stance_by_day.png")
    ),
    ("GET", "/reports/{kind}/{key}.docx"): Case((P.REPORTS,), True, _get(lambda w: "/reports/weekly/2026-W47.docx")),
    # --- workspace pages (api/workspace.py): dashboard, review queue, unit inbox, corrections
    ("GET", "/dashboard"): Case((P.REPORTS,), True, _get(lambda w: "/dashboard?days=30")),
    ("GET", "/review"): Case((P.LABEL,), True, _get(lambda w: "/review")),
    ("GET", "/inbox"): Case((P.ALERTS_ALL, P.ALERTS_OWN_UNIT), True, _get(lambda w: "/inbox?unit=health")),
    ("POST", "/items/{item_id}/labels"): Case(
        (P.LABEL,), True, _post(lambda w: f"/items/{w.item.id}/labels", data={"topic": "health", "back": "item"})
    ),
    # --- end of workspace pages
    # --- admin pages (api/admin.py): sources, source health, units, fact-checks
    # Pausing needs a source: each call first adds "matrix-feed" as the admin through the API
    # (a 409 after the first time is fine), then makes the call under test with the role's headers.
    ("GET", "/sources"): Case((P.SOURCES,), True, _get(lambda w: "/sources?sort=status")),
    ("GET", "/admin"): Case((P.ADMIN,), True, _get(lambda w: "/admin")),
    ("POST", "/admin/sources"): Case(
        (P.ADMIN,),
        True,
        _post(lambda w: "/admin/sources", data={"url": "https://baodanang.example/rss", "outlet": "Báo Đà Nẵng"}),
    ),
    ("POST", "/admin/sources/{source_id}/pause"): Case(
        (P.ADMIN,),
        True,
        lambda c, w, h: (
            c.post(
                "/api/admin/sources",
                json={"id": "matrix-feed", "url": "https://matrix.example/rss", "outlet": "Matrix"},
                headers={"Authorization": "Bearer " + c.app.state.accounts.issue_token("admin", "matrix")},  # type: ignore[attr-defined]
            ),
            _post(lambda w: "/admin/sources/matrix-feed/pause")(c, w, h),
        )[1],
    ),
    ("POST", "/admin/sources/{source_id}/resume"): Case(
        (P.ADMIN,),
        True,
        lambda c, w, h: (
            c.post(
                "/api/admin/sources",
                json={"id": "matrix-feed", "url": "https://matrix.example/rss", "outlet": "Matrix"},
                headers={"Authorization": "Bearer " + c.app.state.accounts.issue_token("admin", "matrix")},  # type: ignore[attr-defined]
            ),
            _post(lambda w: "/admin/sources/matrix-feed/resume")(c, w, h),
        )[1],
    ),
    ("GET", "/admin/factchecks"): Case((P.FACTCHECKS,), True, _get(lambda w: "/admin/factchecks?q=cau+rong")),
    ("POST", "/admin/factchecks"): Case(
        (P.FACTCHECKS,),
        True,
        _post(
            lambda w: "/admin/factchecks",
            data={
                "claim": "Cầu Rồng bị đóng cửa vĩnh viễn",
                "verdict": "false",
                "explanation": "UBND thành phố đã bác bỏ thông tin này.",
                "url": "https://danang.gov.example/dinh-chinh",
                "date": "2026-11-20",
            },
        ),
    ),
    ("POST", "/admin/factchecks/import"): Case(
        (P.FACTCHECKS,),
        True,
        _post(
            lambda w: "/admin/factchecks/import",
            files={
                "file": (
                    "claims.jsonld",
                    b'{"@type": "ClaimReview", "claimReviewed": "Da Nang bans tourists", '
                    b'"url": "https://factcheck.example/1", "reviewRating": {"alternateName": "False"}}',
                    "application/ld+json",
                )
            },
        ),
    ),
    ("GET", "/api/admin/sources"): Case((P.ADMIN,), False, _get(lambda w: "/api/admin/sources")),
    ("POST", "/api/admin/sources"): Case(
        (P.ADMIN,),
        False,
        _post(lambda w: "/api/admin/sources", json={"url": "https://baodanang.example/rss", "outlet": "Báo Đà Nẵng"}),
    ),
    ("PATCH", "/api/admin/sources/{source_id}"): Case(
        (P.ADMIN,),
        False,
        lambda c, w, h: (
            c.post(
                "/api/admin/sources",
                json={"id": "matrix-feed", "url": "https://matrix.example/rss", "outlet": "Matrix"},
                headers={"Authorization": "Bearer " + c.app.state.accounts.issue_token("admin", "matrix")},  # type: ignore[attr-defined]
            ),
            (c.patch("/api/admin/sources/matrix-feed", json={"enabled": False}, headers=h).status_code, ""),
        )[1],
    ),
    ("GET", "/api/units"): Case((P.ADMIN,), False, _get(lambda w: "/api/units")),
    ("GET", "/api/factchecks"): Case((P.FACTCHECKS,), False, _get(lambda w: "/api/factchecks?q=cau+rong")),
    ("POST", "/api/factchecks"): Case(
        (P.FACTCHECKS,),
        False,
        _post(
            lambda w: "/api/factchecks",
            json={
                "claim": "Cầu Rồng bị đóng cửa vĩnh viễn",
                "explanation": "UBND thành phố đã bác bỏ thông tin này.",
                "url": "https://danang.gov.example/dinh-chinh",
                "date": "2026-11-20",
            },
        ),
    ),
    ("POST", "/api/factchecks/import"): Case(
        (P.FACTCHECKS,),
        False,
        _post(
            lambda w: "/api/factchecks/import",
            json={"@type": "ClaimReview", "claimReviewed": "Da Nang bans tourists", "url": "https://fc.example/1"},
        ),
    ),
    # --- end of admin pages
    # --- alerts and report figures for API clients (api/alerts_api.py)
    ("GET", "/api/alerts"): Case((P.ALERTS_ALL, P.ALERTS_OWN_UNIT), False, _get(lambda w: "/api/alerts")),
    ("GET", "/api/alerts/{alert_id}"): Case(
        (P.ALERTS_ALL, P.ALERTS_OWN_UNIT), False, _get(lambda w: f"/api/alerts/{w.alert_id}")
    ),
    ("POST", "/api/alerts/{alert_id}/acknowledge"): Case(
        (P.ALERTS_ALL, P.ALERTS_OWN_UNIT), False, _post(lambda w: f"/api/alerts/{w.alert_id}/acknowledge")
    ),
    ("POST", "/api/alerts/{alert_id}/answer"): Case(
        (P.ALERTS_ALL, P.ALERTS_OWN_UNIT),
        False,
        _post(lambda w: f"/api/alerts/{w.alert_id}/answer", json={"link": "https://danang.gov.example/tra-loi"}),
    ),
    ("GET", "/api/reports/{kind}"): Case((P.REPORTS,), False, _get(lambda w: "/api/reports/weekly?period=2026-W47")),
}


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        methods = (context.methods or set()) - {"HEAD"}
        found |= {(method, context.path) for method in methods} if methods else {("MOUNT", context.path)}
    return found


@pytest.fixture
def world(tmp_path: Path, items: list[Item], book: AlertBook) -> World:
    hospital = items[0]
    assert hospital.routed is not None and hospital.routed.unit_id == "health"
    alert = book.record(hospital, hospital.routed)
    return World(hospital, alert.id, SavedSearchBook(tmp_path / "saved.db"))


@pytest.fixture
def matrix_client(
    settings: Settings,
    store: Store,
    audit: AuditLog,
    config: ProjectConfig,
    book: AlertBook,
    accounts: AccountBook,
    world: World,
) -> Iterator[TestClient]:
    app = create_app(settings, store, audit, config=config, alerts=book, saved=world.saved, accounts=accounts)
    with TestClient(app) as client:
        yield client


def test_every_route_is_in_the_matrix(matrix_client: TestClient) -> None:
    app = matrix_client.app
    assert isinstance(app, FastAPI)
    routes = _routes(app)

    unguarded = routes - set(MATRIX) - OPEN
    assert not unguarded, f"routes without an entry in the role matrix (guard them, then add them here): {unguarded}"
    stale = set(MATRIX) - routes
    assert not stale, f"matrix entries for routes the app no longer has: {stale}"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_role_as_the_role_table_says(
    route: tuple[str, str],
    matrix_client: TestClient,
    world: World,
    accounts: AccountBook,
    token_headers: Callable[[AccountBook, str], dict[str, str]],
) -> None:
    case = MATRIX[route]

    status, location = case.call(matrix_client, world, {})
    if case.page:
        assert status == 303, f"{route}: a stranger is sent to the login page"
        assert location.startswith("/login?next=/"), location
    else:
        assert status == 401, f"{route}: a stranger gets 401"

    for username, role in ROLES.items():
        allowed = any(permission in ROLE_PERMISSIONS[role] for permission in case.permissions)
        status, location = case.call(matrix_client, world, token_headers(accounts, username))
        if allowed and case.admitted is not None:
            assert status == case.admitted, f"{route} as {role}: {status}"
        elif allowed:
            assert 200 <= status < 400, f"{route} as {role}: {status}"
            assert not location.startswith("/login"), f"{route} as {role} was sent to log in"
        else:
            assert status == 403, f"{route} as {role}: expected 403, got {status}"


def test_a_responder_sees_only_its_own_units_alerts(
    matrix_client: TestClient,
    items: list[Item],
    book: AlertBook,
    world: World,
    accounts: AccountBook,
    audit: AuditLog,
    token_headers: Callable[[AccountBook, str], dict[str, str]],
) -> None:
    hospital = items[0]
    assert hospital.routed is not None
    elsewhere = book.record(replace(hospital, id="other-unit-item"), Routed("police", "test: another unit's alert"))
    responder = token_headers(accounts, "health.desk")
    answer = {"link": "https://danang.gov.example/tra-loi"}

    assert matrix_client.get(f"/alerts/{world.alert_id}", headers=responder).status_code == 200
    # Another unit's alert does not exist for this responder: the same 404 as a made-up id.
    assert matrix_client.get(f"/alerts/{elsewhere.id}", headers=responder).status_code == 404
    assert matrix_client.post(f"/alerts/{elsewhere.id}/acknowledge", headers=responder).status_code == 404
    assert matrix_client.post(f"/alerts/{elsewhere.id}/answer", headers=responder, data=answer).status_code == 404
    assert book.get(elsewhere.id).status.value == "open"  # type: ignore[union-attr]
    assert matrix_client.get(f"/alerts/{elsewhere.id}", headers=token_headers(accounts, "leader")).status_code == 200

    done = matrix_client.post(f"/alerts/{world.alert_id}/acknowledge", headers=responder, follow_redirects=False)
    assert done.status_code == 303
    [entry] = audit.entries(action="acknowledge")
    assert entry.actor == "account:health.desk"


def test_login_redirect_keeps_only_paths_on_this_site(app_client: TestClient) -> None:
    asked = app_client.get("/items/abc?lang=en", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/login?next={quote('/items/abc?lang=en', safe='/')}"

    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        page = app_client.get("/login", params={"next": evil})
        assert 'name="next" value="/"' in page.text, evil
