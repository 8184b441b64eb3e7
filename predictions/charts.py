"""Server-side charts for the dashboard: matplotlib figures rendered to inline SVG.

The figures are built with matplotlib's object API (no pyplot: no global state shared between
requests) and keep their text as text, so titles and labels stay selectable and searchable.
matplotlib is imported on the first chart, never on the API's request path.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

WIDTH_INCHES = 10.0
COLOURS = ["#1f6feb", "#d9480f", "#2b8a3e", "#862e9c"]


def _figure(height: float) -> Any:
    from matplotlib.figure import Figure  # noqa: PLC0415 - see the module docstring

    figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
    figure.set_facecolor("white")
    return figure


def _svg(figure: Any) -> str:
    import matplotlib as mpl  # noqa: PLC0415

    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "font.size": 11}):
        figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML prologue or DOCTYPE


def model_comparison_svg(scores: Sequence[Mapping[str, Any]], default_model: str) -> str:
    """R² and MAE of every model on both holdouts, side by side; the default model starred."""
    figure = _figure(4.6)
    r2_axes, mae_axes = figure.subplots(1, 2)
    names = [score["model"] for score in scores]
    labels = [f"★ {name}" if name == default_model else name for name in names]
    positions = range(len(names))
    width = 0.4
    for axes, metric, title, unit in (
        (r2_axes, "r2", "R² (higher is better)", "R²"),
        (mae_axes, "mae", "Mean absolute error (lower is better)", "rentals per hour"),
    ):
        shuffled = [score[metric] for score in scores]
        chronological = [score[f"chronological_{metric}"] for score in scores]
        axes.barh([p + width / 2 for p in positions], shuffled, width, label="shuffled 80/20", color=COLOURS[0])
        axes.barh([p - width / 2 for p in positions], chronological, width, label="Sep–Dec 2012", color=COLOURS[1])
        axes.set_yticks(list(positions), labels)
        axes.set_title(title)
        axes.set_xlabel(unit)
        axes.grid(axis="x", alpha=0.3)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9, frameon=False)
    mae_axes.set_yticklabels([])
    figure.suptitle(f"Model comparison on both holdouts (★ default: {default_model})")
    return _svg(figure)


def day_curve_svg(series: Mapping[str, Sequence[int]], title: str) -> str:
    """Predicted rentals for each hour of one day; one line per weather or model compared."""
    figure = _figure(4.2)
    axes = figure.subplots()
    for colour, (label, values) in zip(COLOURS, series.items(), strict=False):
        axes.plot(range(24), values, marker="o", markersize=3, linewidth=2, label=label, color=colour)
    axes.set_xticks(range(0, 24, 2), [f"{hour}h" for hour in range(0, 24, 2)])
    axes.set_xlabel("hour of the day")
    axes.set_ylabel("predicted rentals per hour")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left")
    axes.set_title(title)
    return _svg(figure)


def history_svg(days: Sequence[date], requests: Sequence[int], mean_predictions: Sequence[float | None]) -> str:
    """Requests per day (bars) and the mean predicted rentals of each day's predictions (line)."""
    figure = _figure(4.2)
    axes = figure.subplots()
    labels = [day.isoformat() for day in days]
    axes.bar(labels, requests, width=0.6, color=COLOURS[0], alpha=0.8, label="requests")
    axes.set_xlim(-0.7, max(len(labels), 7) - 0.3)  # a week's width at least: one day is not a wall
    axes.set_ylabel("requests per day")
    axes.set_xlabel("day (UTC)")
    axes.tick_params(axis="x", labelrotation=45)
    means = axes.twinx()
    points = [(label, mean) for label, mean in zip(labels, mean_predictions, strict=True) if mean is not None]
    if points:
        days_with_predictions, values = zip(*points, strict=True)
        means.plot(days_with_predictions, values, color=COLOURS[1], marker="o", label="mean prediction")
    means.set_ylabel("mean predicted rentals per hour")
    means.set_ylim(bottom=0)
    handles = axes.get_legend_handles_labels()[0] + means.get_legend_handles_labels()[0]
    axes.legend(handles, [h.get_label() for h in handles], loc="upper left")
    axes.set_title("Prediction history: requests and mean predicted rentals per day")
    return _svg(figure)
