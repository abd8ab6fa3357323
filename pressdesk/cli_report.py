"""``pressdesk report``: the weekly report for leaders and the yearly section, as HTML and DOCX files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from core.errors import PressdeskError
from pressdesk.cli_support import err, fail, progress_bars, settings_or_exit


@click.group()
def report() -> None:
    """Reports for leaders: weekly (web page + DOCX) and the yearly section due 15 November."""


def _write(kind: str, key: str, out: Path) -> None:
    from pressdesk.scheduler import previous_week
    from pressdesk.wiring import build_report, load_project

    settings = settings_or_exit()
    now = datetime.now(UTC)
    key = key or (previous_week(now) if kind == "weekly" else str(now.year))
    try:
        with progress_bars(True) as progress:
            progress("Tính số liệu, vẽ biểu đồ (figures, charts)", 0, 2)
            built = build_report(settings, load_project(settings), kind, key, now)
            progress("Tính số liệu, vẽ biểu đồ (figures, charts)", 1, 2)
            paths = built.write(out)
            progress("Tính số liệu, vẽ biểu đồ (figures, charts)", 2, 2)
    except PressdeskError as exc:
        fail(exc)
        return
    except OSError as exc:
        err.print(f"[bold red]pressdesk:[/] cannot write into {out}: {exc.strerror}; choose another --out folder")
        raise SystemExit(1) from exc
    for path in paths:
        click.echo(str(path))


@report.command("weekly")
@click.option("--week", default="", metavar="YYYY-Www", help="ISO week, e.g. 2026-W47 (default: last week).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Folder for the .html and .docx files.",
)
def weekly(week: str, out: Path) -> None:
    """Write the weekly report for leaders (HTML page and DOCX in the administrative format)."""
    _write("weekly", week, out)


@report.command("yearly")
@click.option("--year", default="", metavar="YYYY", help="Reporting year (15 Nov of the year before to 14 Nov).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Folder for the .html and .docx files.",
)
def yearly(year: str, out: Path) -> None:
    """Write the yearly report section on monitoring and response (due 15 November)."""
    _write("yearly", year, out)
