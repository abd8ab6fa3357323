"""Regression tests for the 5xx answers schemathesis found (tests/api/test_schemathesis.py).

Each test is the request that crashed the server, now answered with a problem (4xx) or a
page, as the route documents.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(api_client: TestClient) -> TestClient:
    """The admin's API token on every request."""
    return api_client


@pytest.mark.parametrize("url", ["http://[", "http://[::1", "https://host:99999/rss", "https://bad host.example/rss"])
def test_a_source_address_urlsplit_refuses_is_a_422_problem(client: TestClient, url: str) -> None:
    # Was: ValueError("Invalid IPv6 URL") from urlsplit while deriving the source id -> 500.
    answer = client.post("/api/admin/sources", json={"url": url, "outlet": "pressdesk"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert client.get("/api/admin/sources").json()["sources"] == []


@pytest.mark.parametrize("period", ["0059-W19", "0001-W01", "4740-W11", "2101-W01"])
def test_a_week_outside_plausible_years_is_a_422_problem(client: TestClient, period: str) -> None:
    # Was: the previous week of 0059-W19 was named "59-W18", which iso_week refused -> 500
    # (and 0001-W01 has no previous week at all).
    answer = client.get("/reports/weekly", params={"period": period})
    assert answer.status_code == 422
    assert "plausible" in answer.json()["detail"]


@pytest.mark.parametrize(("kind", "period"), [("weekly", "2000-W01"), ("yearly", "2000")])
def test_the_first_plausible_period_compares_with_the_one_before(client: TestClient, kind: str, period: str) -> None:
    # Was: the previous period (1999) failed the plausibility check inside the report -> 500.
    answer = client.get(f"/reports/{kind}", params={"period": period})
    assert answer.status_code == 200
    assert "text/html" in answer.headers["content-type"]
