"""The whole journey on embedded defaults, against the local replay of real Vietnamese news.

Real HTTP (the replay server on 127.0.0.1), real extraction, the real bundled model, a real
SQLite store and a real SMTP server (aiosmtpd). Nothing is faked.
"""

from __future__ import annotations

import email.header
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.search import SearchQuery
from core.settings import Settings
from pressdesk.demo import DemoEnvironment, DemoRun, demo_environment, run_demo_cycle

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pressdesk-data")


@pytest.fixture(scope="module")
def demo(data_dir: Path) -> Iterator[tuple[DemoEnvironment, DemoRun]]:
    settings = Settings(data_dir=data_dir, contact="https://example.org/pressdesk-tests")
    with demo_environment(settings) as env:
        yield env, run_demo_cycle(env)


def test_cycle_collects_classifies_stores_and_routes(demo: tuple[DemoEnvironment, DemoRun]) -> None:
    env, run = demo
    c = run.cycle
    assert c.feeds_failed == 0, c.problems
    assert c.fetched > 100
    assert c.extracted >= c.fetched - 5  # a few very short items may be refused
    assert 0 < c.relevant < c.extracted  # off-topic articles are dropped
    assert c.stored == c.relevant == env.journey.store.count()
    assert c.alerts > 0
    # every article is in two feeds (latest news with tracking parameters, and its section)
    assert c.duplicates >= c.fetched


def test_crawler_obeys_robots_and_identifies_itself(demo: tuple[DemoEnvironment, DemoRun]) -> None:
    env, run = demo
    assert run.cycle.robots_disallowed == 1
    assert env.replay is not None
    requests = env.replay.requests
    assert ("/robots.txt", env.settings.user_agent) in requests
    assert not [p for p, _ in requests if "/ban-nhap/" in p], "a page forbidden by robots.txt was fetched"
    assert {ua for _, ua in requests} == {env.settings.user_agent}
    assert "https://example.org/pressdesk-tests" in env.settings.user_agent


def test_digests_arrive_at_the_smtp_server(demo: tuple[DemoEnvironment, DemoRun]) -> None:
    env, run = demo
    assert run.digests.sent > 0
    assert run.digests_received == run.digests.sent
    messages = env.mailbox.messages
    mailboxes = {addr for unit in env.config.units for addr in unit.emails}
    for message in messages:
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        assert "Bản tin" in subject
        assert {a.addr_spec for a in message["To"].addresses} <= mailboxes
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        assert "http" in body.get_content()
    assert len(list(run.mailbox_dir.glob("*.eml"))) == run.digests_received


def test_stored_items_are_searchable_without_diacritics(demo: tuple[DemoEnvironment, DemoRun]) -> None:
    env, _ = demo
    page = env.journey.store.search(SearchQuery(text="da nang", limit=5))
    assert page.total > 0
    assert any("Đà Nẵng" in h.item.text or "Đà Nẵng" in h.item.title for h in page.hits)
    item = env.journey.store.get(page.hits[0].item.id)
    assert item is not None and item.classified is not None and item.classified.about
    assert item.embedding is not None and item.embedding.shape == (384,)


def test_second_cycle_is_idempotent(demo: tuple[DemoEnvironment, DemoRun]) -> None:
    env, run = demo
    before = env.journey.store.count()
    again = run_demo_cycle(env)
    assert again.cycle.fetched == 0
    assert again.cycle.stored == 0
    assert again.cycle.already_seen >= run.cycle.fetched
    assert env.journey.store.count() == before
    assert again.digests.sent == 0


def test_cli_demo_once_json(tmp_path: Path) -> None:
    env = {**os.environ, "PRESSDESK_DATA_DIR": str(tmp_path)}
    env.pop("PRESSDESK_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "pressdesk.cli", "demo", "--once", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("fetched", "extracted", "relevant", "stored", "duplicates", "alerts", "digests_sent", "seconds"):
        assert key in summary
    assert summary["stored"] > 0
    assert summary["alerts"] > 0
    assert summary["digests_sent"] > 0
    assert summary["digests_received"] == summary["digests_sent"]
