"""``bench/load.py`` drives a real server on 127.0.0.1 and reports what issue 8 asks for.

Shape and sanity only: the throughput target is checked by running the benchmark at 1M
items, never by a timed test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from indexing import SqliteStore
from tests.indexing.store_contract import corpus

REPO = Path(__file__).resolve().parents[1]


def test_load_benchmark_serves_every_kind_of_request_without_errors(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "items.db")
    store.upsert(list(corpus().values()))
    store.close()
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--data", str(tmp_path), "--seconds", "3", "--concurrency", "2", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["items"] == len(corpus())
    assert result["errors"] == {}
    assert result["requests"] > 0
    assert result["searches_per_s"] > 0
    assert set(result["p95_ms"]) >= {"boolean_facets", "phrase", "filtered", "all_searches"}
    assert all(0 < ms < 60_000 for ms in result["p95_ms"].values())
