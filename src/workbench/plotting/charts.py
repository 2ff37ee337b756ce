"""House style and the generic charts that several analyses share.

Plot functions draw only on the ``ax`` they are given (or a new one) and return
it; they never aggregate, set a figure title or call ``show``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from workbench import formatting
from workbench.formatting import N_

PALETTE = ["#1f5f8b", "#e07b39", "#3a9e6f", "#b8433d", "#7a5ea8", "#8c6d46", "#d16ba5", "#6b7b8c"]


# seaborn 0.13's ``set_theme(context="notebook", style="whitegrid")``, written out: setting
# the style this way spares each kernel importing seaborn, and scipy.stats with it (about
# 0.5 s). Every key that theme sets is here (tests/test_house_style.py checks them against
# seaborn's own) except ``image.cmap`` ("rocket", a colormap seaborn registers): every
# chart of the package names its colormap.
SEABORN_THEME = {
    "figure.facecolor": "white",
    "axes.labelcolor": ".15",
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.color": ".15",
    "ytick.color": ".15",
    "axes.axisbelow": True,
    "grid.linestyle": "-",
    "text.color": ".15",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "xtick.top": False,
    "ytick.right": False,
    "axes.grid": True,
    "axes.facecolor": "white",
    "axes.edgecolor": ".8",
    "grid.color": ".8",
    "axes.spines.left": True,
    "axes.spines.bottom": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "xtick.bottom": False,
    "ytick.left": False,
    "axes.linewidth": 1.25,
    "grid.linewidth": 1,
    "lines.linewidth": 1.5,
    "lines.markersize": 6,
    "patch.linewidth": 1,
    "xtick.major.width": 1.25,
    "ytick.major.width": 1.25,
    "xtick.minor.width": 1,
    "ytick.minor.width": 1,
    "xtick.major.size": 6,
    "ytick.major.size": 6,
    "xtick.minor.size": 4,
    "ytick.minor.size": 4,
    "font.size": 12,
    "axes.labelsize": 12,
    "axes.titlesize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 12,
}


HOUSE_RC = {
    "figure.figsize": (9, 4.2),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def use_house_style() -> None:
    """Apply the report style (call it once in a notebook's set-up cell; nothing changes at import).

    The seaborn theme (:data:`SEABORN_THEME`), the house palette as colour cycle, then :data:`HOUSE_RC`.
    """
    from cycler import cycler
    from matplotlib.colors import to_rgb

    plt.rcParams.update(SEABORN_THEME)
    plt.rcParams["axes.prop_cycle"] = cycler("color", [to_rgb(c) for c in PALETTE])
    plt.rcParams.update(HOUSE_RC)


def get_ax(ax: Axes | None) -> Axes:
    """``ax``, or the axes of a new figure."""
    if ax is None:
        _, ax = plt.subplots()
    return ax


def thousands(unit: str = "") -> FuncFormatter:
    """Tick formatter with thin-space thousands (``12 345``), and an optional unit suffix."""
    return FuncFormatter(lambda x, _: formatting.money(x, unit))


MONTHS = (N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"))
"""Short month names of the month-of-year axes, in English (translated with ``tr`` when drawn)."""


def local_number(text: str) -> str:
    """A number written with Python's format (``1,234.5``) in the report's locale: thin-space groups, and a decimal comma in French."""
    text = text.replace(",", formatting.GROUP)
    return text if formatting.language() == "en" else text.replace(".", ",")


def labelled_barh(ax: Axes, labels: Sequence[str], values: Sequence[float], *, fmt: str = "{:,.0f}", color: str = PALETTE[0]) -> Axes:
    """Horizontal bars, first label on top, each bar labelled with its value."""
    y = np.arange(len(labels))
    bars = ax.barh(y, values, color=color)
    ax.set_yticks(y, labels=list(labels))
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[local_number(fmt.format(v)) for v in values], padding=3, fontsize=9)
    ax.margins(x=0.12)
    return ax


def heatmap(ax: Axes, matrix, *, row_labels: Sequence[str], col_labels: Sequence[str], fmt: str = "{:,.0f}", cmap: str = "Blues", cbar_label: str = "") -> Axes:
    """A labelled heatmap of a 2-D array (NaN cells blank), each cell annotated with ``fmt``; first row on top."""
    values = np.asarray(matrix, dtype="float64")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto")
    ax.set_xticks(range(values.shape[1]), labels=list(col_labels))
    ax.set_yticks(range(values.shape[0]), labels=list(row_labels))
    ax.grid(False)
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, local_number(fmt.format(v)), ha="center", va="center", fontsize=8, color="white" if v > middle else "black")
    ax.figure.colorbar(image, ax=ax, label=cbar_label)
    return ax


def alluvial(
    ax: Axes,
    flows,
    *,
    left_order: Sequence[str],
    right_order: Sequence[str],
    colors: dict[str, str] | None = None,
    gap: float = 0.02,
    left_title: str = "",
    right_title: str = "",
) -> Axes:
    """A two-column alluvial (Sankey-style) chart drawn with patches.

    ``flows`` has columns ``source, target, value``; each band goes from the source's block on the
    left to the target's block on the right with a width proportional to ``value``. Blocks are stacked
    top-down in ``left_order`` / ``right_order`` (names absent from the flows are skipped). Bands take
    the colour of their source (``colors``, else the palette).
    """
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MplPath

    flows = flows[flows["value"] > 0]
    total = float(flows["value"].sum()) or 1.0
    width = 0.06
    colors = dict(colors or {})
    columns = []  # per side: names, their scale (height per unit of value), block tops and bottoms
    for names, key in ((left_order, "source"), (right_order, "target")):
        sizes = flows.groupby(key)["value"].sum()
        shown = [n for n in names if n in sizes.index]
        scale = (1 - gap * max(len(shown) - 1, 0)) / total
        tops, top = {}, 1.0
        for n in shown:
            tops[n] = (top, top - sizes[n] * scale)
            top -= sizes[n] * scale + gap
        columns.append((shown, scale, tops))
    (left, lscale, ltops), (right, rscale, rtops) = columns
    for i, name in enumerate(dict.fromkeys([*left, *right])):
        colors.setdefault(name, PALETTE[i % len(PALETTE)])
    lnext, rnext = {n: t[0] for n, t in ltops.items()}, {n: t[0] for n, t in rtops.items()}  # where the next band starts
    rank = {n: i for i, n in enumerate(right)}
    x0, x1 = width, 1 - width
    xm = (x0 + x1) / 2
    codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
    for src in left:
        out = flows[flows["source"] == src]
        for target, value in sorted(zip(out["target"], out["value"]), key=lambda tv: rank[tv[0]]):
            y0, y1, h0, h1 = lnext[src], rnext[target], value * lscale, value * rscale
            lnext[src], rnext[target] = y0 - h0, y1 - h1
            verts = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 - h1), (xm, y1 - h1), (xm, y0 - h0), (x0, y0 - h0), (x0, y0)]
            ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=colors[src], alpha=0.45, edgecolor="none"))
    for tops, x, label_x, ha in ((ltops, 0.0, -0.01, "right"), (rtops, 1 - width, 1.01, "left")):
        for n, (top, bottom) in tops.items():
            ax.add_patch(Rectangle((x, bottom), width, top - bottom, facecolor=colors[n], edgecolor="white"))
            ax.text(label_x, (top + bottom) / 2, n, ha=ha, va="center", fontsize=8)
    ax.set_xlim(-0.35, 1.35)
    ax.set_ylim(-0.02, 1.02)
    ax.set_yticks([])
    ax.set_xticks([width / 2, 1 - width / 2], labels=[left_title, right_title])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def bridge_chart(ax: Axes, labels: Sequence[str], values: Sequence[float], *, totals: Sequence[bool], zoom: bool = False) -> Axes:
    """A bridge (waterfall) chart: ``totals`` bars stand on zero, the others float from the running total.

    A change bar starts where the previous bar ended; rises are green, falls red, totals blue.
    Each bar is labelled with its value (changes signed). ``zoom`` starts the value axis near the
    lowest level instead of zero, so that changes small beside the totals stay visible (say so in
    the axis label).
    """
    running = 0.0
    bottoms, heights, colors, texts = [], [], [], []
    for value, total in zip(values, totals):
        if total:
            bottoms.append(0.0)
            heights.append(value)
            colors.append(PALETTE[0])
            texts.append(f"{value:,.0f}")
            running = value
        else:
            bottoms.append(running)
            heights.append(value)
            colors.append(PALETTE[2] if value >= 0 else PALETTE[3])
            texts.append(f"{value:+,.0f}")
            running += value
    x = np.arange(len(labels))
    bars = ax.bar(x, heights, bottom=bottoms, color=colors)
    ax.bar_label(bars, labels=[local_number(t) for t in texts], padding=2, fontsize=9)
    ax.set_xticks(x, labels=list(labels))
    levels = [b + h for b, h in zip(bottoms, heights)] + [b for b, t in zip(bottoms, totals) if not t]
    lo, hi = min(levels), max(levels)
    span = (hi - lo) or abs(hi) or 1.0
    floor = max(lo - 0.6 * span, 0.0) if zoom and lo > 0 else min(lo, 0.0)
    ax.set_ylim(floor, max(hi, 0.0) + 0.12 * span)
    return ax


def lorenz_curve(ax: Axes, population_share: Sequence[float], value_share: Sequence[float]) -> Axes:
    """A Lorenz curve (cumulative shares, fractions 0-1, drawn in %) with the line of equality."""
    ax.plot(100 * np.asarray(population_share), 100 * np.asarray(value_share), color=PALETTE[0], label=formatting.tr("Lorenz curve"))
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1, label=formatting.tr("equal shares"))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    return ax


def grouped_bars(ax: Axes, labels: Sequence[str], series: dict[str, Sequence[float]], *, colors: Sequence[str] = PALETTE) -> Axes:
    """Vertical bars side by side, one group per label and one bar per series (legend from the dict keys)."""
    x = np.arange(len(labels))
    width = 0.8 / max(len(series), 1)
    for k, (name, values) in enumerate(series.items()):
        ax.bar(x + (k - (len(series) - 1) / 2) * width, np.asarray(values, dtype="float64"), width=width, label=name, color=colors[k % len(colors)])
    ax.set_xticks(x, labels=list(labels))
    ax.legend()
    return ax


def colour_grid(ax: Axes, matrix, *, label: str, extent: tuple[float, float, float, float], cmap: str = "viridis") -> Axes:
    """A dense heat map without cell labels (NaN cells blank) and a colour bar titled ``label``; first row on top.

    ``extent`` is (left, right, bottom, top) in data coordinates, so the axes read as numbers (e.g.
    frequency 0-30 across, recency 0-200 up).
    """
    image = ax.imshow(np.ma.masked_invalid(np.asarray(matrix, dtype="float64")), cmap=cmap, aspect="auto", extent=extent, interpolation="nearest")
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label=label)
    return ax
