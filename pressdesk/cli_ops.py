"""Operations commands: ``pressdesk migrate`` (copy a store) and ``pressdesk backup`` (SQLite online backup).

See docs/operations.md for when to use them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from api import AuditLog
from core.errors import PressdeskError
from pressdesk.backup import backup_all
from pressdesk.cli_support import actor, err, fail, out, settings_or_exit
from pressdesk.migration import Checkpoint, open_spec, shown
from pressdesk.migration import migrate as copy_store


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    )


@click.command("migrate")
@click.option("--from", "source", required=True, metavar="STORE", help="sqlite:PATH or elasticsearch:URL to copy from.")
@click.option("--to", "target", required=True, metavar="STORE", help="sqlite:PATH or elasticsearch:URL to copy into.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000), help="Items per write.")
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where progress is kept for resuming (default: migrate-<hash>.json under the data directory).",
)
@click.option("--restart", is_flag=True, help="Ignore an earlier checkpoint and copy everything again.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON line.")
def migrate(source: str, target: str, batch: int, checkpoint: Path | None, restart: bool, as_json: bool) -> None:
    """Copy every item (with its vector) from one store to another, resumably, and check the counts.

    Sao chép toàn bộ bài viết sang kho khác (ví dụ SQLite → Elasticsearch); chạy lại lệnh để tiếp tục
    nếu bị ngắt. Stop collection (`pressdesk collect`, the scheduler) while it runs. Exit code 0 when
    the target holds at least as many items as the source, 1 otherwise.
    """
    settings = settings_or_exit()
    digest = hashlib.sha256(f"{source}\n{target}".encode()).hexdigest()[:12]
    path = checkpoint or settings.path(f"migrate-{digest}.json")
    try:
        if restart:
            path.unlink(missing_ok=True)
        state = Checkpoint.load(path, source, target)
        src, dst = open_spec(source), open_spec(target)
        with _bar() as bar:
            task = bar.add_task("Sao chép (migrate)", total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = copy_store(src, dst, state, path, batch=batch, progress=update)
        src.close()
        dst.close()
        AuditLog(settings.path("audit.db")).record(
            "migrate",
            actor(),
            {
                "from": shown(source),
                "to": shown(target),
                "copied": result.copied_this_run,
                "items": result.source_count,
            },
        )
    except PressdeskError as exc:
        fail(exc)
        return
    summary = {
        "source": result.source_count,
        "target": result.target_count,
        "copied_this_run": result.copied_this_run,
        "copied_total": result.copied_total,
        "windows": result.windows,
        "resumed_from": result.resumed_from,
        "checkpoint": str(path),
        "complete": result.complete,
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        out.print(
            f"Nguồn / source: {result.source_count} · Đích / target: {result.target_count} · "
            f"đã chép lần này / copied this run: {result.copied_this_run}"
        )
        if not result.complete:
            err.print("[bold red]pressdesk:[/] the target holds fewer items than the source; run the command again")
    sys.exit(0 if result.complete else 1)


@click.command("backup")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per database copied.")
def backup(destination: Path, as_json: bool) -> None:
    """Back up every SQLite database under the data directory into DESTINATION (online, consistent).

    Sao lưu mọi cơ sở dữ liệu SQLite trong thư mục dữ liệu khi hệ thống vẫn chạy. DESTINATION
    should be a new folder (e.g. named by date); existing copies are never overwritten.
    """
    settings = settings_or_exit()
    try:
        with _bar() as bar:
            tasks: dict[str, TaskID] = {}

            def update(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=max(total, 1))
                bar.update(tasks[name], completed=done, total=max(total, 1))

            copied = backup_all(settings.data_dir, destination, update)
    except PressdeskError as exc:
        fail(exc)
        return
    for entry in copied:
        if as_json:
            click.echo(json.dumps({"database": str(entry.source), "copy": str(entry.copy), "bytes": entry.bytes}))
        else:
            out.print(f"{entry.source} → {entry.copy} ({entry.bytes:,} bytes)")
    if not copied:
        err.print(f"[bold red]pressdesk:[/] no SQLite database under {settings.data_dir}; check PRESSDESK_DATA_DIR")
        sys.exit(1)
