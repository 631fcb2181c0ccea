"""The insats catalogue: list, add, deactivate (projektledare/teamledare only).

A deactivated insats cannot be started any more; past placements keep their code.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date

from envagin_cli.domain import codes, staff
from envagin_cli.domain import freetext as fritext
from envagin_cli.domain.dates import not_after_today
from envagin_cli.domain.errors import Regelfel, Valideringsfel
from envagin_cli.store import events
from envagin_cli.store.db import write

_KOD = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def list_insatser(conn: sqlite3.Connection, *, alla: bool = False) -> list[dict[str, object]]:
    rows = conn.execute(
        "SELECT i.kod, i.namn, i.part, i.aktiv, "
        "(SELECT count(*) FROM arende_insats ai JOIN arende a ON a.nr = ai.arende "
        " WHERE ai.insats = i.kod AND ai.slut IS NULL AND a.makulerad = 0) AS pagaende "
        "FROM insats i WHERE ? OR i.aktiv = 1 ORDER BY i.rowid",
        (1 if alla else 0,),
    ).fetchall()
    return [
        {
            "kod": r["kod"],
            "namn": r["namn"],
            "part": r["part"],
            "aktiv": bool(r["aktiv"]),
            "pagaende": r["pagaende"],
        }
        for r in rows
    ]


def require_active(conn: sqlite3.Connection, value: str, field: str = "insats") -> tuple[str, str]:
    """(code, party) of an active insats, or a refusal listing the active codes."""
    kod = codes.fold(value)
    row = conn.execute("SELECT kod, part, aktiv FROM insats WHERE kod = ?", (kod,)).fetchone()
    if row is None:
        row = next(
            (
                r
                for r in conn.execute("SELECT kod, namn, part, aktiv FROM insats")
                if codes.fold(r["namn"]) == kod
            ),
            None,
        )
    if row is None or not row["aktiv"]:
        active = [
            r[0] for r in conn.execute("SELECT kod FROM insats WHERE aktiv = 1 ORDER BY rowid")
        ]
        raise not_active(value, field, known=row is not None, active=active)
    return str(row["kod"]), str(row["part"])


def not_active(value: str, field: str, *, known: bool, active: list[str]) -> Valideringsfel:
    """The refusal for an insats that cannot be started, listing the active ones."""
    what = "är avaktiverad" if known else "är ingen insats i katalogen"
    return Valideringsfel(f"{field}: '{value[:40]}' {what}. Aktiva insatser: {', '.join(active)}.")


def exists(conn: sqlite3.Connection, value: str) -> str:
    """The code of an insats in the catalogue, active or not."""
    kod = codes.fold(value)
    if conn.execute("SELECT 1 FROM insats WHERE kod = ?", (kod,)).fetchone() is None:
        raise Valideringsfel(f"insats: '{value[:40]}' finns inte i katalogen.")
    return kod


def validate(kod: str, namn: str, part: str) -> tuple[str, str, str]:
    """A new insats's code, name and party, checked (the rules of `insats add`)."""
    code = codes.fold(kod)
    if not _KOD.match(code):
        raise Valideringsfel(
            f"kod: '{kod[:40]}' är ingen giltig insatskod; använd a–z, siffror och '-'."
        )
    label = fritext.check(namn, "namn", 200, required=True)
    assert label is not None
    return code, label, codes.parse_code(part, codes.UTFORARE, "part")


def add(
    conn: sqlite3.Connection,
    *,
    kod: str,
    namn: str,
    part: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Add an insats to the catalogue; False when an identical one exists."""
    not_after_today(datum, idag=idag)
    code, label, party = validate(kod, namn, part)
    with write(conn):
        actor = staff.require_ledning(conn, som, "ändra insatskatalogen")
        row = conn.execute("SELECT namn, part, aktiv FROM insats WHERE kod = ?", (code,)).fetchone()
        if row is not None:
            if (row["namn"], row["part"], row["aktiv"]) == (label, party, 1):
                return False
            raise Regelfel(f"kod: insatsen {code} finns redan ({row['namn']}).")
        conn.execute("INSERT INTO insats (kod, namn, part) VALUES (?, ?, ?)", (code, label, party))
        events.append(
            conn,
            typ="insats-add",
            datum=datum,
            som=actor,
            data={"kod": code, "namn": label, "part": party},
        )
    return True


def deactivate(
    conn: sqlite3.Connection,
    *,
    kod: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    not_after_today(datum, idag=idag)
    with write(conn):
        actor = staff.require_ledning(conn, som, "ändra insatskatalogen")
        code = exists(conn, kod)
        if not conn.execute("SELECT aktiv FROM insats WHERE kod = ?", (code,)).fetchone()[0]:
            return False
        conn.execute("UPDATE insats SET aktiv = 0 WHERE kod = ?", (code,))
        events.append(conn, typ="insats-deactivate", datum=datum, som=actor, data={"kod": code})
    return True
