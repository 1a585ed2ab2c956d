"""The options chart: each option's value now and at retirement, side by side (PNG)."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from bot.wording import label, text
from engine import Report


def chart_png(report: Report) -> bytes | None:
    """The chart as PNG bytes, or None when there is nothing to compare."""
    options = [o for o in report.job_change.options if o.available]
    if not report.job_change.leaving or not options:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    year = report.tax_year
    names = [label(o.id, "chart_option", year) for o in options]
    now = [float(o.net_now) for o in options]
    later = [float(o.value_at_retirement) for o in options]
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    # Fixed margins: tight_layout would draw the figure twice (most of the chart's CPU).
    fig.subplots_adjust(left=0.14, right=0.98, top=0.9, bottom=0.12)
    xs = range(len(names))
    ax.bar(
        [x - 0.2 for x in xs],
        now,
        width=0.4,
        label=label("net_now", "chart", year),
        color="#4c72b0",
    )
    ax.bar(
        [x + 0.2 for x in xs],
        later,
        width=0.4,
        label=label("at_retirement", "chart", year),
        color="#55a868",
    )
    ax.set_xticks(list(xs), names, fontsize=8)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("${x:,.0f}"))
    ax.set_title(text("label.phrase.chart_title", tax_year=year), fontsize=10)
    ax.legend(fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def chart_file(report: Report, directory: str | None = None) -> str | None:
    """Write the chart to a PNG file named by its content; return the path."""
    png = chart_png(report)
    if png is None:
        return None
    folder = Path(directory or os.environ.get("ADVISOR_CHARTS", "data/charts"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"options-{hashlib.sha256(png).hexdigest()[:12]}.png"
    if not path.exists():
        path.write_bytes(png)
    return str(path)
