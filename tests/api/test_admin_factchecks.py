"""The fact-check registry over the API and the admin page: search, official corrections, ClaimReview import."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alerts import AlertBook
from api import AuditLog, create_app
from api.accounts import AccountBook
from classify.factchecks import FactCheckRegistry
from core import ProjectConfig, Settings, Store

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "factchecks" / "claimreview-samples"
CORRECTION = {
    "claim": "Cầu Rồng bị đóng cửa vĩnh viễn từ tháng 12",
    "verdict": "false",
    "explanation": "UBND thành phố Đà Nẵng khẳng định Cầu Rồng vẫn hoạt động bình thường.",
    "url": "https://danang.gov.example/dinh-chinh/cau-rong",
    "date": "2026-11-20",
    "publisher": "Sở Văn hóa và Thể thao",
}


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[FactCheckRegistry]:
    registry = FactCheckRegistry(tmp_path / "elsewhere" / "factchecks.db")
    yield registry
    registry.close()


@pytest.fixture
def app_with_registry(
    settings: Settings,
    store: Store,
    audit: AuditLog,
    config: ProjectConfig,
    book: AlertBook,
    accounts: AccountBook,
    registry: FactCheckRegistry,
) -> Iterator[TestClient]:
    """The app built with its own registry, as ``pressdesk serve`` passes it."""
    app = create_app(settings, store, audit, config=config, alerts=book, accounts=accounts, factchecks=registry)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def analyst(app_with_registry: TestClient, accounts: AccountBook) -> TestClient:
    """An analyst's API client: analysts enter corrections too (the factchecks permission)."""
    app_with_registry.headers["Authorization"] = f"Bearer {accounts.issue_token('lan.analyst', 'tests')}"
    return app_with_registry


def test_a_correction_is_kept_with_its_evidence_found_accent_insensitively_and_audited(
    analyst: TestClient, registry: FactCheckRegistry, audit: AuditLog
) -> None:
    added = analyst.post("/api/factchecks", json=CORRECTION)

    assert added.status_code == 201, added.text
    record = added.json()
    assert record["claim_id"].startswith("corr-")
    assert (record["verdict"], record["origin"], record["replaced"]) == ("false", "correction", False)
    kept = registry.get(record["claim_id"])
    assert kept is not None
    assert (kept.url, kept.date.isoformat() if kept.date else None) == (CORRECTION["url"], "2026-11-20")
    [entry] = audit.entries(action="factchecks.add")
    assert entry.actor == "account:lan.analyst"
    assert entry.detail["url"] == CORRECTION["url"]

    found = analyst.get("/api/factchecks", params={"q": "cau rong dong cua"})
    assert found.status_code == 200
    assert [r["claim_id"] for r in found.json()["records"]] == [record["claim_id"]]
    assert analyst.get("/api/factchecks", params={"q": "cau rong", "verdict": "true"}).json()["total"] == 0
    assert analyst.get("/api/factchecks", params={"q": "sân bay"}).json()["total"] == 0
    searches = audit.entries(action="factchecks.search")
    assert [(e.detail["q"], e.detail["results"]) for e in reversed(searches)] == [
        ("cau rong dong cua", 1),
        ("cau rong", 0),
        ("sân bay", 0),
    ]

    again = analyst.post("/api/factchecks", json={**CORRECTION, "explanation": "Thông tin đã được cập nhật lại."})
    assert again.json()["replaced"] is True
    assert registry.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"url": "javascript:alert(1)"},
        {"url": "danang.gov.example/dinh-chinh"},
        {"date": "20/11/2026"},
        {"explanation": "  "},
        {"verdict": "hostile"},
        {"claim_id": "../../etc"},
    ],
)
def test_an_invalid_correction_is_a_422_problem_and_nothing_is_kept(
    analyst: TestClient, registry: FactCheckRegistry, change: dict[str, str]
) -> None:
    refused = analyst.post("/api/factchecks", json={**CORRECTION, **change})

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert registry.count() == 0


def test_claimreview_import_keeps_the_organisation_never_the_person(
    analyst: TestClient, registry: FactCheckRegistry, audit: AuditLog
) -> None:
    document = json.loads((SAMPLES / "sample_1.jsonld.json").read_text(encoding="utf-8"))

    imported = analyst.post("/api/factchecks/import", json=document)

    assert imported.status_code == 200, imported.text
    assert (imported.json()["added"], imported.json()["replaced"]) == (1, 0)
    [record] = registry.records()
    assert (record.publisher, record.verdict, record.rating) == ("AFP", "false", "Falsch")
    assert record.url == "https://faktencheck.afp.com/doc.afp.com.B2LA2G3"
    # The reviewed claim's author (a person) is in the upload and must not be kept anywhere.
    assert "Alex Jones" in json.dumps(document)
    assert "Alex Jones" not in json.dumps(record.as_dict())
    [entry] = audit.entries(action="factchecks.import")
    assert entry.detail["claim_ids"] == [record.claim_id]


def test_a_document_without_claimreview_is_a_422_problem(analyst: TestClient, registry: FactCheckRegistry) -> None:
    refused = analyst.post("/api/factchecks/import", json={"@type": "NewsArticle", "headline": "Đà Nẵng"})

    assert refused.status_code == 422
    assert "no ClaimReview" in refused.json()["detail"]
    assert registry.count() == 0


def test_the_page_searches_adds_and_imports(
    app_with_registry: TestClient,
    accounts: AccountBook,
    registry: FactCheckRegistry,
    audit: AuditLog,
    login: Callable[[TestClient, AccountBook, str], str],
) -> None:
    client = app_with_registry
    csrf = login(client, accounts, "lan.analyst")

    empty = client.get("/admin/factchecks")
    assert empty.status_code == 200
    assert "Không có bản ghi nào phù hợp." in empty.text

    added = client.post("/admin/factchecks", data={"csrf_token": csrf, **CORRECTION}, follow_redirects=False)
    assert added.status_code == 303
    listed = client.get(added.headers["location"])
    assert "Đã lưu bản ghi corr-" in listed.text
    assert CORRECTION["claim"] in listed.text
    assert f'href="{CORRECTION["url"]}"' in listed.text

    upload = (SAMPLES / "sample_3.jsonld.json").read_bytes()
    imported = client.post(
        "/admin/factchecks/import",
        data={"csrf_token": csrf},
        files={"file": ("snopes.jsonld", upload, "application/ld+json")},
    )
    assert imported.status_code == 200
    assert "Đã nhập 1 bản ghi (mới 1, thay thế 0)." in imported.text
    assert registry.count() == 2
    [entry] = audit.entries(action="factchecks.import")
    assert (entry.actor, entry.detail["file"]) == ("account:lan.analyst", "snopes.jsonld")

    english = client.get("/admin/factchecks", params={"q": "yovanovitch", "verdict": "unproven", "lang": "en"})
    assert "1 records" in english.text
    assert "unproven" in english.text
    assert "Cầu Rồng" not in english.text


def test_the_page_refuses_a_bad_form_or_file_with_the_reason(
    app_with_registry: TestClient,
    accounts: AccountBook,
    registry: FactCheckRegistry,
    login: Callable[[TestClient, AccountBook, str], str],
) -> None:
    client = app_with_registry
    csrf = login(client, accounts, "admin")

    bad_form = client.post("/admin/factchecks", data={"csrf_token": csrf, **CORRECTION, "url": "not a link"})
    assert bad_form.status_code == 400
    assert "Chưa lưu được" in bad_form.text
    assert CORRECTION["claim"] in bad_form.text  # what was typed is kept

    bad_file = client.post(
        "/admin/factchecks/import", data={"csrf_token": csrf}, files={"file": ("x.json", b"{not json", "text/plain")}
    )
    assert bad_file.status_code == 400
    assert "Chưa nhập được" in bad_file.text
    assert registry.count() == 0

    stale = client.post(
        "/admin/factchecks/import",
        data={"csrf_token": "stale"},
        files={"file": ("s.json", (SAMPLES / "sample_3.jsonld.json").read_bytes(), "application/ld+json")},
    )
    assert stale.status_code == 403
    assert registry.count() == 0


def test_without_a_registry_the_app_opens_the_one_in_the_data_directory(
    api_client: TestClient, settings: Settings
) -> None:
    added = api_client.post("/api/factchecks", json=CORRECTION)

    assert added.status_code == 201
    on_disk = FactCheckRegistry(settings.path("factchecks.db"))
    assert [r.claim for r in on_disk.records()] == [CORRECTION["claim"]]
    on_disk.close()
