"""``pressdesk serve --workers 2``: two server processes, each with its own app over the same files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core.settings import Settings
from pressdesk.cli import _serve

PROFILE = Path(__file__).resolve().parents[1] / "pressdesk" / "profiles" / "da_nang.toml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _workers(parent: int) -> list[int]:
    """The worker processes uvicorn spawned under ``parent`` (multiprocessing's spawn_main children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if ppid == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


def _has_open(pid: int, name: str) -> bool:
    try:
        return any(os.readlink(fd).endswith(name) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_two_workers_share_the_requests(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PRESSDESK_DATA_DIR": str(tmp_path / "data"), "PRESSDESK_CONFIG": str(PROFILE)}
    command = [sys.executable, "-m", "pressdesk.cli", "serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/healthz"
    answers: list[dict[str, object]] = []
    try:
        deadline = time.monotonic() + 120
        while not answers and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    answers.append(json.loads(response.read()))
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                time.sleep(0.5)
        assert answers, "the server never answered /healthz"
        workers = _workers(server.pid)
        assert len(workers) == 2, workers
        # Each request opens a new connection (urllib), which either worker may accept. The
        # store file opens on a worker's first /healthz: both must have it open in the end.
        for _ in range(400):
            if all(_has_open(pid, "items.db") for pid in workers):
                break
            with urllib.request.urlopen(url, timeout=10) as response:
                answers.append(json.loads(response.read()))
        assert all(_has_open(pid, "items.db") for pid in workers), f"after {len(answers)} requests"
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl+C: uvicorn stops its workers
        out, err = server.communicate(timeout=60)
    assert all(answer["status"] == "ok" and answer["items"] == 0 for answer in answers), answers[:3]
    assert "2 tiến trình / worker processes" in out
    assert not _workers(server.pid)
    assert server.returncode == 0, err


def test_objects_handed_to_serve_are_refused_with_workers(tmp_path: Path) -> None:
    """Worker processes open their own store: an open one given here would be silently unused."""
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(ValueError, match="store"):
        _serve(settings, None, workers=2, store=object())
    assert not any(tmp_path.iterdir())  # refused before opening anything
