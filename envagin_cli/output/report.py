"""Rendering a report: Rich tables, JSON, CSV (`;`, UTF-8 with BOM), Markdown and xlsx.

Every format draws the same `Tabell` objects, so a masked cell is masked everywhere.
The JSON schema is documented in the README ("Rapportens JSON").
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from envagin_cli.domain.errors import Databasfel, os_fel
from envagin_cli.domain.periods import Period
from envagin_cli.output import csvfile
from envagin_cli.output.console import console as make_console
from envagin_cli.output.grid import Grid, fits, show
from envagin_cli.report.figures import Malstatus, Rapport
from envagin_cli.report.tables import Kolumn, Rad, Tabell, format_tal


def header_lines(r: Rapport) -> list[str]:
    lines = [
        "En väg in – uppföljning",
        f"Period ({r.period.typ}): {r.period.rubrik()}",
        f"Framtagen {r.idag.isoformat()}. Räknat i ärenden; felregistreringar och makulerade "
        "ärenden ingår inte.",
    ]
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


def _goal_value(value: float | int | None, unit: str) -> str:
    if value is None:
        return "–"
    text = format_tal(value)
    if unit == "procent":
        return f"{text} %"
    if unit == "procentenheter":
        return f"{text} p.e."
    return text


def _goal_hidden(r: Rapport, g: Malstatus) -> bool:
    if g.kalla is None:
        return False
    tables = {t.nyckel: t for t in r.tabeller}
    table = tables.get(g.kalla[0])
    return table is not None and (g.kalla[1], g.kalla[2]) in table.dolda


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
                    "mal": _goal_value(g.mal, g.enhet),
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


def _grid(t: Tabell, kolumner: list[Kolumn], title: str, heads: list[str]) -> Grid:
    rows = [[row.etikett, *[t.text(row, k) for k in kolumner]] for row in t.rader]
    return Grid(
        title,
        ["", *heads],
        rows,
        right={i + 1 for i, k in enumerate(kolumner) if k.typ != "text"},
        bold={i for i, row in enumerate(t.rader) if row.summa},
        hel={0},
    )


_KMT = {"K": "Kvinnor", "M": "Män", "T": "Totalt"}


def _blocks(t: Tabell) -> list[Grid]:
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
        blocks.append(_grid(t, kolumner, f"{t.rubrik}: {measure.lower()}", heads))
    return blocks


def rich(r: Rapport | None, tables: list[Tabell], lines: list[str]) -> None:
    from rich.text import Text

    console = make_console()
    for line in lines:
        console.print(Text(line, style="bold" if line == lines[0] else ""))
    for t in tables:
        grid = _grid(t, t.kolumner, t.rubrik, [k.rubrik for k in t.kolumner])
        console.print()
        if not t.rader:
            console.print(Text(f"{t.rubrik}: inga rader."))
        elif fits(grid) or len(t.tripletter) < 2:
            show(grid, console)
        else:
            for i, block in enumerate(_blocks(t)):
                if i:
                    console.print()
                show(block, console)
        for note in t.noter:
            console.print(Text(note))


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
    rows: list[list[str]] = [[line] for line in lines]
    for t in tables:
        rows.append([])
        rows.append([t.rubrik])
        rows.append(["", *[k.rubrik for k in t.kolumner]])
        rows.extend([row.etikett, *[t.text(row, k) for k in t.kolumner]] for row in t.rader)
        rows.extend([note] for note in t.noter)
    return csvfile.text(rows)


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
            label = f"**{esc(row.etikett)}**" if row.summa else esc(row.etikett)
            parts.append(
                f"| {label} | " + " | ".join(esc(t.text(row, k)) for k in t.kolumner) + " |"
            )
        for note in t.noter:
            parts += ["", f"*{esc(note)}*"]
    return "\n".join(parts) + "\n"


# --- xlsx ---------------------------------------------------------------------------------

_BAD_SHEET = str.maketrans({c: " " for c in "[]:*?/\\"})


def write_xlsx(path: Path, tables: list[Tabell], lines: list[str]) -> None:
    """One sheet per table (and an overview), bold headers, columns sized to their content."""
    import xlsxwriter

    if path.exists() and path.is_dir():
        raise Databasfel(f"{path} är en mapp; ange ett filnamn som slutar på .xlsx.")
    try:
        book = xlsxwriter.Workbook(str(path))
    except OSError as exc:
        raise Databasfel(f"Kan inte skriva {path}: {os_fel(exc)}.") from exc
    bold = book.add_format({"bold": True})
    pct = book.add_format({"num_format": '0" %"'})
    dec = book.add_format({"num_format": "0.0"})
    overview = book.add_worksheet("Översikt")
    for i, line in enumerate(lines):
        overview.write_string(i, 0, line, bold if i == 0 else None)
    overview.set_column(0, 0, max(len(x) for x in lines) + 2)
    used: set[str] = {"Översikt"}
    for t in tables:
        name = t.rubrik.translate(_BAD_SHEET)[:31].strip() or t.nyckel
        while name in used:
            name = name[:28] + f" {len(used)}"
        used.add(name)
        sheet = book.add_worksheet(name)
        widths = [len(t.rubrik) // 2]
        sheet.write_string(0, 0, t.rubrik, bold)
        for j, k in enumerate(t.kolumner, start=1):
            sheet.write_string(1, j, k.rubrik, bold)
            widths.append(len(k.rubrik))
        for i, row in enumerate(t.rader, start=2):
            sheet.write_string(i, 0, row.etikett, bold if row.summa else None)
            widths[0] = max(widths[0], len(row.etikett))
            for j, k in enumerate(t.kolumner, start=1):
                value = t.varde(row, k)
                kind = t.typ(row, k)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    fmt = pct if kind == "procent" else dec if kind == "median" else None
                    sheet.write_number(i, j, value, fmt)
                else:
                    sheet.write_string(i, j, t.text(row, k))
                widths[j] = max(widths[j], len(t.text(row, k)))
        for n, note in enumerate(t.noter, start=len(t.rader) + 3):
            sheet.write_string(n, 0, note)
        for j, w in enumerate(widths):
            sheet.set_column(j, j, min(w + 2, 80))
    try:
        book.close()
    except OSError as exc:
        raise Databasfel(f"Kan inte skriva {path}: {os_fel(exc)}.") from exc


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
    return Tabell(
        "caseload",
        f"Arbetsbelastning {idag} (aktiva ärenden per ansvarig)",
        cols,
        [*body, total],
        summagrupper=[([r.nyckel for r in body], "totalt")],
    )
