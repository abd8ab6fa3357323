"""The search, export and saved-search commands against a real store in a temporary data folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import AuditLog
from indexing import SqliteStore
from pressdesk.cli import main
from tests.indexing.store_contract import corpus


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRESSDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PRESSDESK_CONFIG", raising=False)
    store = SqliteStore(tmp_path / "items.db")
    store.upsert(list(corpus().values()))
    store.close()
    return tmp_path


def test_search_like_lists_similar_items_and_is_audited(data_dir: Path) -> None:
    item = corpus()["tau-bien"]
    result = CliRunner().invoke(main, ["search", "--like", item.id, "--json"])

    assert result.exit_code == 0, result.output
    found = [json.loads(line)["id"] for line in result.output.splitlines()]
    assert len(found) == 4 and item.id not in found  # the four other items with a vector
    [entry] = AuditLog(data_dir / "audit.db").entries(action="search")
    assert (entry.detail["like"], entry.detail["total"], entry.detail["via"]) == (item.id, 4, "cli")


def test_export_writes_the_file_and_audits_it(data_dir: Path) -> None:
    target = data_dir / "out.csv"
    result = CliRunner().invoke(main, ["export", "da nang", "--filter", "stance=positive", "--out", str(target)])

    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    assert {row["title"] for row in rows} == {
        "Đà Nẵng đón chuyến tàu biển du lịch đầu năm mới 2018",
        "Giá vé Lễ hội pháo hoa quốc tế Đà Nẵng 2017",
        "Da Nang and Hoi An draw record visitors",
    }
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    [entry] = AuditLog(data_dir / "audit.db").entries(action="export")
    assert (entry.detail["format"], entry.detail["count"], entry.detail["filters"]) == (
        "csv",
        3,
        {"stance": ["positive"]},
    )


def test_an_invalid_query_exports_nothing(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["export", "du lịch or văn hóa", "--out", str(data_dir / "x.csv")])

    assert result.exit_code == 1
    assert "OR" in result.output
    assert not (data_dir / "x.csv").exists()


def test_saved_add_list_delete(data_dir: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(main, ["saved", "add", "Tàu biển", "tàu biển", "--mode", "hybrid", "--filter", "language=vi"])
    assert added.exit_code == 0, added.output
    saved_id = added.output.strip()

    listed = runner.invoke(main, ["saved", "list", "--json"])
    [row] = [json.loads(line) for line in listed.output.splitlines()]
    assert row == {
        "id": saved_id,
        "name": "Tàu biển",
        "q": "tàu biển",
        "mode": "hybrid",
        "like": "",
        "filters": {"language": ["vi"]},
        "alert_unit": "",
    }
    assert runner.invoke(main, ["saved", "add", "x", "--alert-unit", "nobody"]).exit_code == 2
    assert runner.invoke(main, ["saved", "delete", saved_id]).exit_code == 0
    missing = runner.invoke(main, ["saved", "delete", saved_id])
    assert missing.exit_code == 1 and "saved list" in missing.output
