"""Online backups of every SQLite database under the data directory.

SQLite's backup API copies a database page by page while other connections keep reading
and writing (WAL mode), and the copy is a consistent snapshot: unlike ``cp`` of a
database and its ``-wal`` file, it cannot catch a transaction half-written. Each copy
is checked with ``PRAGMA integrity_check`` before it counts as done.

Files that are caches are not copied: the vector index beside ``items.db``
(``items.db.vectors``) is rebuilt from the embeddings stored in ``items.db`` when missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError, StoreUnavailable

_HEADER = b"SQLite format 3\x00"
_PAGES_PER_STEP = 1024  # 4 MiB at the default page size: writers get the lock back between steps

#: Progress callback: database name, pages copied, pages in total.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class BackedUp:
    """One database copied: where from, where to, and how big."""

    source: Path
    copy: Path
    bytes: int


def databases(data_dir: Path, *, skip: Path | None = None) -> list[Path]:
    """Every SQLite database under ``data_dir`` (by file header, not by name), ``skip`` excluded."""
    found = []
    for path in sorted(data_dir.rglob("*")):
        if skip is not None and path.is_relative_to(skip):
            continue
        if path.is_file() and not path.name.endswith(("-wal", "-shm", "-journal")) and _is_sqlite(path):
            found.append(path)
    return found


def backup_all(data_dir: Path, destination: Path, progress: Progress | None = None) -> list[BackedUp]:
    """Copy every database under ``data_dir`` into ``destination``, keeping relative paths.

    Raises:
        ConfigError: ``destination`` already holds a backup (never overwritten), or a
            copy fails its integrity check.
        StoreUnavailable: a database cannot be opened or stays locked.
    """
    report = progress or (lambda name, done, total: None)
    destination = destination.resolve()
    sources = databases(data_dir.resolve(), skip=destination)
    done = []
    for source in sources:
        relative = source.relative_to(data_dir.resolve())
        copy = destination / relative
        if copy.exists():
            raise ConfigError(f"{copy} already exists; back up into a new, empty folder (e.g. one named by date)")
        copy.parent.mkdir(parents=True, exist_ok=True)
        name = str(relative)

        def pages(remaining: int, total: int, name: str = name) -> None:
            report(name, total - remaining, total)

        _backup_one(source, copy, pages)
        done.append(BackedUp(source, copy, copy.stat().st_size))
    return done


def _backup_one(source: Path, copy: Path, progress: Callable[[int, int], None]) -> None:
    live: sqlite3.Connection | None = None
    target: sqlite3.Connection | None = None
    try:
        # Read-only URI: the backup never creates, migrates or writes the live database.
        live = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True, timeout=30)
        target = sqlite3.connect(copy)
        live.backup(target, pages=_PAGES_PER_STEP, progress=lambda _status, left, total: progress(left, total))
        verdict = str(target.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.Error as exc:
        copy.unlink(missing_ok=True)
        raise StoreUnavailable(f"cannot back up {source}: {exc}; check that the file is readable and retry") from exc
    finally:
        for conn in (target, live):
            if conn is not None:
                conn.close()
    if verdict != "ok":
        raise ConfigError(f"the copy of {source} failed its integrity check ({verdict}); retry the backup")


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(_HEADER)) == _HEADER
    except OSError:
        return False
