"""The staff register (handläggare) and who may act.

Every command records who did it (`som`): an active registered handläggare. While the
register is empty anyone may add staff, so a new register can be set up. Only a
projektledare or teamledare may change goals and the insats catalogue.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date

from envagin_cli.domain import codes
from envagin_cli.domain import freetext as fritext
from envagin_cli.domain.dates import not_after_today
from envagin_cli.domain.errors import Behorighetsfel, Regelfel, Valideringsfel
from envagin_cli.store import events
from envagin_cli.store.db import write

_ID = re.compile(r"^[a-z0-9]{1,20}$")


@dataclass(frozen=True)
class Handlaggare:
    id: str
    namn: str
    part: str
    roll: str
    tjanstgoringsgrad: int
    aktiv: bool


def _row(row: sqlite3.Row) -> Handlaggare:
    return Handlaggare(
        row["id"],
        row["namn"],
        row["part"],
        row["roll"],
        row["tjanstgoringsgrad"],
        bool(row["aktiv"]),
    )


def parse_id(value: str, field: str = "id") -> str:
    ident = value.strip().lower()
    if not _ID.match(ident):
        raise Valideringsfel(
            f"{field}: '{value[:30]}' är inget giltigt handläggar-id; använd 1–20 bokstäver "
            "a–z och siffror (t.ex. ls)."
        )
    return ident


def parse_grad(value: str | int) -> int:
    text = str(value).strip().rstrip("%").strip()
    if not text.isdigit() or not text.isascii() or not 1 <= int(text) <= 100:
        raise Valideringsfel(
            f"tjänstgöringsgrad: '{str(value)[:20]}' är inte tillåten; ange hela procent 1–100."
        )
    return int(text)


def get(conn: sqlite3.Connection, ident: str) -> Handlaggare | None:
    row = conn.execute("SELECT * FROM staff WHERE id = ?", (ident,)).fetchone()
    return _row(row) if row else None


def _active_ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM staff WHERE aktiv = 1 ORDER BY id")]


def require_active(conn: sqlite3.Connection, value: str, field: str) -> str:
    """The id of an active handläggare, or a refusal listing the active ones."""
    ident = value.strip().lower()
    person = get(conn, ident) if _ID.match(ident) else None
    if person is None or not person.aktiv:
        raise not_active(value, field, known=person is not None, active=_active_ids(conn))
    return ident


def not_active(value: str, field: str, *, known: bool, active: list[str]) -> Valideringsfel:
    """The refusal for a handläggare who is not active, listing the active ones."""
    listed = ", ".join(active) or "inga – lägg till med 'envagin staff add'"
    what = "är avaktiverad" if known else "är ingen registrerad handläggare"
    return Valideringsfel(f"{field}: '{value[:30]}' {what}. Aktiva handläggare: {listed}.")


def resolve_actor(conn: sqlite3.Connection, som: str | None) -> str:
    """Who is recording: `--som` or `ENVAGIN_USER`, an active handläggare."""
    if not som:
        raise Valideringsfel(
            "som: ange vem som registrerar med --som ID eller miljövariabeln ENVAGIN_USER."
        )
    return require_active(conn, som, "som")


def require_ledning(conn: sqlite3.Connection, som: str | None, what: str) -> str:
    actor = resolve_actor(conn, som)
    person = get(conn, actor)
    if person is None or person.roll not in codes.LEDNINGSROLLER:
        raise Behorighetsfel(
            f"Bara en projektledare eller teamledare får {what}; {actor} är "
            f"{codes.label(codes.ROLLER, person.roll if person else None).lower()}."
        )
    return actor


def validate(
    ident: str, namn: str, part: str, roll: str, tjanstgoringsgrad: str | int
) -> Handlaggare:
    """A new handläggare's values, checked (the rules of `staff add`)."""
    return Handlaggare(
        parse_id(ident),
        _namn(namn),
        codes.parse_code(part, codes.PARTER, "part"),
        codes.parse_code(roll, codes.ROLLER, "roll"),
        parse_grad(tjanstgoringsgrad),
        True,
    )


def event_data(h: Handlaggare) -> dict[str, object]:
    return {
        "id": h.id,
        "namn": h.namn,
        "part": h.part,
        "roll": h.roll,
        "tjanstgoringsgrad": h.tjanstgoringsgrad,
    }


def add(
    conn: sqlite3.Connection,
    *,
    ident: str,
    namn: str,
    part: str,
    roll: str,
    tjanstgoringsgrad: str | int = 100,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Add a handläggare; False when an identical one already exists (a no-op)."""
    not_after_today(datum, idag=idag)
    new = validate(ident, namn, part, roll, tjanstgoringsgrad)
    with write(conn):
        empty = conn.execute("SELECT count(*) FROM staff").fetchone()[0] == 0
        if empty:
            actor = som.strip().lower() if som and som.strip() else new.id
        else:
            actor = resolve_actor(conn, som)
        existing = get(conn, new.id)
        if existing is not None:
            if existing == new:
                return False
            raise Regelfel(
                f"id: handläggaren {new.id} finns redan ({existing.namn}, {existing.part}, "
                f"{existing.roll}); välj ett annat id."
            )
        conn.execute(
            "INSERT INTO staff (id, namn, part, roll, tjanstgoringsgrad) VALUES (?, ?, ?, ?, ?)",
            (new.id, new.namn, new.part, new.roll, new.tjanstgoringsgrad),
        )
        events.append(
            conn,
            typ="staff",
            datum=datum,
            som=actor,
            data={
                "id": new.id,
                "namn": new.namn,
                "part": new.part,
                "roll": new.roll,
                "tjanstgoringsgrad": new.tjanstgoringsgrad,
            },
        )
    return True


def deactivate(
    conn: sqlite3.Connection,
    *,
    ident: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Deactivate a handläggare; False when already inactive."""
    not_after_today(datum, idag=idag)
    target = parse_id(ident)
    with write(conn):
        actor = resolve_actor(conn, som)
        person = get(conn, target)
        if person is None:
            raise Valideringsfel(
                f"id: '{target}' är ingen registrerad handläggare. Registrerade: "
                f"{', '.join(r[0] for r in conn.execute('SELECT id FROM staff ORDER BY id'))}."
            )
        if not person.aktiv:
            return False
        conn.execute("UPDATE staff SET aktiv = 0 WHERE id = ?", (target,))
        events.append(conn, typ="staff-deactivate", datum=datum, som=actor, data={"id": target})
    return True


def list_staff(conn: sqlite3.Connection, *, alla: bool = False) -> list[dict[str, object]]:
    """Handläggare with their number of open cases as ansvarig."""
    rows = conn.execute(
        "SELECT s.*, (SELECT count(*) FROM arende a WHERE a.ansvarig = s.id "
        "AND a.avslutad IS NULL AND a.makulerad = 0) AS aktiva_arenden "
        "FROM staff s WHERE ? OR s.aktiv = 1 ORDER BY s.id",
        (1 if alla else 0,),
    ).fetchall()
    return [
        {
            "id": r["id"],
            "namn": r["namn"],
            "part": r["part"],
            "roll": r["roll"],
            "tjanstgoringsgrad": r["tjanstgoringsgrad"],
            "aktiv": bool(r["aktiv"]),
            "aktiva_arenden": r["aktiva_arenden"],
        }
        for r in rows
    ]


def _namn(value: str) -> str:
    text = fritext.check(value, "namn", 200, required=True)
    assert text is not None
    return text
