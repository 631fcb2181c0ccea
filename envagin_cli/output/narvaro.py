"""The month's attendance list (`närvaro lista`) and its absences (`--frånvaro`): in the
terminal, as rows for CSV, and as an xlsx file. The data are `domain.narvaro`'s."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from envagin_cli.rules import codes, event_kinds

VECKODAGAR = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
LISTA = ["Ärende", "Person", "Insats", "Datum", "Dag", "Timmar", "Frånvaro", "Förväntat", "Orsak"]
SUMMA = ["Ärende", "Person", "Insats", "Timmar", "Närvarodagar", "Giltig", "Ogiltig", "Sjuk",
         "Förväntade timmar vid frånvaro"]  # fmt: skip
FRANVARO = ["Ärende", "Person", "Aktivitet", "Datum", "Förväntad tid (tim)",
            "Frånvarande tid (tim)", "Orsak"]  # fmt: skip


def _h(value: Any) -> str:
    return "" if value is None else event_kinds.hours(value)


def _day(text: str) -> str:
    return VECKODAGAR[date.fromisoformat(text).weekday()]


def day_rows(data: dict[str, Any]) -> list[list[Any]]:
    """One row per person, insats and day (the list's detail)."""
    rows = []
    for p in data["personer"]:
        for d in p["dagar"]:
            rows.append(
                [
                    p["arende"],
                    p["person"],
                    p["insats"],
                    d["datum"],
                    _day(d["datum"]),
                    _h(d["timmar"]),
                    codes.label(codes.FRANVARO, d["franvaro"]).lower() if d["franvaro"] else "",
                    _h(d["forvantat"]),
                    d["orsak"],
                ]
            )
    return rows


def total_rows(data: dict[str, Any]) -> list[list[Any]]:
    """One row per person and insats: the month's totals."""
    return [
        [
            p["arende"],
            p["person"],
            p["insats"],
            _h(p["timmar"]),
            p["narvarodagar"],
            p["giltig"],
            p["ogiltig"],
            p["sjuk"],
            _h(p["franvarotimmar"]),
        ]
        for p in data["personer"]
    ]


def absence_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            a["arende"],
            a["person"],
            a["aktivitet"],
            a["datum"],
            _h(a["forvantad_tid"]),
            _h(a["franvarande_tid"]),
            a["orsak"],
        ]
        for a in items
    ]


def csv_month(data: dict[str, Any]) -> list[list[Any]]:
    """The CSV file: the days, an empty row, then the totals."""
    return [LISTA, *day_rows(data), [], SUMMA, *total_rows(data)]


def title(data: dict[str, Any]) -> str:
    scope = ""
    if data["insats"]:
        scope = f", insats {data['insats']}"
    elif data["arende"]:
        scope = f", ärende {data['arende']}"
    return f"Närvaro {data['manad']} ({data['fran']} – {data['till']}{scope})"


def show_month(data: dict[str, Any]) -> None:
    from envagin_cli.output.grid import Grid, grids

    empty = "Ingen närvaro registrerad för perioden."
    grids(
        [
            Grid(title(data), LISTA, day_rows(data), right={5, 7}, tom=empty),
            Grid("Summa per person och insats", SUMMA, total_rows(data), right={3, 4, 5, 6, 7, 8},
                 tom=empty),
        ]
    )  # fmt: skip


def show_absences(data: dict[str, Any], items: list[dict[str, Any]]) -> None:
    from envagin_cli.output.grid import Grid, grids

    grids(
        [
            Grid(
                "Frånvaro " + title(data)[len("Närvaro ") :],
                FRANVARO,
                absence_rows(items),
                right={4, 5},
                tom="Ingen frånvaro registrerad för perioden.",
            )
        ]
    )


def xlsx(sheets: list[tuple[str, list[list[Any]]]]) -> bytes:
    """An xlsx file: each (name, rows with the header first) a sheet, bold header."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    for name, rows in sheets:
        sheet = book.add_worksheet(name)
        widths: dict[int, int] = {}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(r, c, value, bold if r == 0 else None)
                else:
                    sheet.write_string(r, c, str(value), bold if r == 0 else None)
                widths[c] = max(widths.get(c, 0), len(str(value)))
        for c, w in widths.items():
            sheet.set_column(c, c, min(w + 2, 60))
    book.close()
    return buffer.getvalue()
