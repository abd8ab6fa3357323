"""The report as a DOCX in the Vietnamese administrative format of Decree 30/2020/NĐ-CP (Appendix I).

What the decree fixes and where it is done here:

* A4 paper; margins top and bottom 20 mm, left 30 mm, right 15 mm (within 20–25/30–35/15–20).
* Times New Roman throughout; body 14 pt, justified, first line indented 1.27 cm.
* The heading is a two-column block: on the left the parent body (12 pt, upper case), the
  issuing body (12 pt bold, upper case, a short rule under it) and ``Số: .../BC-...``; on the
  right the national title "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (12 pt bold), the motto
  "Độc lập - Tự do - Hạnh phúc" (13 pt bold, a rule under it) and the place-date line (14 pt italic).
* The document type "BÁO CÁO" (14 pt bold, centred) and its subject line (14 pt bold).
* At the end, "Nơi nhận:" (12 pt bold italic) with the recipients (11 pt) on the left, and the
  signer's title (14 pt bold) on the right. The number is left as "..." for the office's
  document registry to fill, as it is when a draft goes for signature.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from alerts import stance_name
from core.config import ReportHeading
from core.enums import Stance
from reports.figures import Figures, language_list
from reports.period import VIETNAM_TIME

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
CHART_WIDTH = Cm(15.5)


def date_line(place: str, when: datetime) -> str:
    """``"Đà Nẵng, ngày 23 tháng 11 năm 2026"``; days below 10 and months below 3 get a leading zero (decree rule)."""
    local = when.astimezone(VIETNAM_TIME)
    day = f"{local.day:02d}"
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return f"{place}, ngày {day} tháng {month} năm {local.year}"


def build_docx(
    figures: Figures,
    heading: ReportHeading,
    charts: dict[str, bytes],
    *,
    title: str,
    issued: datetime,
) -> bytes:
    """Write the report and return the DOCX bytes.

    Args:
        figures: the period's numbers (with ``changes`` filled for a comparison section).
        heading: who issues it, its number code, place, signer's title, recipients.
        charts: PNG images from ``reports.charts.all_charts``.
        title: the subject line under "BÁO CÁO".
        issued: the date on the place-date line.
    """
    doc = Document()
    _page(doc)
    _header_block(doc, heading, issued)
    _centred(doc, "BÁO CÁO", size=14, bold=True, space_before=12)
    _centred(doc, title, size=14, bold=True, space_after=12)
    _body(doc, figures, charts)
    _closing(doc, heading)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    # East Asian and complex-script fallbacks would otherwise render Vietnamese in another face.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _run(paragraph: Paragraph, text: str, *, size: float, bold: bool = False, italic: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic


def _cell_line(
    cell: _Cell, text: str, *, size: float, bold: bool = False, italic: bool = False, first: bool = False
) -> Paragraph:
    paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _rule(cell: _Cell, width_cm: float, cell_cm: float) -> None:
    """A short centred rule (the line under the issuing body and under the motto)."""
    paragraph = cell.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(4)
    side = Cm(max(0.0, (cell_cm - width_cm) / 2))
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
    paragraph.paragraph_format.line_spacing = Pt(2)


def _header_block(doc: DocumentObject, heading: ReportHeading, issued: datetime) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Cm(6.5), Cm(10.0))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    left, right = table.rows[0].cells
    _cell_line(left, heading.parent.upper(), size=12, first=True)
    _cell_line(left, heading.issuer.upper(), size=12, bold=True)
    _rule(left, 2.5, 6.5)
    _cell_line(right, NATIONAL_TITLE, size=12, bold=True, first=True)
    _cell_line(right, MOTTO, size=13, bold=True)
    _rule(right, 5.6, 10.0)
    number, place = table.rows[1].cells
    _cell_line(number, f"Số: .../{heading.number_code}", size=13, first=True)
    _cell_line(place, date_line(heading.place, issued), size=14, italic=True, first=True)


def _centred(
    doc: DocumentObject, text: str, *, size: float, bold: bool = False, space_before: float = 0, space_after: float = 0
) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(space_after)
    _run(paragraph, text, size=size, bold=bold)


def _section(doc: DocumentObject, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.first_line_indent = Cm(1.27)
    _run(paragraph, text, size=14, bold=True)


def _text(doc: DocumentObject, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1.27)
    paragraph.paragraph_format.space_after = Pt(6)
    _run(paragraph, text, size=14)


def _chart(doc: DocumentObject, png: bytes | None) -> None:
    if png is None:
        return
    doc.add_picture(io.BytesIO(png), width=CHART_WIDTH)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _grid(doc: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].text = ""
        _run(cell.paragraphs[0], text, size=11, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _run(cell.paragraphs[0], text, size=11)


def _body(doc: DocumentObject, f: Figures, charts: dict[str, bytes]) -> None:
    neg, pos, neu = (f.stances[s] for s in (Stance.NEGATIVE, Stance.POSITIVE, Stance.NEUTRAL))
    _section(doc, "I. TÌNH HÌNH THÔNG TIN VỀ ĐỊA PHƯƠNG")
    _section(doc, "1. Số lượng và sắc thái thông tin")
    _text(
        doc,
        f"Trong {f.period.label}, hệ thống ghi nhận {f.total} tin, bài về địa phương: "
        f"{pos} tin {stance_name(Stance.POSITIVE)}, {neu} tin {stance_name(Stance.NEUTRAL)}, "
        f"{neg} tin {stance_name(Stance.NEGATIVE)} (chiếm {f.negative_share:.0%}).",
    )
    _chart(doc, charts.get("stance_by_day"))
    _section(doc, "2. Chủ đề, nguồn tin và ngôn ngữ")
    top_topics = ", ".join(f"{name} ({n})" for name, n in f.topics.most_common(3)) or "không có"
    _text(
        doc, f"Các chủ đề được đưa tin nhiều nhất: {top_topics}. Có {len(f.outlets)} nguồn tin đưa tin về địa phương."
    )
    for name in ("topics", "outlets", "languages"):
        _chart(doc, charts.get(name))
    _section(doc, "3. Thông tin trên báo chí nước ngoài")
    langs = language_list(f.foreign_languages)
    _text(
        doc,
        f"Báo chí nước ngoài có {f.foreign_total} tin, bài (theo ngôn ngữ: {langs}), trong đó "
        f"{f.foreign_stances[Stance.NEGATIVE]} tin {stance_name(Stance.NEGATIVE)}.",
    )
    _chart(doc, charts.get("foreign"))
    _section(doc, "4. Các sự việc được đưa tin rộng nhất")
    _grid(
        doc,
        ("Sự việc (tin đầu tiên)", "Số nguồn", "Số tin", "Sắc thái", "Chủ đề"),
        [(s.title, str(s.outlets), str(s.items), s.stance, s.topic) for s in f.stories],
    )
    _section(doc, "II. THÔNG TIN SAI SỰ THẬT VÀ VIỆC PHẢN HỒI")
    _section(doc, "1. Thông tin đã được kiểm chứng, đính chính là sai nhưng tiếp tục lan truyền")
    if f.false_claims:
        _grid(
            doc,
            ("Tin", "Nguồn", "Đơn vị chủ trì", "Bằng chứng đính chính", "Tiếp nhận sau", "Phản hồi sau"),
            [
                (c.title, c.outlet, c.unit, c.evidence_url, c.acknowledged_after, c.answered_after)
                for c in f.false_claims
            ],
        )
    else:
        _text(doc, "Trong kỳ không ghi nhận tin lặp lại thông tin đã được đính chính là sai.")
    _section(doc, "2. Tình hình tiếp nhận và phản hồi của các đơn vị")
    _text(doc, response_sentence(f))
    if f.changes:
        _section(doc, "III. SO VỚI KỲ TRƯỚC")
        for line in f.changes:
            _text(doc, f"- {line}")


def response_sentence(f: Figures) -> str:
    """The paragraph on how units received and answered their alerts (shared with the web page)."""
    answered, acknowledged, waiting = (f.alerts_by_status.get(s, 0) for s in ("answered", "acknowledged", "open"))
    ack = "chưa có" if f.median_ack_hours is None else f"{f.median_ack_hours:.1f} giờ".replace(".", ",")
    answer = "chưa có" if f.median_answer_hours is None else f"{f.median_answer_hours:.1f} giờ".replace(".", ",")
    return (
        f"Hệ thống đã chuyển {f.alerts_total} tin cần phản hồi đến các đơn vị chủ trì; {answered} tin đã được "
        f"phản hồi, {acknowledged} tin đã tiếp nhận đang xử lý, {waiting} tin chưa được tiếp nhận; {f.escalated} tin "
        f"quá hạn đã báo cáo đơn vị đầu mối. Thời gian tiếp nhận trung vị: {ack}; "
        f"thời gian phản hồi trung vị: {answer}."
    )


def _closing(doc: DocumentObject, heading: ReportHeading) -> None:
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8.5), Cm(8.0)
    first = left.paragraphs[0]
    _run(first, "Nơi nhận:", size=12, bold=True, italic=True)
    first.paragraph_format.space_after = Pt(0)
    for recipient in heading.recipients:
        line = left.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        _run(line, f"- {recipient}", size=11)
    _cell_line(right, heading.signer_title.upper(), size=14, bold=True, first=True)
