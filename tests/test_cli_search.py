"""The search, export and saved-search commands against a real store in a temporary data folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import AuditLog
from indexing import SqliteStore, sqlite
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


def test_bare_words_are_offered_as_one_phrase_when_it_finds_fewer(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["search", "đầu năm"])

    assert result.exit_code == 0, result.output
    assert "2 kết quả" in result.output
    assert 'Tìm cả cụm "đầu năm": 1 tin (trong 2 tin có đủ các từ ở bất kỳ chỗ nào).' in result.output
    assert 'As one phrase, "đầu năm": 1 item (of the 2 with the words anywhere).' in result.output
    assert "pressdesk search '\"đầu năm\"'" in result.output
    searches = {e.detail["via"]: e.detail for e in AuditLog(data_dir / "audit.db").entries(action="search")}
    assert (searches["cli"]["total"], searches["cli-hint"]["q"], searches["cli-hint"]["total"]) == (2, '"đầu năm"', 1)


@pytest.mark.parametrize(("args", "counted"), [(["da nang"], True), (["đầu năm", "--json"], False)])
def test_no_phrase_hint_when_it_would_not_narrow_or_for_scripts(data_dir: Path, args: list[str], counted: bool) -> None:
    result = CliRunner().invoke(main, ["search", *args])

    assert result.exit_code == 0, result.output
    assert "cụm" not in result.output and "one phrase" not in result.output
    vias = sorted(e.detail["via"] for e in AuditLog(data_dir / "audit.db").entries(action="search"))
    assert vias == (["cli", "cli-hint"] if counted else ["cli"])


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


def test_the_table_skips_date_order_scores_that_json_prints(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_json = CliRunner().invoke(main, ["search", "da nang", "--sort", "newest", "--json"])
    scores = [json.loads(line)["score"] for line in as_json.output.splitlines()]
    assert as_json.exit_code == 0 and len(scores) == 5 and all(score > 0 for score in scores)

    monkeypatch.setattr(sqlite, "_scores", lambda *args: pytest.fail("the table shows no scores"))
    table = CliRunner().invoke(main, ["search", "da nang", "--sort", "newest"])
    assert table.exit_code == 0, table.output
    assert "5 kết quả" in table.output
