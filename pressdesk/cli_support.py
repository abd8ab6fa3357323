"""What every ``pressdesk`` command shares: consoles, settings loading, error exit, progress bars.

Command modules (``pressdesk/cli*.py``) import from here, never from each other, so that a new
command group is one new module plus one ``add_command`` line in ``pressdesk.cli``.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.errors import ConfigError, PressdeskError
from core.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])
err = Console(stderr=True)
out = Console()

STAGE_NAMES = {"fetch": "Tải bài viết (fetch)", "classify": "Phân loại (classify)"}


def fail(exc: PressdeskError) -> None:
    err.print(f"[bold red]pressdesk:[/] {exc}")
    sys.exit(2 if isinstance(exc, ConfigError) else 1)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        fail(exc)
        raise  # unreachable: _fail exits


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar per pipeline stage, or nothing when output is machine-read."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGE_NAMES.get(stage, stage), total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        yield update


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def emit(data: bytes, out: Path | None) -> None:
    """Print ``data``, or write it to a new file ``out`` (an existing file is someone's work: refuse)."""
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        with out.open("xb") as handle:
            handle.write(data)
    except FileExistsError as exc:
        raise ConfigError(f"{out} already exists; choose another name or remove it first") from exc
    except OSError as exc:
        raise ConfigError(f"cannot write {out}: {exc.strerror}") from exc
