"""The weekly and yearly reports: numbers from a real store, the DOCX reopened and checked part by part."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.shared import Mm

from core.enums import Stance
from core.settings import Settings
from pressdesk.cli import main
from pressdesk.wiring import build_report

from .conftest import FACTCHECK, DataDir

ISSUED = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_weekly_figures_come_from_the_store_and_the_alert_book(data_dir: DataDir) -> None:
    report = build_report(Settings(data_dir=data_dir.path), data_dir.config, "weekly", "2026-W47", ISSUED)
    f = report.figures
    assert f.total == 7 * 4 + 2
    assert sum(sum(day.values()) for day in f.by_day_stance.values()) == f.total
    assert len(f.by_day_stance) == 7
    assert f.foreign_total == 2 and f.foreign_stances[Stance.NEGATIVE] == 1
    assert set(f.foreign_languages) == {"en", "ko"}
    (claim,) = f.false_claims
    assert claim.evidence_url == FACTCHECK
    assert claim.acknowledged_after == "1,5 giờ" and claim.answered_after == "6,0 giờ"
    assert f.escalated == 1 and f.alerts_total == 2
    assert f.stories[0].outlets >= f.stories[-1].outlets
    assert f.changes[0] == "Tổng số tin: 30 (tăng 16 so với kỳ trước: 14)."
    assert set(report.charts) == {"stance_by_day", "topics", "outlets", "languages", "foreign"}
    assert all(png.startswith(b"\x89PNG") for png in report.charts.values())


def test_weekly_docx_follows_the_administrative_format(data_dir: DataDir) -> None:
    report = build_report(Settings(data_dir=data_dir.path), data_dir.config, "weekly", "2026-W47", ISSUED)
    doc = Document(io.BytesIO(report.docx()))
    section = doc.sections[0]
    # Word stores lengths in twentieths of a point, so millimetres come back within a rounding step.
    measured = (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
    wanted = (Mm(210), Mm(297), Mm(20), Mm(20))
    assert all(abs(a - b) < Mm(0.05) for a, b in zip(measured, wanted, strict=True)), measured
    assert abs(section.left_margin - Mm(30)) < Mm(0.05) and abs(section.right_margin - Mm(15)) < Mm(0.05)
    heading = doc.tables[0]
    left = [p.text for p in heading.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in heading.cell(0, 1).paragraphs if p.text]
    assert left == ["ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    motto = heading.cell(0, 1).paragraphs[1].runs[0]
    assert motto.bold and motto.font.name == "Times New Roman"
    assert heading.cell(1, 0).text == "Số: .../BC-SVHTTDL"
    date_run = heading.cell(1, 1).paragraphs[0].runs[0]
    assert date_run.text == "Đà Nẵng, ngày 23 tháng 11 năm 2026" and date_run.italic
    texts = [p.text for p in doc.paragraphs]
    title_at = texts.index("BÁO CÁO")
    assert texts[title_at + 1] == (
        "Tình hình thông tin báo chí về Đà Nẵng tuần 47 năm 2026 (từ ngày 16/11/2026 đến ngày 22/11/2026)"
    )
    assert doc.paragraphs[title_at].runs[0].bold
    assert "I. TÌNH HÌNH THÔNG TIN VỀ ĐỊA PHƯƠNG" in texts
    assert "III. SO VỚI KỲ TRƯỚC" in texts
    claims = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tin")
    assert claims.rows[1].cells[3].text == FACTCHECK
    closing = doc.tables[-1]
    recipients = [p.text for p in closing.cell(0, 0).paragraphs]
    assert recipients[0] == "Nơi nhận:"
    assert recipients[-1] == "- Lưu: VT, BCXB."
    assert closing.cell(0, 1).text == "GIÁM ĐỐC"
    images = [rel for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 5
    assert len(doc.inline_shapes) == 5


def test_yearly_section_runs_to_the_15_november_cutoff(data_dir: DataDir) -> None:
    report = build_report(Settings(data_dir=data_dir.path), data_dir.config, "yearly", "2026", ISSUED)
    period = report.figures.period
    assert period.start.isoformat() == "2025-11-15T00:00:00+07:00"
    assert period.end.isoformat() == "2026-11-15T00:00:00+07:00"
    # Week 46 (9–15 November) has 2 items a day; those of the 15th fall after the cutoff, and
    # week 47 (from the 16th) belongs to next year's report: 6 days × 2 = 12.
    assert report.figures.total == 12
    assert report.title.startswith("Công tác theo dõi, xử lý và phản hồi thông tin báo chí về Đà Nẵng năm 2026")
    assert "Nơi nhận:" in report.html()


def test_cli_writes_both_files(data_dir: DataDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSDESK_DATA_DIR", str(data_dir.path))
    monkeypatch.delenv("PRESSDESK_CONFIG", raising=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", "weekly", "--week", "2026-W47", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html, docx = out / "bao-cao-tuan-2026-W47.html", out / "bao-cao-tuan-2026-W47.docx"
    assert html.read_text(encoding="utf-8").count("data:image/png;base64,") == 5
    assert Document(str(docx)).paragraphs
    bad = CliRunner().invoke(main, ["report", "weekly", "--week", "2026-47", "--out", str(out)])
    assert bad.exit_code == 2 and "2026-W47" in bad.output
