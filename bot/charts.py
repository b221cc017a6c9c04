"""The /stats chart: events and listeners per month, and compensation per month, as one PNG
readable on a phone (1000×700 px, large type). Rendered off-screen (Agg), never a window."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display, no backend warnings

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

WIDTH_PX, HEIGHT_PX, DPI = 1000, 700, 100


@dataclass(frozen=True, slots=True)
class ChartLabels:
    title: str
    events: str
    listeners: str
    compensation: str  # the axis, in rubles


def compact(value: float, _position: object = None) -> str:
    """Axis numbers a phone shows whole: 950, 12k, 1.5M (no 1e8 offsets)."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def render_chart(monthly: Mapping[str, tuple[int, int, int]], labels: ChartLabels) -> bytes:
    """`monthly`: YYYY-MM → (events held, listeners, compensation in kopecks). Returns PNG."""
    months = list(monthly)
    ticks = [f"{month[5:7]}.{month[2:4]}" for month in months]  # 03.26: short, plain ASCII
    events = [values[0] for values in monthly.values()]
    listeners = [values[1] for values in monthly.values()]
    rubles = [values[2] / 100 for values in monthly.values()]
    positions = list(range(len(months)))

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    figure.suptitle(labels.title, fontsize=22, fontweight="bold")

    top.bar(positions, events, color="#2f80ed", label=labels.events)
    top.set_ylabel(labels.events, fontsize=16, color="#2f80ed")
    top.tick_params(labelsize=14)
    heard = top.twinx()
    heard.plot(positions, listeners, color="#eb5757", marker="o", linewidth=3, markersize=8)
    heard.set_ylabel(labels.listeners, fontsize=16, color="#eb5757")
    heard.tick_params(labelsize=14)
    heard.set_ylim(bottom=0)
    top.set_ylim(bottom=0)

    bottom.bar(positions, rubles, color="#27ae60")
    bottom.set_ylabel(labels.compensation, fontsize=16, color="#27ae60")
    bottom.tick_params(labelsize=14)
    bottom.set_ylim(bottom=0)
    bottom.set_xticks(positions, ticks)
    step = max(1, len(positions) // 12)  # at most a dozen month labels
    for index, label in enumerate(bottom.get_xticklabels()):
        label.set_visible(index % step == 0)
    for axis in (top, bottom):
        axis.grid(axis="y", alpha=0.3)
    for axis in (top, heard, bottom):
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # no 2.5 events
        axis.yaxis.set_major_formatter(FuncFormatter(compact))

    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
