"""Rendering a report: Rich tables, JSON, CSV (`;`, UTF-8 with BOM), Markdown and xlsx.

Every format draws the same `Tabell` objects, so a masked cell is masked everywhere.
The JSON schema is documented in docs/projektledare.md ("Rapportens JSON").
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from envagin_cli.domain import installning
from envagin_cli.output import csvfile
from envagin_cli.output.console import console as make_console
from envagin_cli.output.grid import Grid, fits, show
from envagin_cli.report import figures
from envagin_cli.report.diagram import Diagram
from envagin_cli.report.figures import Malstatus, Rapport
from envagin_cli.report.tables import MINUS, Kolumn, Rad, Tabell, format_tal, grupper, indrag
from envagin_cli.rules.errors import Databasfel
from envagin_cli.rules.periods import Period
from envagin_cli.store import files


def header_lines(r: Rapport) -> list[str]:
    """The report's opening: the period in words with its exact dates beneath, the key
    figures, how it is counted."""
    lines = [
        "En väg in – uppföljning",
        f"{r.period.i_ord()}",
        r.period.datum(),
    ]
    key = figures.nyckeltal(r)
    if key:
        lines.append("Nyckeltal: " + " · ".join(f"{k} {v}" for k, v in key))
    lines += [
        f"Framtagen {r.idag.isoformat()}. Räknat i ärenden; felregistreringar och makulerade "
        "ärenden ingår inte.",
        installning.login_line(r.inloggning),
    ]
    if r.enheter:
        lines.append(
            "Enheter (gemensam rapport): "
            + "; ".join(f"{e['namn']} ({e['fil']})" for e in r.enheter)
            + ". Samma person i två enheter räknas som två ärenden."
        )
    if r.maskering is not None:
        lines.append(
            f"Maskering på: antal 1–{r.maskering - 1} visas som <{r.maskering}; "
            "celler som annars skulle röja dem visas som *."
        )
    return lines


def _goal_status(g: Malstatus) -> str:
    if g.uppfyllt is None:
        return "– inget mål" if g.mal is None else "– underlag saknas"
    return "✓ uppfyllt" if g.uppfyllt else "✗ ej uppfyllt"


def _goal_value(value: float | int | None, unit: str, *, exact: bool = False) -> str:
    """An outcome (one decimal at most), or with `exact` a target with every decimal it
    has (`figures.visat_mal` rounded it to those that decide it: 1,02, not 1,0)."""
    if value is None:
        return "–"
    if exact:
        text = repr(abs(float(value))).removesuffix(".0").replace(".", ",")
        text = (MINUS + text) if value < 0 else text
    else:
        text = format_tal(value)
    if unit == "procent":
        return f"{text} %"
    if unit == "procentenheter":
        return f"{text} p.e."
    return text


def _goal_hidden(r: Rapport, g: Malstatus) -> bool:
    """The goal's outcome or basis uses a masked figure (`report/mask.py`)."""
    return g.nyckel in r.maskerade_mal


def goal_table(r: Rapport) -> Tabell:
    """Goal status as a table, so that every renderer draws it the same way."""
    cols = [
        Kolumn("mal", "Mål", "text"),
        Kolumn("utfall", "Utfall", "text"),
        Kolumn("status", "Status", "text"),
        Kolumn("underlag", "Underlag", "text"),
    ]
    rows = []
    for g in r.mal:
        hidden = _goal_hidden(r, g)
        rows.append(
            Rad(
                g.nyckel,
                g.namn,
                {
                    "mal": _goal_value(g.mal, g.enhet, exact=True),
                    "utfall": "*" if hidden else _goal_value(g.utfall, g.enhet),
                    "status": _goal_status(g) if not hidden else "– maskerat",
                    "underlag": "" if hidden else g.underlag,
                },
            )
        )
    return Tabell("mal", "Mål på individnivå: måluppfyllelse mot projektplanen", cols, rows)


def all_tables(r: Rapport) -> list[Tabell]:
    return [*r.tabeller, goal_table(r)] if r.mal else list(r.tabeller)


# --- terminal -----------------------------------------------------------------------------


def label(row: Rad, indent: str = "  ") -> str:
    """A row's label, a sub-row ("varav …", "till …", "i …") indented."""
    return indent + row.etikett if indrag(row.etikett) else row.etikett


def _grid(t: Tabell, kolumner: list[Kolumn], title: str, heads: list[str]) -> Grid:
    rows = [[label(row), *[t.text(row, k) for k in kolumner]] for row in t.rader]
    return Grid(
        title,
        ["", *heads],
        rows,
        right={i + 1 for i, k in enumerate(kolumner) if k.typ != "text"},
        bold={i for i, row in enumerate(t.rader) if row.summa},
        hel={0},
    )


_KMT = {"K": "Kvinnor", "M": "Män", "T": "Totalt"}


def _blocks(t: Tabell) -> list[tuple[Grid, set[str]]]:
    """A wide table as one block per measure: the columns `X K`, `X M`, `X T` become a
    table `X` with Kvinnor, Män, Totalt (the insatser, försörjning and ledtider tables)."""
    groups: dict[str, list[Kolumn]] = {}
    for k in t.kolumner:
        measure, _, sex = k.rubrik.rpartition(" ")
        groups.setdefault(measure if sex in _KMT and measure else k.rubrik, []).append(k)
    blocks = []
    for measure, kolumner in groups.items():
        heads = [
            _KMT[k.rubrik.rpartition(" ")[2]] if len(kolumner) > 1 else k.rubrik for k in kolumner
        ]
        grid = _grid(t, kolumner, f"{t.rubrik}: {measure.lower()}", heads)
        blocks.append((grid, {k.nyckel for k in kolumner}))
    return blocks


def _with_bars(grid: Grid, bars: list[tuple[str, list[Any], str | None]]) -> Grid:
    """The grid with a bar column per bar (beside the columns they draw)."""
    if not bars:
        return grid
    return Grid(
        grid.title,
        [*grid.headers, *(head for head, _cells, _key in bars)],
        [[*row, *(cells[i] for _head, cells, _key in bars)] for i, row in enumerate(grid.rows)],
        right=grid.right,
        bold=grid.bold,
        notes=grid.notes,
        tom=grid.tom,
        hel=grid.hel | {len(grid.headers) + i for i in range(len(bars))},
    )


#: Up to this width the report is drawn compact: tables without frames, K/M/T under their
#: measure in a two-level heading, so that a half-year report reads at 80 columns.
KOMPAKT = 100


def rich(r: Rapport | None, tables: list[Tabell], lines: list[str]) -> None:
    from rich.text import Text

    from envagin_cli.output.console import width

    console = make_console()
    room = width()
    for line in lines:
        console.print(Text(line, style="bold" if line == lines[0] else ""))
    for t in tables:
        grid = _grid(t, t.kolumner, t.rubrik, [k.rubrik for k in t.kolumner])
        bars = bar_columns(r, t) if r is not None and t.rader else []
        console.print()
        if t.rader and room is not None and room <= KOMPAKT:
            # The bars are a reading aid: left out where they would not fit beside the
            # figures (every figure is still shown).
            t, zero = _zero_rows_apart(t)
            if not t.rader:
                console.print(Text(f"{t.rubrik}: 0 på varje rad ({zero})."))
                continue
            drawn = compact(t, bars, room) or compact(t, [], room) or _split(t, room)
            if drawn is not None:
                for line in drawn:
                    console.print(line, overflow="ignore", crop=False, no_wrap=True)
                if zero:
                    console.print(Text(f"0 på raderna {zero}."))
                for note in t.noter:
                    console.print(Text(note))
                continue
        if not t.rader:
            console.print(Text(f"{t.rubrik}: inga rader."))
            continue  # the notes explain rows; there are none
        elif fits(with_bars := _with_bars(grid, bars)) or len(t.tripletter) < 2:
            show(with_bars, console)
        else:
            for i, (block, keys) in enumerate(_blocks(t)):
                if i:
                    console.print()
                show(_with_bars(block, [b for b in bars if b[2] in keys]), console)
        for note in t.noter:
            console.print(Text(note))


def _zero_rows_apart(t: Tabell) -> tuple[Tabell, str]:
    """At a narrow terminal, three or more rows that are 0 in every column are named on
    one line under the table instead of drawn (every figure is still shown): a register
    that does not record a measure yet (utbildning, sysselsättning) costs a line, not a
    table."""
    from dataclasses import replace

    def zero(rad: Any) -> bool:
        cells = [t.text(rad, k) for k in t.kolumner if k.typ != "text"]
        return bool(cells) and all(c == "0" for c in cells)

    zeros = [r for r in t.rader if zero(r)]
    if len(zeros) < 3:
        return t, ""
    names = ", ".join(r.etikett for r in zeros)
    return replace(t, rader=[r for r in t.rader if not zero(r)]), names


def _wrap(text: str, size: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, size, break_long_words=False, break_on_hyphens=False) or [""]


def compact(
    t: Tabell, bars: list[tuple[str, list[Any], str | None]], room: int
) -> list[Any] | None:
    """The table as lines of at most `room` characters: no frame, columns two spaces apart,
    K/M/T under their measure (a two-level heading), labels and text wrapped between words,
    numbers never. None when even that does not fit (then the caller stacks it)."""
    from rich.text import Text

    groups = grupper(t.kolumner)
    two = any(m for m, _ in groups)
    cols: list[dict[str, Any]] = []
    for measure, ks in groups:
        for i, k in enumerate(ks):
            sex = k.rubrik.rpartition(" ")[2] if measure else ""
            cols.append(
                {
                    "head": sex if measure else k.rubrik,
                    "group": measure if i == 0 else None,
                    "span": len(ks) if i == 0 else 0,
                    "text": k.typ == "text",
                    "cells": [t.text(row, k) for row in t.rader],
                }
            )
    for head, cells, _key in bars:
        cols.append({"head": head, "group": "", "span": 1, "text": False, "cells": cells})
    sep = 2

    def plain(cell: Any) -> str:
        return cell.plain if hasattr(cell, "plain") else str(cell)

    for c in cols:
        longest = max((len(plain(x)) for x in c["cells"]), default=0)
        words = max((len(w) for x in c["cells"] for w in plain(x).split()), default=0)
        head_words = max((len(w) for w in c["head"].split()), default=0)
        c["least"] = max(words if c["text"] else longest, head_words)
        c["width"] = max(longest, len(c["head"]) if not c["text"] else head_words, c["least"])
    # A group's name fits over its columns.
    for i, c in enumerate(cols):
        if c["group"]:
            span = cols[i : i + c["span"]]
            short = len(c["group"]) - (sum(x["width"] for x in span) + sep * (len(span) - 1))
            for n in range(max(short, 0)):
                span[-1 - n % len(span)]["width"] += 1
    labels = [label(row) for row in t.rader]
    label_least = max((len(w) for x in labels for w in x.split()), default=0)
    label_width = max((len(x) for x in labels), default=0)
    rest = sum(c["width"] for c in cols) + sep * len(cols)
    while label_width + rest > room:
        texts = [c for c in cols if c["text"] and c["width"] > c["least"]]
        if label_width > max(label_least, 24) and (
            not texts or label_width >= max(c["width"] for c in texts)
        ):
            label_width -= 1
        elif texts:
            max(texts, key=lambda c: c["width"])["width"] -= 1
        elif label_width > label_least:
            label_width -= 1
        else:
            return None
        rest = sum(c["width"] for c in cols) + sep * len(cols)
    out: list[Any] = [Text(t.rubrik, style="bold")]
    if two:
        line, at = " " * label_width, 0
        for i, c in enumerate(cols):
            if c["group"]:
                span = cols[i : i + c["span"]]
                size = sum(x["width"] for x in span) + sep * (len(span) - 1)
                line += " " * sep + c["group"].center(size) if c["span"] > 1 else ""
                at = i + c["span"]
            elif i >= at:
                line += " " * (sep + c["width"])
        out.append(Text(line.rstrip(), style="bold"))
    heads = [_wrap(c["head"], c["width"]) if c["text"] else [c["head"]] for c in cols]
    for n in range(max(len(h) for h in heads)):
        line = " " * label_width
        for c, h in zip(cols, heads, strict=True):
            part = h[n] if n < len(h) else ""
            line += " " * sep + (part.ljust(c["width"]) if c["text"] else part.rjust(c["width"]))
        out.append(Text(line.rstrip(), style="bold"))
    out.append(Text("─" * (label_width + rest)))
    for r_i, row in enumerate(t.rader):
        indent = labels[r_i][: len(labels[r_i]) - len(labels[r_i].lstrip())]
        parts = [
            [indent + x for x in _wrap(labels[r_i], label_width - len(indent))],
            *[
                _wrap(plain(c["cells"][r_i]), c["width"]) if c["text"] else [c["cells"][r_i]]
                for c in cols
            ],
        ]
        style = "bold" if row.summa else ""
        for n in range(max(len(p) for p in parts)):
            drawn = Text(style=style)
            first = parts[0][n] if n < len(parts[0]) else ""
            drawn.append(first.ljust(label_width))
            for c, p in zip(cols, parts[1:], strict=True):
                cell = p[n] if n < len(p) else ""
                drawn.append(" " * sep)
                if isinstance(cell, Text):
                    drawn.append_text(cell)
                    drawn.append(" " * (c["width"] - len(cell.plain)))
                elif c["text"]:
                    drawn.append(str(cell).ljust(c["width"]))
                else:
                    drawn.append(str(cell).rjust(c["width"]))
            drawn.rstrip()
            out.append(drawn)
    return out


def _split(t: Tabell, room: int) -> list[Any] | None:
    """A table too wide even compact, as side-by-side parts of whole measures (K, M, T
    together), each part a compact table under the same title ("forts." after)."""
    from dataclasses import replace

    parts: list[list[Kolumn]] = []
    for _measure, ks in grupper(t.kolumner):
        trial = replace(t, kolumner=[*parts[-1], *ks]) if parts else None
        if trial is not None and compact(trial, [], room) is not None:
            parts[-1] = trial.kolumner
        else:
            parts.append(list(ks))
    out: list[Any] = []
    for i, ks in enumerate(parts):
        part = compact(
            replace(t, kolumner=ks, rubrik=t.rubrik + (" (forts.)" if i else "")), [], room
        )
        if part is None:
            return None
        out += part
    return out


BAR_WIDTH = 8
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(size: float, value: float, color: str) -> Any:
    """A one-line bar of `value` on a scale of `size`, BAR_WIDTH cells at most, drawn in
    eighths of a cell (as Rich's own bars), so that it is text: it fits the table's layout
    at any width and survives a pipe."""
    from rich.text import Text

    if size <= 0 or value <= 0:
        return Text("")
    eighths = max(1, round(min(value, size) / size * BAR_WIDTH * 8))
    return Text("█" * (eighths // 8) + _EIGHTHS[eighths % 8].strip(), style=color)


def bar_columns(r: Rapport, t: Tabell) -> list[tuple[str, list[Any], str | None]]:
    """One-line bars beside the goal status and the two försörjning totals (terminal only):
    (header, a cell per row, the column the bar draws, if it is one of the table's).

    A goal's bar is its outcome on the scale of its target (full and green when met); the
    försörjning bars share one scale, so intake and closing compare at a glance. A masked
    cell gets no bar.
    """
    from rich.text import Text

    if t.nyckel == "mal":
        goals = {g.nyckel: g for g in r.mal}
        cells = []
        for row in t.rader:
            g = goals.get(row.nyckel)
            value = None if g is None or _goal_hidden(r, g) else g.utfall
            if g is None or g.mal is None or value is None or g.mal <= 0:
                cells.append(Text(""))
                continue
            color = "green" if g.uppfyllt else "red"
            cells.append(_bar(max(g.mal, 1e-9), float(value), color))
        return [("Mot målet", cells, None)]
    if t.nyckel == "forsorjning":
        columns = ("intag_totalt", "avslut_totalt")
        from envagin_cli.rules import codes

        sources = [row for row in t.rader if row.nyckel in codes.FORSORJNING]
        values = {
            (row.nyckel, c): v
            for row in sources
            for c in columns
            if (row.nyckel, c) not in t.dolda and isinstance(v := row.varden.get(c), int)
        }
        top = max(values.values(), default=0)
        result: list[tuple[str, list[Any], str | None]] = []
        for c, head, color in zip(
            columns, ("Intag", "Avslut"), ("blue", "dark_orange"), strict=True
        ):
            cells = [
                _bar(top, values.get((row.nyckel, c), 0), color)
                if row.nyckel in codes.FORSORJNING
                else Text("")
                for row in t.rader
            ]
            result.append((head, cells, c))
        return result
    return []


# --- JSON ---------------------------------------------------------------------------------


def table_json(t: Tabell) -> dict[str, Any]:
    return {
        "rubrik": t.rubrik,
        "kolumner": [{"nyckel": k.nyckel, "rubrik": k.rubrik, "typ": k.typ} for k in t.kolumner],
        "rader": {
            row.nyckel: {"etikett": row.etikett, **{k.nyckel: t.varde(row, k) for k in t.kolumner}}
            for row in t.rader
        },
        "noter": t.noter,
    }


def period_json(period: Period) -> dict[str, Any]:
    return {
        "typ": period.typ,
        "etikett": period.etikett,
        "från": period.start.isoformat(),
        "till": period.slut.isoformat(),
        "dagar": period.dagar,
        "hela_månader": period.hela_manader,
    }


def to_json(r: Rapport) -> dict[str, Any]:
    return {
        "period": period_json(r.period),
        "framtagen": r.idag.isoformat(),
        "maskering": r.maskering,
        "enheter": r.enheter,
        "inloggning": r.inloggning,
        "tabeller": {t.nyckel: table_json(t) for t in r.tabeller},
        "mål": [
            {
                "nyckel": g.nyckel,
                "namn": g.namn,
                "mål": g.mal,
                "utfall": "*" if _goal_hidden(r, g) else g.utfall,
                "enhet": g.enhet,
                "uppfyllt": None if _goal_hidden(r, g) else g.uppfyllt,
                "underlag": "" if _goal_hidden(r, g) else g.underlag,
            }
            for g in r.mal
        ],
    }


# --- CSV and Markdown ---------------------------------------------------------------------


def csv_text(tables: list[Tabell], lines: list[str]) -> str:
    """All tables in one file, `;`-separated, each under its title; no formulas."""
    rows: list[list[object]] = [[line] for line in lines]
    for t in tables:
        rows.append([])
        rows.append([t.rubrik])
        rows.append(["", *[k.rubrik for k in t.kolumner]])
        rows.extend([label(row), *[_csv_cell(t, row, k) for k in t.kolumner]] for row in t.rader)
        rows.extend([note] for note in t.noter)
    return csvfile.text(rows)


def _csv_cell(t: Tabell, row: Rad, k: Kolumn) -> object:
    """A cell as shown, a number with a plain minus (no formula, so not neutralised)."""
    shown = t.text(row, k)
    return csvfile.number(shown) or shown


def write_csv(tables: list[Tabell], lines: list[str]) -> None:
    data = ("\ufeff" + csv_text(tables, lines)).encode("utf-8")  # BOM: Swedish Excel
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def markdown(tables: list[Tabell], lines: list[str]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    parts = [f"# {esc(lines[0])}", ""] + [f"- {esc(line)}" for line in lines[1:]]
    for t in tables:
        parts += ["", f"## {esc(t.rubrik)}", ""]
        parts.append("| | " + " | ".join(esc(k.rubrik) for k in t.kolumner) + " |")
        parts.append(
            "|---|" + "|".join("---" if k.typ == "text" else "---:" for k in t.kolumner) + "|"
        )
        for row in t.rader:
            shown = f"**{esc(row.etikett)}**" if row.summa else esc(label(row, "\u00a0" * 4))
            parts.append(
                f"| {shown} | " + " | ".join(esc(t.text(row, k)) for k in t.kolumner) + " |"
            )
        for note in t.noter:
            parts += ["", f"*{esc(note)}*"]
    return "\n".join(parts) + "\n"


# --- xlsx ---------------------------------------------------------------------------------

_BAD_SHEET = str.maketrans({c: " " for c in "[]:*?/\\"})


def write_xlsx(
    path: Path,
    tables: list[Tabell],
    lines: list[str],
    charts: list[Diagram] | None = None,
    extra: list[Tabell] | None = None,
    *,
    overwrite: bool = False,
) -> None:
    """One sheet per table (and an overview), bold headers, columns sized to their content.

    Each chart is a native Excel chart beside the table it draws (`charts`); a chart's own
    table (`extra`, e.g. new participants per month) is written under the table on the
    sheet the chart belongs to. The file is written 0600, never over an existing one
    unless `overwrite`.
    """

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    pct = book.add_format({"num_format": "0 %"})  # a fraction: 0,27 shown as 27 %
    dec = book.add_format({"num_format": "0.0"})
    pe = book.add_format({"num_format": '0.0" p.e."'})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "bottom"})
    sub = book.add_format({"indent": 1})
    overview = book.add_worksheet("Översikt")
    used: set[str] = {"Översikt"}
    placed: dict[str, tuple[Any, str, int, int]] = {}  # table key -> sheet, name, row, col

    def write_table(sheet: Any, top: int, t: Tabell, widths: list[int]) -> int:
        """The table from row `top`; returns the first free row after it."""
        sheet.write_string(top, 0, t.rubrik, bold)
        widths[0] = max(widths[0], len(t.rubrik) // 2)
        while len(widths) <= len(t.kolumner):
            widths.append(0)
        for j, k in enumerate(t.kolumner, start=1):
            sheet.write_string(top + 1, j, k.rubrik, head)
            widths[j] = max(widths[j], min(len(k.rubrik), 14))
        for i, row in enumerate(t.rader, start=top + 2):
            sheet.write_string(
                i, 0, row.etikett, bold if row.summa else sub if indrag(row.etikett) else None
            )
            widths[0] = max(widths[0], len(row.etikett) + 2 * indrag(row.etikett))
            for j, k in enumerate(t.kolumner, start=1):
                value = t.varde(row, k)
                kind = t.typ(row, k)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    if kind == "procent":
                        sheet.write_number(i, j, value / 100, pct)
                    else:
                        exact = kind in ("median", "tal") and not float(value).is_integer()
                        sheet.write_number(i, j, value, dec if exact else None)
                elif (cell := xlsx_number(t.text(row, k))) is not None:
                    number, kind = cell
                    fmt = pct if kind == "%" else pe if kind == "p.e." else None
                    sheet.write_number(i, j, number, fmt)
                else:
                    sheet.write_string(i, j, t.text(row, k))
                widths[j] = max(widths[j], len(t.text(row, k)))
        for n, note in enumerate(t.noter, start=top + len(t.rader) + 3):
            sheet.write_string(n, 0, note)
        return top + len(t.rader) + 3 + len(t.noter) + 1

    extra_by_sheet: dict[str, list[Tabell]] = {}
    for d in charts or []:
        if any(x is d.tabell for x in extra or []) and d.tabell not in extra_by_sheet.get(
            d.blad, []
        ):
            home = d.blad if any(t.nyckel == d.blad for t in tables) else "period"
            extra_by_sheet.setdefault(home, []).append(d.tabell)
    for t in tables:
        name = sheet_name(t, used)
        used.add(name)
        sheet = book.add_worksheet(name)
        widths = [0]
        placed[t.nyckel] = (sheet, name, 0, len(t.kolumner) + 2)
        below = write_table(sheet, 0, t, widths)
        for x in extra_by_sheet.get(t.nyckel, []):
            placed[x.nyckel] = (sheet, name, below, len(t.kolumner) + 2)
            below = write_table(sheet, below, x, widths)
        for j, w in enumerate(widths):
            sheet.set_column(j, j, min(w + 2, 60 if j == 0 else 16))
        # A working sheet: the header row and the label column stay in view, and it
        # prints on A4, one page wide (landscape when wide), the header on every page.
        sheet.freeze_panes(2, 1)
        sheet.set_paper(9)
        if len(t.kolumner) > 6:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(1)
        sheet.set_footer("&L" + lines[1 if len(lines) > 1 else 0][:80] + "&RSida &P av &N")
    _overview(book, overview, lines, tables, placed, bold, pct)
    anchors: dict[str, int] = {}
    for d in charts or []:
        if d.tabell.nyckel not in placed or d.blad not in placed:
            continue
        _xlsx_chart(book, d, placed[d.tabell.nyckel], placed[d.blad], anchors)
    try:
        book.close()
    except OSError as exc:  # pragma: no cover - in memory
        raise Databasfel(f"Kan inte skriva {path}: {exc}.") from exc
    files.write_private(path, buffer.getvalue(), overwrite)


#: Sheet names chosen for the report's tables (Excel allows 31 characters).
BLADNAMN = {
    "period": "Deltagare och avslut",
    "per_enhet": "Resultat per enhet",
    "slutorsak": "Slutorsak",
    "remittent": "Inremitterande part",
    "insatser": "Insatser",
    "finsam": "Uppföljning Finsam",
    "forsorjning": "Försörjning",
    "ledtider": "Ledtider",
    "nojdhet": "Nöjdhet",
    "uppfoljning": "Ettårsuppföljning",
    "milstolpar": "Mål organisationsnivå",
    "indikatorer": "Mål befolkningsnivå",
    "mal": "Mål individnivå",
    "perioder": "Utveckling per period",
    "caseload": "Arbetsbelastning",
}


def sheet_name(t: Tabell, used: set[str]) -> str:
    """A whole, readable sheet name of at most 31 characters: the chosen one, else the
    title's words up to 31 characters (never cut mid-word), numbered if taken."""
    name = BLADNAMN.get(t.nyckel)
    if name is None:
        name = ""
        for word in t.rubrik.translate(_BAD_SHEET).split():
            if len(name) + len(word) + 1 > 31:
                break
            name = f"{name} {word}".strip()
        name = name.rstrip(":;,(") or t.nyckel[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[: 31 - len(str(n)) - 1]} {n}"
        n += 1
    return name


def _overview(
    book: Any,
    sheet: Any,
    lines: list[str],
    tables: list[Tabell],
    placed: dict[str, tuple[Any, str, int, int]],
    bold: Any,
    pct: Any,
) -> None:
    """The first sheet: the header lines, the key figures, the goal status and a link to
    every sheet."""
    row = 0
    for i, line in enumerate(lines):
        sheet.write_string(row, 0, line, bold if i == 0 else None)
        row += 1
    period = next((t for t in tables if t.nyckel == "period"), None)
    if period is not None:
        row += 1
        sheet.write_string(row, 0, "Nyckeltal (totalt)", bold)
        row += 1
        column = next(k for k in period.kolumner if k.nyckel == "totalt")
        rows = {r.nyckel: r for r in period.rader}
        for key, label in figures.NYCKELTAL:
            if key not in rows:
                continue
            sheet.write_string(row, 0, label)
            value = period.varde(rows[key], column)
            if isinstance(value, int) and not isinstance(value, bool):
                is_pct = period.typ(rows[key], column) == "procent"
                sheet.write_number(
                    row, 1, value / 100 if is_pct else value, pct if is_pct else None
                )
            else:
                sheet.write_string(row, 1, period.text(rows[key], column))
            row += 1
    goals = next((t for t in tables if t.nyckel == "mal"), None)
    if goals is not None:
        row += 1
        for j, text in enumerate(("Målstatus", "Status", "Mål", "Utfall")):
            sheet.write_string(row, j, text, bold)
        row += 1
        for r in goals.rader:
            sheet.write_string(row, 0, r.etikett)
            sheet.write_string(row, 1, str(r.varden.get("status", "")))
            for j, key in ((2, "mal"), (3, "utfall")):
                shown = str(r.varden.get(key, ""))
                if (found := xlsx_number(shown)) is not None:
                    sheet.write_number(row, j, found[0], pct if found[1] == "%" else None)
                else:
                    sheet.write_string(row, j, shown)
            row += 1
    row += 1
    sheet.write_string(row, 0, "Blad", bold)
    row += 1
    for t in tables:
        if t.nyckel in placed:
            name = placed[t.nyckel][1]
            sheet.write_url(row, 0, f"internal:'{name}'!A1", string=f"{name}: {t.rubrik}")
            row += 1
    sheet.set_column(0, 0, 70)
    sheet.set_column(1, 3, 16)
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)


def xlsx_number(text: str) -> tuple[float, str] | None:
    """A number shown as text ("60 %", "−0,3 p.e.", "1,02") as (value, unit) for a
    spreadsheet: a percentage as a fraction (0,6), a unit "%", "p.e." or ""."""
    found = csvfile.number(text)
    if found is None:
        return None
    plain = str(found).replace("\u00a0", " ")
    unit = "%" if plain.endswith("%") else "p.e." if plain.endswith("p.e.") else ""
    digits = plain.removesuffix("%").removesuffix("p.e.").strip()
    value = float(digits.replace(" ", "").replace("\u202f", "").replace(",", "."))
    return (value / 100 if unit == "%" else value), unit


def _xlsx_chart(
    book: Any,
    d: Diagram,
    data: tuple[Any, str, int, int],
    home: tuple[Any, str, int, int],
    anchors: dict[str, int],
) -> None:
    """A native Excel chart of `d` over its table's cells, beside the table on its sheet,
    in the report's colours (`output.diagram.farg`)."""
    from envagin_cli.output.diagram import farg

    _sheet, name, top, _ = data
    t = d.tabell
    row_of = {r.nyckel: top + 2 + i for i, r in enumerate(t.rader)}
    col_of = {k.nyckel: 1 + j for j, k in enumerate(t.kolumner)}
    rows = [row_of[r] for r in d.kategorier]
    if not rows:
        return
    # A range of cells: the chart's rows from first to last (for slutorsak, the codes
    # between the ones in use come along with their zeros).
    first, last = min(rows), max(rows)

    def ref(col: int) -> list[Any]:
        return [name, first, col, last, col]

    if d.typ == "paj" and d.maskerade():
        return  # Excel would share out 100 % among the visible slices only
    kind = {"paj": "pie", "liggande": "bar", "staplar": "column"}[d.typ]
    chart = book.add_chart({"type": kind})
    for s, (kolumn, namn) in enumerate(d.serier):
        series: dict[str, Any] = {
            "name": namn,
            "categories": ref(0),
            "values": ref(col_of[kolumn]),
        }
        if d.typ == "paj":
            series["data_labels"] = {"percentage": True, "leader_lines": True}
            keys = {row_of[r]: r for r in d.kategorier}
            series["points"] = [
                {"fill": {"color": farg(keys.get(i, ""), i - first)}}
                for i in range(first, last + 1)
            ]
        else:
            series["fill"] = {"color": farg(kolumn, s)}
        chart.add_series(series)
    if d.linje is not None:
        kolumn, namn = d.linje
        line = book.add_chart({"type": "line"})
        line.add_series(
            {
                "name": namn,
                "categories": ref(0),
                "values": ref(col_of[kolumn]),
                "line": {"color": "#C00000", "width": 2},
                "y2_axis": d.linje_procent,
            }
        )
        if d.linje_procent:
            line.set_y2_axis({"name": "Andel (%)", "min": 0, "max": 100})
        chart.combine(line)
    chart.set_title({"name": d.titel, "name_font": {"size": 11}})
    if d.typ != "paj":
        chart.set_x_axis({"name": d.xetikett})
        chart.set_y_axis({"name": d.yetikett})
        if d.typ == "liggande":
            chart.set_y_axis({"name": d.yetikett, "reverse": True})
    chart.set_size({"width": 620, "height": 360})
    sheet, _, _, col = home
    at = anchors.get(home[1], 0)
    sheet.insert_chart(at, col, chart)
    anchors[home[1]] = at + 20


def caseload_table(rows: list[dict[str, Any]], idag: str) -> Tabell:
    """The caseload per responsible handläggare as a report table (`report --caseload`)."""
    cols = [
        Kolumn("namn", "Namn", "text"),
        Kolumn("part", "Part", "text"),
        Kolumn("tjanstgoringsgrad", "Tjänstgöringsgrad", "procent"),
        Kolumn("aktiva_arenden", "Aktiva ärenden"),
        Kolumn("arenden_per_heltid", "Per heltid", "median"),
        Kolumn("kartlaggning_forsenad", "Kartläggning försenad"),
        Kolumn("uppfoljning_att_gora", "Uppföljning att göra"),
        Kolumn("samtycke_aterkallat", "Samtycke återkallat"),
    ]
    body = [
        Rad(r["handlaggare"], r["handlaggare"], {k.nyckel: r[k.nyckel] for k in cols}) for r in rows
    ]
    sums = (
        "aktiva_arenden",
        "kartlaggning_forsenad",
        "uppfoljning_att_gora",
        "samtycke_aterkallat",
    )
    total = Rad("totalt", "Totalt", {k: sum(r[k] for r in rows) for k in sums}, summa=True)
    t = Tabell(
        "caseload",
        f"Arbetsbelastning {idag} (aktiva ärenden per ansvarig)",
        cols,
        [*body, total],
        summagrupper=[([r.nyckel for r in body], "totalt")],
    )
    # Per heltid and tjänstgöringsgrad give the active cases back: masked with them.
    for r in body:
        t.harledda[(r.nyckel, "arenden_per_heltid")] = [(r.nyckel, "aktiva_arenden")]
    return t
