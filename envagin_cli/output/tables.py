"""Rendering plain results as Rich tables or JSON on stdout.

User-entered text is never read as Rich markup: every cell is a `rich.text.Text`.
Rich is imported inside the functions, so `--help` and writes do not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from envagin_cli.domain import codes
from envagin_cli.output.console import console


def _table(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    right: Iterable[int] = (),
    caption: str | None = None,
) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, caption=caption, show_lines=False)
    right_cols = set(right)
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if i in right_cols else "left")
    for row in rows:
        table.add_row(
            *[
                cell if isinstance(cell, Text) else Text("" if cell is None else str(cell))
                for cell in row
            ]
        )
    return table


def staff_table(rows: list[dict[str, Any]]) -> None:
    console().print(
        _table(
            "Handläggare",
            [
                "Id",
                "Namn",
                "Part",
                "Roll",
                "Tjänstgöringsgrad",
                "Aktiva ärenden",
                "Status",
                "OS-inloggningar",
            ],
            [
                [
                    r["id"],
                    r["namn"],
                    r["part"],
                    codes.label(codes.ROLLER, r["roll"]),
                    f"{r['tjanstgoringsgrad']} %",
                    r["aktiva_arenden"],
                    "aktiv" if r["aktiv"] else "avaktiverad",
                    ", ".join(r.get("inloggningar", [])),
                ]
                for r in rows
            ],
            right=(4, 5),
        )
    )


def insats_table(rows: list[dict[str, Any]]) -> None:
    console().print(
        _table(
            "Insatser",
            ["Kod", "Namn", "Part", "Pågående", "Status"],
            [
                [
                    r["kod"],
                    r["namn"],
                    r["part"],
                    r["pagaende"],
                    "aktiv" if r["aktiv"] else "avaktiverad",
                    ", ".join(r.get("inloggningar", [])),
                ]
                for r in rows
            ],
            right=(3,),
        )
    )


def cases_table(rows: list[dict[str, Any]], title: str) -> None:
    console().print(
        _table(
            title,
            [
                "Ärende",
                "Person",
                "Kön",
                "Ansvarig",
                "Intag",
                "Inskriven",
                "Fas",
                "Insatser",
                "Flaggor",
            ],
            [
                [
                    r["arende"],
                    r["person"],
                    r["kon"],
                    r["ansvarig"] or "",
                    r["intag"],
                    r["inskriven"] or "–",
                    r["fas"] + (f" {r['avslutad']}" if r["avslutad"] else ""),
                    ", ".join(r["insatser"]),
                    ", ".join(r["flaggor"]),
                ]
                for r in rows
            ],
            caption=f"{len(rows)} ärenden",
        )
    )


def summary_table(rows: list[dict[str, Any]], title: str = "Arbetsbelastning") -> None:
    totals = {
        k: sum(r[k] for r in rows)
        for k in (
            "aktiva_arenden",
            "kartlaggning_forsenad",
            "uppfoljning_att_gora",
            "samtycke_aterkallat",
        )
    }
    body = [
        [
            r["handlaggare"],
            r["namn"],
            r["part"],
            f"{r['tjanstgoringsgrad']} %",
            r["aktiva_arenden"],
            "–" if r["arenden_per_heltid"] is None else f"{r['arenden_per_heltid']:.1f}",
            r["kartlaggning_forsenad"],
            r["uppfoljning_att_gora"],
            r["samtycke_aterkallat"],
        ]
        for r in rows
    ]
    body.append(
        [
            "Totalt",
            "",
            "",
            "",
            totals["aktiva_arenden"],
            "",
            totals["kartlaggning_forsenad"],
            totals["uppfoljning_att_gora"],
            totals["samtycke_aterkallat"],
        ]
    )
    console().print(
        _table(
            title,
            [
                "Handläggare",
                "Namn",
                "Part",
                "Tjänstgöringsgrad",
                "Aktiva ärenden",
                "Per heltid",
                "Kartläggning försenad",
                "Uppföljning att göra",
                "Samtycke återkallat",
            ],
            body,
            right=(3, 4, 5, 6, 7, 8),
        )
    )


def timeline(view: dict[str, Any]) -> None:
    from rich.text import Text

    out = console()
    head = [
        f"Ärende {view['arende']}  ·  {view['person']}  ·  {view['kon']} {view['fodelsear']}",
        f"Remittent: {codes.label(codes.REMITTENTER, view['remittent'])}  ·  "
        f"Ansvarig: {view['ansvarig'] or '–'}  ·  Fas: {view['fas']}",
        f"Intag {view['intag']}  ·  Inskriven {view['inskriven'] or '–'}"
        + (
            f"  ·  Avslutad {view['avslutad']} "
            f"({codes.label(codes.SLUTORSAKER, view['slutorsak'])})"
            if view["avslutad"]
            else ""
        ),
    ]
    if view["flaggor"]:
        head.append("Flaggor: " + ", ".join(view["flaggor"]))
    for line in head:
        out.print(Text(line))
    rows = []
    for h in view["handelser"]:
        style = "strike" if h["makulerad"] else ""
        text = h["beskrivning"]
        if h["makulerad"]:
            text += f"  [MAKULERAD av {h['makulerad_av']}: {h['makuleringsorsak']}]"
        rows.append(
            [
                Text(str(h["id"]), style=style),
                Text(h["datum"], style=style),
                Text(h["handelse"], style=style),
                Text(text, style=style),
                Text(h["som"]),
            ]
        )
    out.print(_table("Tidslinje", ["Id", "Datum", "Händelse", "Innehåll", "Av"], rows, right=(0,)))


def goals_overview(rows: list[dict[str, Any]]) -> None:
    """All goals, one table per level."""
    from envagin_cli.domain.mal import RIKTNINGAR
    from envagin_cli.domain.mal import STATUSAR as statuses

    out = console()
    org = [r for r in rows if r["niva"] == "organisation"]
    pop = [r for r in rows if r["niva"] == "befolkning"]
    ind = [r for r in rows if r["niva"] == "individ"]
    out.print(
        _table(
            "Mål på organisationsnivå (milstolpar)",
            ["Kod", "Mål", "Deadline", "Status", "Markering"],
            [
                [
                    r["nyckel"],
                    r["text"],
                    r["deadline"] or "",
                    statuses.get(r.get("status", ""), ""),
                    "⚠ deadline passerad" if r.get("forsenad") else "",
                ]
                for r in org
            ],
        )
    )
    out.print(
        _table(
            "Mål på befolkningsnivå (indikatorer)",
            ["Kod", "Mål", "Riktning", "Basår", "Basvärde", "Senaste", "Värde", "Bedömning"],
            [
                [
                    r["nyckel"],
                    r["text"],
                    RIKTNINGAR.get(r["riktning"], ""),
                    r.get("basar") or "",
                    _num(r.get("basvarde")),
                    r.get("senaste_period") or "",
                    _num(r.get("senaste_varde")),
                    "–"
                    if r.get("ratt_riktning") is None
                    else ("✓ rätt riktning" if r["ratt_riktning"] else "✗ fel riktning"),
                ]
                for r in pop
            ],
        )
    )
    out.print(
        _table(
            "Mål på individnivå (målvärden)",
            ["Nyckel", "Mål", "Enhet", "Värde"],
            [
                [
                    r["nyckel"],
                    r["text"],
                    r["enhet"],
                    "–" if r["varde"] is None else f"{r['varde']:g}",
                ]
                for r in ind
            ],
            right=(3,),
        )
    )


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    from envagin_cli.report.tables import format_tal

    return format_tal(value)


def goal_history(view: dict[str, Any]) -> None:
    from rich.text import Text

    from envagin_cli.domain.mal import STATUSAR

    out = console()
    out.print(Text(f"{view['nyckel']}: {view['text']}"))
    details = [f"{view['typ']}, {view['niva']}"]
    if view["deadline"]:
        details.append(f"deadline {view['deadline']}")
    if view["uppfoljs_av"]:
        details.append(f"följs upp av {view['uppfoljs_av']}")
    out.print(Text(" · ".join(details)))
    if view["typ"] == "milstolpe":
        out.print(
            _table(
                "Statushistorik",
                ["Datum", "Status", "Kommentar", "Av"],
                [
                    [h["datum"], STATUSAR.get(h["status"], h["status"]), h["kommentar"], h["som"]]
                    for h in view["historik"]
                ],
            )
        )
    else:
        out.print(
            _table(
                "Värden",
                ["Period", "Värde", "Källa", "Registrerat", "Av"],
                [
                    [h["period"], _num(h["varde"]), h["kalla"], h["datum"], h["som"]]
                    for h in view["historik"]
                ],
            )
        )


def audit_table(rows: list[dict[str, Any]]) -> None:
    console().print(
        _table(
            "Granskningslogg",
            ["Tid", "Handläggare", "OS-användare", "Åtgärd", "Ärende", "Detaljer"],
            [
                [
                    r["tid"],
                    r["handlaggare"],
                    r["os_anvandare"],
                    r["atgard"],
                    r["arende"] or "",
                    r["detaljer"],
                ]
                for r in rows
            ],
        )
    )


def unit_table(data: dict[str, Any]) -> None:
    """The unit's identity in effect, then its history (`enhet show`)."""
    out = console()
    if data["namn"] is None:
        out.print(
            "Enheten har inget namn ännu; ange det med 'envagin enhet set --namn NAMN'.",
            markup=False,
        )
        return
    out.print(
        _table(
            f"Enheten {data['namn']} (sedan {data['sedan']})",
            ["Uppgift", "Värde"],
            [
                ("Namn", data["namn"]),
                ("Kommunens parter (fs, ac)", data["kommun"]),
                ("Arbetsförmedlingen (af)", data["af_kontor"]),
            ],
        )
    )
    out.print(
        _table(
            "Historik",
            ["Datum", "Namn", "Kommunens parter", "Arbetsförmedlingen", "Av", "Händelse"],
            [
                (h["datum"], h["namn"], h["kommun"], h["af_kontor"], h["som"], h["handelse_id"])
                for h in data["historik"]
            ],
            right=[5],
        )
    )
