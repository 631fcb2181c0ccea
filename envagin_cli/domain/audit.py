"""The audit log (`granskning`): who read, exported or backed up a person's data, when, which case.

Rows are only ever added (triggers refuse UPDATE and DELETE) and are kept when cases are
anonymised. The row is written in the same transaction as the read it records, so a
read whose audit row cannot be written does not happen. Rows are written through the
register's unit of work (`Register.audit`), like every other write.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from envagin_cli.rules.dates import local_time, utc_bounds


def list_rows(
    conn: sqlite3.Connection,
    *,
    fran: date | None = None,
    till: date | None = None,
    handlaggare: str | None = None,
    arende: str | None = None,
) -> list[dict[str, object]]:
    """The rows, `fran`–`till` being days in the stated zone (`dates.zone`); each row's
    time (stored in UTC) is given in that zone, with its offset."""
    where, params = [], []
    start, end = utc_bounds(fran, till)
    if start:
        where.append("tid >= ?")
        params.append(start)
    if end:
        where.append("tid < ?")
        params.append(end)
    if handlaggare:
        where.append("handlaggare = ?")
        params.append(handlaggare)
    if arende:
        where.append("arende = ?")
        params.append(arende)
    sql = "SELECT tid, handlaggare, os_anvandare, atgard, arende, detaljer FROM granskning"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = [dict(r) for r in conn.execute(sql + " ORDER BY id", params)]
    for row in rows:
        row["tid"] = local_time(row["tid"])
    return rows


def backup(
    conn: sqlite3.Connection, source: Path, target: Path, *, som: str | None, overwrite: bool
) -> Path:
    """`envagin backup`: a copy of the whole register (every personnummer in it), logged
    like an export with personnummer. Who asks is checked before anything is copied (an
    active handläggare, as for `show`; a register with nobody in it has no one to name);
    the audit row is written when the copy is complete and before it gets its name, so
    there is no copy without its row (`transaction.backup`)."""
    from envagin_cli.domain.register import unit
    from envagin_cli.store import transaction

    with unit(conn) as reg:
        actor = reg.actor(som) if reg.staff else ""

    def log() -> None:
        with unit(conn) as reg:
            reg.audit(actor, "säkerhetskopia", detaljer=f"till {target}")

    return transaction.backup(source, target, overwrite=overwrite, done=log)
