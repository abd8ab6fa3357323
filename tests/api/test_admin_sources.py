"""Admin sources over the JSON API: add (through the outbound guard), pause/resume, health, and the pipeline's view."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alerts import AlertBook
from api import AuditLog, create_app
from api.accounts import AccountBook
from core import ProjectConfig, Settings, Store, load_config
from crawlers import NetGuard, SourceRecord, SourceState
from pressdesk.wiring import current_sources, load_project

PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"
CONFIGURED = """

[[sources]]
id = "baodanang.rss"
url = "https://baodanang.example/rss/home.rss"
outlet = "Báo Đà Nẵng"

[[sources]]
id = "vnx.thoi-su"
url = "https://vnexpress.example/rss/thoi-su.rss"
outlet = "VnExpress"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The bundled profile with two feeds configured in the file, as an office would keep it."""
    path = tmp_path / "project.toml"
    path.write_text(PROFILE.read_text(encoding="utf-8") + CONFIGURED, encoding="utf-8")
    return path


@pytest.fixture
def file_settings(tmp_path: Path, config_file: Path) -> Settings:
    # No host trusted (the suite trusts 127.0.0.1 for its local servers through the environment).
    return Settings(data_dir=tmp_path, public_url="http://testserver", config=config_file, fetch_allow_hosts=[])


@pytest.fixture
def client(
    file_settings: Settings,
    config_file: Path,
    store: Store,
    audit: AuditLog,
    book: AlertBook,
    accounts: AccountBook,
) -> Iterator[TestClient]:
    """The app as ``pressdesk serve`` builds it: config from ``load_project``, an admin's API token."""
    app = create_app(file_settings, store, audit, config=load_project(file_settings), alerts=book, accounts=accounts)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {accounts.issue_token('admin', 'tests')}"
        yield client


def _ids(client: TestClient) -> dict[str, bool]:
    listed = client.get("/api/admin/sources")
    assert listed.status_code == 200
    return {row["id"]: row["enabled"] for row in listed.json()["sources"]}


def test_an_added_source_is_listed_audited_and_collected_by_the_pipeline(
    client: TestClient, file_settings: Settings, audit: AuditLog
) -> None:
    assert [s.id for s in load_project(file_settings).sources] == ["baodanang.rss", "vnx.thoi-su"]

    added = client.post(
        "/api/admin/sources",
        json={"url": "https://thanhnien.example/rss/thoi-su.rss", "outlet": "Thanh Niên", "interval_minutes": 20},
    )

    assert added.status_code == 201, added.text
    row = added.json()
    assert row["id"] == "thanhnien.example"  # derived from the host when none is given
    assert (row["origin"], row["enabled"], row["interval_minutes"]) == ("added", True, 20)
    assert row["added_by"] == "account:admin"
    assert _ids(client) == {"baodanang.rss": True, "vnx.thoi-su": True, "thanhnien.example": True}
    [entry] = audit.entries(action="sources.add")
    assert entry.actor == "account:admin"
    assert entry.detail["url"] == "https://thanhnien.example/rss/thoi-su.rss"
    # The pipeline reads sources through load_project: the added one is there, after the file's.
    collected = load_project(file_settings).sources
    assert [s.id for s in collected] == ["baodanang.rss", "vnx.thoi-su", "thanhnien.example"]
    assert collected[2].outlet.name == "Thanh Niên"
    assert collected[2].interval_minutes == 20
    # The config file itself is never rewritten.
    assert [s.id for s in load_config(file_settings.config).sources] == ["baodanang.rss", "vnx.thoi-su"]  # type: ignore[arg-type]


def test_pausing_a_configured_source_stops_its_collection_until_resumed(
    client: TestClient, file_settings: Settings, audit: AuditLog
) -> None:
    paused = client.patch("/api/admin/sources/vnx.thoi-su", json={"enabled": False})

    assert paused.status_code == 200
    assert paused.json()["enabled"] is False
    assert [s.id for s in load_project(file_settings).sources] == ["baodanang.rss"]
    # Still listed (so it can be resumed), and its health says why it is not polled.
    assert _ids(client) == {"baodanang.rss": True, "vnx.thoi-su": False}
    health = {row["id"]: row["status"] for row in client.get("/api/sources").json()["sources"]}
    assert health == {"baodanang.rss": "never polled", "vnx.thoi-su": "paused"}

    again = client.patch("/api/admin/sources/vnx.thoi-su", json={"enabled": False})
    assert again.status_code == 200
    assert len(audit.entries(action="sources.pause")) == 1  # nothing changed the second time: nothing audited

    resumed = client.patch("/api/admin/sources/vnx.thoi-su", json={"enabled": True})
    assert resumed.json()["enabled"] is True
    assert [s.id for s in load_project(file_settings).sources] == ["baodanang.rss", "vnx.thoi-su"]
    [entry] = audit.entries(action="sources.resume")
    assert (entry.actor, entry.detail) == ("account:admin", {"id": "vnx.thoi-su"})


def test_an_added_listing_source_needs_a_pattern_and_reaches_the_spiders(
    client: TestClient, file_settings: Settings
) -> None:
    missing = client.post(
        "/api/admin/sources", json={"url": "https://baoquangnam.example/xa-hoi/", "outlet": "Báo Quảng Nam",
                                    "kind": "listing"},
    )  # fmt: skip
    assert missing.status_code == 422
    assert missing.headers["content-type"] == "application/problem+json"
    assert "article_pattern" in missing.json()["detail"]

    done = client.post(
        "/api/admin/sources",
        json={"url": "https://baoquangnam.example/xa-hoi/", "outlet": "Báo Quảng Nam", "kind": "listing",
              "id": "bqn.xa-hoi", "article_pattern": r"/[a-z0-9-]+-\d+\.html$"},
    )  # fmt: skip
    assert done.status_code == 201, done.text
    [listing] = [s for s in load_project(file_settings).sources if s.id == "bqn.xa-hoi"]
    assert listing.kind.value == "listing"
    assert listing.article_pattern == r"/[a-z0-9-]+-\d+\.html$"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9200/_search",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/rss",
        "http://[::ffff:127.0.0.1]/rss",
        "http://[::1]/feed",
        "http://0.0.0.0/feed",
    ],
)
def test_internal_addresses_are_refused(client: TestClient, file_settings: Settings, audit: AuditLog, url: str) -> None:
    refused = client.post("/api/admin/sources", json={"url": url, "outlet": "Nội bộ"})

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "address not allowed" in refused.json()["detail"]
    assert "Nội bộ" not in {s.outlet.name for s in load_project(file_settings).sources}
    assert audit.entries(action="sources.add") == []


def test_a_name_that_resolves_to_an_internal_address_is_refused(client: TestClient) -> None:
    # DNS cannot be asked here (no network), so the guard gets a resolver that answers like a
    # rebinding name would: the rule under test is the guard's check of every answer.
    def resolver(host: str, port: int) -> list[str]:
        return {"intranet.example": ["93.184.215.14", "10.1.2.3"]}.get(host, ["93.184.215.15"])

    app = client.app
    app.state.netguard = NetGuard.allowing([], resolver=resolver)  # type: ignore[attr-defined]

    refused = client.post("/api/admin/sources", json={"url": "https://intranet.example/rss", "outlet": "Intranet"})
    assert refused.status_code == 422
    assert "10.1.2.3 is a private address" in refused.json()["detail"]

    public = client.post("/api/admin/sources", json={"url": "https://public.example/rss", "outlet": "Public"})
    assert public.status_code == 201
    assert public.json()["note"] == ""  # it resolved, to a public address


def test_a_host_the_operator_trusts_may_be_added(
    tmp_path: Path, config: ProjectConfig, store: Store, audit: AuditLog, accounts: AccountBook
) -> None:
    settings = Settings(data_dir=tmp_path, fetch_allow_hosts=["127.0.0.1"])
    with TestClient(create_app(settings, store, audit, config=config, accounts=accounts)) as client:
        done = client.post(
            "/api/admin/sources",
            json={"url": "http://127.0.0.1:8765/rss/thoi-su.rss", "outlet": "Replay"},
            headers={"Authorization": f"Bearer {accounts.issue_token('admin', 'tests')}"},
        )
    assert done.status_code == 201, done.text


def test_unresolvable_names_are_kept_with_a_note(client: TestClient) -> None:
    done = client.post("/api/admin/sources", json={"url": "https://khong-ton-tai.invalid/rss", "outlet": "X"})
    assert done.status_code == 201
    assert done.json()["note"] == "unresolved"


def test_ids_are_unique_across_the_file_and_the_book(client: TestClient) -> None:
    taken = client.post(
        "/api/admin/sources", json={"url": "https://other.example/rss", "outlet": "Khác", "id": "vnx.thoi-su"}
    )
    assert taken.status_code == 409
    assert taken.headers["content-type"] == "application/problem+json"

    first = client.post("/api/admin/sources", json={"url": "https://dantri.example/rss", "outlet": "Dân Trí"})
    second = client.post("/api/admin/sources", json={"url": "https://dantri.example/rss2", "outlet": "Dân Trí"})
    assert (first.json()["id"], second.json()["id"]) == ("dantri.example", "dantri.example-2")


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://baodanang.example/rss", "outlet": "x"},
        {"url": "http://[", "outlet": "x"},
        {"url": "https://baodanang.example:99999/rss", "outlet": "x"},
        {"url": "https://baodanang.example/rss", "outlet": "   "},
        {"url": "https://baodanang.example/rss", "outlet": "x", "id": "Không Hợp Lệ"},
        {"url": "https://baodanang.example/rss", "outlet": "x", "kind": "feed", "article_css": "h3 a"},
    ],
)
def test_invalid_sources_are_problems_not_crashes(client: TestClient, body: dict[str, object]) -> None:
    refused = client.post("/api/admin/sources", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"


def test_an_unknown_source_is_a_404_problem(client: TestClient) -> None:
    missing = client.patch("/api/admin/sources/khong-co", json={"enabled": False})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_health_marks_what_the_site_asked_for(client: TestClient, file_settings: Settings) -> None:
    now = datetime.now(UTC)
    state = SourceState(file_settings.path("sources.db"))
    state.put(SourceRecord("baodanang.rss", "Báo Đà Nẵng", 1800.0, failures=1, last_error="robots.txt disallows",
                           last_error_kind="robots", next_due=now + timedelta(hours=1)))  # fmt: skip
    state.put(SourceRecord("vnx.thoi-su", "VnExpress", 1800.0, failures=2, last_error="HTTP 429",
                           last_error_kind="http_429", next_due=now + timedelta(minutes=40)))  # fmt: skip
    state.close()

    rows = {row["id"]: row for row in client.get("/api/admin/sources").json()["sources"]}

    assert (rows["baodanang.rss"]["status"], rows["baodanang.rss"]["hold"]) == ("failing", "robots")
    assert (rows["vnx.thoi-su"]["status"], rows["vnx.thoi-su"]["hold"]) == ("failing", "retry_after")


def test_units_are_listed_without_secrets(client: TestClient, config_file: Path) -> None:
    listed = client.get("/api/units")

    assert listed.status_code == 200
    body = listed.json()
    assert body["config"] == str(config_file)
    health = next(u for u in body["units"] if u["id"] == "health")
    assert health["topics"] == ["health"]
    assert health["digest"] in {"hourly", "daily", "weekly"}
    assert all("@" in mailbox for mailbox in health["emails"])
    assert sum(u["coordinating"] for u in body["units"]) == 1


def test_a_running_collector_sees_changes_made_after_it_started(client: TestClient, file_settings: Settings) -> None:
    started = load_project(file_settings)
    assert current_sources(file_settings, started) == started.sources  # no sources book yet: nothing to lay over

    assert client.patch("/api/admin/sources/vnx.thoi-su", json={"enabled": False}).status_code == 200
    assert [s.id for s in current_sources(file_settings, started)] == ["baodanang.rss"]

    started_while_paused = load_project(file_settings)  # `pressdesk run` started now lacks vnx.thoi-su
    assert client.post("/api/admin/sources", json={"url": "https://dantri.example/rss", "outlet": "Dân Trí"}).is_success
    assert client.patch("/api/admin/sources/vnx.thoi-su", json={"enabled": True}).status_code == 200
    now = [s.id for s in current_sources(file_settings, started_while_paused)]
    assert now == ["baodanang.rss", "vnx.thoi-su", "dantri.example"]
