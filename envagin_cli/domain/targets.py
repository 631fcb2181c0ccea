"""Goal targets of the project plan, stored in the register (`mal`), changed by command.

Keys: `inflode` (new participants a year, 200), `ettar` (% in work, studies or
self-sufficiency at the one-year follow-up, 40), `nojda` (% satisfied, 90), `ratt-stod`
(% of other closures to the right support, unset) and `offentlig` (decrease in public
support from intake to closing, percentage points, unset). Only a projektledare or
teamledare may change them; every change is an event.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from envagin_cli.domain import staff
from envagin_cli.domain.dates import not_after_today
from envagin_cli.domain.errors import Valideringsfel
from envagin_cli.store import events
from envagin_cli.store.db import write

NYCKLAR = {
    "inflode": ("Nya deltagare per år", "antal per år"),
    "ettar": ("I arbete, studier eller egen försörjning vid ettårsuppföljningen", "procent"),
    "nojda": ("Nöjda med bemötande och vägledning/insats", "procent"),
    "ratt-stod": ("Rätt stöd för dem som inte gick till arbete/studier", "procent"),
    "offentlig": ("Minskad offentlig försörjning, intag → avslut", "procentenheter"),
}
_UNSET = {"", "-", "–", "ingen", "inget", "av"}


def parse_key(value: str) -> str:
    from envagin_cli.domain.codes import fold

    key = fold(value)
    if key not in NYCKLAR:
        raise Valideringsfel(f"mål: okänd nyckel '{value[:30]}'. Tillåtna: {', '.join(NYCKLAR)}.")
    return key


def parse_value(key: str, value: str) -> float | None:
    text = value.strip().rstrip("%").strip().replace(",", ".")
    if text.lower() in _UNSET:
        return None
    try:
        number = float(text)
    except ValueError:
        raise Valideringsfel(
            f"värde: '{value[:20]}' är inget tal; ange t.ex. 40, 12,5 eller 'ingen' för inget mål."
        ) from None
    unit = NYCKLAR[key][1]
    if unit == "procent" and not 0 <= number <= 100:
        raise Valideringsfel("värde: en andel anges i procent 0–100.")
    if unit == "antal per år" and not 0 < number <= 1_000_000:
        raise Valideringsfel("värde: inflödesmålet anges som antal per år, större än 0.")
    if unit == "procentenheter" and not -100 <= number <= 100:
        raise Valideringsfel("värde: förändringen anges i procentenheter −100–100.")
    return number


def record_change(conn: sqlite3.Connection, actor: str, datum: date, data: dict[str, Any]) -> int:
    """A goal change: an event in the history and a row in the audit log."""
    from envagin_cli.domain import audit as granskning

    event_id = events.append(conn, typ="goal", datum=datum, som=actor, data=data)
    what = data.get("mal") or data.get("kod") or ""
    granskning.log(
        conn,
        handlaggare=actor,
        atgard="ändrat mål",
        detaljer=f"{data.get('atgard', 'målvärde')} {what}".strip(),
    )
    return event_id


def list_goals(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    values = {r[0]: r[1] for r in conn.execute("SELECT nyckel, varde FROM mal")}
    return [
        {"nyckel": key, "namn": name, "enhet": unit, "varde": values.get(key)}
        for key, (name, unit) in NYCKLAR.items()
    ]


def set_goal(
    conn: sqlite3.Connection,
    *,
    nyckel: str,
    varde: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> float | None:
    """Set (or with 'ingen' unset) a goal target; projektledare/teamledare only."""
    not_after_today(datum, idag=idag)
    key = parse_key(nyckel)
    number = parse_value(key, varde)
    with write(conn):
        actor = staff.require_ledning(conn, som, "ändra målen")
        conn.execute(
            "INSERT INTO mal (nyckel, varde) VALUES (?, ?) "
            "ON CONFLICT (nyckel) DO UPDATE SET varde = excluded.varde",
            (key, number),
        )
        record_change(conn, actor, datum, {"mal": key, "varde": number})
    return number
