"""One cycle of the journey: feeds → pages → extraction → relevance → classification → store → routing.

The stages meet only through ``core`` types; this module is the one place that knows the
order. A cycle polls only the sources that are due (each source's interval adapts to how
often it changes, and failing ones are backed off), unless asked to poll every source.
Each failure is logged once with the source and the reason, counted in the cycle summary
and in the source's health, and the cycle goes on.

Nothing collected is lost to a crash or a store outage: feed entries go to the spool's
intake as soon as a poll returns them, classified items (with their routing decisions)
go to the spool in one transaction before anything downstream, and a drain step moves
them into the store, the crawl ledger and the alert book, each step idempotent
(``pressdesk.spool`` explains the order). While the store is unavailable the cycle keeps
collecting into the spool and says so in one line; later cycles drain it oldest first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime

from alerts import AlertBook, Decision, Triage, route
from classify import Classifier, Gazetteer
from classify.claims import ClaimMatcher
from classify.stories import StoryIndex
from core.config import ProjectConfig
from core.enums import SourceKind
from core.errors import ExtractionError, FetchError, RobotsDisallowed, StoreUnavailable
from core.identity import item_id
from core.item import Fetched, Item
from core.ports import Store
from core.source import Source
from crawlers import (
    FeedEntry,
    FetchedPage,
    Fetcher,
    Poller,
    PollOutcome,
    channel_feed,
    extract_article,
    extracted_post,
    failure_kind,
)
from crawlers.spiders import ListingCrawl, SpiderRunner
from pressdesk.ledger import CrawlLedger
from pressdesk.spool import SPOOL_FILE, Spool

log = logging.getLogger("pressdesk.pipeline")

#: Shorter texts are rejected by extraction: a title with a one-line summary is still news.
MIN_ARTICLE_CHARS = 80
#: What an article link may be served as; a PDF or a video behind a feed link is refused
#: before its body is downloaded.
ARTICLE_TYPES = ("html",)
#: Entries fetched, classified and spooled together: a crash loses at most one chunk's work
#: (fetched again on restart), and the classifier still embeds in batches.
CHUNK = 16
#: Spooled items moved into the store per transaction.
DRAIN_BATCH = 100


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
    #: Items waiting in the spool when the cycle ended (the store was unavailable, or is catching up).
    spooled: int = 0
    #: Why the store could not take items this cycle, ``""`` when it could.
    store_unavailable: str = ""
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
    #: Triage (alerts.Triage); without it the simpler ``alerts.route`` decides.
    triage: Triage | None = None
    #: Runs the Scrapy spiders for ``listing`` sources; without it they are skipped with a warning.
    spiders: SpiderRunner | None = None
    #: Matches items against the fact-check registry; without it items carry no claims.
    claims: ClaimMatcher | None = None
    #: Groups re-publications of one story; without it items carry no cluster id.
    stories: StoryIndex | None = None
    #: The durable spool; by default ``spool.db`` beside the crawl ledger (the data directory).
    spool: Spool | None = None

    def __post_init__(self) -> None:
        if self.spool is None:
            # Frozen: the default is filled once here, so every stage sees the same spool.
            object.__setattr__(self, "spool", Spool(self.ledger.path.with_name(SPOOL_FILE)))

    @property
    def durable(self) -> Spool:
        """The spool (always set after construction)."""
        assert self.spool is not None
        return self.spool


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _read_entries(
    journey: Journey, sources: Sequence[Source], summary: CycleSummary, now: datetime
) -> list[tuple[Source, FeedEntry]]:
    """Poll each source and return the entries to handle, each article once across all sources.

    Each poll's entries go to the spool's intake before the next source is polled, so the
    entries of a cycle killed half-way are taken up by the next one (oldest first), even
    if the feed answers 304 by then.
    """
    spool = journey.durable
    picked: set[str] = set()
    for source in sources:
        summary.sources += 1
        spool.begin_poll(source.id)
        result = journey.poller.poll(source, now)
        fresh: list[tuple[str, FeedEntry]] = []
        if result.problem:
            summary.problems.append(f"{source.id}: {result.problem}")
        if result.outcome is PollOutcome.FAILED:
            summary.feeds_failed += 1
            log.warning("feed %s failed: %s", source.id, result.problem)
        elif result.outcome is PollOutcome.SKIPPED:
            log.warning("source %s skipped: %s", source.id, result.problem)
        else:
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
                picked.add(key)
                fresh.append((key, entry))
        spool.take_entries(source.id, fresh)
    by_id = {s.id: s for s in (*journey.config.sources, *sources)}
    waiting = [(key, sid, entry) for key, sid, entry in spool.intake()]
    orphans = [key for key, sid, _ in waiting if sid not in by_id]  # their source left the config
    pending = {key: (by_id[sid], entry) for key, sid, entry in waiting if sid in by_id}
    known = _known(journey, pending)
    summary.already_seen += len(known & picked)
    spool.discard_intake([*orphans, *known])
    return [pair for key, pair in pending.items() if key not in known]


def _known(journey: Journey, keys: Collection[str]) -> set[str]:
    """Ids handled before: in the crawl ledger, waiting in the spool, or in the store (when it answers)."""
    known = journey.ledger.seen(keys) | journey.durable.holding(keys)
    try:
        known |= journey.store.existing(keys)
    except StoreUnavailable as exc:
        # The ledger knows every item the pipeline stored, so this only misses items stored
        # by other means; those are fetched again and their upsert is a no-op.
        log.info("store not asked which items it has (%s); the crawl ledger answers alone", exc)
    return known


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
        item = _extract_fetched(journey, source, fetched, page, summary=summary, now=now)
        if item is not None:
            items.append(item)
    return items


def _extract_fetched(
    journey: Journey, source: Source, fetched: Fetched, page: FetchedPage, *, summary: CycleSummary, now: datetime
) -> Item | None:
    """Extract a fetched article page; a page without article text is logged, counted and remembered."""
    key = item_id(fetched.url)
    summary.fetched += 1
    try:
        extracted = extract_article(page.body, page.final_url, min_chars=MIN_ARTICLE_CHARS)
    except ExtractionError as exc:
        summary.extraction_errors += 1
        log.warning("no article text at %s: %s", fetched.url, exc)
        journey.ledger.mark(key, fetched.url, source.id, f"extraction: {exc}")
        journey.poller.count_error(source.id, "article:extraction", now)
        return None
    summary.extracted += 1
    return Item(id=key, fetched=fetched).with_extracted(extracted)


def _crawl_listings(
    journey: Journey,
    sources: Sequence[Source],
    summary: CycleSummary,
    progress: Progress,
    now: datetime,
    *,
    taken: set[str],
) -> list[Item]:
    """Crawl the listing sources with the spiders and extract their article pages.

    Each source's listing outcome is recorded in its health as a poll would be; article
    pages join the same path as feed entries: keyed by ``item_id``, skipped when another
    source in this cycle (``taken``), the store or the crawl ledger already has them.
    """
    if journey.spiders is None or not sources:
        return []
    crawl = journey.spiders.run(sources, progress=lambda n: progress("crawl", n, n))
    if not crawl.finished:
        log.warning("listing crawl ended early (%s); the next run resumes it", crawl.finish_reason)
    for source in sources:
        _record_listing(journey, source, crawl, summary, now)
    known_sources = {s.id: s for s in (*journey.config.sources, *sources)}
    for problem in crawl.problems:
        if problem.listing or problem.source_id not in known_sources:
            continue
        if problem.kind == "robots":
            summary.robots_disallowed += 1
        else:
            summary.fetch_errors += 1
            summary.problems.append(f"{problem.source_id}: {problem.url}: {problem.reason}")
            log.warning("article from %s failed: %s (%s)", problem.source_id, problem.reason, problem.url)
        journey.poller.count_error(problem.source_id, f"article:{problem.kind}", now)
    # Pages of a crawl interrupted earlier may belong to sources not due now: still theirs.
    pages = {item_id(p.url): p for p in crawl.pages if p.source_id in known_sources and item_id(p.url) not in taken}
    summary.duplicates += sum(1 for p in crawl.pages if item_id(p.url) in taken)
    known = _known(journey, pages)
    summary.already_seen += len(known)
    items: list[Item] = []
    for key, crawled in pages.items():
        if key in known:
            continue
        source = known_sources[crawled.source_id]
        fetched = Fetched(
            url=crawled.url,
            source_id=source.id,
            outlet=source.outlet.name,
            fetched_at=datetime.now(UTC),
            feed_title=crawled.title,
        )
        page = FetchedPage(
            url=crawled.url,
            final_url=crawled.final_url,
            status=crawled.status,
            content_type=crawled.content_type,
            body=crawled.body,
            headers={"content-type": crawled.content_type},
        )
        item = _extract_fetched(journey, source, fetched, page, summary=summary, now=now)
        if item is not None:
            items.append(item)
    return items


def _record_listing(
    journey: Journey, source: Source, crawl: ListingCrawl, summary: CycleSummary, now: datetime
) -> None:
    """Record one listing source's outcome in its health, as a poll of a feed would be."""
    summary.sources += 1
    entries = crawl.entries(source.id)
    summary.entries += len(entries)
    failed = crawl.listing_problems(source.id)
    read = any(listed.source_id == source.id for listed in crawl.listed)
    if failed:
        first = failed[0]
        problem, kind, retry_after = first.reason, first.kind, first.retry_after
    elif not read:
        problem, kind, retry_after = f"the crawl ended ({crawl.finish_reason}) before its listing pages", "spider", None
    elif not entries:
        problem, kind, retry_after = "no article link matched article_pattern / article_css", "no_links", None
    else:
        problem, kind, retry_after = "", "", None
    result = journey.poller.record_listing(
        source, now, entries if read else (), problem=problem, kind=kind, retry_after=retry_after
    )
    if result.outcome is PollOutcome.FAILED:
        summary.feeds_failed += 1
        log.warning("listing %s failed: %s", source.id, problem)
    elif problem:
        log.warning("listing %s: %s", source.id, problem)
    if problem:
        summary.problems.append(f"{source.id}: {problem}")


def _claims_and_story(journey: Journey, item: Item) -> Item:
    """The item with its claim matches (fact-check links included) and its story cluster id."""
    labels = item.classified
    if labels is None:
        return item
    claims = labels.claims
    if journey.claims is not None:
        claims = journey.claims.match(item.title, item.text, embedding=item.embedding, published=item.published)
    cluster = labels.cluster_id
    if journey.stories is not None:
        cluster = journey.stories.assign(
            item.id,
            item.title,
            item.text,
            outlet=item.fetched.outlet,
            seen=item.published or item.fetched.fetched_at,
            embedding=item.embedding,
        )
    return item.with_classified(replace(labels, claims=claims, cluster_id=cluster))


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
    spool = journey.durable
    _recover_polls(journey, now)
    waiting = spool.status()
    if waiting.depth and not waiting.degraded:
        _drain(journey, summary)  # what an earlier cycle left waiting goes first (a known outage waits for the end)
    chosen = list(sources) if every else journey.poller.due(sources, now)
    summary.not_due = len(sources) - len(chosen)
    # Listing sources go to the spiders when there are any; otherwise the poller skips them.
    listings = [s for s in chosen if s.kind is SourceKind.LISTING] if journey.spiders is not None else []
    entries = _read_entries(journey, [s for s in chosen if s not in listings], summary, now)
    for first in range(0, len(entries), CHUNK):
        chunk = entries[first : first + CHUNK]
        offset = _Offset(progress, first, len(entries))
        items = _fetch_articles(journey, chunk, summary, offset, now)
        spool.put(_judge(journey, items, summary, progress, now), handled=[item_id(e.url) for _, e in chunk])
    taken = {item_id(entry.url) for _, entry in entries}
    listed = _crawl_listings(journey, listings, summary, progress, now, taken=taken)
    if listed:
        spool.put(_judge(journey, listed, summary, progress, now))
    _drain(journey, summary)
    summary.spooled = spool.status().depth
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


@dataclass(frozen=True, slots=True)
class _Offset:
    """Reports a chunk's fetch progress as progress over the whole cycle."""

    progress: Progress
    first: int
    total: int

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.progress(stage, self.first + done, self.total)


def _recover_polls(journey: Journey, now: datetime) -> None:
    """Read again in full the sources whose poll was cut short before its entries reached the spool.

    The poller saves a feed's validators before it returns the entries; after a crash in
    between, a conditional request would get a 304 and the entries would never come back.
    """
    spool = journey.durable
    for source_id in spool.interrupted_polls():
        record = journey.poller.state.get(source_id)
        if record is not None:
            journey.poller.state.put(replace(record, etag="", last_modified="", next_due=now))
        log.info("source %s: the last poll was interrupted; it is read again in full", source_id)
        spool.forget_poll(source_id)


def _judge(
    journey: Journey, items: Sequence[Item], summary: CycleSummary, progress: Progress, now: datetime
) -> list[tuple[Item, list[Decision]]]:
    """Relevance, classification, claims, story and triage; returns the relevant items with their decisions."""
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

    relevant: list[tuple[Item, list[Decision]]] = []
    for item in classified:
        if item.classified is None or not item.classified.about:
            journey.ledger.mark(item.id, item.fetched.url, item.fetched.source_id, "mention-only")
            continue
        # Before routing: an auto-tier claim match routes as false.
        item = _claims_and_story(journey, item)  # noqa: PLW2901 - the same item, now with claims and cluster
        decisions: list[Decision] = []
        if journey.triage is not None:
            decisions = journey.triage.decide([item], now).get(item.id, [])
            routed = decisions[0].routed if decisions else None
        else:
            routed = route(item, journey.config, now)
        relevant.append((item.with_routed(routed) if routed else item, decisions))
    summary.relevant += len(relevant)
    return relevant


def _drain(journey: Journey, summary: CycleSummary) -> None:
    """Move spooled items into the store, the crawl ledger and the alert book, oldest first.

    Each batch is upserted (by id), marked in the ledger, its alerts recorded (one per story
    or item and unit), and only then removed from the spool: a crash anywhere in between
    repeats steps whose second run changes nothing. When the store (or the alert book) is
    unavailable the items stay in the spool, one line says so, and the next cycle retries.
    """
    spool = journey.durable
    while batch := spool.next_batch(DRAIN_BATCH):
        items = [entry.item for entry in batch]
        try:
            result = journey.store.upsert(items)
            journey.ledger.mark_many((i.id, i.fetched.url, i.fetched.source_id, "stored") for i in items)
            alerts = 0
            for entry in batch:
                alerts += _record_alerts(journey, entry.item, entry.decisions)
        except StoreUnavailable as exc:
            since = spool.store_down(str(exc), [entry.seq for entry in batch])
            depth = spool.status().depth
            summary.store_unavailable = str(exc)
            log.warning(
                "store unavailable since %s (%s); %d items kept in the spool %s, stored when it answers",
                since.isoformat(timespec="seconds"),
                exc,
                depth,
                spool.path,
            )
            return
        spool.done(entry.seq for entry in batch)
        summary.stored += result.added
        summary.updated += result.updated
        summary.alerts += alerts
    down_since = spool.store_up()
    if down_since is not None:
        log.warning("store available again (unavailable since %s); the spool is drained", down_since.isoformat())


def _record_alerts(journey: Journey, item: Item, decisions: Sequence[Decision]) -> int:
    """Record the item's alerts (idempotent: one alert per story or item and unit); returns how many."""
    if decisions:
        for decision in decisions:
            journey.alerts.record(
                item,
                decision.routed,
                cluster_id=decision.cluster_id,
                trigger=decision.trigger,
                evidence_url=decision.evidence_url,
            )
        return len(decisions)
    if item.routed is not None:
        journey.alerts.record(item, item.routed)
        return 1
    return 0
