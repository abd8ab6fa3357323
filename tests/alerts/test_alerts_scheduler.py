"""The scheduler: persistent job store with missed-run handling, and one job runner per data directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from alerts import AlertBook, Courier
from core import Item, ProjectConfig
from core.search import SearchQuery
from core.settings import Settings
from indexing import SavedSearchBook, SqliteStore
from pressdesk import scheduler as sched
from pressdesk.scheduler import JobLog, Runtime, Scheduler, SchedulerBusy, SchedulerLock, previous_week

PROFILE = Path(__file__).resolve().parents[2] / "pressdesk" / "profiles" / "da_nang.toml"


@pytest.fixture
def runtime(tmp_path: Path, config: ProjectConfig) -> Runtime:
    settings = Settings(data_dir=tmp_path / "data")
    book = AlertBook(settings.path("alerts.db"))

    def no_journey() -> object:
        raise AssertionError("no collection in these tests")

    return Runtime(settings, config, book, Courier(book, None), no_journey)  # type: ignore[arg-type]


@pytest.fixture
def fast_escalation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    job, _ = sched.JOBS["escalation"]
    monkeypatch.setitem(sched.JOBS, "escalation", (job, lambda: IntervalTrigger(seconds=2)))
    yield


def _wait_for(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_missed_runs_after_downtime_run_once_coalesced(runtime: Runtime, fast_escalation: None) -> None:
    journal = JobLog(runtime.settings.path("jobs.db"))
    first = Scheduler(runtime, ("escalation",))
    first.start()
    _wait_for(lambda: len(journal.runs()) == 1)  # a job new to the store runs at once
    first.stop()
    time.sleep(5.0)  # "downtime": two runs (every 2 s) are missed
    second = Scheduler(runtime, ("escalation",))
    second.start()
    try:
        _wait_for(lambda: len(journal.runs()) >= 2)
        time.sleep(0.5)
        runs = journal.runs()
    finally:
        second.stop()
    assert [(name, outcome) for name, _, outcome, _ in runs[:2]] == [("escalation", "ok"), ("escalation", "ok")]
    assert len(runs) == 2, f"missed runs must be coalesced into one, got {runs}"
    assert runs[0][3] == "0 escalated"


def test_a_second_scheduler_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    holder = SchedulerLock(tmp_path / "scheduler.lock")
    holder.acquire()
    try:
        with pytest.raises(SchedulerBusy, match=rf"pid {os.getpid()}"):
            SchedulerLock(tmp_path / "scheduler.lock").acquire()
    finally:
        holder.release()
    again = SchedulerLock(tmp_path / "scheduler.lock")
    again.acquire()  # free again once released
    again.release()


@pytest.mark.slow
def test_two_processes_only_one_runs_jobs(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PRESSDESK_DATA_DIR": str(tmp_path / "data"),
        "PRESSDESK_CONFIG": str(PROFILE),
        "PRESSDESK_SMTP_PORT": "9",  # nothing is due to be sent; a wrong send would fail loudly in the log
    }
    base = [sys.executable, "-m", "pressdesk.cli", "run", "--no-web", "--jobs", "digests,escalation"]
    lock = tmp_path / "data" / "scheduler.lock"
    first = subprocess.Popen([*base, "--for-seconds", "120"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid), 90)
        _wait_for(lambda: len(JobLog(tmp_path / "data" / "jobs.db").runs()) >= 2, 30)
        second = subprocess.run(
            [*base, "--for-seconds", "5"], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        first.send_signal(signal.SIGINT)  # Ctrl+C: the scheduler stops cleanly and releases the lock
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert second.returncode == 2, second.stderr
    assert f"pid {first.pid}" in second.stderr and "already runs the scheduled jobs" in second.stderr
    runs = JobLog(tmp_path / "data" / "jobs.db").runs()
    assert {name for name, *_ in runs} == {"digests", "escalation"}
    assert {pid for _, pid, *_ in runs} == {first.pid}
    assert all(outcome == "ok" for _, _, outcome, _ in runs), runs


def test_weekly_report_covers_the_week_before() -> None:
    assert previous_week(datetime(2026, 11, 23, 0, 30, tzinfo=UTC)) == "2026-W47"  # Monday 07:30 in Vietnam


def test_saved_search_job_turns_new_matches_into_alerts_once(
    runtime: Runtime, make_item: Callable[..., Item], now: datetime
) -> None:
    store = SqliteStore(runtime.settings.path("items.db"))
    matching = make_item(url="https://a.example/cau-rong", title="Cầu Rồng phun lửa phục vụ du khách")
    other = make_item(url="https://a.example/khac", title="Giá xăng giảm")
    store.upsert([matching, other])
    store.close()
    book = SavedSearchBook(runtime.settings.path("saved.db"))
    book.add("Cầu Rồng", SearchQuery(text='"cầu rồng"'), alert_unit="culture-tourism", at=now - timedelta(days=2))
    book.add("Không cảnh báo", SearchQuery(text="xăng"), at=now - timedelta(days=2))
    assert sched.saved_search_job(runtime, now) == "1 saved-search matches"
    (alert,) = runtime.book.listing()
    assert (alert.unit_id, alert.trigger, alert.item_id) == ("culture-tourism", "saved_search", matching.id)
    assert "Cầu Rồng" in alert.reason
    assert sched.saved_search_job(runtime, now + timedelta(minutes=5)) == "0 saved-search matches"


def test_weekly_report_job_writes_both_files(runtime: Runtime) -> None:
    built = sched.build_runtime(runtime.settings, runtime.config)
    detail = sched.weekly_report_job(built, datetime(2026, 11, 23, 0, 5, tzinfo=UTC))
    folder = runtime.settings.path("reports")
    assert sorted(p.name for p in folder.iterdir()) == ["bao-cao-tuan-2026-W47.docx", "bao-cao-tuan-2026-W47.html"]
    assert detail.startswith("wrote ")
