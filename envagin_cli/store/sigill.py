"""Seals: every table that no chain or replay covers is sealed by a digest of its rows.

`sigill` holds, for each such table, the number of its rows and a digest of them: the
sum modulo 2^256 of SHA-256 over each row (every column's value, typed, `repr` of the
row's tuple), so that the digest does not depend on the rows' order and a change of one
row changes it by that row alone. SQLite triggers keep it: on each sealed table,
`AFTER INSERT`, `UPDATE` and `DELETE` add the new row's hash and subtract the old one's
(`envagin_sigill`, a function each envagin connection registers), in the statement's
own transaction; a write reads and hashes only the rows it changes, so its cost does not
grow with the register. `envagin verify` recomputes each digest from the whole table and
compares (`differences`).

A plain `sqlite3` client knows no `envagin_sigill`: SQLite refuses its insert, update or
delete on a sealed table, and on `sigill` itself (guard triggers), unless it drops the
triggers first. Dropping one changes the schema (`PRAGMA schema_version`), which the seal
row `sqlite_schema` records at every write; the next write that finds the schema changed
checks every table against its seal in full (once) and marks the seal of each table that
no longer matches broken (`brutet`: when, and what). A broken seal stays broken. Even
unmarked, a change made outside envagin is never laundered: later writes add and
subtract only what they change, so the difference between a seal and its table stays,
and `verify` finds it.

Which table is covered how: the event log and the audit log by their hash chains
(`kedja`) and a seal of their head (the last row's id and hash, compared at every write),
the projection (`arende`, `arende_insats`) by a replay of the events (`domain.verify`),
SQLite's own tables and `sigill` itself by nothing (`INTERNA`); every other table, also
one a later migration adds (`install`, run after the migrations), is sealed by the
digest of its rows (`sealed_tables`). A seal, like a chain, has no secret (see
docs/garantier.md).

This module imports nothing else of the store.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from hashlib import sha256

TABELL = "sigill"
#: Tables covered otherwise: by a hash chain, or by a replay of the events in `verify`.
KEDJADE = ("handelse", "granskning")
UPPSPELADE = ("arende", "arende_insats")
#: Tables that hold nothing that changes a figure or an identity of their own:
#: `sigill` (the seals themselves: a changed seal no longer matches its table) and
#: SQLite's internal tables (`sqlite_sequence`, the AUTOINCREMENT counter, which `verify`
#: checks against the event log; `sqlite_stat*`, ANALYZE's statistics).
INTERNA = (TABELL,)
#: The seal row that records the schema (`PRAGMA schema_version`) as of the last write.
SCHEMA = "sqlite_schema"
#: The SQL function the triggers call; registered on every envagin connection.
FUNKTION = "envagin_sigill"
_MASK = (1 << 256) - 1

SKAPA = f"""CREATE TABLE {TABELL} (
    tabell TEXT PRIMARY KEY,
    rader INTEGER NOT NULL,
    digest TEXT NOT NULL,
    brutet TEXT
) STRICT"""


def _row_hash(row: tuple[object, ...]) -> int:
    """SHA-256 of a row (its values as SQLite gives them to Python, `repr` of the tuple)."""
    text = repr(row).encode("utf-8", "surrogatepass")
    return int.from_bytes(sha256(text).digest(), "big")


def _function(*args: object) -> str | None:
    """`envagin_sigill(digest, sign, value, ...)`: the digest with one row's hash added
    (sign 1) or subtracted (-1). Without arguments (the guard triggers): nothing."""
    if not args:
        return None
    old, sign = args[0], args[1]
    value = int(old, 16) if old else 0  # type: ignore[call-overload]
    change = _row_hash(args[2:])
    return format((value + change if sign == 1 else value - change) & _MASK, "064x")


def register(conn: sqlite3.Connection) -> None:
    """Make the triggers' function known to a connection (every envagin connection)."""
    conn.create_function(FUNKTION, -1, _function, deterministic=True)


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


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _head(conn: sqlite3.Connection, table: str) -> tuple[int, str]:
    head = conn.execute(f"SELECT id, kedja FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
    return (int(head[0]), str(head[1])) if head else (0, "")


def digest(conn: sqlite3.Connection, table: str) -> tuple[int, str]:
    """(rows, digest) of a table's content, read in full; of a chained table, (its last
    id, its last hash)."""
    if table in KEDJADE:
        return _head(conn, table)
    cursor = conn.cursor()
    cursor.row_factory = None
    total = count = 0
    for row in cursor.execute(f'SELECT * FROM "{table}"'):
        total += _row_hash(row)
        count += 1
    return count, format(total & _MASK, "064x")


def triggers(conn: sqlite3.Connection) -> dict[str, str]:
    """The triggers that keep the seals (name → SQL): three on each sealed table that is
    not chained, with its columns as they are, and three guards on `sigill`."""
    made = {}
    for table in sealed_tables(conn):
        if table in KEDJADE:
            continue
        columns = _columns(conn, table)

        def row(prefix: str, columns: list[str] = columns) -> str:
            return ", ".join(f'{prefix}."{c}"' for c in columns)

        where = f"WHERE tabell = '{table}'"
        made[f"sigill_{table}_ny"] = (
            f'CREATE TRIGGER "sigill_{table}_ny" AFTER INSERT ON "{table}"\nBEGIN\n    '
            f"UPDATE {TABELL} SET rader = rader + 1, digest = {FUNKTION}(digest, 1, "
            f"{row('NEW')}) {where};\nEND"
        )
        made[f"sigill_{table}_andrad"] = (
            f'CREATE TRIGGER "sigill_{table}_andrad" AFTER UPDATE ON "{table}"\nBEGIN\n    '
            f"UPDATE {TABELL} SET digest = {FUNKTION}({FUNKTION}(digest, -1, {row('OLD')}), "
            f"1, {row('NEW')}) {where};\nEND"
        )
        made[f"sigill_{table}_bort"] = (
            f'CREATE TRIGGER "sigill_{table}_bort" AFTER DELETE ON "{table}"\nBEGIN\n    '
            f"UPDATE {TABELL} SET rader = rader - 1, digest = {FUNKTION}(digest, -1, "
            f"{row('OLD')}) {where};\nEND"
        )
    # The guards never run (`tabell` is never NULL: STRICT), but SQLite compiles a
    # trigger's body with every statement on its table, and a client without the
    # function cannot: so the guards cost envagin nothing and refuse a plain client.
    for kind, action, which in (("ny", "INSERT", "NEW"), ("andrad", "UPDATE", "NEW"),
                                ("bort", "DELETE", "OLD")):  # fmt: skip
        made[f"sigill_vakt_{kind}"] = (
            f'CREATE TRIGGER "sigill_vakt_{kind}" BEFORE {action} ON {TABELL} '
            f"WHEN {which}.tabell IS NULL\nBEGIN\n    SELECT {FUNKTION}();\nEND"
        )
    return made


def install(conn: sqlite3.Connection) -> None:
    """After the migrations: the seals' triggers for every sealed table as its columns
    are now (a table a migration added or changed gets them; unchanged ones are kept)."""
    if not exists(conn):
        return
    present = {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sigill\\_%' "
            "ESCAPE '\\'"
        )
    }
    for name, sql in triggers(conn).items():
        if present.get(name) == sql:
            continue
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        conn.execute(sql)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def stored(conn: sqlite3.Connection) -> dict[str, tuple[int, str, str | None]]:
    """The seals: table → (rows, digest, brutet); the schema's row too (`SCHEMA`)."""
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(f"SELECT * FROM {TABELL}")}


def differences(conn: sqlite3.Connection, *, full: bool = True) -> list[tuple[str, str]]:
    """(table, what) for every sealed table that does not match its seal, every seal
    without its table and every seal marked broken. `full=False` (a write's check when
    the schema has not changed) compares only the chains' heads and which seals exist:
    the triggers keep the other seals, and no one else can write those tables without
    changing the schema."""
    seals = stored(conn)
    seals.pop(SCHEMA, None)
    found = []
    for table in sealed_tables(conn):
        seal = seals.pop(table, None)
        if seal is None:
            found.append((table, "har inget sigill (tillagd utanför envagin)"))
            continue
        if seal[2]:
            found.append((table, f"sigillet bröts tidigare: {seal[2]}"))
        elif (full or table in KEDJADE) and digest(conn, table) != (seal[0], seal[1]):
            found.append((table, "stämmer inte med sitt sigill (ändrad utanför envagin)"))
    found.extend((table, "finns inte men har ett sigill (borttagen)") for table in sorted(seals))
    return found


def _record_schema(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"INSERT INTO {TABELL} (tabell, rader, digest) VALUES (?, ?, '') "
        "ON CONFLICT (tabell) DO UPDATE SET rader = excluded.rader",
        (SCHEMA, schema_version(conn)),
    )


def check_before_write(conn: sqlite3.Connection, *, full: bool = False) -> None:
    """At the start of a write: mark the seal of every table that changed since the last
    write broken (kept, with when it was found), so that the write cannot hide that
    change. In full (every table read) only when the schema changed since the last write
    (or when asked, before a migration); then the seals are also renewed at once."""
    if not exists(conn):
        return
    seals = stored(conn)
    if not seals:
        return  # the migration that made the table seals at its end
    recorded = seals.get(SCHEMA)
    full = full or recorded is None or recorded[0] != schema_version(conn)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    for table, what in differences(conn, full=full):
        if table in seals and seals[table][2]:
            continue
        conn.execute(
            f"INSERT INTO {TABELL} (tabell, rader, digest, brutet) VALUES (?, -1, '', ?) "
            "ON CONFLICT (tabell) DO UPDATE SET brutet = excluded.brutet",
            (table, f"upptäckt {when}: tabellen {what}"),
        )
    if full:
        seal(conn, full=True)


def seal(conn: sqlite3.Connection, *, full: bool = False) -> None:
    """At the end of a write: the chains' heads (the triggers kept every other seal). In
    full (after the schema changed: a migration): every seal from its table as it is now
    (a broken seal keeps its mark), the seals of dropped tables removed, and the schema
    recorded."""
    if not exists(conn):
        return
    current = sealed_tables(conn) if full else list(KEDJADE)
    for table in current:
        rows, value = digest(conn, table)
        conn.execute(
            f"INSERT INTO {TABELL} (tabell, rader, digest) VALUES (?, ?, ?) "
            "ON CONFLICT (tabell) DO UPDATE SET rader = excluded.rader, digest = excluded.digest",
            (table, rows, value),
        )
    if full:
        for table in set(stored(conn)) - set(current) - {SCHEMA}:
            # A table a migration dropped: its seal goes, unless it was broken.
            conn.execute(f"DELETE FROM {TABELL} WHERE tabell = ? AND brutet IS NULL", (table,))
        _record_schema(conn)
