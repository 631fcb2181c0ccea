"""Seals: every table that no chain or replay covers is sealed by a digest of its rows.

`sigill` holds, for each such table, the number of its rows and SHA-256 over its rows
(every column, `quote()`d, the rows in the order of their text, the column names first),
renewed by `transaction.write` in the same transaction as every write that changes
anything. Before a write, the seals are compared with the tables as they are: a table
changed outside envagin (plain SQL), added or dropped, marks its seal broken (`brutet`:
when, and what), and a broken seal stays broken, so a later write cannot launder the
change. `envagin verify` compares every seal with its table.

Which table is covered how: the event log and the audit log by their hash chains
(`kedja`) and a seal of their head (the last row's id and hash), the projection
(`arende`, `arende_insats`) by a replay of the events (`domain.verify`), SQLite's own
tables and `sigill` itself by nothing (`INTERNA`); every other table, also one a later
migration adds, is sealed by the digest of its rows (`sealed_tables`). A seal, like a
chain, has no secret (see docs/garantier.md).

This module imports nothing else of the store.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime

TABELL = "sigill"
#: Tables covered otherwise: by a hash chain, or by a replay of the events in `verify`.
KEDJADE = ("handelse", "granskning")
UPPSPELADE = ("arende", "arende_insats")
#: Tables that hold nothing that changes a figure or an identity of their own:
#: `sigill` (the seals themselves: a changed seal no longer matches its table) and
#: SQLite's internal tables (`sqlite_sequence`, the AUTOINCREMENT counter, which `verify`
#: checks against the event log; `sqlite_stat*`, ANALYZE's statistics).
INTERNA = (TABELL,)

SKAPA = f"""CREATE TABLE {TABELL} (
    tabell TEXT PRIMARY KEY,
    rader INTEGER NOT NULL,
    digest TEXT NOT NULL,
    brutet TEXT
) STRICT"""


def tables(conn: sqlite3.Connection) -> list[str]:
    """Every table of the register (SQLite's own but for none)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]


def sealed_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables a seal covers: all but the replayed and the internal. A chained table's
    seal is its head (`digest`): its last row's id and hash, so that deleting its last rows,
    which leaves the chain whole, breaks the seal."""
    other = set(UPPSPELADE) | set(INTERNA)
    return [t for t in tables(conn) if t not in other]


def exists(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABELL,)
        ).fetchone()
        is not None
    )


def digest(conn: sqlite3.Connection, table: str) -> tuple[int, str]:
    """(rows, SHA-256 hex) of a table's content, independent of the rows' storage order;
    of a chained table, (its last id, its last hash)."""
    if table in KEDJADE:
        head = conn.execute(f"SELECT id, kedja FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
        return (int(head[0]), str(head[1])) if head else (0, "")
    columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    text = " || ',' || ".join(f'quote("{c}")' for c in columns) or "''"
    sha = hashlib.sha256(repr(columns).encode("utf-8") + b"\n")
    count = 0
    for (row,) in conn.execute(f'SELECT {text} AS r FROM "{table}" ORDER BY r'):
        sha.update(row.encode("utf-8", "surrogatepass") + b"\n")
        count += 1
    return count, sha.hexdigest()


def stored(conn: sqlite3.Connection) -> dict[str, tuple[int, str, str | None]]:
    """The seals: table → (rows, digest, brutet)."""
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(f"SELECT * FROM {TABELL}")}


def differences(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, what) for every sealed table that does not match its seal, every seal
    without its table and every seal marked broken."""
    seals = stored(conn)
    found = []
    for table in sealed_tables(conn):
        seal = seals.pop(table, None)
        if seal is None:
            found.append((table, "har inget sigill (tillagd utanför envagin)"))
            continue
        if seal[2]:
            found.append((table, f"sigillet bröts tidigare: {seal[2]}"))
        elif digest(conn, table)[1] != seal[1]:
            found.append((table, "stämmer inte med sitt sigill (ändrad utanför envagin)"))
    found.extend((table, "finns inte men har ett sigill (borttagen)") for table in sorted(seals))
    return found


def check_before_write(conn: sqlite3.Connection) -> None:
    """At the start of a write: mark the seal of every table that changed since the last
    write broken (kept, with when it was found), so that the write's new seal cannot hide
    that change."""
    if not exists(conn):
        return
    seals = stored(conn)
    if not seals:
        return  # the migration that made the table seals at its end
    when = datetime.now(UTC).isoformat(timespec="seconds")
    for table, what in differences(conn):
        if table in seals and seals[table][2]:
            continue
        conn.execute(
            f"INSERT INTO {TABELL} (tabell, rader, digest, brutet) VALUES (?, -1, '', ?) "
            "ON CONFLICT (tabell) DO UPDATE SET brutet = excluded.brutet",
            (table, f"upptäckt {when}: tabellen {what}"),
        )


def seal(conn: sqlite3.Connection) -> None:
    """At the end of a write: the seals of the tables as they are now (a broken seal
    keeps its mark)."""
    if not exists(conn):
        return
    current = set()
    for table in sealed_tables(conn):
        rows, value = digest(conn, table)
        current.add(table)
        conn.execute(
            f"INSERT INTO {TABELL} (tabell, rader, digest) VALUES (?, ?, ?) "
            "ON CONFLICT (tabell) DO UPDATE SET rader = excluded.rader, digest = excluded.digest",
            (table, rows, value),
        )
    for table in set(stored(conn)) - current:
        # A table a migration dropped: its seal goes, unless it was broken.
        conn.execute(f"DELETE FROM {TABELL} WHERE tabell = ? AND brutet IS NULL", (table,))
