"""The report's charts as PNG bytes (matplotlib, Agg backend: no display, nothing downloaded).

DejaVu Sans ships with matplotlib and covers Vietnamese, so labels keep their diacritics.
Stance colours are fixed so a reader learns them once: positive green, neutral grey,
negative red-brown.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # the backend is chosen above, before pyplot loads
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from alerts import stance_name
from core.enums import Stance
from reports.figures import Figures

STANCE_COLOURS = {Stance.POSITIVE: "#2e7d32", Stance.NEUTRAL: "#9e9e9e", Stance.NEGATIVE: "#b23b22"}
_DPI = 150


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _base(title: str, size: tuple[float, float] = (7.0, 3.2)) -> tuple[Figure, Axes]:
    plt.rcParams["font.family"] = "DejaVu Sans"
    fig, ax = plt.subplots(figsize=size)
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _counts_axis(axis: Any) -> None:
    """Counts are whole items: integer ticks only, starting at zero."""
    axis.set_major_locator(MaxNLocator(integer=True))


def stance_by_day(figures: Figures) -> bytes:
    """Stacked bars: items per day (per month over a long period), split by stance."""
    days: list[date] = sorted(figures.by_day_stance)
    monthly = len(days) > 62
    buckets: dict[str, dict[Stance, int]] = {}
    for day in days:
        label = day.strftime("%m/%Y") if monthly else day.strftime("%d/%m")
        bucket = buckets.setdefault(label, dict.fromkeys(Stance, 0))
        for stance, n in figures.by_day_stance[day].items():
            bucket[stance] += n
    fig, ax = _base("Số tin theo tháng và sắc thái" if monthly else "Số tin theo ngày và sắc thái")
    labels = list(buckets)
    bottom = [0] * len(labels)
    for stance in (Stance.POSITIVE, Stance.NEUTRAL, Stance.NEGATIVE):
        values = [buckets[label][stance] for label in labels]
        ax.bar(labels, values, bottom=bottom, color=STANCE_COLOURS[stance], label=stance_name(stance))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("số tin")
    _counts_axis(ax.yaxis)
    ax.legend(fontsize=8, frameon=False)
    if len(labels) > 10:
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    return _png(fig)


def ranking(counts: Counter[str], title: str, limit: int = 10) -> bytes:
    """Horizontal bars of the largest counts (topics, outlets, languages)."""
    top = counts.most_common(limit)[::-1]
    fig, ax = _base(title, (7.0, max(1.8, 0.32 * len(top) + 0.8)))
    ax.barh([name for name, _ in top], [n for _, n in top], color="#1f5f8b")
    for y, (_, n) in enumerate(top):
        ax.text(n, y, f" {n}", va="center", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("số tin")
    _counts_axis(ax.xaxis)
    if not top:
        ax.text(0.5, 0.5, "Không có tin", ha="center", va="center", transform=ax.transAxes)
    return _png(fig)


def foreign_stance(figures: Figures) -> bytes:
    """Foreign-language coverage by stance."""
    fig, ax = _base("Tin báo chí nước ngoài theo sắc thái", (5.0, 2.6))
    order = (Stance.POSITIVE, Stance.NEUTRAL, Stance.NEGATIVE)
    values = [figures.foreign_stances[s] for s in order]
    ax.bar([stance_name(s) for s in order], values, color=[STANCE_COLOURS[s] for s in order])
    for x, n in enumerate(values):
        ax.text(x, n, str(n), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("số tin")
    _counts_axis(ax.yaxis)
    ax.set_ylim(0, max(1, *values) * 1.15)
    if not any(values):
        ax.text(0.5, 0.5, "Không có tin", ha="center", va="center", transform=ax.transAxes)
    return _png(fig)


def all_charts(figures: Figures, language_names: dict[str, str]) -> dict[str, bytes]:
    """Every chart of the report by name, in the order the report shows them."""
    languages: Counter[str] = Counter({language_names.get(k, k): v for k, v in figures.languages.items()})
    return {
        "stance_by_day": stance_by_day(figures),
        "topics": ranking(figures.topics, "Số tin theo chủ đề"),
        "outlets": ranking(figures.outlets, "Nguồn tin đưa nhiều tin nhất"),
        "languages": ranking(languages, "Số tin theo ngôn ngữ"),
        "foreign": foreign_stance(figures),
    }
