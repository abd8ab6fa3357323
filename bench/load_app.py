"""The application ``bench/load.py`` serves, built from environment variables.

uvicorn starts each worker process afresh and finds the application by its import
path, so everything it needs (where the store and the server's own files are) comes
from the environment rather than from arguments: ``LOADBENCH_DATA`` (the folder with
``items.db``) and ``LOADBENCH_STATE`` (settings, audit log and accounts); a non-empty
``LOADBENCH_BM25`` ranks with FTS5's ``bm25()`` instead of kept phrase counts, and a
non-empty ``LOADBENCH_ONE_CORE`` scans each search in one piece (no helper process), as
the server does the same when built by ``pressdesk.webapp``.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from api import AuditLog, create_app
from api.accounts import AccountBook
from core.settings import Settings
from indexing import SqliteStore
from indexing.sqlite_split import SPLIT_ABOVE


def build() -> FastAPI:
    """One worker's app over the shared store: its own connection, facet columns and audit connection."""
    data, state = Path(os.environ["LOADBENCH_DATA"]), Path(os.environ["LOADBENCH_STATE"])
    one_core = bool(os.environ.get("LOADBENCH_BM25") or os.environ.get("LOADBENCH_ONE_CORE"))
    return create_app(
        Settings.model_validate({"data_dir": state}),
        SqliteStore(
            data / "items.db",
            keep_phrase_counts=not os.environ.get("LOADBENCH_BM25"),
            split_above=None if one_core else SPLIT_ABOVE,
        ),
        AuditLog(state / "audit.db"),
        accounts=AccountBook(state / "accounts.db"),
    )
