"""The audit log (`granskning`): who read or exported a person's data, when, which case.

Rows are only ever added (triggers refuse UPDATE and DELETE) and are kept when cases are
anonymised. The row is written in the same transaction as the read it records, so a
read whose audit row cannot be written does not happen. Rows are written through the
register's unit of work (`Register.audit`), like every other write.
"""

from __future__ import annotations

import sqlite3


def list_rows(
    conn: sqlite3.Connection,
    *,
    fran: str | None = None,
    till: str | None = None,
    handlaggare: str | None = None,
    arende: str | None = None,
) -> list[dict[str, object]]:
    where, params = [], []
    if fran:
        where.append("substr(tid, 1, 10) >= ?")
        params.append(fran)
    if till:
        where.append("substr(tid, 1, 10) <= ?")
        params.append(till)
    if handlaggare:
        where.append("handlaggare = ?")
        params.append(handlaggare)
    if arende:
        where.append("arende = ?")
        params.append(arende)
    sql = "SELECT tid, handlaggare, os_anvandare, atgard, arende, detaljer FROM granskning"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [dict(r) for r in conn.execute(sql + " ORDER BY id", params)]
