"""The caseload (`cases`) and what is due (`idag`): each case's projected dates read
through the state machine's due rules (`lifecycle.due`).

Flags, as of a given day:
- kartläggning försenad: started more than 14 days ago and not done, case open;
- uppföljning att göra: first insats started between 11 and 18 months ago (the follow-up
  may be made from 11 months; after 18 it is counted as missed, not as work to do), not
  followed up, not a felregistrering (a closed case can still be due);
- samtycke återkallat: consent to samverkan withdrawn and the case not yet closed.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from envagin_cli.rules import lifecycle
from envagin_cli.store.queries import person_label, phase_of


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def due_of(row: sqlite3.Row) -> list[lifecycle.Uppgift]:
    """What is due in a case, by the state machine's rules, from its projected row."""
    return lifecycle.due(
        intag=_day(row["intag"]),
        inskriven=_day(row["inskriven"]),
        kartlaggning_start=_day(row["kartlaggning_start"]),
        kartlaggning_klar=_day(row["kartlaggning_klar"]),
        trepart=_day(row["trepart"]),
        forsta_insats=_day(row["forsta_insats"]),
        avslutad=_day(row["avslutad"]),
        uppfoljd=_day(row["uppfoljd"]),
        samverkan_aterkallad=_day(row["samverkan_aterkallad"]),
        slutorsak=row["slutorsak"],
    )


#: The caseload's flags, each the due item it reads (and when it is raised).
FLAGGOR = {
    "kartlaggning": "kartläggning försenad",
    "uppfoljning": "uppföljning att göra",
    "aterkallat": "samtycke återkallat",
}


def _flag_raised(u: lifecycle.Uppgift, idag: date) -> bool:
    if u.kod == "kartlaggning":
        return u.senast < idag
    return u.kod in FLAGGOR and lifecycle.open_now(u, idag)


def _flags(row: sqlite3.Row, idag: date, items: list[lifecycle.Uppgift] | None = None) -> list[str]:
    items = due_of(row) if items is None else items
    raised = {u.kod for u in items if _flag_raised(u, idag)}
    return [text for kod, text in FLAGGOR.items() if kod in raised]


#: The phases of a case (`cases --fas KOD`): code → the word `cases` shows.
FASER = {
    "remitterad": "remitterad",
    "inskriven": "inskriven",
    "kartlaggning": "kartläggning",
    "kartlagd": "kartlagd",
    "i-insats": "i insats",
    "avslutad": "avslutad",
}


def caseload(
    conn: sqlite3.Connection,
    idag: date,
    *,
    alla: bool = False,
    handlaggare: str | None = None,
    forsenad: bool = False,
    uppfoljning: bool = False,
    aterkallat: bool = False,
    fas: str | None = None,
    nummer: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Cases with their phase, flags and what is due (`att_gora`: what, from when, by
    when); open cases unless `alla` (or a follow-up filter, or the phase `avslutad`)."""
    where = ["a.makulerad = 0"]
    params: list[Any] = []
    if nummer is not None:  # these cases, open or closed
        where.append(f"a.nr IN ({', '.join('?' * len(nummer))})")
        params.extend(nummer)
    elif not (alla or uppfoljning or fas == "avslutad"):
        where.append("a.avslutad IS NULL")
    if handlaggare:
        where.append("a.ansvarig = ?")
        params.append(handlaggare)
    rows = conn.execute(
        "SELECT a.*, i.personnummer, s.namn AS ansvarig_namn, s.part AS ansvarig_part "
        "FROM arende a JOIN identitet i ON i.id = a.identitet_id "
        "LEFT JOIN staff s ON s.id = a.ansvarig "
        f"WHERE {' AND '.join(where)} ORDER BY a.intag, a.nr",
        params,
    ).fetchall()
    active: dict[str, list[str]] = {}
    for r in conn.execute(
        "SELECT arende, insats FROM arende_insats WHERE slut IS NULL ORDER BY lopnr"
    ):
        active.setdefault(r[0], []).append(r[1])
    result = []
    for row in rows:
        items = due_of(row)
        flags = _flags(row, idag, items)
        if forsenad and "kartläggning försenad" not in flags:
            continue
        if uppfoljning and "uppföljning att göra" not in flags:
            continue
        if aterkallat and "samtycke återkallat" not in flags:
            continue
        running = active.get(row["nr"], [])
        phase = phase_of(row, running)
        if fas is not None and FASER[fas] != phase:
            continue
        result.append(
            {
                "arende": row["nr"],
                "person": person_label(row["personnummer"], row["kon"], row["fodelsear"]),
                "kon": row["kon"],
                "fodelsear": row["fodelsear"],
                "remittent": row["remittent"],
                "ansvarig": row["ansvarig"],
                "ansvarig_part": row["ansvarig_part"],
                "intag": row["intag"],
                "inskriven": row["inskriven"],
                "fas": phase,
                "insatser": running,
                "avslutad": row["avslutad"],
                "slutorsak": row["slutorsak"],
                "flaggor": flags,
                "att_gora": [
                    {
                        "kod": u.kod,
                        "vad": u.vad,
                        "fran": u.fran.isoformat() if u.fran else None,
                        "senast": u.senast.isoformat(),
                    }
                    for u in items
                    if u.fran is None or u.senast >= idag  # a missed follow-up is no work
                ],
            }
        )
    return result


def due_list(
    conn: sqlite3.Connection, idag: date, *, dagar: int, handlaggare: str | None
) -> list[dict[str, Any]]:
    """What is due (`envagin idag`): every item overdue or due within `dagar` days (a
    follow-up once its window is open or opens within them), most urgent first; of the
    cases `handlaggare` is responsible for, or of all cases (None)."""
    where = ["a.makulerad = 0"]
    params: list[Any] = []
    if handlaggare:
        where.append("a.ansvarig = ?")
        params.append(handlaggare)
    rows = conn.execute(
        f"SELECT a.* FROM arende a WHERE {' AND '.join(where)} "
        "AND (a.avslutad IS NULL OR (a.forsta_insats IS NOT NULL AND a.uppfoljd IS NULL))",
        params,
    ).fetchall()
    horizon = idag + timedelta(days=dagar)
    found = []
    for row in rows:
        for u in due_of(row):
            if u.fran is not None:
                if not (u.fran <= horizon and idag <= u.senast):
                    continue
            elif u.senast > horizon:
                continue
            found.append(
                {
                    "arende": row["nr"],
                    # the follow-up with its window's opening, short enough for 80 columns
                    "vad": f"uppföljning från {u.fran.isoformat()}" if u.fran else u.vad,
                    "senast": u.senast.isoformat(),
                    "dagar_kvar": (u.senast - idag).days,
                    "ansvarig": row["ansvarig"],
                }
            )
    for item in unexcused(conn, idag, handlaggare):
        if date.fromisoformat(item["senast"]) <= horizon:
            found.append(item)
    found.sort(key=lambda r: (r["senast"], r["arende"]))
    return found


#: An unexcused absence from an insats (`envagin närvaro`) is to be followed up (with the
#: person, and for försörjningsstöd with the socialsekreterare) within a week of the day
#: (`OGILTIG_DAGAR`); it stays on the responsible handläggare's `idag` for two weeks
#: (`OGILTIG_VISAS`), overdue the second.
OGILTIG_DAGAR = 7
OGILTIG_VISAS = 14


def unexcused(
    conn: sqlite3.Connection, idag: date, handlaggare: str | None
) -> list[dict[str, Any]]:
    """Unexcused absences of the last two weeks (`OGILTIG_VISAS`) in open cases: for the
    responsible handläggare's `idag`, to follow up by the day plus a week."""
    import json

    since = idag - timedelta(days=OGILTIG_VISAS)
    sql = (
        "SELECT h.arende, h.datum, h.data, a.ansvarig FROM handelse h "
        "JOIN arende a ON a.nr = h.arende WHERE h.typ = 'narvaro' "
        "AND json_extract(h.data, '$.franvaro') = 'ogiltig' AND h.datum BETWEEN ? AND ? "
        "AND a.makulerad = 0 AND a.avslutad IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id)"
    )
    params: list[Any] = [since.isoformat(), idag.isoformat()]
    if handlaggare:
        sql += " AND a.ansvarig = ?"
        params.append(handlaggare)
    found = []
    for row in conn.execute(sql, params):
        data = json.loads(row["data"])
        day = date.fromisoformat(row["datum"])
        senast = day + timedelta(days=OGILTIG_DAGAR)
        found.append(
            {
                "arende": row["arende"],
                "vad": f"ogiltig frånvaro {row['datum']} ({data['insats']})",
                "senast": senast.isoformat(),
                "dagar_kvar": (senast - idag).days,
                "ansvarig": row["ansvarig"],
            }
        )
    return found


def caseload_summary(conn: sqlite3.Connection, idag: date) -> list[dict[str, Any]]:
    """Open cases per responsible handläggare (with party and tjänstgöringsgrad) and flags."""
    cases = caseload(conn, idag, alla=True)
    per: dict[str | None, dict[str, Any]] = {}
    staff_rows = conn.execute("SELECT * FROM staff ORDER BY part, id").fetchall()
    for s in staff_rows:
        per[s["id"]] = {
            "handlaggare": s["id"],
            "namn": s["namn"],
            "part": s["part"],
            "tjanstgoringsgrad": s["tjanstgoringsgrad"],
            "aktiv": bool(s["aktiv"]),
            "aktiva_arenden": 0,
            "kartlaggning_forsenad": 0,
            "uppfoljning_att_gora": 0,
            "samtycke_aterkallat": 0,
        }
    for case in cases:
        entry = per.get(case["ansvarig"])
        if entry is None:
            continue
        if case["avslutad"] is None:
            entry["aktiva_arenden"] += 1
        flags = case["flaggor"]
        entry["kartlaggning_forsenad"] += "kartläggning försenad" in flags
        entry["uppfoljning_att_gora"] += "uppföljning att göra" in flags
        entry["samtycke_aterkallat"] += "samtycke återkallat" in flags
    rows = [
        e
        for e in per.values()
        if e["aktiv"]
        or any(
            e[k]
            for k in (
                "aktiva_arenden",
                "kartlaggning_forsenad",
                "uppfoljning_att_gora",
                "samtycke_aterkallat",
            )
        )
    ]
    for e in rows:
        grad = e["tjanstgoringsgrad"]
        e["arenden_per_heltid"] = round(e["aktiva_arenden"] * 100 / grad, 1) if grad else None
    return rows


def flags_of(conn: sqlite3.Connection, nr: str, idag: date) -> list[str]:
    """The flags of one case (for `show`); none for a voided case."""
    row = conn.execute("SELECT * FROM arende WHERE nr = ?", (nr,)).fetchone()
    if row is None or row["makulerad"]:
        return []
    return _flags(row, idag)
