"""The report as one self-contained HTML document for the styrgrupp (`report --html FIL`).

No network and no external file: the CSS is in the page and every chart is an SVG inside a
`data:` URI. It prints on A4 in portrait: tables take the page's width, a row is never
split across pages and a table's header repeats on the next page. Numbers are Swedish:
decimal comma, a no-break space before `%`, thousands separated by a narrow no-break
space. Every text from the register is escaped. Each table and cell carries its JSON key
(`data-tabell`, `data-rad`, `data-kolumn`), so a test can hold it against `--json`.
"""

from __future__ import annotations

import base64
import re
import sqlite3
from collections.abc import Callable
from html import escape

from envagin_cli.domain import installning
from envagin_cli.report import figures
from envagin_cli.report.diagram import Diagram
from envagin_cli.report.figures import Rapport
from envagin_cli.report.tables import (
    KMT,
    MINUS,
    Kolumn,
    Rad,
    Tabell,
    format_tal,
    grupper,
    indrag,
)
from envagin_cli.rules.periods import Period

CSS = """
@page { size: A4 portrait; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif;
  font-size: 10pt; line-height: 1.35; color: #1a1a1a; margin: 0 auto; max-width: 186mm;
  font-variant-numeric: tabular-nums; }
h1 { font-size: 18pt; margin: 0 0 2mm; color: #1f4e79; }
h2 { font-size: 12pt; margin: 7mm 0 2mm; color: #1f4e79; break-after: avoid; }
header { border-bottom: 2px solid #1f4e79; padding-bottom: 3mm; margin-bottom: 4mm; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0; }
header dt { font-weight: bold; }
header dd { margin: 0; }
section { break-inside: auto; }
table { width: 100%; border-collapse: collapse; table-layout: auto; margin: 0 0 1mm;
  font-size: 8.5pt; }
table.bred { font-size: 7.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { padding: 0.8mm 1.5mm; border-bottom: 0.5pt solid #c8c8c8; vertical-align: top; }
thead th { border-bottom: 1pt solid #1f4e79; text-align: right; font-weight: bold;
  background: #eef3f8; }
thead th.text, td.text { text-align: left; }
thead th.grupp { text-align: center; border-bottom: 0.5pt solid #1f4e79; }
section.hel { break-inside: avoid; page-break-inside: avoid; }
section.liggande { page: liggande; }
@page liggande { size: A4 landscape; }
tbody tr:first-child, tbody tr:nth-child(2) { break-before: avoid; }
tbody tr:last-child, tbody tr:nth-last-child(2) { break-before: avoid; }
h2 { break-after: avoid; page-break-after: avoid; }
td { text-align: right; white-space: nowrap; }
td.text, th.etikett, td.etikett { white-space: normal; overflow-wrap: break-word; }
td.kort { white-space: nowrap; }
td.etikett, th.etikett { text-align: left; }
tr.indrag td.etikett { padding-left: 5mm; }
tr.summa td { font-weight: bold; border-top: 1pt solid #1a1a1a; }
td.dold { color: #7f7f7f; font-style: italic; }
p.not { font-size: 8pt; color: #404040; margin: 0.5mm 0 0; }
figure { margin: 4mm 0 2mm; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; }
div.par { display: flex; gap: 4mm; break-inside: avoid; page-break-inside: avoid; }
div.par figure { flex: 1 1 0; min-width: 0; }
figcaption { font-size: 8pt; color: #404040; }
header p.enhet { margin: 0; font-size: 11pt; color: #404040; }
header p.datum { margin: 0 0 3mm; font-size: 11pt; }
div.nyckeltalen { display: flex; flex-wrap: wrap; gap: 3mm; margin: 2mm 0 4mm; }
div.nyckeltal { border: 0.5pt solid #c8c8c8; padding: 2mm 3mm; min-width: 24mm; }
div.nyckeltal span.tal { display: block; font-size: 16pt; font-weight: bold; color: #1f4e79; }
div.nyckeltal span.namn { display: block; font-size: 8pt; }
footer { margin-top: 8mm; font-size: 8pt; color: #404040; border-top: 0.5pt solid #c8c8c8; }
"""


def tal(value: float | int) -> str:
    """Decimal comma; thousands separated by a narrow no-break space (1 234); a true
    minus sign (−0,3)."""
    text = format_tal(value)
    sign = MINUS if text.startswith(MINUS) else ""
    whole, comma, decimals = text.removeprefix(MINUS).partition(",")
    return sign + f"{int(whole):,}".replace(",", "\u202f") + comma + decimals


def cell_text(t: Tabell, rad: Rad, kolumn: Kolumn) -> str:
    """A cell as printed in the document (not yet escaped)."""
    value = t.varde(rad, kolumn)
    kind = t.typ(rad, kolumn)
    if (rad.nyckel, kolumn.nyckel) in t.dolda or value is None:
        return t.text(rad, kolumn)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value).replace(" %", "\u00a0%").replace(" p.e.", "\u00a0p.e.")
    if kind == "procent":
        return f"{tal(value)}\u00a0%"
    return tal(value)


#: A table wider than this many columns gets an A4 landscape page of its own (`@page bred`).
LIGGANDE = 10


def _head(t: Tabell) -> str:
    """The header row, or two rows when columns group by measure (K, M, T under it)."""

    def cls(k: Kolumn) -> str:
        return "text" if k.typ == "text" else "tal"

    groups = grupper(t.kolumner)
    if all(not m for m, _ in groups):
        cells = "".join(
            f'<th class="{cls(k)}" scope="col">{escape(k.rubrik)}</th>' for k in t.kolumner
        )
        return f'<tr><th class="etikett" scope="col"></th>{cells}</tr>'
    short = len(t.kolumner) > 6
    top, under = ['<th class="etikett" scope="col" rowspan="2"></th>'], []
    for measure, ks in groups:
        if not measure:
            k = ks[0]
            top.append(f'<th class="{cls(k)}" scope="col" rowspan="2">{escape(k.rubrik)}</th>')
            continue
        top.append(f'<th class="grupp" scope="colgroup" colspan="{len(ks)}">{escape(measure)}</th>')
        for k in ks:
            sex = k.rubrik.rpartition(" ")[2]
            shown = sex if short else KMT[sex]
            under.append(
                f'<th class="{cls(k)}" scope="col" title="{escape(k.rubrik)}">{escape(shown)}</th>'
            )
    return f"<tr>{''.join(top)}</tr><tr>{''.join(under)}</tr>"


def _table(t: Tabell) -> str:
    wide = len(t.kolumner) > 6
    landscape = len(t.kolumner) >= LIGGANDE
    body = []
    for rad in t.rader:
        cells = []
        for k in t.kolumner:
            text = cell_text(t, rad, k)
            cls = ["text"] if t.typ(rad, k) == "text" else []
            if cls and len(text) <= 14:
                cls.append("kort")  # "40 %", "✓ uppfyllt": never broken over two lines
            if (rad.nyckel, k.nyckel) in t.dolda:
                cls.append("dold")
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f'<td data-kolumn="{escape(k.nyckel)}"{attr}>{escape(text)}</td>')
        summa = ' class="summa"' if rad.summa else ' class="indrag"' if indrag(rad.etikett) else ""
        body.append(
            f'<tr data-rad="{escape(rad.nyckel)}"{summa}>'
            f'<td class="etikett">{escape(rad.etikett)}</td>{"".join(cells)}</tr>'
        )
    notes = "".join(f'<p class="not">{escape(n)}</p>' for n in t.noter)
    if not t.rader:
        notes = '<p class="not">Inget att visa för perioden.</p>' + notes
    # A table of up to SAMMAN rows is kept whole on one page with its heading; a longer
    # one breaks between rows, its header repeated, never leaving one row alone.
    keep = " hel" if len(t.rader) <= SAMMAN else ""
    page = " liggande" if landscape else ""
    return (
        f'<section data-tabell="{escape(t.nyckel)}" class="tabell{keep}{page}">'
        f"<h2>{escape(t.rubrik)}</h2>"
        f'<table class="{"bred" if wide else "smal"}"><thead>{_head(t)}</thead>'
        f"<tbody>{''.join(body)}</tbody></table>{notes}</section>"
    )


#: The most rows a table has to be kept whole on one page.
SAMMAN = 30


def _figure(d: Diagram, svg: bytes) -> str:
    """The chart as an image inside the page; its notes and masked values are in the image.
    The image states its size (from the SVG, in CSS pixels), so it keeps it when pasted."""
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    size = re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    width, height = (
        (round(float(size.group(1)) * 4 / 3), round(float(size.group(2)) * 4 / 3))
        if size
        else (672, 378)
    )
    return (
        f'<figure data-diagram="{escape(d.nyckel)}"><img src="{uri}" alt="{escape(d.titel)}" '
        f'width="{width}" height="{height}">'
        f"<figcaption>Diagram: {escape(d.titel)}</figcaption></figure>"
    )


def _css_string(text: str) -> str:
    """Text as a CSS string: quotes and backslashes escaped, no markup can close <style>."""
    clean = "".join(c for c in text if c.isprintable()).replace("<", " ").replace(">", " ")
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _footer(enhet: str, period: Period) -> str:
    """Page numbers and the period at the foot of every printed page (CSS margin boxes,
    which Chromium prints since version 131)."""
    who = _css_string(f"{enhet} – {period.i_ord()}")
    return (
        "\n@page { @bottom-left { content: " + who + "; font-size: 8pt; color: #404040; "
        'font-family: "DejaVu Sans", Arial, sans-serif; } '
        '@bottom-right { content: "Sida " counter(page) " av " counter(pages); '
        'font-size: 8pt; color: #404040; font-family: "DejaVu Sans", Arial, sans-serif; } }\n'
    )


def _summary(r: Rapport, goals: list[Tabell]) -> str:
    """The first page: the key figures and the goal status."""
    figures_ = "".join(
        f'<div class="nyckeltal"><span class="tal">{escape(v.replace(" %", NBSP + "%"))}</span>'
        f'<span class="namn">{escape(k)}</span></div>'
        for k, v in figures.nyckeltal(r)
    )
    body = "".join(_table(t) for t in goals)
    return (
        f'<section class="sammanfattning"><h2>Sammanfattning</h2>'
        f'<div class="nyckeltalen">{figures_}</div>{body}</section>'
    )


NBSP = "\u00a0"


def unit_of(source: figures.Kallor) -> str:
    """The unit the report is about: its name (`enhet set`), or the units of a joint
    report; "En väg in" for a register without a name (never its file)."""
    from envagin_cli.domain import enhet

    if not isinstance(source, sqlite3.Connection):
        return "En väg in: " + ", ".join(u.namn or "?" for u in source)
    current = enhet.current(source)
    if current is not None:
        return f"En väg in {current['namn']}"
    return "En väg in"  # a document names no file


def document(
    r: Rapport,
    tables: list[Tabell],
    extra: list[Tabell],
    charts: list[Diagram],
    *,
    enhet: str,
    draw: Callable[[Diagram], bytes],
) -> str:
    """The whole document: header, every table with its charts after it, a footer.

    The charts' own tables (`extra`) follow the participants table; `draw` gives a chart's
    SVG (`output.diagram.render`).
    """
    ordered: list[Tabell] = []
    for t in tables:
        ordered.append(t)
        if t.nyckel == "period":
            ordered.extend(extra)
    if not any(t.nyckel == "period" for t in tables):
        ordered.extend(extra)
    tables = ordered
    period = r.period
    masking = (
        f"på: antal 1–{r.maskering - 1} visas som <{r.maskering}; celler som annars "
        "skulle röja dem, här eller i en annan tabell, ett mål eller ett diagram, visas som *; "
        "maskerade värden ritas inte i diagrammen (en paj samlar dem i biten Maskerat)."
        if r.maskering is not None
        else "av (alla antal visas; för gruppen)."
    )
    login = re.sub(r";\s*--.*?(?=\)|$)", "", installning.meaning(r.inloggning))
    header = [
        ("Framtagen", r.idag.isoformat()),
        ("Maskering", masking),
        ("Räknat", "i ärenden; felregistreringar och makulerade ärenden ingår inte."),
        ("Inloggning", f"{r.inloggning} ({login})"),
    ]
    dates = f"{period.rubrik()} ({period.typ}, {period.dagar} dagar)"
    if period.pagar:
        dates = f"{period.datum()}, {period.typ}"
    by_sheet: dict[str, list[Diagram]] = {}
    for d in charts:
        by_sheet.setdefault(d.blad, []).append(d)
    parts = [_summary(r, [t for t in tables if t.nyckel == "mal"])]
    for t in tables:
        if t.nyckel == "mal":
            continue  # in the summary, first
        parts.append(_table(t))
        drawn = [_figure(d, draw(d)) for d in by_sheet.pop(t.nyckel, [])]
        if t.nyckel == "forsorjning" and len(drawn) == 2:
            drawn = [f'<div class="par">{"".join(drawn)}</div>']  # before and after side by side
        parts.extend(drawn)
    for rest in by_sheet.values():
        parts.extend(_figure(d, draw(d)) for d in rest)
    title = f"{enhet} – {period.i_ord()}"
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in header)
    return (
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}{_footer(enhet, period)}</style>\n"
        "</head>\n<body>\n"
        f'<header><p class="enhet">{escape(enhet)}</p><h1>{escape(period.i_ord())}</h1>'
        f'<p class="datum">{escape(dates)}</p><dl>{dl}</dl></header>\n'
        + "\n".join(parts)
        + f"\n<footer>Framtagen {escape(r.idag.isoformat())}. "
        "Procent avrundas till hela procent (2,5 % blir 3 %); – betyder att underlag saknas."
        "</footer>\n</body>\n</html>\n"
    )
