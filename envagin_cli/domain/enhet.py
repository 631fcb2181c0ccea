"""The unit's identity: which En väg in (or team) this register belongs to.

A samordningsförbund reads several units' registers together (`report --enhet FIL …`);
each unit names itself here. `namn` heads the unit's column in "Resultat per enhet";
`kommun` (default "NAMN kommun") labels the municipal parties (`fs`, `ac`) the unit's
participants were referred from, and `af_kontor` (default "Arbetsförmedlingen NAMN")
labels `af`, in the joint report's table of referring parties. Only a projektledare or
teamledare changes it; every change is dated, an event in the history (`unit`), a row in
the audit log and a row in `enhet`, which keeps every earlier identity. The identity in
effect is the one with the latest date (the latest registered on the same day).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from envagin_cli.domain.register import Register, working
from envagin_cli.rules import codes, freetext
from envagin_cli.rules.dates import not_after_today
from envagin_cli.rules.errors import Checks, Valideringsfel

#: The longest name or label (the table's CHECK says the same).
MOST = 100


def genitiv(namn: str) -> str:
    """A place name as a municipality's: "Nynäshamns" (kommun); a name ending in a vowel
    (Haninge, Tyresö, Nacka) or in s, x or z takes no s, as the municipalities write it."""
    last = namn.rstrip()[-1:].lower()
    return namn if not last.isalpha() or last in "aeiouyåäösxz" else namn + "s"


def labels(namn: str, kommun: str | None, af_kontor: str | None) -> dict[str, str]:
    """The unit's name and its two labels, the defaults filled in."""
    return {
        "namn": namn,
        "kommun": kommun or f"{genitiv(namn)} kommun",
        "af_kontor": af_kontor or f"Arbetsförmedlingen {namn}",
    }


def set_unit(
    conn: Register | sqlite3.Connection,
    *,
    namn: str,
    kommun: str | None = None,
    af_kontor: str | None = None,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Name the unit (projektledare/teamledare); False when that identity is already in
    effect (nothing is added)."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    name = found(freetext.check, namn, "namn", MOST, required=True)
    municipal = found(freetext.check, kommun, "kommun", MOST)
    office = found(freetext.check, af_kontor, "af-kontor", MOST)
    with working(conn, idag) as reg:
        actor = reg.leader(som, "ändra enhetens uppgifter")
        found.done(check_only=reg.check_only)
        assert name is not None
        values = labels(name.strip(), _strip(municipal), _strip(office))
        current = reg.unit
        if current is not None and all(
            " ".join(current[k].split()) == " ".join(values[k].split()) for k in values
        ):
            return False
        reg.set_unit(values, actor, datum)
    return True


def add_finsam(
    conn: Register | sqlite3.Connection,
    *,
    namn: str,
    insatser: list[str] | tuple[str, ...] = (),
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Name one of the unit's Finsam insatser (projektledare/teamledare): what the förbund
    finances and counts in Uppföljning Finsam. Without catalogue insatser it is the whole
    team (every enrolled participant); with them, the participants in those insatser. A
    name given again is redefined from that date (the earlier definition is kept). False
    when that definition is already in effect (nothing is added)."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    name = found(freetext.check, namn, "namn", MOST, required=True)
    with working(conn, idag) as reg:
        actor = reg.leader(som, "ändra enhetens Finsam-insatser")
        chosen: list[str] = []
        for value in insatser or ():
            for part in value.split(","):
                if part.strip():
                    kod = found(_catalogue_insats, reg, part.strip())
                    if kod is not None and kod not in chosen:
                        chosen.append(kod)
        found.done(check_only=reg.check_only)
        assert name is not None
        name = " ".join(name.split())
        current = reg.finsam.get(codes.fold(name))
        if current is not None and (current["insatser"] or "") == ",".join(chosen):
            return False
        reg.add_finsam(name, chosen, actor, datum)
    return True


def _catalogue_insats(reg: Register, value: str) -> str:
    try:
        return reg.known_insats(value)
    except Valideringsfel as exc:
        raise Valideringsfel(
            *(m.replace("insats:", "insatser:", 1) for m in exc.messages)
        ) from None


def finsam(conn: sqlite3.Connection, day: str | None = None) -> list[dict[str, Any]]:
    """The unit's Finsam insatser, each by its definition in effect on `day` (ISO; default:
    the newest), in the order first named: namn, insatser (a list; empty: the whole team),
    sedan (the date of that definition)."""
    found: dict[str, dict[str, Any]] = {}
    for row in conn.execute("SELECT datum, namn, insatser FROM enhet_finsam ORDER BY datum, id"):
        key = codes.fold(row["namn"])
        if day is not None and row["datum"] > day:
            found.setdefault(key, {"namn": row["namn"], "insatser": None, "sedan": None})
            continue
        found[key] = {
            "namn": row["namn"],
            "insatser": [c for c in (row["insatser"] or "").split(",") if c],
            "sedan": row["datum"],
        }
    return [v for v in found.values() if v["sedan"] is not None]


def _strip(text: str | None) -> str | None:
    return text.strip() if text else None


def show(conn: sqlite3.Connection) -> dict[str, Any]:
    """The identity in effect and every earlier one, oldest first."""
    history = [
        dict(r)
        for r in conn.execute(
            "SELECT datum, namn, kommun, af_kontor, som, handelse_id FROM enhet ORDER BY datum, id"
        )
    ]
    current = history[-1] if history else None
    return {
        "namn": current["namn"] if current else None,
        "kommun": current["kommun"] if current else None,
        "af_kontor": current["af_kontor"] if current else None,
        "sedan": current["datum"] if current else None,
        "historik": history,
        "finsam": finsam(conn),
    }


def current(conn: sqlite3.Connection) -> dict[str, str] | None:
    """The identity in effect (namn, kommun, af_kontor), or None when the unit is unnamed."""
    row = conn.execute(
        "SELECT namn, kommun, af_kontor FROM enhet ORDER BY datum DESC, id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else {"namn": row[0], "kommun": row[1], "af_kontor": row[2]}
