"""One cycle of the journey: feeds → pages → extraction → relevance → classification → store → routing.

The stages meet only through ``core`` types; this module is the one place that knows the
order. A cycle polls only the sources that are due (each source's interval adapts to how
often it changes, and failing ones are backed off), unless asked to poll every source.
Each failure is logged once with the source and the reason, counted in the cycle summary
and in the source's health, and the cycle goes on.
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
from crawlers import (
    FeedEntry,
    Fetcher,
    Poller,
    PollOutcome,
    channel_feed,
    extract_article,
    extracted_post,
    failure_kind,
)
from pressdesk.ledger import CrawlLedger

log = logging.getLogger("pressdesk.pipeline")

#: Shorter texts are rejected by extraction: a title with a one-line summary is still news.
MIN_ARTICLE_CHARS = 80
#: What an article link may be served as; a PDF or a video behind a feed link is refused
#: before its body is downloaded.
ARTICLE_TYPES = ("html",)


@dataclass(slots=True)
class CycleSummary:
    """What one cycle did, in numbers a person can check."""

    sources: int = 0
    not_due: int = 0
    feeds_failed: int = 0
    unchanged: int = 0
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
    poller: Poller


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _read_entries(
    journey: Journey, sources: Sequence[Source], summary: CycleSummary, now: datetime
) -> list[tuple[Source, FeedEntry]]:
    """Poll each source and return new entries, each article once across all sources."""
    picked: dict[str, tuple[Source, FeedEntry]] = {}
    for source in sources:
        summary.sources += 1
        result = journey.poller.poll(source, now)
        if result.problem:
            summary.problems.append(f"{source.id}: {result.problem}")
        if result.outcome is PollOutcome.FAILED:
            summary.feeds_failed += 1
            log.warning("feed %s failed: %s", source.id, result.problem)
            continue
        if result.outcome is PollOutcome.SKIPPED:
            log.warning("source %s skipped: %s", source.id, result.problem)
            continue
        if result.problem:
            log.warning("feed %s: %s", source.id, result.problem)  # read all the same, with what could be saved
        if result.outcome in (PollOutcome.UNCHANGED, PollOutcome.NOT_MODIFIED):
            summary.unchanged += 1
        for entry in result.entries:
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
    journey: Journey,
    entries: Sequence[tuple[Source, FeedEntry]],
    summary: CycleSummary,
    progress: Progress,
    now: datetime,
) -> list[Item]:
    items: list[Item] = []
    for n, (source, entry) in enumerate(entries, 1):
        progress("fetch", n, len(entries))
        key = item_id(entry.url)
        fetched = Fetched(
            url=entry.url,
            source_id=source.id,
            outlet=source.outlet.name,
            fetched_at=datetime.now(UTC),
            feed_title=entry.title,
            feed_summary=entry.summary,
            feed_published=entry.published,
        )
        if channel_feed(source.url) is not None:
            # A channel post is complete in its feed; its page is the platform's, not an article.
            summary.extracted += 1
            items.append(Item(id=key, fetched=fetched).with_extracted(extracted_post(entry, source.outlet.language)))
            continue
        try:
            page = journey.fetcher.fetch(entry.url, accept=ARTICLE_TYPES)
        except RobotsDisallowed:
            # Not written to the ledger: robots.txt may change (or was only briefly failing),
            # and asking again is cheap because the fetcher caches it.
            summary.robots_disallowed += 1
            journey.poller.count_error(source.id, "article:robots", now)
            continue
        except FetchError as exc:
            summary.fetch_errors += 1
            summary.problems.append(f"{source.id}: {exc.url}: {exc.reason}")
            log.warning("article from %s failed: %s (%s)", source.id, exc.reason, exc.url)
            journey.poller.count_error(source.id, f"article:{failure_kind(exc)}", now)
            continue
        summary.fetched += 1
        try:
            extracted = extract_article(page.body, page.final_url, min_chars=MIN_ARTICLE_CHARS)
        except ExtractionError as exc:
            summary.extraction_errors += 1
            log.warning("no article text at %s: %s", entry.url, exc)
            journey.ledger.mark(key, entry.url, source.id, f"extraction: {exc}")
            journey.poller.count_error(source.id, "article:extraction", now)
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
    every: bool = False,
) -> CycleSummary:
    """Run the journey once and return what happened.

    Args:
        journey: the parts, from ``pressdesk.wiring.build_journey``.
        sources: the configured sources; only those due at ``now`` are polled.
        now: the cycle's time (default: the clock).
        progress: called as stages advance, for a progress bar.
        every: poll every source whether due or not (a one-off run, the demo).
    """
    started = time.monotonic()
    now = now or datetime.now(UTC)
    summary = CycleSummary()
    chosen = list(sources) if every else journey.poller.due(sources, now)
    summary.not_due = len(sources) - len(chosen)
    entries = _read_entries(journey, chosen, summary, now)
    items = _fetch_articles(journey, entries, summary, progress, now)

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
