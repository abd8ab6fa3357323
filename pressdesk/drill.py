"""Failure drills on the local replay: the parts the crash test and the outage run share.

A drill runs the real ``pressdesk`` commands (or the real pipeline) against the bundled
replay of real news on 127.0.0.1 and a real SMTP server, breaks something (SIGKILL at a
random moment, an exclusive lock on the store), and then compares what ended up in the
store, the alert book and the mailbox with a clean reference run. These helpers write the
project config that points at the replay, build the child's environment, hold the lock,
and read the outcomes back in plain terms (ids and counts), so the comparison is a set
comparison anyone can read.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tomllib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from core.source import Source
from pressdesk.wiring import default_config_path

#: Alert ids as they appear in the acknowledge links of digests and notices.
_ALERT_LINK = re.compile(r"/alerts/([0-9a-f]{16,64})")


def replay_project(sources: Sequence[Source], folder: Path) -> Path:
    """Write a project config: the bundled Đà Nẵng profile plus ``sources`` (the replay's feeds)."""
    text = default_config_path().read_text(encoding="utf-8")
    blocks = []
    for source in sources:
        blocks.append(
            "[[sources]]\n"
            f"id = {_toml(source.id)}\n"
            f"url = {_toml(source.url)}\n"
            f"outlet = {_toml(source.outlet.name)}\n"
            f'kind = "{source.kind.value}"\n'
            f"language = {_toml(source.outlet.language or 'vi')}\n"
            f"priority = {'true' if source.priority else 'false'}\n"
        )
    # Appended after the profile's last table, so each [[sources]] block stands on its own.
    path = folder / "project.toml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n\n" + "\n".join(blocks), encoding="utf-8")
    tomllib.loads(path.read_text(encoding="utf-8"))  # fail here, not in the child, on a bad file
    return path


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def drill_env(data_dir: Path, config: Path, smtp_port: int, *, delay: float = 0.02) -> dict[str, str]:
    """Environment for a ``pressdesk`` child: its own data folder, the replay config, the local SMTP server."""
    env = dict(os.environ)
    env.update(
        {
            "PRESSDESK_DATA_DIR": str(data_dir),
            "PRESSDESK_CONFIG": str(config),
            "PRESSDESK_FETCH_ALLOW_HOSTS": "127.0.0.1",
            "PRESSDESK_CRAWL_DELAY_SECONDS": str(delay),
            "PRESSDESK_SMTP_HOST": "127.0.0.1",
            "PRESSDESK_SMTP_PORT": str(smtp_port),
            "PRESSDESK_CONTACT": "https://example.org/pressdesk-drill",
            "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "1"),
        }
    )
    return env


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite file with what its WAL holds (the online backup API; a plain file copy may miss the WAL)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@contextmanager
def store_locked(path: Path) -> Iterator[None]:
    """Hold ``BEGIN EXCLUSIVE`` on the SQLite file at ``path`` (a real second connection) until the block ends.

    Writers elsewhere then wait for their busy timeout and give up; in WAL mode readers
    still read, which is what a long backup or a stuck migration looks like.
    """
    conn = sqlite3.connect(path, timeout=1.0, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run left behind, as plain ids and counts.

    Attributes:
        items: ids in the store (``item_rows`` counts rows, to show there is one row per id).
        alerts: one ``(unit, story or item, trigger)`` key per alert row (``alert_rows`` counts rows).
        spooled: items still waiting in the spool; ``intake``: entries not yet handled.
        sending: deliveries left in the ``sending`` state; ``held``: digests left in the outbox.
        resent: for e-mail deliveries attempted again after an attempt was cut short (or its
            answer lost), what they were about (the digest key, or the alert id of a notice)
            and how many extra attempts they took.
    """

    items: frozenset[str]
    item_rows: int
    alerts: frozenset[tuple[str, str, str]]
    alert_rows: int
    spooled: int
    intake: int
    sending: int
    held: int
    resent: tuple[tuple[str, int], ...] = ()

    def explains(self, message_key: str) -> bool:
        """Whether a message with this key was sent again by a logged retry (a digest key, a notice, an escalation)."""
        return any(
            message_key in (about, f"escalation-{about}") or message_key.startswith(f"notice-{about}-")
            for about, _ in self.resent
        )

    def counts(self) -> dict[str, int]:
        return {
            "items": len(self.items),
            "item_rows": self.item_rows,
            "alerts": len(self.alerts),
            "alert_rows": self.alert_rows,
            "spooled": self.spooled,
            "intake": self.intake,
            "sending": self.sending,
            "held": self.held,
            "resent": len(self.resent),
        }


def read_outcome(data_dir: Path) -> Outcome:
    """Read the store, the alert book and the spool of a data folder (read-only; a missing file reads as empty)."""
    ids: list[str] = []
    keys: list[tuple[str, str, str]] = []
    sending = held = spooled = intake = 0
    resent: list[tuple[str, int]] = []
    if (data_dir / "items.db").exists():
        with _read_only(data_dir / "items.db") as conn:
            ids = [str(r[0]) for r in _rows(conn, "SELECT id FROM items")]
    if (data_dir / "alerts.db").exists():
        with _read_only(data_dir / "alerts.db") as conn:
            rows = _rows(conn, "SELECT unit_id, cluster_id, item_id, trigger FROM alerts")
            keys = [(str(unit), str(cluster or item), str(trigger)) for unit, cluster, item, trigger in rows]
            sending = _count(conn, "SELECT count(*) FROM deliveries WHERE status = 'sending'")
            held = _count(conn, "SELECT count(*) FROM digest_outbox")
            rows = _rows(conn, "SELECT about, attempts FROM deliveries WHERE channel = 'email' AND attempts > 1")
            resent = [(str(about), int(str(attempts)) - 1) for about, attempts in rows]
    if (data_dir / "spool.db").exists():
        with _read_only(data_dir / "spool.db") as conn:
            spooled = _count(conn, "SELECT count(*) FROM items")
            intake = _count(conn, "SELECT count(*) FROM intake")
    return Outcome(
        items=frozenset(ids),
        item_rows=len(ids),
        alerts=frozenset(keys),
        alert_rows=len(keys),
        spooled=spooled,
        intake=intake,
        sending=sending,
        held=held,
        resent=tuple(resent),
    )


def _rows(conn: sqlite3.Connection, sql: str) -> list[tuple[object, ...]]:
    """The rows, or none when the table is not there yet (a process killed while creating the file)."""
    try:
        return [tuple(row) for row in conn.execute(sql)]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise


def _count(conn: sqlite3.Connection, sql: str) -> int:
    rows = _rows(conn, sql)
    return int(str(rows[0][0])) if rows else 0


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)) as conn:
        yield conn


@dataclass(frozen=True, slots=True)
class MailCount:
    """What a mailbox received: messages per ``Message-ID``, and per alert the distinct messages naming it."""

    messages: int
    by_message_id: Counter[str]
    by_alert: Counter[str]

    @property
    def repeated(self) -> dict[str, int]:
        """Message keys received more than once, with how many times."""
        return {key: n for key, n in self.by_message_id.items() if n > 1}

    @property
    def copies(self) -> int:
        """Messages beyond the first of each ``Message-ID``."""
        return self.messages - len(self.by_message_id)


def count_mail(messages: Sequence[EmailMessage]) -> MailCount:
    """Count received messages by ``Message-ID`` (its key, the part before ``@``) and alerts by distinct message."""
    by_id: Counter[str] = Counter()
    by_alert: Counter[str] = Counter()
    for message in messages:
        key = str(message["Message-ID"] or "").strip().strip("<>").partition("@")[0]
        by_id[key] += 1
        if by_id[key] > 1:
            continue  # a copy names the same alerts as the first
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        by_alert.update(set(_ALERT_LINK.findall(str(text))))
    return MailCount(messages=len(messages), by_message_id=by_id, by_alert=by_alert)
