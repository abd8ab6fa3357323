"""What the admin pages and the admin API do, once: sources, source health, units, fact-checks.

The HTML pages (``api.admin``) and the JSON routes (``api.admin_api``) call these, so a
source added in the browser and one added by a script pass the same checks and leave the
same audit entry. Every change is written to the audit log under the account's name.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import Depends, Request
from pydantic import BaseModel, Field, ValidationError, field_validator

from api.admin_sourcebook import FILE_NAME, SourceBook, SourceExists
from api.audit import AuditLog
from api.deps import Services, ServicesDep, opened_once
from classify.factchecks import FactCheck, FactCheckRegistry, claimreview_records, correction_id, office_correction
from core.config import ProjectConfig, SourceModel, load_config
from core.enums import SourceKind
from core.errors import ConfigError, ForbiddenAddress
from core.source import Outlet, Source
from core.text import fold
from crawlers import NetGuard, SourceHealth, SourceRecord, SourceState, source_health

#: Kinds an admin may add: feeds and sitemaps are polled, listing pages go to the spiders.
ADDABLE_KINDS = (SourceKind.FEED, SourceKind.SITEMAP, SourceKind.LISTING)
#: Health statuses in the order the health page lists them: what needs a look first.
STATUS_ORDER = ("failing", "paused", "never polled", "not configured", "ok")
#: Error kinds that mean the site itself asked us to stay away for a while.
_RETRY_AFTER_KINDS = frozenset({"http_429", "http_503"})
#: The largest ClaimReview upload read (a registry export of a few thousand reviews fits).
MAX_IMPORT_BYTES = 5 * 1024 * 1024


# --- dependencies -------------------------------------------------------------------------


def get_sourcebook(request: Request, services: ServicesDep) -> SourceBook:
    """The sources book beside the other files in the data directory (opened once per app)."""
    return opened_once(request, "sourcebook", SourceBook, lambda: SourceBook(services.settings.path(FILE_NAME)))


def get_factchecks(request: Request, services: ServicesDep) -> FactCheckRegistry:
    """The fact-check registry the app was built with, else the one in the data directory."""
    if services.factchecks is not None:
        return services.factchecks
    path = services.settings.path("factchecks.db")
    return opened_once(request, "factchecks", FactCheckRegistry, lambda: FactCheckRegistry(path))


SourceBookDep = Annotated[SourceBook, Depends(get_sourcebook)]
FactChecksDep = Annotated[FactCheckRegistry, Depends(get_factchecks)]


# --- sources --------------------------------------------------------------------------------


class SourceIn(BaseModel):
    """A source to add: the address of its feed, sitemap or listing page and who publishes it."""

    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://", description="feed, sitemap or listing URL")
    outlet: str = Field(min_length=1, max_length=200, description="the publisher's name")
    kind: Literal["feed", "sitemap", "listing"] = "feed"
    id: str = Field(default="", max_length=63, description="a short id; derived from the address when empty")
    language: str = Field(default="vi", pattern=r"^[a-z]{2,3}$")
    country: str = Field(default="VN", pattern=r"^[A-Z]{2}$")
    interval_minutes: int = Field(default=30, ge=1, le=24 * 60)
    article_pattern: str = Field(default="", max_length=500, description="listing only: regex article URLs match")
    article_css: str = Field(default="", max_length=500, description="listing only: CSS selector of article links")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        try:  # urlsplit refuses some addresses ("http://[" raises ValueError), and .port may too
            parts = urlsplit(value)
            parts.port  # noqa: B018 - read for its check
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a web address: {exc}") from exc
        if not parts.hostname or any(char.isspace() for char in value):
            raise ValueError(f"{value!r} is not a web address; write the full https:// address of the feed or page")
        return value

    @field_validator("outlet")
    @classmethod
    def _outlet(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("give the outlet's name")
        return value


@dataclass(frozen=True, slots=True)
class SourceView:
    """One source as the admin page lists it.

    Attributes:
        origin: ``config`` (the TOML file, edited by hand) or ``added`` (the web UI).
        paused: an admin paused it; it is not polled until resumed.
    """

    source: Source
    origin: str
    paused: bool
    added_by: str = ""

    def as_json(self) -> dict[str, object]:
        """JSON-ready, for ``GET /api/admin/sources``."""
        s = self.source
        return {
            "id": s.id,
            "url": s.url,
            "outlet": s.outlet.name,
            "kind": s.kind.value,
            "language": s.outlet.language,
            "country": s.outlet.country,
            "interval_minutes": s.interval_minutes,
            "article_pattern": s.article_pattern,
            "article_css": s.article_css,
            "origin": self.origin,
            "enabled": not self.paused,
            "added_by": self.added_by,
        }


def file_sources(config: ProjectConfig | None) -> tuple[Source, ...]:
    """The sources of the config file as written (a paused one included), read again.

    The app's config may already have the book laid over it (``pressdesk.wiring``), which
    drops paused sources; the file has them all. A file that no longer reads falls back to
    the config the app started with.
    """
    if config is None:
        return ()
    if config.path is not None:
        try:
            return load_config(config.path).sources
        except ConfigError:
            pass
    return config.sources


def source_views(services: Services, book: SourceBook) -> list[SourceView]:
    """Every source: the config file's, then the added ones, each with whether it is paused."""
    paused = book.paused()
    added = book.added()
    added_ids = {entry.source.id for entry in added}
    views = [SourceView(s, "config", s.id in paused) for s in file_sources(services.config) if s.id not in added_ids]
    views += [SourceView(e.source, "added", e.source.id in paused, e.added_by) for e in added]
    return views


def _source_id(url: str, taken: set[str]) -> str:
    host = (urlsplit(url).hostname or "source").lower().removeprefix("www.")
    base = re.sub(r"[^a-z0-9.-]+", "-", host).strip(".-")[:50] or "source"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def check_address(url: str, guard: NetGuard) -> str:
    """Refuse an address the crawler must never fetch; a note when the name does not resolve now.

    The fetcher checks every connection again (``crawlers.netguard``); this check only tells
    the admin at once instead of in the source's health a poll later.

    Raises:
        ForbiddenAddress: the scheme is not http(s), or the host is or resolves to an internal address.
    """
    guard.check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise ForbiddenAddress(url, "the address has no host name")
    if guard.allowed_host(host):
        return ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ForbiddenAddress(url, f"the port is not a number: {exc}") from exc
    try:
        guard.addresses(host, port)
    except ForbiddenAddress:
        raise
    except (OSError, UnicodeError):
        return "unresolved"
    return ""


def add_source(
    services: Services, book: SourceBook, guard: NetGuard, given: SourceIn, actor: str
) -> tuple[Source, str]:
    """Validate ``given`` as the config file would, check its address, keep it and audit it.

    Returns:
        the source kept, and ``"unresolved"`` when its host name did not resolve now (kept anyway:
        the crawler checks the address on each poll), else ``""``.

    Raises:
        ConfigError: the source breaks a config rule (the message says which).
        ForbiddenAddress: the address is internal or not http(s).
        SourceExists: the id is taken.
    """
    taken = {view.source.id for view in source_views(services, book)}
    source_id = given.id.strip() or _source_id(given.url, taken)
    raw: dict[str, object] = {
        "id": source_id,
        "url": given.url.strip(),
        "outlet": given.outlet,
        "kind": given.kind,
        "language": given.language,
        "country": given.country,
        "interval_minutes": given.interval_minutes,
    }
    # Passed whatever the kind: the config's rules refuse listing fields on a feed, as in the file.
    raw.update({key: value for key in ("article_pattern", "article_css") if (value := getattr(given, key))})
    try:
        model = SourceModel.model_validate(raw)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'source'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(reasons) from exc
    note = check_address(model.url, guard)
    source = Source(
        id=model.id,
        url=model.url,
        outlet=Outlet(name=model.outlet, country=model.country, language=model.language),
        kind=model.kind,
        interval_minutes=model.interval_minutes,
        article_pattern=model.article_pattern,
        article_css=model.article_css,
    )
    if source.id in taken:
        raise SourceExists(f"a source with id {source.id!r} already exists; choose another id")
    book.add(source, actor, tuple(taken))
    services.audit.record(
        "sources.add",
        actor,
        {"id": source.id, "url": source.url, "outlet": source.outlet.name, "kind": source.kind.value, "note": note},
    )
    return source, note


def set_source_enabled(
    services: Services, book: SourceBook, source_id: str, enabled: bool, actor: str
) -> SourceView | None:
    """Pause or resume a source (config or added); audited when it changes. ``None``: no such source."""
    view = next((v for v in source_views(services, book) if v.source.id == source_id), None)
    if view is None:
        return None
    if book.set_paused(source_id, not enabled, actor):
        services.audit.record("sources.resume" if enabled else "sources.pause", actor, {"id": source_id})
    return SourceView(view.source, view.origin, not enabled, view.added_by)


# --- source health --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HealthRow:
    """A source's health with what the page adds: a pause by an admin, or a hold the site asked for.

    Attributes:
        hold: ``robots`` (robots.txt forbids us), ``retry_after`` (the site said 429/503 and when
            to come back) or ``""``; the source is not polled before ``health.next_due``.
    """

    health: SourceHealth
    hold: str

    @property
    def status(self) -> str:
        """The health status (``paused`` for a source an admin paused)."""
        return self.health.status


def health_rows(services: Services, book: SourceBook, now: datetime, sort: str = "status") -> list[HealthRow]:
    """Health rows of every known source, paused ones marked, sorted (``status``: failing first).

    Raises:
        StoreUnavailable: the collection state file cannot be opened.
    """
    views = source_views(services, book)
    paused = {v.source.id for v in views if v.paused}
    state = SourceState.for_settings(services.settings)
    try:
        rows = source_health(state, [v.source for v in views], now)
        records = {record.source_id: record for record in state.records()}
    finally:
        state.close()
    out = []
    for row in rows:
        health = row
        if row.source_id in paused:
            health = replace(row, status="paused")
        out.append(HealthRow(health, _hold(records.get(row.source_id), now)))
    return sort_rows(out, sort)


def _hold(record: SourceRecord | None, now: datetime) -> str:
    if record is None or not record.failures:
        return ""
    if record.last_error_kind == "robots":
        return "robots"
    waiting = record.next_due is not None and record.next_due > now
    return "retry_after" if record.last_error_kind in _RETRY_AFTER_KINDS and waiting else ""


SORTS = ("status", "outlet", "items", "last_success")


def sort_rows(rows: Sequence[HealthRow], sort: str) -> list[HealthRow]:
    """Rows in a sort order; unknown orders fall back to ``status`` (failing first, then by failures).

    ``config`` keeps the order ``source_health`` gives (the config's, as the CLI prints it).
    """
    if sort == "config":
        return list(rows)
    epoch = datetime.min.replace(tzinfo=UTC)
    if sort == "outlet":
        return sorted(rows, key=lambda r: (fold(r.health.outlet), r.health.source_id))
    if sort == "items":
        return sorted(rows, key=lambda r: (-r.health.items_per_day, r.health.source_id))
    if sort == "last_success":
        return sorted(rows, key=lambda r: (r.health.last_success_at or epoch, r.health.source_id))
    rank = {status: n for n, status in enumerate(STATUS_ORDER)}
    return sorted(rows, key=lambda r: (rank.get(r.status, len(rank)), -r.health.failures, fold(r.health.outlet)))


# --- units ----------------------------------------------------------------------------------


def unit_json(services: Services) -> list[dict[str, object]]:
    """The unit directory from the config file: topics, shared mailboxes, digest cadence, deadlines.

    A webhook's address is shown, its signing secret never (only the variable's name).
    """
    units = services.config.units if services.config else ()
    return [
        {
            "id": u.id,
            "name": u.name,
            "topics": [topic.value for topic in u.topics],
            "emails": list(u.emails),
            "webhook": u.webhook,
            "webhook_secret_env": u.webhook_secret_env,
            "coordinating": u.coordinating,
            "digest": u.digest,
            "digest_at": u.digest_at,
            "quiet_hours": list(u.quiet_hours) if u.quiet_hours else None,
            "ack_urgent_hours": u.ack_urgent_hours,
            "ack_routine_hours": u.ack_routine_hours,
            "escalate_to": u.escalate_to,
        }
        for u in units
    ]


# --- fact-checks ----------------------------------------------------------------------------


class CorrectionIn(BaseModel):
    """An official correction by the office: the claim, the verdict, why, where it was published, when."""

    claim: str = Field(min_length=3, max_length=2000, description="the false claim, as it circulates")
    verdict: Literal["false", "misleading", "true", "unproven", "other"] = "false"
    explanation: str = Field(min_length=3, max_length=4000, description="why; shown beside flagged items")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s/]+", description="the correction")
    date: dt.date = Field(description="when the correction was published, YYYY-MM-DD")
    publisher: str = Field(default="", max_length=200, description="the office or organisation, never a person")
    claim_id: str = Field(default="", max_length=100, pattern=r"^([A-Za-z0-9][A-Za-z0-9_.:-]*)?$")

    @field_validator("claim", "explanation")
    @classmethod
    def _words(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 3:
            raise ValueError("write at least a few words")
        return value


def add_correction(
    registry: FactCheckRegistry, audit: AuditLog, given: CorrectionIn, actor: str
) -> tuple[FactCheck, bool]:
    """Keep an official correction (the same record ``pressdesk factchecks add`` makes); audited.

    Returns:
        the record and whether it replaced one with the same claim id.
    """
    record = office_correction(
        claim_id=given.claim_id or correction_id(given.url, given.claim),
        claim=given.claim,
        verdict=given.verdict,
        explanation=given.explanation,
        url=given.url,
        when=given.date,
        publisher=" ".join(given.publisher.split()),
    )
    _, replaced = registry.add([record])
    audit.record("factchecks.add", actor, {"replaced": bool(replaced), **record.as_dict()})
    return record, bool(replaced)


def import_claimreview(
    registry: FactCheckRegistry, audit: AuditLog, document: object, actor: str, source_name: str
) -> tuple[list[FactCheck], int, int]:
    """Import the ClaimReviews of a parsed JSON-LD document; audited.

    Returns:
        the records, how many were new and how many replaced older ones.

    Raises:
        ConfigError: the document holds no ClaimReview, or one without a claim.
    """
    records = claimreview_records(document)
    if not records:
        raise ConfigError("no ClaimReview found; upload schema.org ClaimReview JSON-LD (an object, array or @graph)")
    added, replaced = registry.add(records)
    audit.record(
        "factchecks.import",
        actor,
        {"file": source_name, "added": added, "replaced": replaced, "claim_ids": [r.claim_id for r in records]},
    )
    return records, added, replaced


def parse_upload(raw: bytes) -> object:
    """An uploaded JSON-LD file's content.

    Raises:
        ConfigError: too large, not UTF-8 or not JSON.
    """
    if len(raw) > MAX_IMPORT_BYTES:
        raise ConfigError(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ConfigError(f"the file is not JSON-LD (UTF-8 JSON): {exc}") from exc


def find_factchecks(
    registry: FactCheckRegistry, audit: AuditLog, actor: str, *, q: str = "", verdict: str = "", via: str
) -> list[FactCheck]:
    """Records whose claim, explanation or publisher hold every word of ``q`` (accent-insensitive); audited.

    The registry is small (hundreds to a few thousand records), so it is filtered here
    rather than indexed.
    """
    words = fold(q).split()
    found = []
    for record in registry.records():
        if verdict and record.verdict != verdict:
            continue
        haystack = fold(f"{record.claim} {record.explanation} {record.publisher} {record.claim_id}")
        if all(word in haystack for word in words):
            found.append(record)
    found.sort(key=lambda r: (r.date or date.min, r.claim_id), reverse=True)
    audit.record("factchecks.search", actor, {"q": q, "verdict": verdict, "results": len(found), "via": via})
    return found
