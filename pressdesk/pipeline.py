"""One cycle of the journey: feeds → pages → extraction → relevance → classification → store → routing.

The stages meet only through ``core`` types; this module is the one place that knows the
order. Each failure is logged once with the source and the reason, counted, and the
cycle goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from alerts import AlertBook, route
from classify import Classifier, Gazetteer
from core.config import ProjectConfig
from core.errors import ExtractionError, FetchError, RobotsDisallowed
from core.identity import item_id
from core.item import Fetched, Item
from core.ports import Store
from core.source import Source
from crawlers import FeedEntry, Fetcher, extract_article, read_feed
from pressdesk.ledger import CrawlLedger

log = logging.getLogger("pressdesk.pipeline")

#: Shorter texts are rejected by extraction: a title with a one-line summary is still news.
MIN_ARTICLE_CHARS = 80


@dataclass(slots=True)
class CycleSummary:
    """What one cycle did, in numbers a person can check."""

    sources: int = 0
    feeds_failed: int = 0
    entries: int = 0
    duplicates: int = 0
    already_seen: int = 0
    robots_disallowed: int = 0
    fetch_errors: int = 0
    fetched: int = 0
    extracted: int = 0
    extraction_errors: int = 0
    relevant: int = 0
    stored: int = 0
    updated: int = 0
    alerts: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Journey:
    """The parts one cycle needs, already built by ``pressdesk.wiring``."""

    config: ProjectConfig
    fetcher: Fetcher
    store: Store
    classifier: Classifier
    gazetteer: Gazetteer
    alerts: AlertBook
    ledger: CrawlLedger


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _read_entries(journey: Journey, sources: Sequence[Source], summary: CycleSummary) -> list[tuple[Source, FeedEntry]]:
    """Read every feed and return new entries, each article once across all feeds."""
    picked: dict[str, tuple[Source, FeedEntry]] = {}
    for source in sources:
        summary.sources += 1
        try:
            page = journey.fetcher.fetch(source.url)
        except FetchError as exc:
            summary.feeds_failed += 1
            summary.problems.append(f"{source.id}: {exc.reason}")
            log.warning("feed %s failed: %s", source.id, exc.reason)
            continue
        feed = read_feed(page.body, page.final_url, page.content_type)
        if feed.problem:
            summary.problems.append(f"{source.id}: {feed.problem}")
            log.warning("feed %s: %s", source.id, feed.problem)
        for entry in feed.entries:
            summary.entries += 1
            key = item_id(entry.url)
            if key in picked:
                summary.duplicates += 1  # the same article through a second feed or with tracking parameters
                continue
            picked[key] = (source, entry)
    known = journey.ledger.seen(picked) | journey.store.existing(picked)
    summary.already_seen += len(known)
    return [pair for key, pair in picked.items() if key not in known]


def _fetch_articles(
    journey: Journey, entries: Sequence[tuple[Source, FeedEntry]], summary: CycleSummary, progress: Progress
) -> list[Item]:
    items: list[Item] = []
    for n, (source, entry) in enumerate(entries, 1):
        progress("fetch", n, len(entries))
        key = item_id(entry.url)
        try:
            page = journey.fetcher.fetch(entry.url)
        except RobotsDisallowed:
            # Not written to the ledger: robots.txt may change (or was only briefly failing),
            # and asking again is cheap because the fetcher caches it.
            summary.robots_disallowed += 1
            continue
        except FetchError as exc:
            summary.fetch_errors += 1
            summary.problems.append(f"{source.id}: {exc.url}: {exc.reason}")
            log.warning("article from %s failed: %s (%s)", source.id, exc.reason, exc.url)
            continue
        summary.fetched += 1
        fetched = Fetched(
            url=entry.url,
            source_id=source.id,
            outlet=source.outlet.name,
            fetched_at=datetime.now(UTC),
            feed_title=entry.title,
            feed_summary=entry.summary,
            feed_published=entry.published,
        )
        try:
            extracted = extract_article(page.body, page.final_url, min_chars=MIN_ARTICLE_CHARS)
        except ExtractionError as exc:
            summary.extraction_errors += 1
            log.warning("no article text at %s: %s", entry.url, exc)
            journey.ledger.mark(key, entry.url, source.id, f"extraction: {exc}")
            continue
        summary.extracted += 1
        items.append(Item(id=key, fetched=fetched).with_extracted(extracted))
    return items


def run_cycle(
    journey: Journey,
    sources: Sequence[Source],
    *,
    now: datetime | None = None,
    progress: Progress = _noop,
) -> CycleSummary:
    """Run the journey once over ``sources`` and return what happened."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    summary = CycleSummary()
    entries = _read_entries(journey, sources, summary)
    items = _fetch_articles(journey, entries, summary, progress)

    # The gazetteer is cheap; only items that name the locality at all are embedded.
    candidates: list[Item] = []
    for item in items:
        if journey.gazetteer.find(item.title, item.text):
            candidates.append(item)
        else:
            journey.ledger.mark(item.id, item.fetched.url, item.fetched.source_id, "off-topic")
    progress("classify", 0, len(candidates))
    classified = journey.classifier.classify(candidates)
    progress("classify", len(candidates), len(candidates))

    relevant: list[Item] = []
    for item in classified:
        if item.classified is None or not item.classified.about:
            journey.ledger.mark(item.id, item.fetched.url, item.fetched.source_id, "mention-only")
            continue
        routed = route(item, journey.config, now)
        relevant.append(item.with_routed(routed) if routed else item)
    summary.relevant = len(relevant)

    if relevant:
        result = journey.store.upsert(relevant)
        summary.stored, summary.updated = result.added, result.updated
    for item in relevant:
        journey.ledger.mark(item.id, item.fetched.url, item.fetched.source_id, "stored")
        if item.routed is not None:
            journey.alerts.record(item, item.routed)
            summary.alerts += 1
    summary.seconds = round(time.monotonic() - started, 2)
    return summary
