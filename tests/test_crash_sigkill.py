"""Nothing lost, nothing doubled: the real commands killed with SIGKILL at random moments (issue 8).

The real ``pressdesk collect --all``, ``pressdesk alerts notify`` and ``pressdesk digests
send`` run as child processes against the local replay of real news (127.0.0.1) and a real
aiosmtpd server. A clean reference run goes first in its own data folder. Then, in each of
``SEQUENCES`` fresh folders, the same commands are killed with SIGKILL (the whole process
group) after a random delay (short for the first kill of a sequence, up to the length of a
full run for the last), ``KILLS_PER_SEQUENCE`` times, and finally allowed to finish (20
kills in all by default). Afterwards, in every folder:

- the store holds exactly the reference's items, one row each;
- the alert book holds exactly the reference's alerts (by unit, story and trigger), one row each;
- the SMTP server received as many distinct ``Message-ID`` s as in the reference, and each
  alert is named in as many of them as its counterpart (one digest, plus the notice of an
  urgent alert): nothing undelivered, no digest composed twice;
- a ``Message-ID`` arrives twice only where the delivery log shows an attempt cut short
  and retried (the kill fell after the server accepted the message and before our log
  entry; see docs/operations.md): the copy is printed and counted, never hidden;
- nothing is left in the spool, the intake, the ``sending`` state or the digest outbox.

The seed, where each kill landed and the counts are printed (``-s``);
``PRESSDESK_CRASH_SEED`` replays a run, ``PRESSDESK_CRASH_KILLS_PER_SEQUENCE`` changes the kills.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressdesk.drill import MailCount, Outcome, copy_database, count_mail, drill_env, read_outcome, replay_project
from pressdesk.mailbox import LocalMailbox
from pressdesk.replay import ReplayServer, ReplaySite, load_articles

pytestmark = pytest.mark.slow

SEQUENCES = 4
KILLS_PER_SEQUENCE = int(os.environ.get("PRESSDESK_CRASH_KILLS_PER_SEQUENCE", "5"))
#: No attempt may hang the suite: a child still running after this is a failure.
ATTEMPT_TIMEOUT = 240.0
PRESSDESK = str(Path(sys.executable).with_name("pressdesk"))
#: One attempt: collect everything, send urgent notices, send the digests.
STEPS = (
    [PRESSDESK, "collect", "--all", "--json"],
    [PRESSDESK, "alerts", "notify"],
    [PRESSDESK, "digests", "send", "--json"],
)


def _script() -> list[str]:
    """The steps as one shell line, so one process group holds them all (and one killpg stops them all)."""
    line = " && ".join(" ".join(step) for step in STEPS)
    return ["/bin/sh", "-c", f"{{ {line}; }} > /dev/null"]


def _attempt(env: dict[str, str], kill_after: float | None) -> tuple[bool, float]:
    """Run one attempt; with ``kill_after``, SIGKILL its process group then. Returns (killed, seconds)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a full pipe would stall the child
        child = subprocess.Popen(_script(), env=env, start_new_session=True, stderr=errors)
        try:
            child.wait(timeout=kill_after if kill_after is not None else ATTEMPT_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            if kill_after is None:
                pytest.fail(f"an attempt ran longer than {ATTEMPT_TIMEOUT:.0f} s")
            return True, time.monotonic() - started
        errors.seek(0)
        said = errors.read().decode("utf-8", "replace")
    assert child.returncode == 0, f"an attempt failed on its own (exit {child.returncode}):\n{said[-3000:]}"
    return False, time.monotonic() - started


def _phase(snapshot: Outcome, mail: int, reference: Outcome, reference_mail: int) -> str:
    """Where a kill landed, judged from what it left behind."""
    if not snapshot.items and not snapshot.spooled and not snapshot.intake:
        return "start-up or first polls (nothing kept yet)"
    if snapshot.spooled or snapshot.intake or len(snapshot.items) < len(reference.items):
        return "mid-collection (entries or items waiting in the spool)"
    if len(snapshot.alerts) < len(reference.alerts):
        return "while recording alerts"
    if mail < reference_mail or snapshot.sending or snapshot.held:
        return "while notifying or delivering digests"
    return "after everything (an idle re-run)"


def test_sigkill_at_random_points_loses_and_doubles_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("PRESSDESK_CRASH_SEED", str(time.time_ns() % 1_000_000)))
    rng = random.Random(seed)
    now = datetime.now(UTC)
    phases: Counter[str] = Counter()
    results: list[dict[str, object]] = []
    finished: list[tuple[Outcome, MailCount]] = []
    with ReplayServer(ReplaySite(load_articles(now))) as replay:
        config = replay_project(replay.site.sources(), tmp_path)
        with LocalMailbox(tmp_path / "mail-reference") as reference_mail:
            reference_dir = tmp_path / "reference"
            killed, reference_seconds = _attempt(drill_env(reference_dir, config, reference_mail.port), None)
            expected_mail = count_mail(reference_mail.messages)
        assert not killed
        reference = read_outcome(reference_dir)
        assert reference.items and reference.alerts, "the reference run stored or routed nothing"
        print(f"crash drill: seed {seed}; reference {json.dumps(reference.counts())}, {expected_mail.messages} mails")

        # Several sequences, each from an empty folder, so most kills land on real work rather than
        # on idle re-runs after everything is done. The embedding cache is keyed by content:
        # sharing it only saves time, never changes a label.
        warm = tmp_path / "warm"
        warm.mkdir()
        copy_database(reference_dir / "embeddings.db", warm / "embeddings.db")
        with LocalMailbox(tmp_path / "mail-warm") as warm_mail:
            _, full_seconds = _attempt(drill_env(warm, config, warm_mail.port), None)
        kills = attempts = 0
        for sequence in range(SEQUENCES):
            folder = tmp_path / f"crash-{sequence}"
            folder.mkdir()
            copy_database(reference_dir / "embeddings.db", folder / "embeddings.db")
            with LocalMailbox(tmp_path / f"mail-crash-{sequence}") as crash_mail:
                env = drill_env(folder, config, crash_mail.port)
                landed_here = 0
                while landed_here < KILLS_PER_SEQUENCE:
                    attempts += 1
                    assert attempts <= 4 * SEQUENCES * KILLS_PER_SEQUENCE, f"only {kills} kills in {attempts} attempts"
                    # Early kills come soon after the start, later ones up to a full attempt's length,
                    # so the kills of a sequence fall on start-up, polling, fetching, classifying,
                    # draining and delivering rather than on idle re-runs after the work is done.
                    reach = full_seconds * (landed_here + 1) / KILLS_PER_SEQUENCE
                    landed, _ = _attempt(env, rng.uniform(0.2, reach))
                    if landed:
                        landed_here += 1
                        snapshot = read_outcome(folder)
                        phases[_phase(snapshot, len(crash_mail.messages), reference, expected_mail.messages)] += 1
                kills += landed_here
                _attempt(env, None)
                attempts += 1
                crashed = read_outcome(folder)
                mail = count_mail(crash_mail.messages)
            results.append(
                {
                    **crashed.counts(),
                    "mail": mail.messages,
                    "distinct_message_ids": len(mail.by_message_id),
                    "copies": mail.copies,
                }
            )

            finished.append((crashed, mail))

    print(
        "crash drill:",
        json.dumps(
            {
                "seed": seed,
                "kills": kills,
                "attempts": attempts,
                "full_attempt_seconds": round(full_seconds, 1),
                "reference_seconds": round(reference_seconds, 1),
                "kills_landed": dict(phases),
                "sequences": results,
            },
            ensure_ascii=False,
        ),
    )
    assert kills >= SEQUENCES * KILLS_PER_SEQUENCE >= 20
    for sequence, (crashed, mail) in enumerate(finished):
        assert crashed.items == reference.items, f"sequence {sequence}: stored items differ from the reference"
        assert crashed.item_rows == len(crashed.items)
        assert crashed.alerts == reference.alerts, f"sequence {sequence}: alerts differ from the reference"
        assert crashed.alert_rows == reference.alert_rows == len(reference.alerts)
        assert (crashed.spooled, crashed.intake, crashed.sending, crashed.held) == (0, 0, 0, 0)
        # Every delivery reached the server and no digest was composed twice: as many distinct
        # Message-IDs as the reference, each alert in as many of them as its counterpart (one
        # digest, plus a notice for an urgent one; alert ids themselves are random per run).
        assert len(mail.by_message_id) == len(expected_mail.by_message_id)
        assert len(mail.by_alert) == crashed.alert_rows, "an alert was never delivered"
        assert sorted(mail.by_alert.values()) == sorted(expected_mail.by_alert.values())
        # A copy (same Message-ID) appears only where the log shows an attempt cut short after the
        # server had the message, then retried: the one ambiguity of SMTP, never a new composition.
        assert all(crashed.explains(key) for key in mail.repeated), (mail.repeated, crashed.resent)
        assert mail.copies <= sum(extra for _, extra in crashed.resent)
