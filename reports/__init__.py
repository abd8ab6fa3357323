"""Reports for leaders: the weekly report and the yearly section on monitoring and response.

Each report is a web page and a DOCX in the Vietnamese administrative format (Decree
30/2020/NĐ-CP), with charts drawn by matplotlib. Numbers come from the store and the
alert book (``reports.figures``); ``reports`` reads ``alerts`` public names (the alert
record and the label vocabulary) so reports name things the way digests do.
"""

from reports.build import Report, assemble
from reports.charts import all_charts
from reports.document import build_docx
from reports.figures import Figures, compute, items_in, with_changes
from reports.page import render_html, stylesheet
from reports.period import Period, iso_week, reporting_year

__all__ = [
    "Figures",
    "Period",
    "Report",
    "all_charts",
    "assemble",
    "build_docx",
    "compute",
    "iso_week",
    "items_in",
    "render_html",
    "reporting_year",
    "stylesheet",
    "with_changes",
]
