"""The answer's chart (PNG): the job-change options side by side, or every historical retirement."""

from __future__ import annotations

import hashlib
import io
import os
from decimal import Decimal
from pathlib import Path

from bot.wording import label, text
from engine import Report


def chart_png(report: Report) -> bytes | None:
    """The answer's chart as PNG bytes: every historical retirement, or the options compared."""
    if report.retirement is not None and report.retirement.historical is not None:
        return retirement_png(report)
    return options_png(report)


def retirement_png(report: Report) -> bytes | None:
    """Each start year's real balance path, the worst start year drawn over the rest (PNG)."""
    t = report.retirement
    if t is None or t.historical is None:
        return None
    h = t.historical
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from engine.rules import history

    share = Decimal(h.stock_percent) / 100
    need = [Decimal(x) for x in h.need_real]
    start = Decimal(t.start_balance)
    pension = Decimal(h.fixed_pension)
    first = history.FIRST_YEAR
    year = report.tax_year
    ages = [t.age + k for k in range(len(need) + 1)]
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    fig.subplots_adjust(left=0.14, right=0.98, top=0.9, bottom=0.14)
    worst = None
    for i in range(h.cohorts):
        path = [float(b) for b in history.balance_path(i, start, need, pension, share)]
        if first + i == h.worst_start_year:
            worst = path
        ax.plot(ages, path, color="#9bb3d6", linewidth=0.6, alpha=0.6)
    if worst is not None:
        ax.plot(
            ages,
            worst,
            color="#c44e52",
            linewidth=2,
            label=text(
                "label.phrase.retirement_chart_worst", tax_year=year, start=str(h.worst_start_year)
            ),
        )
        ax.legend(fontsize=8)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("${x:,.0f}"))
    ax.set_xlabel(label("age", "chart", year), fontsize=8)
    ax.set_title(
        text(
            "label.phrase.retirement_chart_title",
            tax_year=year,
            first=str(h.first_year),
            last=str(h.last_year),
        ),
        fontsize=10,
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def options_png(report: Report) -> bytes | None:
    """Each option's value now and at retirement, side by side (PNG); None if nothing to compare."""
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


def chart_folder(directory: str | None = None) -> Path:
    """Where the console writes its charts."""
    return Path(directory or os.environ.get("ADVISOR_CHARTS", "data/charts"))


def chart_file(report: Report, directory: str | None = None, owner: str = "") -> str | None:
    """Write the chart to a PNG file named by its owner and content; return the path."""
    png = chart_png(report)
    if png is None:
        return None
    folder = chart_folder(directory)
    folder.mkdir(parents=True, exist_ok=True)
    kind = "retirement" if report.retirement is not None else "options"
    prefix = f"{kind}-{owner}-" if owner else f"{kind}-"
    path = folder / f"{prefix}{hashlib.sha256(png).hexdigest()[:12]}.png"
    if not path.exists():
        path.write_bytes(png)
    return str(path)


def forget_charts(owner: str, directory: str | None = None) -> int:
    """Delete every chart file written for this owner (/forget); the number deleted."""
    folder = chart_folder(directory)
    gone = 0
    for path in list(folder.glob(f"*-{owner}-*.png")) if folder.is_dir() else []:
        path.unlink(missing_ok=True)
        gone += 1
    return gone
