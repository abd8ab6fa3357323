"""The workspace in Debian chromium: log in, search, open an item, correct a label, answer an alert, read the dashboard.

Each step checks what the page shows and keeps a screenshot in ``artifacts/``. The pages run
under the real Content-Security-Policy, so an inline style or script would fail the test
(the ``page`` fixture turns console errors into a failure).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from alerts import AlertBook, AlertStatus
from api import AuditLog
from classify import ReviewQueue
from core import Stance

from .conftest import Site, log_in, needs_chromium, shot

pytestmark = [pytest.mark.browser, needs_chromium]


def _tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the keyboard focus")


def test_an_analyst_searches_opens_an_item_corrects_it_and_works_the_queue(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/dashboard")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    shot(page, "workspace-01-login")
    log_in(page, site, "lan.analyst")
    expect(page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link")).to_have_text(
        ["Tìm kiếm", "Bảng tin", "Hàng chờ duyệt", "Hộp thư đơn vị", "Báo cáo", "Nguồn tin", "Kiểm chứng"]
    )

    # Search without diacritics; the hit is highlighted.
    page.get_by_label("Tìm kiếm tin").fill("sot xuat huyet")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 kết quả")).to_be_visible()
    expect(page.locator(".hit mark").first).to_be_visible()
    shot(page, "workspace-02-search")

    # Open the item: the evidence behind each label.
    page.get_by_role("link", name=site.hospital.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(site.hospital.title)
    evidence = page.locator("section.evidence")
    expect(evidence).to_contain_text("Mô hình heads-2026-11")
    expect(evidence).to_contain_text("81%")
    expect(evidence).to_contain_text("Địa danh tìm thấy: Đà Nẵng")
    expect(evidence.get_by_role("link", name="Bài kiểm chứng fc-12")).to_have_attribute(
        "href", "https://factcheck.example/benh-vien"
    )
    shot(page, "workspace-03-item")

    # Correct the stance with the keyboard alone: Tab to the button, press Enter.
    _tab_to(page, 'button[name="stance"][value="positive"]')
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button shows where the focus is"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/items/{site.hospital.id}")
    expect(evidence.locator("tr", has_text="Sắc thái")).to_contain_text("tích cực")
    expect(evidence.locator("tr", has_text="Sắc thái")).to_contain_text("Biên tập viên đã duyệt")
    expect(page.locator("button.current")).to_contain_text("tích cực")
    shot(page, "workspace-04-item-corrected")
    [change] = AuditLog(site.data / "audit.db").entries(action="label.change")
    assert change.actor == "account:lan.analyst" and change.detail["after"]["stance"] == "positive"

    # The review queue: confirm the model's suggestion with one click.
    page.get_by_role("link", name="Hàng chờ duyệt").click()
    queued = page.locator("li.queued", has_text=site.bridge.title)
    expect(queued).to_contain_text("52%")
    expect(page.get_by_text("1 tin đang chờ")).to_be_visible()
    shot(page, "workspace-05-review-queue")
    queued.get_by_role("button", name="Xác nhận gợi ý").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu nhãn cho tin:")
    expect(page.get_by_text("Không còn tin nào chờ duyệt.")).to_be_visible()
    shot(page, "workspace-05-review-confirmed")
    assert ReviewQueue(site.data / "review.db").pending() == []
    assert [e.stance for e in ReviewQueue(site.data / "review.db").corrections()] == [Stance.POSITIVE, Stance.NEUTRAL]


def test_a_unit_acknowledges_and_answers_its_alert(page: Page, site: Site) -> None:
    log_in(page, site, "health.desk", "/inbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hộp thư đơn vị: Sở Y tế")
    expect(page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link")).to_have_text(["Hộp thư đơn vị"])
    entry = page.locator("li.alert-entry", has_text=site.hospital.title)
    expect(entry).to_contain_text("chưa tiếp nhận")
    shot(page, "workspace-06-inbox")

    entry.get_by_role("button", name="Xác nhận đã tiếp nhận").click()
    # Back in the inbox, at the same alert, now acknowledged.
    page.wait_for_url(f"{site.url}/inbox?unit=health#a-{site.alert_id}")
    entry = page.locator("li.alert-entry", has_text=site.hospital.title)
    expect(entry).to_contain_text("đã tiếp nhận")
    expect(entry.get_by_role("button", name="Xác nhận đã tiếp nhận")).to_have_count(0)
    shot(page, "workspace-07-acknowledged")
    link = "https://danang.gov.example/thong-tin-chinh-thuc"
    entry.get_by_label("Đường liên kết đến bài phản hồi đã công bố").fill(link)
    entry.get_by_role("button", name="Ghi nhận phản hồi").click()
    page.wait_for_url(f"{site.url}/inbox?unit=health#a-{site.alert_id}")
    expect(page.locator("li.alert-entry", has_text=site.hospital.title)).to_contain_text("đã phản hồi")
    page.get_by_role("link", name=site.hospital.title).click()
    page.wait_for_url(f"{site.url}/alerts/{site.alert_id}")
    expect(page.locator("dl.facts")).to_contain_text("đã phản hồi")
    expect(page.get_by_role("link", name=link)).to_be_visible()
    shot(page, "workspace-08-answered")

    alert = AlertBook(site.data / "alerts.db").get(site.alert_id)
    assert alert is not None and alert.status is AlertStatus.ANSWERED and alert.answer_link == link
    actors = {(e.action, e.actor) for e in AuditLog(site.data / "audit.db").entries()}
    assert {("acknowledge", "account:health.desk"), ("answer", "account:health.desk")} <= actors


def test_a_leader_reads_the_dashboard_in_english_with_the_keyboard(page: Page, site: Site) -> None:
    log_in(page, site, "leader", "/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng tin")

    # The first Tab reaches the skip link, which moves the focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Chuyển đến nội dung chính")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0, "the skip link is on screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 3  # one bar part per item: three items over the last days
    topics = page.locator("section", has=page.get_by_role("heading", name="Topics"))
    expect(topics.locator("tbody tr")).to_have_count(2)
    expect(topics.locator("tbody tr").first).to_contain_text("tourism")
    expect(topics.locator("tbody tr").first).to_contain_text("2")
    units = page.locator("section", has=page.get_by_role("heading", name="Response requests waiting, by unit"))
    expect(units.locator("tr", has_text="Sở Y tế")).to_contain_text("1")

    # The figures behind the chart, opened with the keyboard.
    _tab_to(page, "details.data > summary")
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name="Items by stance per day")).to_be_visible()
    shot(page, "workspace-09-dashboard")

    _tab_to(page, 'a[href="/dashboard?days=30"]', limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/dashboard\?days=30$"))
    expect(page.get_by_role("link", name="Last 30 days")).to_have_attribute("aria-current", "page")
    shot(page, "workspace-10-dashboard-30-days")
    assert [e.detail["days"] for e in AuditLog(site.data / "audit.db").entries(action="dashboard.view")].count(30) == 1
