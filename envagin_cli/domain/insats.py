"""The insats catalogue: list, add, deactivate (projektledare/teamledare only).

A deactivated insats cannot be started any more; past placements keep their code.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date

from envagin_cli.domain.register import Insats, Register, working
from envagin_cli.rules import codes, freetext, personnummer
from envagin_cli.rules.dates import not_after_today
from envagin_cli.rules.errors import Checks, Regelfel, Valideringsfel

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


def validate(kod: str, namn: str, part: str) -> tuple[str, str, str]:
    """A new insats's code, name and party, checked (the rules of `insats add`)."""
    found = Checks()
    code = codes.fold(kod)
    if not _KOD.match(code):
        found.note(
            Valideringsfel(
                f"kod: '{kod[:40]}' är ingen giltig insatskod; använd a–z, siffror och '-'."
            )
        )
    found(personnummer.refuse_in, code, "kod")
    label = found(freetext.check, namn, "namn", 200, required=True)
    party = found(codes.parse_code, part, codes.UTFORARE, "part")
    found.done()
    assert label is not None
    return code, label, party


def add(
    target: Register | sqlite3.Connection,
    *,
    kod: str,
    namn: str,
    part: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Add an insats to the catalogue; False when an identical one exists (a no-op)."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    checked = found(validate, kod, namn, part)
    with working(target, idag) as reg:
        actor = reg.leader(som, "ändra insatskatalogen")
        found.done(check_only=reg.check_only)
        code, label, party = checked
        existing = reg.insatser.get(code)
        if existing is not None:
            if (existing.namn, existing.part) == (label, party):
                return False
            raise Regelfel(f"kod: insatsen {code} finns redan ({existing.namn}).")
        reg.add_insats(Insats(code, label, party, True), actor, datum)
    return True


def deactivate(
    target: Register | sqlite3.Connection,
    *,
    kod: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Deactivate an insats; False when already inactive."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    with working(target, idag) as reg:
        actor = reg.leader(som, "ändra insatskatalogen")
        code = found(reg.known_insats, kod)
        found.done(check_only=reg.check_only)
        if not reg.insatser[code].aktiv:
            return False
        reg.deactivate_insats(code, actor, datum)
    return True
