"""Read-only views of the register: a case's timeline (`show`), searches, previews.

They return plain dicts and lists; the personnummer is always masked here. The caseload
and what is due (rules of the state machine) are in `domain.caseload`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

from envagin_cli.rules import event_kinds
from envagin_cli.rules import personnummer as pnr
from envagin_cli.rules.dates import local_time


def phase_of(row: sqlite3.Row, active_insatser: list[str]) -> str:
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
        "fas": "makulerat" if case["makulerad"] else phase_of(case, active),
        "avslutad": case["avslutad"],
        "slutorsak": case["slutorsak"],
        "insatser": insatser,
        "flaggor": [],  # the caseload's flags, added by the domain (`caseload.flags`)
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
    text = event_id.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None  # the void itself refuses it, by name
    r = conn.execute(
        "SELECT id, arende, datum, typ, data FROM handelse WHERE id = ?", (int(text),)
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
