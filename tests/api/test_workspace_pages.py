"""The item page's evidence and correction form, and the navigation bar each role sees."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alerts import AlertBook
from api import AuditLog
from api.accounts import AccountBook, Role
from api.permissions import ROLE_PERMISSIONS, Permission
from classify import ReviewQueue
from core import Fetched, Item, Stance, Store, Topic, item_id

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)


def _nav(page: str) -> list[str]:
    found = NAV.search(page)
    assert found is not None, "the page has the navigation bar"
    return re.findall(r'<a href="([^"]+)"', found.group(1))


def test_the_item_page_shows_the_evidence_behind_each_label(client: TestClient, items: list[Item]) -> None:
    hospital = items[0]
    page = client.get(f"/items/{hospital.id}")
    assert page.status_code == 200
    evidence = page.text[page.text.index('id="evidence-heading"') : page.text.index("</table>")]
    assert "Địa danh tìm thấy: Đà Nẵng" in evidence
    assert "87%" in evidence and "74%" in evidence  # stance and topic confidence
    assert "Mô hình không rõ" in evidence  # the test items carry no model version
    assert '<a href="https://factcheck.example/7" rel="noopener noreferrer">Bài kiểm chứng fc-7</a>' in evidence
    assert "cần biên tập viên xem xét" in evidence  # a suggested match, not a verdict


def test_the_correction_form_offers_every_label_with_the_current_one_marked(
    client: TestClient, csrf: str, items: list[Item]
) -> None:
    hospital = items[0]
    page = client.get(f"/items/{hospital.id}").text
    assert page.count(f'action="/items/{hospital.id}/labels"') == 3
    assert page.count(f'name="csrf_token" value="{csrf}"') >= 3
    for stance in Stance:
        assert f'name="stance" value="{stance.value}"' in page
    assert 'class="choice stance-negative current"' in page  # the hospital item is negative now
    assert '<label for="topic-' in page
    assert page.count('<option value="') == len(Topic)
    assert '<option value="health" selected>' in page
    assert 'name="about" value="no"' in page and 'name="about" value="yes"' not in page


def test_the_correction_form_is_hidden_without_the_label_permission(
    app_client: TestClient,
    accounts: AccountBook,
    items: list[Item],
    login: Callable[[TestClient, AccountBook, str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No role opens items without also labelling them, so lend the leader the search right for this test.
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.LEADER, ROLE_PERMISSIONS[Role.LEADER] | {Permission.SEARCH})
    login(app_client, accounts, "leader")
    page = app_client.get(f"/items/{items[0].id}")
    assert page.status_code == 200
    assert 'id="evidence-heading"' in page.text  # the evidence is for every reader
    assert "/labels" not in page.text and 'name="stance"' not in page.text


@pytest.mark.parametrize(
    ("username", "links"),
    [
        (
            "admin",
            ["/", "/dashboard", "/review", "/inbox", "/reports/weekly", "/sources", "/admin/factchecks", "/admin"],
        ),
        ("lan.analyst", ["/", "/dashboard", "/review", "/inbox", "/reports/weekly", "/sources", "/admin/factchecks"]),
        ("leader", ["/dashboard", "/inbox", "/reports/weekly"]),
        ("health.desk", ["/inbox"]),
    ],
)
def test_the_navigation_shows_what_the_role_may_open(
    app_client: TestClient,
    accounts: AccountBook,
    username: str,
    links: list[str],
    login: Callable[[TestClient, AccountBook, str], str],
) -> None:
    login(app_client, accounts, username)
    page = app_client.get("/inbox")
    assert _nav(page.text) == links
    assert '<a href="/inbox" aria-current="page">Hộp thư đơn vị</a>' in page.text
    assert page.text.count('aria-current="page"') == 1
    assert '<a class="skip" href="#main">' in page.text
    english = app_client.get("/inbox?lang=en")
    assert '<a href="/inbox" aria-current="page">Unit inbox</a>' in english.text


def test_every_control_on_the_workspace_pages_has_a_label(
    client: TestClient, items: list[Item], book: AlertBook, tmp_path: Path
) -> None:
    hospital = items[0]
    assert hospital.routed is not None
    book.record(hospital, hospital.routed)  # the inbox has forms to check
    queue = ReviewQueue(tmp_path / "review.db")  # and so has the review queue
    queue.enqueue(
        item_id=hospital.id,
        title=hospital.title,
        text=hospital.text,
        stance=None,
        stance_confidence=0.3,
        topic=Topic.HEALTH,
        model_version="m",
    )
    queue.close()
    for path in ("/dashboard", "/review", "/inbox", f"/items/{items[0].id}"):
        page = client.get(path).text
        body = page[page.index("<main") :]
        for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", body):
            if 'type="hidden"' in control:
                continue
            found = re.search(r'id="([^"]+)"', control)
            assert found, f"{path}: a control without an id cannot be labelled: {control}"
            assert f'<label for="{found.group(1)}"' in body, f"{path}: no label for {control}"
        for button in re.findall(r"<button\b[^>]*>(.*?)</button>", body, re.S):
            assert re.sub(r"<[^>]+>", "", button).strip(), f"{path}: a button without text"
        assert path == "/dashboard" or 'method="post"' in body, f"{path}: the forms were checked"


def test_an_item_not_yet_classified_can_be_labelled_from_its_page(
    client: TestClient, csrf: str, store: Store, audit: AuditLog
) -> None:
    url = "https://baomoi.example/chua-phan-loai.html"
    fetched = Fetched(url=url, source_id="test", outlet="Báo Mới", fetched_at=NOW, feed_title="Tin mới")
    bare = Item(id=item_id(url), fetched=fetched)
    store.upsert([bare])
    page = client.get(f"/items/{bare.id}?lang=en")
    assert page.status_code == 200
    assert 'id="evidence-heading"' not in page.text  # no labels, so nothing to show evidence for
    assert "Correct the labels" in page.text and 'name="about" value="yes"' in page.text
    done = client.post(f"/items/{bare.id}/labels", data={"csrf_token": csrf, "about": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    stored = store.get(bare.id)
    assert stored is not None and stored.classified is not None and stored.classified.about is True
    [entry] = audit.entries(action="label.change")
    assert entry.detail["before"] == {"about": False, "stance": None, "topic": None}
