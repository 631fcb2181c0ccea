"""The audit log (`granskning`): who read or exported a person's data, when, which case.

Rows are only ever added (triggers refuse UPDATE and DELETE) and are kept when cases are
anonymised. The row is written in the same transaction as the read it records, so a
read whose audit row cannot be written does not happen. Rows are written through the
register's unit of work (`Register.audit`), like every other write.
"""

from __future__ import annotations

import sqlite3
from datetime import date

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
