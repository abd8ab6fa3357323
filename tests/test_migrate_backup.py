"""``pressdesk backup DIR``: a consistent copy of every SQLite database under the data folder, while it is in use."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from api import AuditLog
from core import Extracted, Fetched, Item, item_id
from indexing import SqliteStore
from pressdesk.cli import main

DAY = datetime(2026, 11, 30, tzinfo=UTC)


def _item(n: int) -> Item:
    url = f"https://baodanang.vn/tin-{n}.html"
    text = f"Bản tin số {n}: Đà Nẵng đón khách du lịch dịp cuối năm."
    return Item(
        id=item_id(url),
        fetched=Fetched(url=url, source_id="baodanang", outlet="Báo Đà Nẵng", fetched_at=DAY),
        extracted=Extracted(title=text, text=text * 4, published=DAY + timedelta(minutes=n), language="vi"),
    )


def test_backup_copies_every_database_consistently_while_collection_writes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = SqliteStore(data / "items.db")
    store.upsert([_item(n) for n in range(300)])
    audit = AuditLog(data / "audit.db")
    audit.record("search", "cli:test", {"q": "Đà Nẵng", "total": 300})
    (data / "notes.txt").write_text("not a database")
    (data / "nested").mkdir()
    sqlite3.connect(data / "nested" / "extra.db").execute("CREATE TABLE t (x)").connection.close()

    stop = threading.Event()

    def keep_writing() -> None:  # collection goes on during the backup
        n = 300
        while not stop.is_set():
            store.upsert([_item(n + k) for k in range(20)])
            n += 20

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = CliRunner().invoke(
            main, ["backup", str(tmp_path / "copy"), "--json"], env={"PRESSDESK_DATA_DIR": str(data)}
        )
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(Path(line["copy"]).relative_to(tmp_path / "copy").as_posix() for line in lines) == [
        "audit.db",
        "items.db",
        "nested/extra.db",
    ]
    copy = SqliteStore(tmp_path / "copy" / "items.db")
    copied = copy.count()
    assert 300 <= copied <= store.count()
    assert copy.existing([_item(n).id for n in range(300)]) == {_item(n).id for n in range(300)}
    with sqlite3.connect(tmp_path / "copy" / "items.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    restored = AuditLog(tmp_path / "copy" / "audit.db").entries()
    assert [(e.action, e.detail["total"]) for e in restored] == [("search", 300)]
    store.close()

    again = CliRunner().invoke(main, ["backup", str(tmp_path / "copy")], env={"PRESSDESK_DATA_DIR": str(data)})
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_backup_of_an_empty_data_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    result = CliRunner().invoke(
        main, ["backup", str(tmp_path / "copy")], env={"PRESSDESK_DATA_DIR": str(tmp_path / "data")}
    )
    assert result.exit_code == 1
    assert "PRESSDESK_DATA_DIR" in result.output
