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

from envagin_cli.rules import codes, event_kinds
from envagin_cli.rules import personnummer as pnr
from envagin_cli.rules.dates import add_months, local_time


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


def _flags(row: sqlite3.Row, idag: date) -> list[str]:
    flags = []
    open_case = row["avslutad"] is None
    start = row["kartlaggning_start"]
    if (
        open_case
        and start
        and not row["kartlaggning_klar"]
        and date.fromisoformat(start) + timedelta(days=codes.MAPPING_DAYS) < idag
    ):
        flags.append("kartläggning försenad")
    if (
        follow_up_due(row["forsta_insats"], idag)
        and not row["uppfoljd"]
        and row["slutorsak"] != codes.FELREGISTRERING
    ):
        flags.append("uppföljning att göra")
    if open_case and row["samverkan_aterkallad"]:
        flags.append("samtycke återkallat")
    return flags


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
) -> list[dict[str, Any]]:
    """Cases with their phase and flags; open cases unless `alla` (or a follow-up filter)."""
    where = ["a.makulerad = 0"]
    params: list[Any] = []
    if not (alla or uppfoljning):
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
        flags = _flags(row, idag)
        if forsenad and "kartläggning försenad" not in flags:
            continue
        if uppfoljning and "uppföljning att göra" not in flags:
            continue
        if aterkallat and "samtycke återkallat" not in flags:
            continue
        running = active.get(row["nr"], [])
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
                "fas": _phase(row, running),
                "insatser": running,
                "avslutad": row["avslutad"],
                "slutorsak": row["slutorsak"],
                "flaggor": flags,
            }
        )
    return result


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
                "registrerad": local_time(r["registrerad"]),
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
