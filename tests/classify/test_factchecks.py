"""The fact-check registry: ClaimReview and JSONL import, migrations, the CLI and its audit trail."""

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import AuditLog
from classify.factchecks import (
    FactCheck,
    FactCheckRegistry,
    claimreview_records,
    normalise_verdict,
    read_factcheck_file,
)
from core.errors import ConfigError
from pressdesk.cli import main

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "factchecks"
SAMPLES = SHARED / "claimreview-samples"
DEV = SHARED / "claim-matching-dev" / "factchecks.jsonl"
needs_data = pytest.mark.skipif(not SAMPLES.exists(), reason=f"shared data not found at {SAMPLES}")


@needs_data
def test_the_four_real_claimreview_samples_import_with_publisher_organisations_only() -> None:
    records = [r for n in range(1, 5) for r in read_factcheck_file(SAMPLES / f"sample_{n}.jsonld.json")]
    by_publisher = {r.publisher: r for r in records}
    assert set(by_publisher) == {"AFP", "POLYGRAPH.info", "Snopes", "News Nation Fact Check"}
    afp = by_publisher["AFP"]  # wrapped in @graph, German rating
    assert afp.verdict == "false" and afp.rating == "Falsch"
    assert afp.url == "https://faktencheck.afp.com/doc.afp.com.B2LA2G3"
    assert afp.date == date(2026, 5, 13)
    assert afp.claim.startswith("Der Hantavirus-Ausbruch")
    assert by_publisher["Snopes"].verdict == "unproven"
    assert by_publisher["News Nation Fact Check"].verdict == "true"
    assert by_publisher["POLYGRAPH.info"].language == "en"
    # The person whose claim was reviewed (itemReviewed.author) is never kept anywhere.
    assert all("Alex Jones" not in json.dumps(r.as_dict()) for r in records)
    assert all(r.origin == "claimreview" and r.claim_id.startswith("cr-") for r in records)


def test_claimreview_arrays_and_missing_claims() -> None:
    review = {
        "@type": "ClaimReview",
        "claimReviewed": "Nước mắm Phú Quốc bị cấm xuất khẩu.",
        "reviewRating": {"@type": "Rating", "alternateName": "Sai sự thật"},
        "url": "https://example.org/fc/1",
        "datePublished": "2025-01-02",
        "author": {"@type": "Organization", "name": "Báo Ví Dụ"},
    }
    records = claimreview_records([review, {"@type": "WebPage"}])
    assert [(r.verdict, r.publisher, r.date) for r in records] == [("false", "Báo Ví Dụ", date(2025, 1, 2))]
    with pytest.raises(ConfigError, match="claimReviewed"):
        claimreview_records({**review, "claimReviewed": ""})


@pytest.mark.parametrize(
    ("rating", "verdict"),
    [("False", "false"), ("Mostly False", "misleading"), ("Pants on Fire!", "false"), ("Sai", "false"),
     ("Gây hiểu lầm", "misleading"), ("Unproven", "unproven"), ("True", "true"), ("Satire", "other")],
)  # fmt: skip
def test_ratings_are_folded_into_verdicts(rating: str, verdict: str) -> None:
    assert normalise_verdict(rating) == verdict


@needs_data
def test_our_jsonl_records_import_as_corrections(tmp_path: Path) -> None:
    records = read_factcheck_file(DEV)
    assert len(records) == 15
    assert {r.verdict for r in records} == {"false", "misleading"}
    assert all(r.origin == "correction" and r.url == "" for r in records)


def test_a_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"claim_id": "x1", "claim": "a", "verdict": "false"}\n{"title": "no claim"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.jsonl:2"):
        read_factcheck_file(path)


def test_registry_round_trip_replace_and_migration(tmp_path: Path) -> None:
    path = tmp_path / "factchecks.db"
    registry = FactCheckRegistry(path)
    assert not path.exists()  # no I/O before first use
    record = FactCheck("c1", "Claim one.", "false", url="https://example.org/1", date=date(2024, 3, 1))
    assert registry.add([record]) == (1, 0)
    assert registry.add([FactCheck("c1", "Claim one, edited.", "misleading")]) == (0, 1)
    assert registry.count() == 1
    got = registry.get("c1")
    assert got is not None and got.claim == "Claim one, edited." and got.verdict == "misleading"
    registry.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cli_import_add_list_are_audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSDESK_DATA_DIR", str(tmp_path / "data"))
    records = tmp_path / "records.jsonl"
    records.write_text(
        json.dumps({"claim_id": "d1", "claim": "Cầu Rồng bị đóng cửa vĩnh viễn.", "verdict": "false",
                    "explanation": "UBND thành phố bác bỏ.", "url": "https://example.org/d1", "date": "2026-11-01"},
                   ensure_ascii=False) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    runner = CliRunner()
    imported = runner.invoke(main, ["factchecks", "import", str(records)])
    assert imported.exit_code == 0, imported.output
    added = runner.invoke(
        main,
        ["factchecks", "add", "--claim", "Bãi biển Mỹ Khê bị cấm tắm.", "--explanation", "Không có lệnh cấm.",
         "--url", "https://danang.gov.vn/dinh-chinh", "--date", "2026-12-01"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    claim_id = added.output.strip()
    listed = runner.invoke(main, ["factchecks", "list", "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert {r["claim_id"] for r in rows} == {"d1", claim_id}
    assert {r["origin"] for r in rows} == {"correction"}
    audit = AuditLog(tmp_path / "data" / "audit.db")
    actions = [e.action for e in audit.entries()]
    assert actions.count("factchecks.import") == 1 and actions.count("factchecks.add") == 1
    assert audit.entries(action="factchecks.export")[0].detail == {"records": 2}
    assert audit.entries(action="factchecks.import")[0].detail["claim_ids"] == ["d1"]


def test_cli_add_refuses_a_correction_without_a_web_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSDESK_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(
        main,
        ["factchecks", "add", "--claim", "x", "--explanation", "y", "--url", "not a link", "--date", "2026-12-01"],
    )
    assert result.exit_code == 2
    assert "http" in result.output
