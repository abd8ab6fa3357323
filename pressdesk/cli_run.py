"""``pressdesk run``: the scheduler (collection, triage, delivery, escalation, reports) plus the web server."""

from __future__ import annotations

import time

import click

from core.errors import PressdeskError
from core.settings import Settings
from pressdesk.cli_support import err, fail, out, settings_or_exit


@click.command("run")
@click.option("--no-web", is_flag=True, help="Run only the scheduled jobs, without the web server.")
@click.option("--port", type=int, default=None, help="Web port (default PRESSDESK_HTTP_PORT, 8000).")
@click.option(
    "--for-seconds",
    type=float,
    default=0.0,
    help="Stop after this many seconds (for checks and tests; default: until Ctrl+C).",
)
@click.option("--jobs", default="", metavar="NAME,...", help="Only these jobs (default: all; see docs/alerts.md).")
def run(no_web: bool, port: int | None, for_seconds: float, jobs: str) -> None:
    """Start the scheduled jobs and the web server in one process.

    Only one process per data directory runs the jobs; a second `pressdesk run` stops with a
    message naming the first one's pid (use `pressdesk serve` for another web server).
    """
    from pressdesk.scheduler import JOBS, Scheduler, build_runtime
    from pressdesk.wiring import load_project

    settings = settings_or_exit()
    chosen = tuple(name.strip() for name in jobs.split(",") if name.strip()) or None
    unknown = sorted(set(chosen or ()) - set(JOBS))
    if unknown:
        raise click.BadParameter(f"unknown job(s) {', '.join(unknown)}; choose from {', '.join(JOBS)}")
    try:
        scheduler = Scheduler(build_runtime(settings, load_project(settings)), chosen)
        scheduler.start()
    except PressdeskError as exc:
        fail(exc)
        return
    out.print(f"[bold green]Lịch chạy / scheduler:[/] {', '.join(scheduler.jobs)} (data: {settings.data_dir})")
    try:
        if no_web:
            deadline = time.monotonic() + for_seconds if for_seconds else None
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.2)
        else:
            _serve_web(settings, port, for_seconds)
    except KeyboardInterrupt:
        err.print("stopping…")
    finally:
        scheduler.stop()


def _serve_web(settings: Settings, port: int | None, for_seconds: float) -> None:
    import threading

    import uvicorn

    from pressdesk.webapp import web_app

    app = web_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.http_host, port=port or settings.http_port, log_level="warning")
    )
    if for_seconds:
        threading.Timer(for_seconds, lambda: setattr(server, "should_exit", True)).start()
    out.print(f"[bold green]Giao diện / web UI:[/] http://{settings.http_host}:{port or settings.http_port}/")
    server.run()
