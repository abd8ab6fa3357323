"""``bench/search.py`` runs end to end on a small corpus and prints the JSON issue 4 asks for.

Shape and sanity only: speed targets are checked by running the benchmark, never by a
timed test (see ``bench/README.md``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
KINDS = {"boolean_facets", "phrase", "exact", "date_filtered", "semantic"}


def _bench_json(script: str, args: list[str], data_dir: Path) -> dict[str, Any]:
    """Run ``bench/<script> ARGS --json --data DATA_DIR`` and return its JSON; skip when the corpora are absent."""
    if not (REPO.parent / "shared" / "data" / "corpora").is_dir():
        pytest.skip("the benchmark recombines ../shared/data/corpora, which is not beside this checkout")
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *args, "--json", "--data", str(data_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data: dict[str, Any] = json.loads(done.stdout)
    return data


@pytest.mark.slow
def test_search_benchmark_prints_one_json_object_with_sane_numbers(tmp_path: Path) -> None:
    small = ["--items", "2000", "--base", "60", "--runs", "10", "--budget", "5"]
    data = _bench_json("search.py", small, tmp_path)
    assert data["items"] == 2000
    assert data["ingest_items_per_s"] > 0
    assert KINDS <= set(data["p50_ms"]) == set(data["p95_ms"])
    for kind, p50 in data["p50_ms"].items():
        assert 0 < p50 <= data["p95_ms"][kind], kind
    assert data["median_matches"]["boolean_facets"] > 0
    assert data["disk_bytes"] > 0
    assert data["peak_rss_bytes"] > 2**20
    assert data["notes"]
    assert not (tmp_path / "store-2000").exists()  # removed without --keep


@pytest.mark.slow
def test_search_benchmark_says_what_is_missing_without_the_corpora(tmp_path: Path) -> None:
    script = tmp_path / "repo" / "bench" / "search.py"
    script.parent.mkdir(parents=True)
    for name in ("search.py", "synthetic.py"):
        (script.parent / name).write_text((REPO / "bench" / name).read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), "--items", "10", "--data", str(tmp_path / "data")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "shared corpora are missing" in done.stderr


@pytest.mark.slow
def test_fts_cost_prints_each_variant_and_what_was_indexed(tmp_path: Path) -> None:
    """``bench/fts_cost.py`` measures every table variant; counts, not speed, are checked."""
    small = ["--items", "300", "--batch", "100", "--base", "60", "--repeats", "1"]
    data = _bench_json("fts_cost.py", small, tmp_path)
    assert data["items"] == 300
    assert data["batch"] == 100
    assert set(data["cpu_s"]) == {"words", "pairs", "words+pairs", "words+words", "pairs detail=none"}
    assert all(seconds > 0 for seconds in data["cpu_s"].values())
    # Each field gives one pair fewer than it has words: 300 items, a title and a body each.
    tokens = data["tokens_per_item"]
    assert tokens["pairs"] == pytest.approx(tokens["words"] - 2, abs=0.05)
    # Pairs are far more varied than the syllables they are made of: the cost this script explains.
    distinct = data["distinct_terms_per_batch"]
    assert distinct["pairs"] > 3 * distinct["words"]
    per_item = data["distinct_terms_per_item"]
    assert 0 < per_item["words"] < tokens["words"]  # words repeat within an item
    assert per_item["words"] < per_item["pairs"] <= tokens["pairs"]
