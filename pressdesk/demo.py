"""``pressdesk demo``: the whole journey on embedded defaults, against a local replay of real news.

With no sources configured it serves the bundled replay of real Vietnamese articles as
press sites on 127.0.0.1, runs one collection cycle, delivers the digests to a real SMTP
server started on 127.0.0.1 (messages kept as .eml files), and serves the search UI.
Every page needs a login, so a demo folder without accounts gets an admin ``demo`` with a
random password, printed once when the UI starts (``ensure_demo_account``).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from alerts import DigestRun, SmtpNotifier, send_digests
from api.accounts import AccountBook, Role
from core.config import ProjectConfig
from core.ports import Embedder
from core.settings import Settings
from core.source import Source
from pressdesk.mailbox import LocalMailbox
from pressdesk.pipeline import CycleSummary, Journey, Progress, run_cycle
from pressdesk.replay import ReplayServer, ReplaySite, load_articles
from pressdesk.wiring import build_journey, load_project, make_embedder

#: The admin account a fresh demo creates so its UI can be used (the password is random, shown once).
DEMO_ACCOUNT = "demo"
#: Marks a data folder as the demo's own, so only the demo ever creates the demo account.
DEMO_MARKER = ".pressdesk-demo"
#: The replay's port, for a later ``--keep`` run (``_start_replay``).
REPLAY_PORT_FILE = "replay-port"

#: Our own replay server on 127.0.0.1 is the only site that gets a short delay.
REPLAY_DELAY_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class DemoRun:
    """The outcome of one demo cycle and where to look at it."""

    cycle: CycleSummary
    digests: DigestRun
    digests_received: int
    data_dir: Path
    mailbox_dir: Path
    replay_url: str

    def as_dict(self) -> dict[str, object]:
        c = self.cycle
        return {
            "fetched": c.fetched,
            "extracted": c.extracted,
            "relevant": c.relevant,
            "stored": c.stored,
            "duplicates": c.duplicates,
            "alerts": c.alerts,
            "digests_sent": self.digests.sent,
            "digests_received": self.digests_received,
            "seconds": c.seconds,
            "details": c.as_dict(),
            "data_dir": str(self.data_dir),
            "mailbox": str(self.mailbox_dir),
            "replay": self.replay_url,
        }


@dataclass(frozen=True, slots=True)
class DemoEnvironment:
    """The running parts of a demo: settings for its own data folder, sources, servers."""

    settings: Settings
    config: ProjectConfig
    sources: tuple[Source, ...]
    journey: Journey
    mailbox: LocalMailbox
    notifier: SmtpNotifier
    replay: ReplayServer | None
    embedder: Embedder  # the classifier's, shared with the search UI so queries use the same model


def demo_settings(settings: Settings, keep: bool) -> Settings:
    """Settings for the demo's own data folder, emptied first unless ``keep``."""
    folder = settings.data_dir / "demo"
    if not keep and folder.exists():
        shutil.rmtree(folder)
    return settings.model_copy(update={"data_dir": folder})


def is_demo_data(settings: Settings) -> bool:
    """Whether ``settings`` point at a data folder ``demo_environment`` made."""
    return settings.path(DEMO_MARKER).exists()


def ensure_demo_account(accounts: AccountBook) -> str | None:
    """Create the admin ``demo`` with a random password when there is no account yet; that password, else ``None``.

    The password is not stored anywhere readable (only its argon2 hash), so the caller must
    show it now; ``pressdesk users passwd demo`` sets a new one.
    """
    if accounts.accounts():
        return None
    password = secrets.token_urlsafe(12)
    accounts.create(DEMO_ACCOUNT, password, Role.ADMIN)
    return password


def allow_replay_host(settings: Settings, base_url: str) -> Settings:
    """Trust the demo's own replay server (on 127.0.0.1) and nothing else internal.

    The outbound guard (``crawlers.netguard``) refuses loopback addresses; the demo names its
    own host rather than switching the guard off, so configured sources stay guarded.
    """
    host = urlsplit(base_url).hostname or ""
    return settings.model_copy(update={"fetch_allow_hosts": [*settings.fetch_allow_hosts, host]})


@contextmanager
def demo_environment(
    settings: Settings, *, keep: bool = False, now: datetime | None = None
) -> Iterator[DemoEnvironment]:
    """Start the replay (when no sources are configured) and the local mailbox; stop them after."""
    now = now or datetime.now(UTC)
    config = load_project(settings)
    embedder = make_embedder(settings)  # the cache stays outside the demo folder, so reruns are quick
    dsettings = demo_settings(settings, keep)
    dsettings.data_dir.mkdir(parents=True, exist_ok=True)
    dsettings.path(DEMO_MARKER).touch()
    with ExitStack() as stack:
        sources = config.sources
        replay: ReplayServer | None = None
        delay: float | None = None
        if not sources:
            replay = _start_replay(ReplaySite(load_articles(now)), dsettings.path(REPLAY_PORT_FILE), keep=keep)
            stack.push(replay)  # stopped on the way out
            sources, delay = replay.site.sources(), REPLAY_DELAY_SECONDS
            dsettings = allow_replay_host(dsettings, replay.base_url)
        mailbox = stack.enter_context(LocalMailbox(dsettings.path("mailbox")))
        notifier = SmtpNotifier("127.0.0.1", mailbox.port, dsettings.smtp_from)
        journey = build_journey(dsettings, config, embedder=embedder, min_delay=delay)
        stack.callback(journey.fetcher.close)
        yield DemoEnvironment(dsettings, config, sources, journey, mailbox, notifier, replay, embedder)


def _start_replay(site: ReplaySite, remembered: Path, *, keep: bool) -> ReplayServer:
    """Start the replay on the port the kept demo data's URLs name, when it is free.

    Item ids are hashes of URLs, and the replay's URLs carry its port: a kept demo that
    came back on another port stored every article a second time (52 items instead of 26).
    """
    port = 0
    if keep:
        try:
            port = int(remembered.read_text().strip())
        except (OSError, ValueError):
            port = 0  # no earlier run, or a damaged note: any free port
    try:
        replay = ReplayServer(site, port).start()
    except OSError:
        replay = ReplayServer(site, 0).start()  # taken meanwhile: the kept items come back under new URLs
    remembered.write_text(str(urlsplit(replay.base_url).port))
    return replay


def run_demo_cycle(env: DemoEnvironment, *, now: datetime | None = None, progress: Progress | None = None) -> DemoRun:
    """Collect once, then send every unit its digest through the local SMTP server."""
    now = now or datetime.now(UTC)
    # A demo run is one-off: every source is polled, whatever its schedule says.
    cycle = run_cycle(env.journey, env.sources, now=now, every=True, **({"progress": progress} if progress else {}))
    digests = send_digests(env.journey.alerts, env.config, env.notifier, env.settings.public_url, now)
    return DemoRun(
        cycle=cycle,
        digests=digests,
        digests_received=len(env.mailbox.messages),
        data_dir=env.settings.data_dir,
        mailbox_dir=env.mailbox.folder,
        replay_url=env.replay.base_url if env.replay else "",
    )
