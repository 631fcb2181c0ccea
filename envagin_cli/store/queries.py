"""Read-only views of the register: the caseload (`cases`) and a case's timeline (`show`).

They return plain dicts and lists; the personnummer is always masked here.

Flags, as of a given day:
- kartläggning försenad: started more than 14 days ago and not done, case open;
- uppföljning att göra: first insats started between 11 and 18 months ago (the follow-up
  may be made from 11 months; after 18 it is counted as missed, not as work to do), not
  followed up, not a felregistrering (a closed case can still be due);
- samtycke återkallat: consent to samverkan withdrawn and the case not yet closed.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from typing import Any

from envagin_cli.domain import codes, event_kinds, lifecycle
from envagin_cli.domain import personnummer as pnr
from envagin_cli.domain.dates import add_months


def follow_up_due(first: str | None, idag: date) -> bool:
    """The follow-up window is open: 11 to 18 months after the first insats started."""
    if not first:
        return False
    start = date.fromisoformat(first)
    due: bool = (
        add_months(start, codes.FOLLOW_UP_FROM_MONTHS)
        <= idag
        <= add_months(start, codes.FOLLOW_UP_UNTIL_MONTHS)
    )
    return due


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


def _phase(row: sqlite3.Row, active_insatser: list[str]) -> str:
    if row["avslutad"]:
        return "avslutad"
    if active_insatser:
        return "i insats"
    if row["kartlaggning_start"] and not row["kartlaggning_klar"]:
        return "kartläggning"
    if row["kartlaggning_klar"]:
        return "kartlagd"
    if row["inskriven"]:
        return "inskriven"
    return "remitterad"


def person_label(personnummer: str | None, kon: str, fodelsear: int) -> str:
    if personnummer:
        return pnr.mask(personnummer)
    return f"anonym ({kon}, {fodelsear})"


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
        phase = _phase(row, running)
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
    found.sort(key=lambda r: (r["senast"], r["arende"]))
    return found


def search(conn: sqlite3.Connection, text: str, personnummer: str | None) -> list[str]:
    """The case numbers a search finds, newest intake first: a person's every case (by
    personnummer), else cases whose number contains `text` or whose pseudonym it is."""
    if personnummer is not None:
        sql = "i.personnummer = ?"
        params: tuple[Any, ...] = (personnummer,)
    else:
        fragment = text.strip().upper().replace("\\", "\\\\").replace("%", "\\%")
        fragment = fragment.replace("_", "\\_")
        sql = "upper(a.nr) LIKE ? ESCAPE '\\' OR i.pseudonym = ?"
        params = (f"%{fragment}%", text.strip().lower())
    return [
        r[0]
        for r in conn.execute(
            "SELECT a.nr FROM arende a JOIN identitet i ON i.id = a.identitet_id "
            f"WHERE a.makulerad = 0 AND ({sql}) ORDER BY a.intag DESC, a.nr DESC LIMIT 200",
            params,
        )
    ]


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


def _describe(typ: str, data: dict[str, Any]) -> str:
    """A Swedish one-line description of an event's content (never a personnummer)."""
    return event_kinds.BY_CODE[typ].describe(data)


def timeline(conn: sqlite3.Connection, nr: str, idag: date) -> dict[str, Any]:
    """The case summary and its whole history, voided events marked with the reason."""
    case = conn.execute(
        "SELECT a.*, i.personnummer, i.skyddad FROM arende a "
        "JOIN identitet i ON i.id = a.identitet_id WHERE a.nr = ?",
        (nr,),
    ).fetchone()
    voids = {
        r["makulerar"]: (r["id"], json.loads(r["data"]).get("orsak"))
        for r in conn.execute(
            "SELECT id, makulerar, data FROM handelse WHERE arende = ? AND makulerar IS NOT NULL",
            (nr,),
        )
    }
    history = []
    names = dict(conn.execute("SELECT kod, namn FROM insats").fetchall())
    for r in conn.execute(
        "SELECT * FROM handelse WHERE arende = ? ORDER BY datum, id", (nr,)
    ).fetchall():
        data = json.loads(r["data"])
        if "insats" in data:
            data["insats_namn"] = names
        voided = voids.get(r["id"])
        history.append(
            {
                "id": r["id"],
                "datum": r["datum"],
                "typ": r["typ"],
                "handelse": event_kinds.label(r["typ"]),
                "beskrivning": _describe(r["typ"], data),
                "som": r["som"],
                "registrerad": r["registrerad"],
                "makulerad": voided is not None,
                "makulerad_av": voided[0] if voided else None,
                "makuleringsorsak": voided[1] if voided else None,
            }
        )
    active = [
        r[0]
        for r in conn.execute(
            "SELECT insats FROM arende_insats WHERE arende = ? AND slut IS NULL ORDER BY lopnr",
            (nr,),
        )
    ]
    insatser = [
        dict(r)
        for r in conn.execute(
            "SELECT insats, utforare, start, slut FROM arende_insats WHERE arende = ? "
            "ORDER BY lopnr",
            (nr,),
        )
    ]
    return {
        "arende": nr,
        "person": person_label(case["personnummer"], case["kon"], case["fodelsear"]),
        "kon": case["kon"],
        "fodelsear": case["fodelsear"],
        "remittent": case["remittent"],
        "ansvarig": case["ansvarig"],
        "intag": case["intag"],
        "inskriven": case["inskriven"],
        "fas": "makulerat" if case["makulerad"] else _phase(case, active),
        "avslutad": case["avslutad"],
        "slutorsak": case["slutorsak"],
        "insatser": insatser,
        "flaggor": [] if case["makulerad"] else _flags(case, idag),
        "handelser": history,
    }


def newest_event(conn: sqlite3.Connection, typ: str, **fields: Any) -> int | None:
    """The newest event of kind `typ` whose data has these values: the register row that a
    repeated command found already there (for its "Händelsen finns redan (händelse N)")."""
    where = "".join(f" AND json_extract(data, '$.{name}') IS ?" for name in fields)
    row = conn.execute(
        f"SELECT max(id) FROM handelse WHERE typ = ?{where}", (typ, *fields.values())
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def event_preview(conn: sqlite3.Connection, event_id: str) -> dict[str, Any] | None:
    """One event as `show` lists it (case, date, kind, content), for a preview."""
    if not event_id.strip().isdigit():
        return None
    r = conn.execute(
        "SELECT id, arende, datum, typ, data FROM handelse WHERE id = ?", (int(event_id),)
    ).fetchone()
    if r is None or r["arende"] is None:
        return None
    data = json.loads(r["data"])
    if "insats" in data:
        data["insats_namn"] = dict(conn.execute("SELECT kod, namn FROM insats").fetchall())
    return {
        "id": r["id"],
        "arende": r["arende"],
        "datum": r["datum"],
        "handelse": event_kinds.label(r["typ"]),
        "beskrivning": _describe(r["typ"], data),
    }


def has_personnummer(conn: sqlite3.Connection, ref: str) -> bool:
    """Whether the case a reference names still has its personnummer."""
    if pnr.looks_like(ref.strip()):
        return True
    row = conn.execute(
        "SELECT i.personnummer FROM arende a JOIN identitet i ON i.id = a.identitet_id "
        "WHERE upper(a.nr) = upper(?)",
        (ref.strip(),),
    ).fetchone()
    return bool(row and row[0])
