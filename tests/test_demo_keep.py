"""``pressdesk demo --keep``: the replay comes back on its port, so the kept items keep their URLs (and ids)."""

from __future__ import annotations

import socket
from pathlib import Path

from core.settings import Settings
from pressdesk.demo import demo_environment


def _base_url(settings: Settings, *, keep: bool) -> str:
    with demo_environment(settings, keep=keep) as env:
        assert env.replay is not None
        return env.replay.base_url


def test_a_kept_demo_serves_the_replay_on_the_same_port(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, contact="https://example.org/pressdesk-tests")
    first = _base_url(settings, keep=False)
    assert _base_url(settings, keep=True) == first
    # A fresh demo starts clean, on whatever port is free.
    fresh = _base_url(settings, keep=False)
    assert _base_url(settings, keep=True) == fresh


def test_a_taken_port_falls_back_to_a_free_one(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, contact="https://example.org/pressdesk-tests")
    first = _base_url(settings, keep=False)
    port = int(first.rsplit(":", 1)[1])
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        moved = _base_url(settings, keep=True)
    assert moved != first
    assert _base_url(settings, keep=True) == moved  # the new port is remembered
