"""Polling that an office can leave running for months: conditional GET, verified; adaptive intervals; back-off.

Lessons from Media Cloud, which polls about 180,000 feeds:

- Conditional GET (``ETag``/``Last-Modified``) saves bandwidth but cannot be trusted
  alone: many servers send the same ``ETag`` after the feed changed, or answer 304 for
  ever. So every full read is fingerprinted (its entries' ids and titles, which ignores
  ``lastBuildDate`` churn), a source whose validators stayed put while its entries
  changed stops getting conditional requests, and after a run of 304s one unconditional
  read checks that the server still tells the truth.
- Feeds differ by orders of magnitude in how often they change: each source's interval
  shrinks while new items keep arriving and grows while nothing changes.
- Feeds fail and come back: a failing source is backed off exponentially, never
  disabled, and one success puts it back on its normal interval.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from core.enums import SourceKind
from core.errors import FetchError
from core.identity import item_id
from core.source import Source
from crawlers.channels import read_channel
from crawlers.feeds import FeedEntry, ParsedFeed
from crawlers.fetch import FetchedPage, Fetcher, RateLimited, failure_kind
from crawlers.sitemaps import SITEMAP_TYPES, collect_sitemap
from crawlers.state import SourceRecord, SourceState

#: What a feed may be served as; HTML stays in because misconfigured feeds and Telegram
#: previews come as HTML, and the reader says which it was.
FEED_CONTENT_TYPES = ("xml", "json", "html", "text/plain", "octet-stream")
#: Item ids remembered per source to count new entries (a news sitemap lists at most 1,000).
_MAX_KEYS = 5000
#: 2**40 intervals is far past any cap; stops the power from growing without bound.
_MAX_EXPONENT = 40
#: How the readers' problems (feeds, sitemaps, channels) begin, and the kind health counts them under.
_PROBLEM_KINDS = (
    ("empty document", "empty"),
    ("not a feed (HTML page)", "html_not_feed"),
    ("not a feed", "not_a_feed"),
    ("not a JSON Feed", "not_a_feed"),
    ("JSON Feed without", "not_a_feed"),
    ("not a sitemap", "not_a_sitemap"),
    ("not a Telegram", "not_a_feed"),
    ("malformed", "malformed"),
    ("wrong declared encoding", "encoding"),
    ("unknown character encoding", "encoding"),
    ("broken gzip", "decoding"),
    ("gzip sitemap over", "too_large"),
    ("child sitemaps failed", "sitemap_child"),
    ("lines that are not URLs", "malformed"),
)

#: Kinds the poller does not read, and what to do instead.
_NOT_POLLED = {
    SourceKind.SITE: 'site sources are not collected; the spiders crawl kind = "listing" (with article_pattern)',
    SourceKind.LISTING: "listing sources are crawled by the spiders (`pressdesk crawl`), not polled",
}


class PollOutcome(StrEnum):
    """How one poll ended."""

    CHANGED = "changed"  # read in full; its entries differ from last time
    UNCHANGED = "unchanged"  # read in full; same entries (the server ignored, or we skipped, conditional GET)
    NOT_MODIFIED = "not_modified"  # the server answered 304
    FAILED = "failed"  # nothing could be read; the source is backed off
    SKIPPED = "skipped"  # a kind this poller does not collect (sites and listings need the spiders)


@dataclass(frozen=True)
class PollPolicy:
    """The numbers behind adaptive intervals and back-off (seconds).

    Attributes:
        priority_floor: shortest interval of a priority source.
        floor: shortest interval of any other source.
        ceiling: longest interval of a source that answers but never changes.
        max_backoff: longest wait before retrying a failing source.
        faster: factor applied to the interval when new items arrived.
        slower: factor applied when nothing changed.
        verify_after: consecutive 304 answers after which one unconditional read checks them.
    """

    priority_floor: float = 60.0
    floor: float = 10 * 60.0
    ceiling: float = 24 * 3600.0
    max_backoff: float = 30 * 24 * 3600.0
    faster: float = 0.5
    slower: float = 1.5
    verify_after: int = 6

    def lowest(self, source: Source) -> float:
        """The shortest interval ``source`` may reach (never above the one it was configured with)."""
        wanted = self.priority_floor if source.priority else self.floor
        return min(wanted, source.interval_minutes * 60.0)

    def after_new_items(self, interval: float, source: Source) -> float:
        """New items arrived: poll sooner."""
        return max(self.lowest(source), interval * self.faster)

    def after_no_change(self, interval: float, source: Source) -> float:
        """Nothing changed: poll later."""
        return max(self.lowest(source), min(self.ceiling, interval * self.slower))

    def backoff(self, interval: float, failures: int) -> float:
        """Wait after the ``failures``-th consecutive failure: one interval, then doubling, capped."""
        return min(self.max_backoff, interval * 2.0 ** min(max(failures - 1, 0), _MAX_EXPONENT))


@dataclass(frozen=True)
class PollResult:
    """One poll of one source.

    Attributes:
        source: the source polled.
        outcome: how it ended.
        entries: what a full read found (empty after a 304 or a failure); entries already
            seen are included, so that articles that failed earlier are tried again.
        new_entries: entries not listed at the previous read.
        problem: why it failed, or what was wrong with a source that was still read.
        kind: the problem's kind (``"http_404"``, ``"malformed"``, ...), ``""`` for none.
        record: the source's state after the poll.
    """

    source: Source
    outcome: PollOutcome
    record: SourceRecord
    entries: tuple[FeedEntry, ...] = ()
    new_entries: int = 0
    problem: str = ""
    kind: str = ""


class Poller:
    """Polls sources through the polite ``Fetcher`` and keeps their state.

    Args:
        fetcher: every request goes through it (robots.txt, per-host delay, size limits).
        state: where validators, fingerprints, intervals and counts are kept.
        policy: the interval and back-off numbers.

    The constructor does no I/O.
    """

    def __init__(self, fetcher: Fetcher, state: SourceState, policy: PollPolicy | None = None) -> None:
        self.fetcher = fetcher
        self.state = state
        self.policy = policy or PollPolicy()

    def due(self, sources: Iterable[Source], now: datetime) -> list[Source]:
        """The sources to poll at ``now`` (see ``SourceState.due``)."""
        return self.state.due(sources, now)

    def count_error(self, source_id: str, kind: str, now: datetime) -> None:
        """Count an error met while handling a source's entries (an article that failed, say)."""
        self.state.add_error(source_id, kind, now)

    def poll(self, source: Source, now: datetime) -> PollResult:
        """Poll ``source`` once, record the outcome and schedule the next poll.

        Returns:
            the outcome; failures are in it, never raised, so one source cannot stop a cycle.
        """
        known = self.state.get(source.id) or SourceRecord.fresh(source)
        record = replace(known, outlet=source.outlet.name, last_attempt_at=now)
        if source.kind in _NOT_POLLED:
            return PollResult(
                source, PollOutcome.SKIPPED, record, problem=_NOT_POLLED[source.kind], kind="unsupported_kind"
            )
        accept = SITEMAP_TYPES if source.kind is SourceKind.SITEMAP else FEED_CONTENT_TYPES
        try:
            page = self.fetcher.fetch(source.url, headers=self._conditional(record), accept=accept)
            if page.not_modified:
                return self._not_modified(source, record, now)
            feed = self._read(source, page)
        except FetchError as exc:
            retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            return self._failed(source, record, now, failure_kind(exc), exc.reason, retry_after=retry_after)
        if feed.broken:
            return self._failed(source, record, now, _problem_kind(feed.problem), feed.problem)
        validators = (page.headers.get("etag", ""), page.headers.get("last-modified", ""))
        return self._read_in_full(source, record, now, validators, feed)

    def record_listing(
        self,
        source: Source,
        now: datetime,
        entries: Sequence[FeedEntry],
        *,
        problem: str = "",
        kind: str = "",
        retry_after: float | None = None,
    ) -> PollResult:
        """Record what the spiders found on a listing source's pages, as a poll would.

        The same policy applies as for feeds: new links shorten the interval, an unchanged
        listing lengthens it, a failure backs the source off (never sooner than a
        ``Retry-After`` the site sent).

        Args:
            source: the listing source.
            now: when it was crawled.
            entries: the article links found (empty when every listing page failed).
            problem: why it failed, or what went wrong with a listing that was still read.
            kind: the problem's kind (``"http_429"``, ``"robots"``, ...).
            retry_after: seconds the site asked us to wait.

        Returns:
            the outcome, with the source's new state.
        """
        known = self.state.get(source.id) or SourceRecord.fresh(source)
        record = replace(known, outlet=source.outlet.name, last_attempt_at=now)
        if not entries and problem:
            return self._failed(source, record, now, kind or "fetch", problem, retry_after=retry_after)
        feed = ParsedFeed(title="", entries=tuple(entries), problem=problem)
        return self._read_in_full(source, record, now, ("", ""), feed, kind=kind)

    def _conditional(self, record: SourceRecord) -> dict[str, str]:
        """Validators to send, unless the source lied before or it is time to check its 304s."""
        if not record.validators_trusted or record.not_modified_streak >= self.policy.verify_after:
            return {}
        headers = {}
        if record.etag:
            headers["If-None-Match"] = record.etag
        if record.last_modified:
            headers["If-Modified-Since"] = record.last_modified
        return headers

    def _read(self, source: Source, page: FetchedPage) -> ParsedFeed:
        if source.kind is SourceKind.SITEMAP:
            return collect_sitemap(self.fetcher, page).as_feed()
        return read_channel(page.body, page.final_url, page.content_type)

    def _not_modified(self, source: Source, record: SourceRecord, now: datetime) -> PollResult:
        interval = self.policy.after_no_change(record.interval_seconds, source)
        record = replace(
            record,
            interval_seconds=interval,
            next_due=now + timedelta(seconds=interval),
            failures=0,
            not_modified_streak=record.not_modified_streak + 1,
            last_success_at=now,
        )
        self.state.put(record)
        return PollResult(source, PollOutcome.NOT_MODIFIED, record)

    def _read_in_full(
        self,
        source: Source,
        record: SourceRecord,
        now: datetime,
        validators: tuple[str, str],
        feed: ParsedFeed,
        *,
        kind: str = "",
    ) -> PollResult:
        keys = tuple(dict.fromkeys(item_id(entry.url) for entry in feed.entries))[:_MAX_KEYS]
        fingerprint = _fingerprint(feed.entries)
        first = not record.body_hash
        changed = fingerprint != record.body_hash
        previous = set(record.entry_keys)
        new = sum(1 for key in keys if key not in previous)
        etag, last_modified = validators
        # Same validators for different entries: the server's validators say nothing, so
        # conditional requests to it could hide new items.
        stale_validators = bool(etag or last_modified) and (etag, last_modified) == (record.etag, record.last_modified)
        interval = record.interval_seconds
        if not first and new:
            interval = self.policy.after_new_items(interval, source)
        elif not changed:
            interval = self.policy.after_no_change(interval, source)
        record = replace(
            record,
            etag=etag,
            last_modified=last_modified,
            validators_trusted=record.validators_trusted and not (changed and not first and stale_validators),
            body_hash=fingerprint,
            entry_keys=keys,
            interval_seconds=interval,
            next_due=now + timedelta(seconds=interval),
            failures=0,
            not_modified_streak=0,
            last_success_at=now,
        )
        self.state.put(record)
        self.state.add_items(source.id, new, now)
        kind = (kind or _problem_kind(feed.problem)) if feed.problem else ""
        if kind:
            self.state.add_error(source.id, kind, now)
        outcome = PollOutcome.CHANGED if changed else PollOutcome.UNCHANGED
        return PollResult(source, outcome, record, feed.entries, new, feed.problem, kind)

    def _failed(
        self,
        source: Source,
        record: SourceRecord,
        now: datetime,
        kind: str,
        reason: str,
        *,
        retry_after: float | None = None,
    ) -> PollResult:
        failures = record.failures + 1
        # A site that said how long to wait (429/503 with Retry-After) is not asked sooner.
        wait = max(self.policy.backoff(record.interval_seconds, failures), retry_after or 0.0)
        record = replace(
            record,
            failures=failures,
            next_due=now + timedelta(seconds=wait),
            last_error=reason,
            last_error_kind=kind,
        )
        self.state.put(record)
        self.state.add_error(source.id, kind, now)
        return PollResult(source, PollOutcome.FAILED, record, problem=reason, kind=kind)


def _problem_kind(problem: str) -> str:
    """The kind of a reader's problem for source health; ``""`` for none, ``"unreadable"`` for the unexpected."""
    if not problem:
        return ""
    return next((kind for prefix, kind in _PROBLEM_KINDS if problem.startswith(prefix)), "unreadable")


def _fingerprint(entries: Sequence[FeedEntry]) -> str:
    """What the source lists, independent of order and of feed-level dates that change on every build."""
    lines = sorted(f"{item_id(entry.url)}\t{entry.title}" for entry in entries)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:32]
