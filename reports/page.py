"""The report as a web page (same content as the DOCX), standalone or served by the web app.

A standalone file carries its stylesheet and charts inline (``data:`` images) so it can be
mailed or archived as one file; the web app serves both from its own origin instead,
because its Content-Security-Policy allows nothing inline.
"""

from __future__ import annotations

import base64
import functools
from datetime import datetime
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from core.config import ReportHeading
from core.enums import Stance
from reports.document import date_line, response_sentence
from reports.figures import Figures, language_list


@functools.cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def stylesheet() -> str:
    """The report's CSS (served by the web app at its own URL)."""
    return resources.files("reports").joinpath("templates", "report.css").read_text(encoding="utf-8")


def data_uris(charts: dict[str, bytes]) -> dict[str, str]:
    """Charts as ``data:image/png;base64,...`` sources for a standalone page."""
    return {name: "data:image/png;base64," + base64.b64encode(png).decode("ascii") for name, png in charts.items()}


def render_html(
    figures: Figures,
    heading: ReportHeading,
    chart_sources: dict[str, str],
    *,
    title: str,
    issued: datetime,
    css_url: str = "",
) -> str:
    """The report page; without ``css_url`` the stylesheet is inlined (a standalone file)."""
    f = figures
    context = {
        "f": f,
        "heading": heading,
        "title": title,
        "date_line": date_line(heading.place, issued),
        "charts": chart_sources,
        "css_inline": "" if css_url else stylesheet(),
        "css_url": css_url,
        "counts": {
            "positive": f.stances[Stance.POSITIVE],
            "neutral": f.stances[Stance.NEUTRAL],
            "negative": f.stances[Stance.NEGATIVE],
            "foreign_negative": f.foreign_stances[Stance.NEGATIVE],
        },
        "negative_pct": f"{f.negative_share:.0%}",
        "top_topics": ", ".join(f"{name} ({n})" for name, n in f.topics.most_common(3)) or "không có",
        "foreign_langs": language_list(f.foreign_languages),
        "response_sentence": response_sentence(f),
    }
    return _env().get_template("report.html").render(context)
