"""The scheduled work of a running pressdesk: collection, triage, delivery, escalation, reports.

APScheduler 3 runs the jobs from a persistent SQLAlchemy job store (``scheduler.db`` under
the data directory), so after downtime each job that missed its time runs once (coalesced)
when it is still within ``MISFIRE_GRACE_SECONDS``, instead of once per missed run or never.

Only one process may run the jobs: ``SchedulerLock`` takes an exclusive ``fcntl`` lock on
``scheduler.lock``; a second ``pressdesk run`` is refused with a message naming the
holder's pid. Every run of a job is written to ``jobs.db`` (name, pid, start, end, outcome)
so an operator can see what ran and a test can see who ran it.

The job store keeps references (``pressdesk.scheduler:run_job`` with the job's name), never
live objects; the process that holds the lock builds the parts (``Runtime``) once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from alerts import (
    VIETNAM_TIME,
    AlertBook,
    Courier,
    escalate_overdue,
    saved_search_decision,
    send_due_digests,
    send_urgent,
)
from core.config import ProjectConfig
from core.errors import ConfigError, PressdeskError
from core.item import Item
from core.settings import Settings
from indexing import matching_since
from pressdesk.pipeline import Journey, run_cycle
from pressdesk.wiring import (
    build_journey,
    build_report,
    current_sources,
    make_courier,
    make_triage,
    open_alerts,
    open_saved,
    open_store,
)

log = logging.getLogger("pressdesk.scheduler")

#: A job that missed its time by less than this (the machine was off, the process restarting)
#: still runs once when the scheduler comes back; older misses are skipped.
MISFIRE_GRACE_SECONDS = 30 * 60


class SchedulerBusy(ConfigError):
    """Another process already runs the jobs for this data directory."""


class SchedulerLock:
    """An exclusive, non-blocking ``fcntl`` lock file: the holder runs the jobs.

    The kernel drops the lock when the process dies, so a crash never leaves a stale lock.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock.

        Raises:
            SchedulerBusy: another process holds it; the message names its pid.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise SchedulerBusy(
                f"another pressdesk process (pid {holder}) already runs the scheduled jobs for "
                f"{self.path.parent}; this one will not start them. Stop that process first, or "
                "use `pressdesk serve` for a second web server"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Give the lock up (also happens when the process exits)."""
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class JobLog:
    """Every job run: which job, which process, when, and how it ended (``jobs.db``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10.0)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS job_runs (name TEXT NOT NULL, pid INTEGER NOT NULL, started_at TEXT NOT NULL, "
            "finished_at TEXT, outcome TEXT NOT NULL DEFAULT 'running', detail TEXT NOT NULL DEFAULT '')"
        )
        return conn

    def start(self, name: str, at: datetime) -> int:
        """Record the start of a run; returns its row id."""
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO job_runs (name, pid, started_at) VALUES (?, ?, ?)", (name, os.getpid(), at.isoformat())
            )
            return int(cursor.lastrowid or 0)

    def finish(self, run_id: int, outcome: str, detail: str) -> None:
        """Record how the run ended (``ok`` or ``failed``) with a one-line detail."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE job_runs SET finished_at = ?, outcome = ?, detail = ? WHERE rowid = ?",
                (datetime.now(UTC).isoformat(), outcome, detail, run_id),
            )

    def runs(self) -> list[tuple[str, int, str, str]]:
        """``(name, pid, outcome, detail)`` of every run, oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT name, pid, outcome, detail FROM job_runs ORDER BY rowid").fetchall()
        return [(str(r[0]), int(r[1]), str(r[2]), str(r[3])) for r in rows]


@dataclass
class Runtime:
    """The parts the jobs use, built once per process by ``pressdesk.wiring`` (lazily, on first need)."""

    settings: Settings
    config: ProjectConfig
    book: AlertBook
    courier: Courier
    journey_factory: Callable[[], Journey]
    report_writer: Callable[[datetime], str] | None = None
    _journey: Journey | None = field(default=None, repr=False)

    @property
    def journey(self) -> Journey:
        """The collection parts; the embedding model loads on the first cycle that needs it."""
        if self._journey is None:
            self._journey = self.journey_factory()
        return self._journey


_RUNTIME: Runtime | None = None
_RUNTIME_LOCK = threading.Lock()


def collect_job(rt: Runtime, now: datetime) -> str:
    """Poll the sources that are due, triage what is new, and send urgent alerts at once."""
    sources = current_sources(rt.settings, rt.config)  # sources added or paused in the web UI count at once
    if not sources:
        return "no sources configured"
    summary = run_cycle(rt.journey, sources, now=now)
    urgent = send_urgent(rt.book, rt.config, rt.courier, rt.settings.public_url, now)
    done = f"{summary.sources} sources polled, {summary.stored} new items, {summary.alerts} alerts, "
    done += f"{urgent} urgent sent"
    if summary.store_unavailable:
        # The items are safe in the spool; say so, or the operator reads "0 new items" as nothing collected.
        done += f"; store unavailable, {summary.spooled} items waiting in the spool ({summary.store_unavailable})"
    return done


def saved_search_job(rt: Runtime, now: datetime) -> str:
    """Turn new matches of saved searches marked as alerts into alerts for their unit."""
    saved, store = open_saved(rt.settings), open_store(rt.settings)
    sightings = make_triage(rt.settings, rt.config).sightings
    if sightings is None:
        return "no triage memory"
    raised = 0
    for entry in saved.list_all():
        if not entry.alert_unit:
            continue
        if rt.config.unit(entry.alert_unit) is None:
            log.warning("saved search %r alerts unit %r, which the config lacks", entry.name, entry.alert_unit)
            continue
        since = sightings.saved_ran(entry.id) or entry.created_at or now - timedelta(days=1)
        try:
            items: list[Item] = matching_since(store, entry, since)
        except PressdeskError as exc:
            log.warning("saved search %r could not run: %s", entry.name, exc)
            continue
        for item in items:
            decision = saved_search_decision(entry.name, entry.alert_unit, item.classified, now)
            rt.book.record(item, decision.routed, cluster_id="", trigger=decision.trigger)
            raised += 1
        sightings.mark_saved_ran(entry.id, now)
    return f"{raised} saved-search matches"


def digest_job(rt: Runtime, now: datetime) -> str:
    """Send each unit's digest when its slot has come, outside its quiet hours."""
    run = send_due_digests(rt.book, rt.config, rt.courier, rt.settings.public_url, now)
    return f"{run.sent} digests, {run.alerts} alerts, failed: {', '.join(run.failed) or 'none'}"


def urgent_job(rt: Runtime, now: datetime) -> str:
    """Retry urgent notices that did not go out with their collection cycle."""
    return f"{send_urgent(rt.book, rt.config, rt.courier, rt.settings.public_url, now)} urgent sent"


def escalation_job(rt: Runtime, now: datetime) -> str:
    """Escalate alerts not acknowledged in time to the coordinating unit (once each)."""
    escalated = escalate_overdue(rt.book, rt.config, rt.courier, rt.settings.public_url, now)
    return f"{len(escalated)} escalated"


def weekly_report_job(rt: Runtime, now: datetime) -> str:
    """Write last week's report for leaders (HTML + DOCX) under the data directory."""
    if rt.report_writer is None:
        return "report writer not configured"
    return rt.report_writer(now)


#: name → (what it does, when it runs)
JOBS: dict[str, tuple[Callable[[Runtime, datetime], str], Callable[[], BaseTrigger]]] = {
    "collect": (collect_job, lambda: IntervalTrigger(minutes=1)),
    "urgent": (urgent_job, lambda: IntervalTrigger(minutes=5)),
    "saved_searches": (saved_search_job, lambda: IntervalTrigger(minutes=5)),
    "digests": (digest_job, lambda: IntervalTrigger(minutes=5)),
    "escalation": (escalation_job, lambda: IntervalTrigger(minutes=10)),
    "weekly_report": (weekly_report_job, lambda: CronTrigger(day_of_week="mon", hour=7, timezone=VIETNAM_TIME)),
}


def run_job(name: str) -> None:
    """Run job ``name`` against this process's runtime, recording the run (the job store's entry point)."""
    with _RUNTIME_LOCK:
        rt = _RUNTIME
    if rt is None:
        log.error("job %s fired but this process has no runtime; was it started with pressdesk run?", name)
        return
    work = JOBS[name][0]
    journal = JobLog(rt.settings.path("jobs.db"))
    now = datetime.now(UTC)
    run_id = journal.start(name, now)
    started = time.monotonic()
    try:
        detail = work(rt, now)
    except Exception as exc:  # a failing job is logged and retried at its next time, never kills the scheduler
        log.exception("job %s failed", name)
        journal.finish(run_id, "failed", f"{type(exc).__name__}: {exc}")
        return
    journal.finish(run_id, "ok", detail)
    log.info("job %s: %s (%.1fs)", name, detail, time.monotonic() - started)


class Scheduler:
    """Holds the lock, the APScheduler instance and this process's runtime.

    Args:
        runtime: the parts the jobs use.
        jobs: which of ``JOBS`` to run (default: all).
    """

    def __init__(self, runtime: Runtime, jobs: tuple[str, ...] | None = None) -> None:
        self.runtime = runtime
        self.jobs = jobs or tuple(JOBS)
        self.lock = SchedulerLock(runtime.settings.path("scheduler.lock"))
        self._scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        """Take the lock, then start the jobs; a new interval job runs at once, then on its trigger.

        Raises:
            SchedulerBusy: another process runs the jobs.
        """
        global _RUNTIME  # noqa: PLW0603 - the job store can only name a module-level entry point
        self.lock.acquire()
        with _RUNTIME_LOCK:
            _RUNTIME = self.runtime
        store = SQLAlchemyJobStore(url=f"sqlite:///{self.runtime.settings.path('scheduler.db')}")
        scheduler = BackgroundScheduler(
            jobstores={"default": store},
            executors={"default": ThreadPoolExecutor(2)},
            job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
            timezone=UTC,
        )
        scheduler.start(paused=True)
        now = datetime.now(UTC)
        for name in self.jobs:
            trigger = JOBS[name][1]()
            job = scheduler.get_job(name)
            if job is None:
                # Interval jobs (collection, delivery, escalation) start at once; calendar jobs keep their time.
                first = {"next_run_time": now} if isinstance(trigger, IntervalTrigger) else {}
                scheduler.add_job("pressdesk.scheduler:run_job", trigger, args=[name], id=name, name=name, **first)
            elif str(job.trigger) != str(trigger):
                job.reschedule(trigger)  # the schedule changed in code; keep the job, take the new timing
        for job in scheduler.get_jobs():
            if job.id not in self.jobs:
                job.remove()
        scheduler.resume()  # missed runs within the grace time fire now, once each
        self._scheduler = scheduler
        log.info("scheduler started with jobs: %s", ", ".join(self.jobs))

    def stop(self) -> None:
        """Stop the jobs (waiting for running ones) and release the lock."""
        global _RUNTIME  # noqa: PLW0603 - see start()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        with _RUNTIME_LOCK:
            _RUNTIME = None
        self.lock.release()

    def next_runs(self) -> dict[str, datetime | None]:
        """Each job's next run time, for the start-up message."""
        if self._scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}


def local_now() -> datetime:
    """The current time in Vietnam (for messages)."""
    return datetime.now(VIETNAM_TIME)


def build_runtime(settings: Settings, config: ProjectConfig) -> Runtime:
    """Wire the runtime from settings: alert book, courier (SMTP + webhooks), collection parts, report writer."""
    book = open_alerts(settings)

    def write_weekly(now: datetime) -> str:
        report = build_report(settings, config, "weekly", previous_week(now), now)
        paths = report.write(settings.path("reports"))
        return "wrote " + ", ".join(str(p) for p in paths)

    return Runtime(
        settings=settings,
        config=config,
        book=book,
        courier=make_courier(settings, book),
        journey_factory=lambda: build_journey(settings, config),
        report_writer=write_weekly,
    )


def previous_week(now: datetime) -> str:
    """The ISO week before ``now``'s (Vietnam time), as ``YYYY-Www``: what a Monday report covers."""
    year, week, _ = (now.astimezone(VIETNAM_TIME) - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"
