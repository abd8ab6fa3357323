"""GET /api/export: the whole result set as a CSV or JSONL download, and the audit entry it leaves."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from api import AuditLog
from core import Item


@pytest.fixture
def client(api_client: TestClient) -> TestClient:
    """These are JSON API tests: the client sends an API token."""
    return api_client


def test_csv_download_for_excel(client: TestClient, audit: AuditLog, items: list[Item]) -> None:
    response = client.get("/api/export", params={"format": "csv", "q": "da nang", "language": "vi"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="pressdesk-') and disposition.endswith('.csv"')
    assert response.content.startswith(b"\xef\xbb\xbfid,url,title,outlet,published")  # UTF-8 BOM for Excel
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["id"] for row in rows} == {items[0].id, items[2].id}
    hospital = next(row for row in rows if row["id"] == items[0].id)
    assert (hospital["title"], hospital["stance"], hospital["unit"]) == (
        "Bệnh viện Đà Nẵng quá tải vì sốt xuất huyết",
        "negative",
        "health",
    )
    [entry] = audit.entries(action="export")
    assert entry.detail["format"] == "csv" and entry.detail["count"] == 2
    assert (entry.detail["q"], entry.detail["filters"]) == ("da nang", {"language": ["vi"]})
    assert entry.detail["client"] == "testclient"


def test_jsonl_download(client: TestClient, audit: AuditLog) -> None:
    response = client.get("/api/export", params={"format": "jsonl", "stance": "positive"})

    assert response.headers["content-type"] == "application/x-ndjson; charset=utf-8"
    assert response.headers["content-disposition"].endswith('.jsonl"')
    [row] = [json.loads(line) for line in response.text.splitlines()]
    assert row["outlet"] == "VnExpress International" and row["localities"] == ["Đà Nẵng"]
    assert "author" not in row
    assert audit.entries(action="export")[0].detail["format"] == "jsonl"


def test_csv_without_bom_on_request(client: TestClient) -> None:
    response = client.get("/api/export", params={"bom": "false"})

    assert response.content.startswith(b"id,url,title")
    assert len(response.text.splitlines()) == 4  # header and three items


def test_bad_exports_are_problems_and_refused_queries_are_audited(client: TestClient, audit: AuditLog) -> None:
    assert client.get("/api/export", params={"format": "xlsx"}).status_code == 422
    refused = client.get("/api/export", params={"q": "du lịch or văn hóa"})

    assert refused.status_code == 400 and refused.headers["content-type"] == "application/problem+json"
    [entry] = audit.entries(action="export")
    assert entry.detail["error"] == refused.json()["detail"]


def test_search_page_links_to_downloads_of_the_same_search(client: TestClient) -> None:
    page = client.get("/", params={"q": "da nang", "stance": "negative"}).text

    assert 'href="/api/export?format=csv&amp;q=da+nang&amp;stance=negative" download>CSV (mở bằng Excel)' in page
    assert 'href="/api/export?format=jsonl&amp;q=da+nang&amp;stance=negative" download>JSONL' in page
