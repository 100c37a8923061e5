"""Charts of a digest's distributions (grades, quota completion, trends), and the same figures
as text for screen readers and the console.

``render_png`` draws a ``Distribution`` (``bot/domain/digest.py``) with matplotlib's Agg
backend: no display and no browser. matplotlib is imported on the first chart, so the bot's
start-up does not pay for it. The PNG is deterministic (no timestamp or software version in
its metadata): the same figures always give the same bytes, which lets a chart be cached and
served by its content.
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING

from bot.domain.digest import Distribution, completion_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# About 600 x 300 pixels: readable in a Teams card and a Slack message at their widths.
WIDTH_INCHES, HEIGHT_INCHES, DPI = 6.0, 3.0, 100
BAR_COLOUR = "#2f6f9f"
LINE_COLOUR = "#b5533c"
# No Software, Creation Time or other varying chunks in the PNG.
PNG_METADATA: dict[str, str | None] = {"Software": None}

# pyplot keeps global state; charts may be drawn from more than one thread.
_lock = threading.Lock()


def describe(dist: Distribution) -> str:
    """The figures as one line: "Good 12 (40%), Requires improvement 18 (60%)"; a trend
    (kind "line") lists its values in order without shares of a total."""
    if not dist.counts:
        return f"{dist.title}: no data for this period."
    total = dist.total
    if dist.kind == "completion":
        parts = [f"{label} {completion_text(n, of, p)}" for label, n, of, p in dist.completion()]
    elif dist.kind == "line":
        parts = [f"{label} {count}" for label, count in dist.counts]
    else:
        parts = [f"{label} {count} ({_share(count, total)})" for label, count in dist.counts]
    return f"{dist.title}: " + ", ".join(parts) + "."


def _share(count: int, total: int) -> str:
    return f"{round(100 * count / total)}%" if total else "0%"


def render_png(dist: Distribution) -> bytes:
    """The distribution as a PNG (a bar chart, or a line for a trend)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    with _lock:
        # A Figure without pyplot: nothing is registered globally, nothing leaks.
        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        axes = figure.add_subplot()
        axes.set_title(dist.title, fontsize=11)
        if not dist.counts or (dist.kind == "bar" and dist.total == 0):
            _empty(axes)
        elif dist.kind == "line":
            _line(axes, dist)
        elif dist.kind == "completion":
            _completion(axes, dist)
        else:
            _bars(axes, dist)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata=PNG_METADATA)
        return buffer.getvalue()


def _empty(axes: Axes) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, "No data for this period", ha="center", va="center", fontsize=11)


# More categories than this are drawn as horizontal bars, so long names stay readable.
MAX_UPRIGHT_BARS = 6


def _bars(axes: Axes, dist: Distribution) -> None:
    if len(dist.counts) > MAX_UPRIGHT_BARS:
        _horizontal_bars(axes, dist)
        return
    labels = [_wrap(label) for label, _ in dist.counts]
    values = [count for _, count in dist.counts]
    positions = list(range(len(values)))
    bars = axes.bar(positions, values, color=BAR_COLOUR)
    axes.bar_label(bars, labels=[str(v) for v in values], fontsize=9)
    axes.set_xticks(positions, labels, fontsize=8 if len(values) > 5 else 9)
    axes.set_ylim(0, max(values) * 1.2 or 1)
    _plain(axes)


def _horizontal_bars(axes: Axes, dist: Distribution) -> None:
    """Many categories (themes): one per row, the first at the top."""
    labels = [_short(label) for label, _ in dist.counts]
    values = [count for _, count in dist.counts]
    positions = list(range(len(values)))
    bars = axes.barh(positions, values, color=BAR_COLOUR)
    axes.bar_label(bars, labels=[str(v) for v in values], fontsize=8, padding=2)
    axes.set_yticks(positions, labels, fontsize=7 if len(values) > 10 else 8)
    axes.invert_yaxis()
    axes.set_xlim(0, max(values) * 1.15 or 1)
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)


DONE_COLOUR, TRACK_COLOUR = "#3c8d5a", "#e4e8ec"


def _completion(axes: Axes, dist: Distribution) -> None:
    """One bar per category, out of 100 %, on a pale track to 100 %, labelled "12 of 15
    (80 %)"; a category with nothing due shows an empty track."""
    rows = dist.completion()
    labels = [_short(label) for label, *_ in rows]
    shares = [min(p, 100) if p is not None else 0 for *_, p in rows]
    positions = list(range(len(rows)))
    axes.barh(positions, [100] * len(rows), color=TRACK_COLOUR)
    axes.barh(positions, shares, color=DONE_COLOUR)
    for y, (_, n, of, p) in zip(positions, rows, strict=True):
        axes.text(101, y, completion_text(n, of, p), va="center", fontsize=8)
    axes.set_yticks(positions, labels, fontsize=7 if len(rows) > 10 else 8)
    axes.invert_yaxis()
    axes.set_xlim(0, 130)
    axes.set_xticks([0, 25, 50, 75, 100], ["0 %", "25 %", "50 %", "75 %", "100 %"], fontsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _line(axes: Axes, dist: Distribution) -> None:
    labels = [_wrap(label) for label, _ in dist.counts]
    values = [count for _, count in dist.counts]
    positions = list(range(len(values)))
    axes.plot(positions, values, marker="o", color=LINE_COLOUR)
    for x, y in zip(positions, values, strict=True):
        axes.annotate(str(y), (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
    axes.set_xticks(positions, labels, fontsize=9)
    axes.set_ylim(0, max(values) * 1.25 or 1)
    _plain(axes)


def _plain(axes: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _wrap(label: str, width: int = 14) -> str:
    """Long category names on two lines rather than overlapping their neighbours."""
    if len(label) <= width or " " not in label:
        return label
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)
