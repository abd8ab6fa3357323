"""Benchmark one demo cycle end to end on the local replay, stage by stage.

    .venv/bin/python bench/journey.py [--json]

Runs the demo journey (replay server, polite fetch, extraction, classification with the
bundled model, SQLite, routing, SMTP digests) in a fresh temporary data folder, twice:
once with an empty embedding cache and once warm. Reports items per second and the time
of each stage; peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from core.settings import Settings
from pressdesk.demo import demo_environment, run_demo_cycle


def one_run(data_dir: Path) -> dict[str, float]:
    settings = Settings(data_dir=data_dir)
    stage_first: dict[str, float] = {}
    stage_last: dict[str, float] = defaultdict(float)

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stage_first.setdefault(stage, now)
        stage_last[stage] = now

    started = time.perf_counter()
    with demo_environment(settings) as env:
        run = run_demo_cycle(env, progress=progress)
    total = time.perf_counter() - started
    c = run.cycle
    return {
        "fetched": c.fetched,
        "stored": c.stored,
        "alerts": c.alerts,
        "digests_sent": run.digests.sent,
        "seconds_total": round(total, 2),
        "seconds_fetch_extract": round(stage_last["fetch"] - stage_first["fetch"], 2),
        "seconds_classify": round(stage_last["classify"] - stage_first["classify"], 2),
        "items_per_s": round(c.fetched / total, 1) if total else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cold = one_run(Path(tmp))
        warm = one_run(Path(tmp))  # the demo folder is emptied; the embedding cache beside it is kept
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = {"cold": cold, "warm": warm, "peak_rss_bytes": peak}
    if args.json:
        print(json.dumps(result))
        return
    for name, run in (("cold cache", cold), ("warm cache", warm)):
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in run.items()))
    print(f"peak RSS: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
