"""Putting a report together: figures for the period and the one before, charts, both files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alerts import Alert
from core.config import ProjectConfig
from core.item import Item
from reports.charts import all_charts
from reports.document import build_docx
from reports.figures import LANGUAGE_NAMES, Figures, compute, with_changes
from reports.page import data_uris, render_html
from reports.period import Period


@dataclass(frozen=True, slots=True)
class Report:
    """A finished report: its numbers, charts and title, ready to render as a page or a DOCX."""

    kind: str
    figures: Figures
    charts: dict[str, bytes]
    title: str
    config: ProjectConfig
    issued: datetime

    @property
    def file_stem(self) -> str:
        """``bao-cao-tuan-2026-W47`` or ``bao-cao-nam-2026``."""
        return f"bao-cao-{'tuan' if self.kind == 'weekly' else 'nam'}-{self.figures.period.key}"

    def html(self, chart_sources: dict[str, str] | None = None, css_url: str = "") -> str:
        """The page; standalone (inline charts and CSS) unless sources and a stylesheet URL are given."""
        sources = chart_sources if chart_sources is not None else data_uris(self.charts)
        return render_html(
            self.figures, self.config.report, sources, title=self.title, issued=self.issued, css_url=css_url
        )

    def docx(self) -> bytes:
        """The DOCX in the administrative format."""
        return build_docx(self.figures, self.config.report, self.charts, title=self.title, issued=self.issued)

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write ``<stem>.html`` and ``<stem>.docx`` into ``folder`` (created if needed); returns both paths."""
        folder.mkdir(parents=True, exist_ok=True)
        html_path, docx_path = folder / f"{self.file_stem}.html", folder / f"{self.file_stem}.docx"
        html_path.write_text(self.html(), encoding="utf-8")
        docx_path.write_bytes(self.docx())
        return html_path, docx_path


Loader = Callable[[Period], tuple[Sequence[Item], Sequence[Alert]]]


def assemble(kind: str, period: Period, config: ProjectConfig, load: Loader, issued: datetime) -> Report:
    """Compute the period's and the previous period's figures (``load`` reads items and alerts) and draw the charts."""
    current = compute(*load(period), period, config)
    previous = compute(*load(period.previous()), period.previous(), config)
    figures = with_changes(current, previous)
    place = config.locality.name
    if kind == "weekly":
        title = f"Tình hình thông tin báo chí về {place} {period.label}"
    else:
        title = f"Công tác theo dõi, xử lý và phản hồi thông tin báo chí về {place} {period.label}"
    return Report(kind, figures, all_charts(figures, LANGUAGE_NAMES), title, config, issued)
