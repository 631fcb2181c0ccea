"""Gallring: anonymising closed cases whose last event is old (socialtjänstens 5 år).

A case is thinned when it is closed and its last event (of any kind, the follow-up too) is
before the cut-off date (default: today minus five years). It keeps its number, kön,
födelseår, every date and every code, so every report for past periods gives the same
figures; it loses its personnummer (and import pseudonym) and the free text of its events
(the referring party's handläggare's name, void reasons). The event log allows exactly
that change and no other (trigger `handelse_ingen_andring`); the audit log is kept. The
gallring's audit row records the cases and, for each changed event, the digest of the
free text it removed, so the hash chain over the events stays verifiable; the rest of each
event's data is still hashed as written, so no gallring row, forged or not, can explain
any other change (`store.kedja`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from envagin_cli.domain.register import unit
from envagin_cli.rules.errors import Valideringsfel

ARSGRANS = 5


@dataclass(frozen=True)
class Plan:
    fore: date
    arenden: list[str]
    med_personnummer: int
    med_fritext: int


def default_cutoff(idag: date) -> date:
    return idag - relativedelta(years=ARSGRANS)


def _candidates_sql() -> str:
    return (
        "SELECT a.nr FROM arende a WHERE a.avslutad IS NOT NULL AND "
        "(SELECT max(h.datum) FROM handelse h WHERE h.arende = a.nr) < ? ORDER BY a.nr"
    )


def plan(conn: sqlite3.Connection, fore: date, idag: date) -> Plan:
    """What gallring before `fore` would do, without doing it."""
    if fore > idag:
        raise Valideringsfel(f"före: {fore.isoformat()} ligger efter dagens datum.")
    numbers = [r[0] for r in conn.execute(_candidates_sql(), (fore.isoformat(),))]
    with_number = 0
    with_text = 0
    if numbers:
        marks = ",".join("?" * len(numbers))
        with_number = conn.execute(
            f"SELECT count(*) FROM arende a JOIN identitet i ON i.id = a.identitet_id "
            f"WHERE a.nr IN ({marks}) AND (i.personnummer IS NOT NULL "
            "OR i.pseudonym IS NOT NULL)",
            numbers,
        ).fetchone()[0]
        with_text = conn.execute(
            f"SELECT count(*) FROM handelse WHERE arende IN ({marks}) AND "
            "(json_extract(data, '$.remittent_handlaggare') IS NOT NULL "
            "OR json_extract(data, '$.orsak') IS NOT NULL)",
            numbers,
        ).fetchone()[0]
    return Plan(fore, numbers, with_number, with_text)


def run(conn: sqlite3.Connection, *, fore: date, som: str | None, idag: date) -> Plan:
    """Anonymise the cases of `plan(fore)` in one transaction."""
    with unit(conn, idag) as reg:
        actor = reg.leader(som, "gallra")
        todo = plan(conn, fore, idag)
        for nr in todo.arenden:
            reg.anonymise_case(nr)
        if todo.arenden:
            reg.audit(
                actor,
                "gallring",
                detaljer=f"{len(todo.arenden)} ärenden, sista händelse före {fore.isoformat()}",
                underlag={"arenden": todo.arenden, "handelser": reg.gallrade, "kedja": 2},
            )
    return todo
