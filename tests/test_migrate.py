"""``pressdesk migrate``: every item and its vector reach the target, once, and an interrupted copy resumes.

SQLite → SQLite runs always (two real files); SQLite → Elasticsearch runs when
``PRESSDESK_ES_URL`` names a node, in the store contract's integration style.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from api import AuditLog
from core import Extracted, Fetched, Item, item_id
from core.ports import Store
from indexing import ElasticsearchStore, SqliteStore
from pressdesk.cli import main
from pressdesk.migration import Checkpoint, migrate, shown

START = datetime(2025, 7, 1, tzinfo=UTC)
TEXTS = [
    "Đà Nẵng đón hơn một triệu lượt khách du lịch",
    "Mưa lớn gây ngập ở Hội An, Quảng Nam",
    "Cầu Rồng phun lửa dịp cuối tuần",
    "Dự án đầu tư mới tại khu công nghệ cao",
]


def _items(count: int) -> list[Item]:
    """Items spread over months, with a burst of 300 in one second (to force the smallest window)."""
    rng = np.random.default_rng(8)
    items = []
    for n in range(count):
        url = f"https://baodanang.vn/bai-{n}.html"
        published = START + timedelta(seconds=30) if n < 300 else START + timedelta(hours=7 * n)
        vector = rng.standard_normal(384).astype(np.float32)
        items.append(
            Item(
                id=item_id(url),
                fetched=Fetched(url=url, source_id="baodanang", outlet="Báo Đà Nẵng", fetched_at=published),
                extracted=Extracted(title=TEXTS[n % 4], text=TEXTS[n % 4] * 5, published=published, language="vi"),
                embedding=None if n % 5 == 0 else vector / np.linalg.norm(vector),
            )
        )
    return items


SOURCE_DB = Path("old") / "items.db"


@pytest.fixture
def source(tmp_path: Path) -> Iterator[tuple[SqliteStore, list[Item]]]:
    store = SqliteStore(tmp_path / SOURCE_DB)
    items = _items(1000)
    store.upsert(items)
    yield store, items
    store.close()


def _same(items: list[Item], target: Store) -> None:
    assert target.count() == len(items)
    assert target.existing([i.id for i in items]) == {i.id for i in items}
    for item in items[::97]:
        back = target.get(item.id)
        assert back is not None and back.title == item.title
        if item.embedding is None:
            assert back.embedding is None
        else:
            assert back.embedding is not None and np.allclose(back.embedding, item.embedding, atol=1e-6)


def test_cli_copies_every_item_with_vectors_and_records_it(
    source: tuple[SqliteStore, list[Item]], tmp_path: Path
) -> None:
    _, items = source
    target_path = tmp_path / "new" / "items.db"
    env = {"PRESSDESK_DATA_DIR": str(tmp_path / "data")}
    args = [
        "migrate",
        "--from",
        f"sqlite:{tmp_path / SOURCE_DB}",
        "--to",
        f"sqlite:{target_path}",
        "--batch",
        "40",
        "--json",
    ]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["source"] == summary["target"] == summary["copied_this_run"] == 1000
    assert summary["complete"] is True
    target = SqliteStore(target_path)
    _same(items, target)
    target.close()
    entries = AuditLog(tmp_path / "data" / "audit.db").entries(action="migrate")
    assert entries and entries[0].detail["copied"] == 1000

    again = CliRunner().invoke(main, args, env=env)  # finished: a rerun copies nothing and still checks
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout.strip().splitlines()[-1])["copied_this_run"] == 0


def test_an_interrupted_migration_resumes_where_it_stopped(
    source: tuple[SqliteStore, list[Item]], tmp_path: Path
) -> None:
    store, items = source
    target = SqliteStore(tmp_path / "new" / "items.db")
    checkpoint_path = tmp_path / "checkpoint.json"

    def stop_midway(done: int, total: int) -> None:
        if done >= 600:
            raise KeyboardInterrupt  # what Ctrl-C or a killed terminal does mid-copy

    state = Checkpoint.load(checkpoint_path, "sqlite:a", "sqlite:b")
    with pytest.raises(KeyboardInterrupt):
        migrate(store, target, state, checkpoint_path, batch=50, progress=stop_midway)
    saved = json.loads(checkpoint_path.read_text())
    assert saved["cursor"] and not saved["finished"]
    stopped_at = target.count()
    assert 0 < stopped_at < len(items)

    resumed = Checkpoint.load(checkpoint_path, "sqlite:a", "sqlite:b")
    report = migrate(store, target, resumed, checkpoint_path, batch=50)
    assert report.resumed_from == saved["cursor"]
    assert report.copied_this_run < len(items)  # the windows already done were not read again
    assert report.complete and report.source_count == report.target_count == len(items)
    _same(items, target)
    target.close()


def test_a_checkpoint_of_another_migration_is_refused(source: tuple[SqliteStore, list[Item]], tmp_path: Path) -> None:
    checkpoint = tmp_path / "c.json"
    Checkpoint("sqlite:x", "sqlite:y").save(checkpoint)
    args = ["migrate", "--from", f"sqlite:{tmp_path / SOURCE_DB}", "--to", f"sqlite:{tmp_path / 'n.db'}"]
    result = CliRunner().invoke(
        main, [*args, "--checkpoint", str(checkpoint)], env={"PRESSDESK_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 2
    assert "--restart" in result.output


def test_an_unknown_store_says_how_to_write_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["migrate", "--from", "mysql:db", "--to", "elasticsearch:http://u:hunter2-secret@es:9200"],
        env={"PRESSDESK_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2
    assert "sqlite:PATH" in result.output and "mysql:db" in result.output
    assert shown("elasticsearch:http://u:hunter2-secret@es:9200") == "elasticsearch:http://u:***@es:9200"


ES_URL = os.environ.get("PRESSDESK_ES_URL", "")


@pytest.mark.integration
@pytest.mark.skipif(not ES_URL, reason="set PRESSDESK_ES_URL (e.g. http://localhost:9200) to run")
def test_sqlite_to_elasticsearch(source: tuple[SqliteStore, list[Item]], tmp_path: Path) -> None:
    elasticsearch = pytest.importorskip("elasticsearch")
    store, items = source
    prefix = f"pdtest-{uuid.uuid4().hex[:12]}"
    target = ElasticsearchStore(ES_URL, prefix)
    try:
        report = migrate(store, target, Checkpoint("sqlite:a", "es:b"), tmp_path / "c.json", batch=200)
        assert report.complete
        _same(items, target)
    finally:
        target.close()
        client = elasticsearch.Elasticsearch(ES_URL)
        for name in client.indices.get(index=f"{target.alias}-*", allow_no_indices=True, ignore_unavailable=True).body:
            client.indices.delete(index=name)
        if client.indices.exists_index_template(name=target.alias):
            client.indices.delete_index_template(name=target.alias)
        client.close()
