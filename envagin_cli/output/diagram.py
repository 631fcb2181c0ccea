"""Drawing the report's charts with matplotlib (Agg): SVG for the HTML, PNG and SVG files.

matplotlib is imported here, inside the functions, only when a chart is drawn. The output
is stable: a fixed font (DejaVu Sans, shipped with matplotlib, for the layout), a fixed SVG
id salt and no dates or versions in the files, so the same report gives the same bytes.
SVG text stays text (searchable, small, quick to write), in the reader's sans-serif.
A masked value (a text such as "<5") is never drawn as a bar or a slice: it is written on
the chart where the bar would be, or named in the note under a pie.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from envagin_cli.output.html import tal
from envagin_cli.report.diagram import Diagram
from envagin_cli.report.tables import procent

FARGER = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#bf9000")
LINJE = "#c00000"

#: One colour per category across every chart of a report: a source of income, a sex, a
#: measure has the same colour in each chart it is in (the pies before and after too).
KATEGORIFARGER = {
    # försörjning
    "lon": "#548235",
    "studiemedel": "#a9d18e",
    "forsorjningsstod": "#1f4e79",
    "aktivitetsstod": "#2e75b6",
    "a-kassa": "#9dc3e6",
    "etablering": "#7f6000",
    "sjukpenning": "#c55a11",
    "sjukersattning": "#f4b183",
    "aktivitetsersattning": "#bf9000",
    "annan": "#7030a0",
    "ingen": "#7f7f7f",
    # series
    "kvinnor": "#a5407d",
    "män": "#2f7f8a",
    "totalt": "#404040",
    "deltagare": "#2f5597",
    "avslutade": "#e07b39",
}
MASKERAT = "#a6a6a6"


def farg(key: str, i: int) -> str:
    """The category's colour; one not named gets the palette's i-th."""
    return KATEGORIFARGER.get(key, FARGER[i % len(FARGER)])


def fallback_font(svg: bytes) -> bytes:
    """The SVG's text names a generic family after its font, so a reader without DejaVu
    Sans (a word processor, another system) gets a sans-serif rather than a serif."""
    return svg.replace(b"font-family: 'DejaVu Sans'", b"font-family: 'DejaVu Sans', sans-serif")


def _new(figsize: tuple[float, float]) -> tuple[Any, Any]:
    """A figure and its axes, without pyplot (no GUI backend, no global figure list)."""
    import matplotlib

    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "envagin",
            "svg.fonttype": "none",
            "font.family": ["DejaVu Sans", "sans-serif"],
            "font.size": 9,
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.formatter.use_locale": False,
            "figure.dpi": 100,
        }
    )
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def figure(d: Diagram) -> Any:
    """The chart as a matplotlib Figure (closed by the caller via `render`)."""
    if d.typ == "paj":
        return _pie(d)
    if d.typ == "liggande":
        return _horizontal(d)
    return _bars(d)


def _note(fig: Any, d: Diagram, masked_prefix: str = "Maskerat") -> int:
    """The chart's notes and its masked values under it, wrapped; returns the line count."""
    import textwrap

    lines = list(d.noter)
    masked = d.maskerade()
    if len(masked) > 4:
        lines.append(
            f"{masked_prefix}: {len(masked)} värden (<{d.tabell.maskgrans} eller *)"
            + (
                "; se tabellen."
                if masked_prefix.startswith("I biten")
                else " ritas inte; se tabellen."
            )
        )
    elif masked:
        lines.append(f"{masked_prefix}: " + ", ".join(masked) + ".")
    width = int(fig.get_figwidth() * 15)
    wrapped = [part for line in lines for part in textwrap.wrap(line, width)]
    if wrapped:
        fig.text(0.01, 0.01, "\n".join(wrapped), fontsize=7.5, color="#404040", va="bottom")
    return len(wrapped)


def _pie(d: Diagram) -> Any:
    """A pie of true shares: masked slices are one slice "Maskerat" (their total is safe
    to show: the masking counts it as a figure); the pie is left out when its total is
    masked too or nothing but masked slices is left."""
    kolumn = d.serier[0][0]
    labels, values, colors = [], [], []
    for i, rad in enumerate(d.kategorier):
        value = _number(d.varde(rad, kolumn))
        if value:
            labels.append(d.etikett(rad))
            values.append(value)
            colors.append(farg(rad, i))
    prefix = "Maskerat, ingår inte i diagrammet"
    if d.maskerade():
        rest = d.dold_rest()
        if rest is None or not values:
            labels, values = [], []
        elif rest:
            labels.append("Maskerat")
            values.append(float(rest))
            colors.append(MASKERAT)
            prefix = "I biten Maskerat"
    # Made to stand beside its pair (before and after): the legend under the pie.
    fig, ax = _new((4.6, 5.6))
    if values:
        total = sum(values)
        shares = [procent(int(v), int(total)) or 0 for v in values]
        wedges, _texts, autotexts = ax.pie(
            values,
            colors=colors,
            autopct=lambda pct: f"{int(pct + 0.5):d}\u00a0%" if pct >= 4 else "",
            pctdistance=0.72,
            startangle=90,
            counterclock=False,
            wedgeprops={"linewidth": 1, "edgecolor": "white"},
        )
        for text in autotexts:
            text.set_color("white")
            text.set_fontweight("bold")
        ax.legend(
            wedges,
            [
                f"{lab} ({tal(v)}; {share}\u00a0%)"
                for lab, v, share in zip(labels, values, shares, strict=True)
            ],
            loc="upper left",
            bbox_to_anchor=(0.0, -0.02),
            frameon=False,
            fontsize=8,
        )
        ax.axis("equal")
    else:
        text = (
            "Diagrammet ritas inte: värdena är maskerade (se tabellen)"
            if d.maskerade()
            else "Inga uppgifter att visa"
        )
        ax.text(0.02, 0.5, text, ha="left", va="center", transform=ax.transAxes)
        ax.axis("off")
    import textwrap

    ax.set_title(textwrap.fill(d.titel, 40), loc="left")
    lines = _note(fig, d, prefix)
    legend = len(labels) * 0.033
    fig.subplots_adjust(left=0.03, right=0.97, top=0.9, bottom=0.06 + legend + 0.03 * lines)
    return fig


def _integer_ticks(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(lambda v, _pos: tal(v))


def _legend(ax: Any, handles: list[Any], names: list[str]) -> None:
    """The legend in one row between the title and the plot."""
    ax.legend(
        handles,
        names,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=len(names),
        frameon=False,
        fontsize=8,
        borderaxespad=0.2,
    )


def _bars(d: Diagram) -> Any:
    labels = [d.etikett(r) for r in d.kategorier]
    many = len(labels) > 12
    turned = len(labels) > 6
    fig, ax = _new((max(7.0, min(0.3 * len(labels) + 2, 12.0)), 4.4))
    width = 0.8 / len(d.serier)
    xs = list(range(len(labels)))
    tallest = 0.0
    for s, (kolumn, namn) in enumerate(d.serier):
        offset = (s - (len(d.serier) - 1) / 2) * width
        heights = [_number(d.varde(r, kolumn)) for r in d.kategorier]
        tallest = max([tallest, *[h for h in heights if h is not None]])
        ax.bar(
            [x + offset for x in xs],
            [h or 0 for h in heights],
            width=width * 0.95,
            color=farg(kolumn, s),
            label=namn,
        )
        for x, r, h in zip(xs, d.kategorier, heights, strict=True):
            value = d.varde(r, kolumn)
            if h is None and isinstance(value, str):
                ax.annotate(
                    value,
                    (x + offset, 0),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color="#404040",
                    rotation=90 if many else 0,
                )
            elif h and not many:
                ax.annotate(
                    tal(h),
                    (x + offset, h),
                    xytext=(0, 1),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7,
                )
    handles, names = ax.get_legend_handles_labels()
    if d.linje is not None:
        kolumn, namn = d.linje
        ys = [_number(d.varde(r, kolumn)) for r in d.kategorier]
        if d.linje_procent:
            share = ax.twinx()
            share.plot(
                xs,
                [float("nan") if y is None else y for y in ys],
                color=LINJE,
                marker="o",
                linewidth=2,
                label=namn,
            )
            share.set_ylim(0, 100)
            share.set_ylabel("Andel till arbete/studier (%)")
            share.spines["right"].set_visible(True)
            share.spines["top"].set_visible(False)
            share.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}\u00a0%")
            h2, n2 = share.get_legend_handles_labels()
        else:
            # The goal of each month as a short line across its bar.
            points = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
            line = ax.hlines(
                [y for _, y in points],
                [x - 0.45 for x, _ in points],
                [x + 0.45 for x, _ in points],
                colors=LINJE,
                linewidth=2,
                label=namn,
            )
            tallest = max([tallest, *[y for _, y in points]])
            h2, n2 = [line], [namn]
        handles, names = handles + h2, names + n2
    ax.set_ylim(0, max(tallest * 1.15, 1))
    ax.set_xlim(-0.6, len(labels) - 0.4)
    step = -(-len(labels) // 24)  # at most 24 labels under the bars (months since start)
    ax.set_xticks(
        xs[::step],
        labels[::step],
        rotation=45 if turned else 0,
        ha="right" if turned else "center",
    )
    ax.set_xlabel(d.xetikett)
    ax.set_ylabel(d.yetikett)
    _integer_ticks(ax.yaxis)
    ax.set_title(d.titel, loc="left", pad=22)
    _legend(ax, handles, names)
    lines = _note(fig, d)
    fig.subplots_adjust(
        left=0.1,
        right=0.9 if d.linje_procent else 0.97,
        top=0.84,
        bottom=(0.24 if turned else 0.14) + 0.04 * lines,
    )
    return fig


def _horizontal(d: Diagram) -> Any:
    import textwrap

    labels = [textwrap.fill(d.etikett(r), 26) for r in d.kategorier]
    tall = max(2.6, 0.42 * len(labels) + 1.8)
    fig, ax = _new((7.0, tall))
    height = 0.8 / len(d.serier)
    ys = list(range(len(labels)))
    for s, (kolumn, namn) in enumerate(d.serier):
        offset = (s - (len(d.serier) - 1) / 2) * height
        widths = [_number(d.varde(r, kolumn)) for r in d.kategorier]
        ax.barh(
            [y + offset for y in ys],
            [w or 0 for w in widths],
            height=height * 0.95,
            color=farg(kolumn, s),
            label=namn,
        )
        for y, r, w in zip(ys, d.kategorier, widths, strict=True):
            value = d.varde(r, kolumn)
            text = value if isinstance(value, str) else tal(w) if w else ""
            if text:
                ax.annotate(
                    text,
                    (w or 0, y + offset),
                    xytext=(2, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                )
    ax.set_yticks(ys, labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(d.xetikett)
    ax.set_ylabel(d.yetikett)
    _integer_ticks(ax.xaxis)
    ax.set_xlim(0, max([1.0, *ax.get_xlim()[1:]]) * 1.08)
    ax.set_title(d.titel, loc="left", pad=22)
    if not labels:
        ax.text(0.5, 0.5, "Inga avslut att visa", ha="center", va="center", transform=ax.transAxes)
    handles, names = ax.get_legend_handles_labels()
    _legend(ax, handles, names)
    lines = _note(fig, d)
    inch = 1 / tall
    fig.subplots_adjust(
        left=0.36, right=0.95, top=1 - 0.75 * inch, bottom=(0.55 + 0.18 * lines) * inch
    )
    return fig


def render(d: Diagram, fmt: str) -> bytes:
    """The chart as SVG or PNG bytes, with no date, version or random id in them."""
    fig = figure(d)
    buffer = io.BytesIO()
    metadata: dict[str, Any] = (
        {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    )
    fig.savefig(buffer, format=fmt, metadata=metadata, dpi=150 if fmt == "png" else 100)
    return fallback_font(buffer.getvalue()) if fmt == "svg" else buffer.getvalue()


FORMAT = ("png", "svg")


def paths(katalog: Path, charts: list[Diagram]) -> list[Path]:
    """The stable file names: one PNG and one SVG per chart, named by its key."""
    return [katalog / f"{d.nyckel}.{fmt}" for d in charts for fmt in FORMAT]


def write_all(katalog: Path, charts: list[Diagram], *, overwrite: bool) -> list[Path]:
    """Every chart as PNG (for slides) and SVG into `katalog`, each file 0600."""
    from envagin_cli.store import files

    files.make_dir(katalog)
    written = []
    for d in charts:
        for fmt in FORMAT:
            target = katalog / f"{d.nyckel}.{fmt}"
            files.write_private(target, render(d, fmt), overwrite)
            written.append(target)
    return written
