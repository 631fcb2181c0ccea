"""Rendering plain results as Rich tables or JSON on stdout.

User-entered text is never read as Rich markup: every cell is a `rich.text.Text`.
Rich is imported inside the functions, so `--help` and writes do not pay for it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from envagin_cli.output.console import console
from envagin_cli.output.grid import Grid, headers, one_cell_wide, plain_table, show, stack
from envagin_cli.output.words import antal, decimal, tal
from envagin_cli.rules import codes


def _table(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    right: Iterable[int] = (),
    caption: str | None = None,
    smal: Grid | None = None,
    tom: str | None = None,
) -> Grid:
    """A table as a `Grid`: laid out to fit the width when shown (see `output.grid`)."""
    return Grid(
        title,
        list(headers),
        [list(row) for row in rows],
        right=set(right),
        notes=[caption] if caption else [],
        smal=smal,
        tom=tom,
    )


def staff_table(rows: list[dict[str, Any]]) -> None:
    body = [
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
    ]
    # At 80 columns: the name above the role, the status above the logins, and the long
    # header hyphenated.
    smal = _table(
        "Handläggare",
        [
            "Id",
            headers("Namn", "Roll"),
            "Part",
            "Tjänst-\ngöringsgrad",
            "Aktiva ärenden",
            headers("Status", "OS-inloggningar"),
        ],
        [[b[0], stack(b[1], b[3]), b[2], b[4], b[5], stack(b[6], b[7])] for b in body],
        right=(3, 4),
    )
    show(
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
            body,
            right=(4, 5),
            smal=smal,
            tom="Inga handläggare.",
        )
    )


def insats_table(rows: list[dict[str, Any]]) -> None:
    show(
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
                ]
                for r in rows
            ],
            right=(3,),
            tom="Inga insatser.",
        )
    )


#: A caseload flag and the due item whose date it shows.
_FLAG_DUE = {
    "kartläggning försenad": "kartlaggning",
    "uppföljning att göra": "uppfoljning",
    "samtycke återkallat": "aterkallat",
}


def _flag_texts(r: dict[str, Any]) -> str:
    """The flags with their dates: a mapping's last day, the follow-up's window."""
    due = {a["kod"]: a for a in r.get("att_gora", [])}
    texts = []
    for flag in r["flaggor"]:
        item = due.get(_FLAG_DUE.get(flag, ""))
        if item is None:
            texts.append(flag)
        elif item["fran"]:
            texts.append(f"{flag} {item['fran']} – {item['senast']}")
        else:
            texts.append(f"{flag} (senast {item['senast']})")
    return ", ".join(texts)


def cases_table(rows: list[dict[str, Any]], title: str) -> None:
    body = [
        [
            r["arende"],
            r["person"],
            r["kon"],
            r["ansvarig"] or "",
            r["intag"],
            r["inskriven"] or "–",
            r["fas"] + (f" {r['avslutad']}" if r["avslutad"] else ""),
            ", ".join(r["insatser"]),
            _flag_texts(r),
        ]
        for r in rows
    ]
    # At 80 columns: related values stacked in one cell, one case per block of lines.
    smal = _table(
        title,
        [
            headers("Ärende", "Person"),
            headers("Kön", "Ansvarig"),
            headers("Intag", "Inskriven"),
            headers("Fas", "Insatser"),
            "Flaggor",
        ],
        [
            [stack(b[0], b[1]), stack(b[2], b[3]), stack(b[4], b[5]), stack(b[6], b[7]), b[8]]
            for b in body
        ],
        caption=antal(len(rows), "ärende", "ärenden"),
    )
    show(
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
            body,
            caption=antal(len(rows), "ärende", "ärenden"),
            smal=smal,
            tom=f"{title}: inga ärenden.",
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
            "–" if r["arenden_per_heltid"] is None else decimal(r["arenden_per_heltid"]),
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
    heads = [
        "Handläggare",
        "Namn",
        "Part",
        "Tjänstgöringsgrad",
        "Aktiva ärenden",
        "Per heltid",
        "Kartläggning försenad",
        "Uppföljning att göra",
        "Samtycke återkallat",
    ]
    # At 80 columns: handläggare above the name, part above the grade.
    smal = _table(
        title,
        [
            headers("Handläggare", "Namn"),
            headers("Part", "Grad"),
            "Aktiva ärenden",
            "Per heltid",
            "Kartläggning försenad",
            "Uppföljning att göra",
            "Samtycke återkallat",
        ],
        [[stack(b[0], b[1]), stack(b[2], b[3]), *b[4:]] for b in body],
        right=(1, 2, 3, 4, 5, 6),
    )
    grid = _table(title, heads, body, right=(3, 4, 5, 6, 7, 8), smal=smal)
    grid.bold = {len(body) - 1}
    show(grid)


def timeline(view: dict[str, Any]) -> None:
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
    # Piped at natural width the timeline is drawn without Rich (the same characters):
    # `show` then starts as fast as the other reading commands.
    plain = [
        [
            str(h["id"]),
            h["datum"],
            h["handelse"],
            h["beskrivning"]
            + (
                f"  [MAKULERAD av {h['makulerad_av']}: {h['makuleringsorsak']}]"
                if h["makulerad"]
                else ""
            ),
            h["som"],
        ]
        for h in view["handelser"]
    ]
    grid = _table("Tidslinje", ["Id", "Datum", "Händelse", "Innehåll", "Av"], plain, right=(0,))
    drawn = plain_table(grid) if all(one_cell_wide(line) for line in head) else None
    if drawn is not None:
        sys.stdout.write("".join(f"{line.rstrip(' ')}\n" for line in [*head, *drawn]))
        return
    from rich.text import Text

    out = console()
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
    show(_table("Tidslinje", ["Id", "Datum", "Händelse", "Innehåll", "Av"], rows, right=(0,)))


def goals_overview(rows: list[dict[str, Any]]) -> None:
    """All goals, one table per level."""
    from envagin_cli.domain.mal import RIKTNINGAR
    from envagin_cli.domain.mal import STATUSAR as statuses

    org = [r for r in rows if r["niva"] == "organisation"]
    pop = [r for r in rows if r["niva"] == "befolkning"]
    ind = [r for r in rows if r["niva"] == "individ"]
    show(
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
            tom="Mål på organisationsnivå (milstolpar): inga.",
        )
    )
    show(
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
            tom="Mål på befolkningsnivå (indikatorer): inga.",
        )
    )
    show(
        _table(
            "Mål på individnivå (målvärden)",
            ["Nyckel", "Mål", "Enhet", "Värde", "Tidigare värden"],
            [
                [
                    r["nyckel"],
                    r["text"],
                    r["enhet"],
                    "–" if r["varde"] is None else tal(r["varde"]),
                    "; ".join(_target_step(h) for h in r.get("historik", [])[:-1]),
                ]
                for r in ind
            ],
            right=(3,),
            tom="Mål på individnivå (målvärden): inga.",
        )
    )


def _target_value(value: float | None) -> str:
    return "inget mål" if value is None else tal(value)


def _target_step(step: dict[str, Any]) -> str:
    """One value of a target's history: "200 från registrets början", "100 från 2015-01-01"."""
    since = "från registrets början" if step["fran"] is None else f"från {step['fran']}"
    return f"{_target_value(step['varde'])} {since}"


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
    if view["typ"] == "malvarde":
        out.print(Text(f"målvärde på individnivå ({view['enhet']}), i dag: "
                       f"{_target_value(view['varde'])}"))  # fmt: skip
        show(
            _table(
                "Värden och från när de gäller",
                ["Gäller från", "Värde", "Av", "Registrerat"],
                [
                    [
                        h["fran"] or "registrets början",
                        _target_value(h["varde"]),
                        h["som"] or "",
                        (h["registrerad"] or "")[:10],
                    ]
                    for h in view["historik"]
                ],
            )
        )
        return
    details = [f"{view['typ']}, {view['niva']}"]
    if view["deadline"]:
        details.append(f"deadline {view['deadline']}")
    if view["uppfoljs_av"]:
        details.append(f"följs upp av {view['uppfoljs_av']}")
    out.print(Text(" · ".join(details)))
    if view["typ"] == "milstolpe":
        show(
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
        show(
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
    show(
        _table(
            "Granskningslogg",
            ["Tid", "Handläggare", "OS-användare", "Åtgärd", "Ärende", "Detaljer"],
            [
                [
                    r["tid"],  # in the stated zone, with its offset
                    r["handlaggare"],
                    r["os_anvandare"],
                    r["atgard"],
                    r["arende"] or "",
                    r["detaljer"],
                ]
                for r in rows
            ],
            tom="Granskningsloggen: inga rader.",
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
        if data.get("finsam"):
            finsam_table(data["finsam"])
        return
    show(
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
    show(
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
    finsam_table(data.get("finsam") or [])


def finsam_table(rows: list[dict[str, Any]]) -> None:
    """The unit's Finsam insatser (`enhet finsam list`, `enhet show`)."""
    if not rows:
        console().print(
            "Enheten har inga Finsam-insatser; ange dem med 'envagin enhet finsam add NAMN'.",
            markup=False,
        )
        return
    show(
        _table(
            "Finsam-insatser",
            ["Namn", "Räknar", "Sedan"],
            [
                (
                    r["namn"],
                    "insatserna " + ", ".join(r["insatser"])
                    if r["insatser"]
                    else "hela teamet (inskrivna deltagare)",
                    r["sedan"],
                )
                for r in rows
            ],
        )
    )


def due_table(rows: list[dict[str, Any]], title: str) -> None:
    """What is due (`idag`): overdue first; days left negative when overdue."""
    body = [
        [
            r["arende"],
            r["vad"],
            r["senast"],
            r["dagar_kvar"],
            r["ansvarig"] or "–",
        ]
        for r in rows
    ]
    show(
        _table(
            title,
            ["Ärende", "Att göra", "Senast", "Dagar kvar", "Ansvarig"],
            body,
            right=(3,),
            caption=antal(len(rows), "uppgift", "uppgifter"),
            tom=f"{title}: inget att göra.",
        )
    )
