"""Quality gate: extraction F1 on ../shared/data/extraction/ must not fall below the pinned floors.

The floors in ``bench/extraction_floors.json`` are what ``bench/extraction.py`` measured
when they were pinned (scores only: speed is measured by running the benchmark, never by
a timed test). Raise them when extraction improves; a drop fails CI.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FLOORS: dict[str, dict[str, float]] = json.loads((REPO / "bench" / "extraction_floors.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    if not (SHARED / "data" / "extraction").is_dir():
        pytest.skip(f"the extraction benchmarks live in {SHARED}/data/extraction, which is not beside this checkout")
    spec = importlib.util.spec_from_file_location("bench_extraction", REPO / "bench" / "extraction.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("benchmark", sorted(FLOORS))
def test_extraction_scores_stay_above_their_floors(bench: ModuleType, benchmark: str) -> None:
    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    try:
        scores = bench.run(benchmark, systems=("ours",))["ours"]
    finally:
        logging.disable(logging.NOTSET)
    for metric, floor in FLOORS[benchmark].items():
        assert scores[metric] >= floor, f"{benchmark} {metric} {scores[metric]:.4f} fell below its floor {floor}"
