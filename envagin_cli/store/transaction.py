"""The register file's write transactions and its low-level file handling.

- every write runs in `write(conn)`: `BEGIN IMMEDIATE`, so a second writer waits for the
  busy timeout instead of failing half-way; a lock held longer gives `Upptagen`; nested
  calls become savepoints; the seals of the tables (`sigill`) are checked at its start
  and the chains' heads renewed at its end, in the same transaction (triggers keep the
  other seals row by row; in full only after a change of the schema);
- a file envagin creates is readable by its owner only (0600; module `files`);
- a backup is a consistent copy made with SQLite's backup API.

This module imports nothing else of the store, so `db` and `migrations` can both use it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

from envagin_cli.domain.errors import Databasfel, Skadad, Upptagen


def create_file(path: Path, *, make_folder: bool = False) -> None:
    """A new, empty register file (0600). Its folder must exist, except the per-user
    default's (`make_folder`), which is created for the owner only (0700)."""
    from envagin_cli.store import files

    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        return
    os.close(files.create(path))


#: What SQLite (and Python's sqlite3, for text that is not UTF-8) says of a damaged file.
_SKADA = ("malformed", "not a database", "corrupt", "could not decode")


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether the error is a damaged file (not a lock, a refusal or a full disk)."""
    text = str(exc).lower()
    return any(word in text for word in _SKADA)


def translate(exc: sqlite3.DatabaseError, path: Path) -> Databasfel | Upptagen:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return Upptagen("Databasen är upptagen, försök igen om en stund.")
    if is_damage(exc):
        # Never the error's own words: a damaged row's text may hold a personnummer.
        return Skadad(
            f"{path} är skadad eller ingen SQLite-databas: SQLite kan inte läsa en del av "
            "filen. Inget svar ges från den och inget har skrivits; filen lämnas orörd. "
            "Kör 'envagin verify' och återställ den senaste säkerhetskopian."
        )
    if "readonly" in text or "read-only" in text:
        return Databasfel(
            f"{path} är skrivskyddad (eller ligger i en skrivskyddad mapp); inget har skrivits. "
            "Rapporter utan personuppgifter går att ta fram, men inget som skriver eller "
            "loggar läsning av personuppgifter."
        )
    if "unable to open" in text:
        return Databasfel(f"Kan inte öppna {path}.")
    return Databasfel(f"Databasfel i {path}: {exc}.")


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (`BEGIN IMMEDIATE`); nested calls become savepoints."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT envagin")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO SAVEPOINT envagin")
                conn.execute("RELEASE SAVEPOINT envagin")
            raise
        else:
            conn.execute("RELEASE SAVEPOINT envagin")
        return
    from envagin_cli.store import sigill

    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise translate(exc, Path(conn_path(conn))) from exc
    try:
        sigill.check_before_write(conn)
        changes = conn.total_changes
        schema = sigill.schema_version(conn)
        yield conn
        changed = sigill.schema_version(conn) != schema
        if changed or conn.total_changes != changes:
            sigill.seal(conn, full=changed)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise translate(exc, Path(conn_path(conn))) from exc


#: Rows a statement in `insert_rows`; with the widest row (a case's 26 columns) under 999
#: parameters, the limit of older SQLite builds.
ROWS_A_STATEMENT = 32


def insert_rows(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`, many rows a statement
    (`INSERT ... VALUES (...), (...), ...`): SQLite's own work for each statement run (binding,
    resetting, the CHECK lists built anew) is then shared by the rows; an import's event rows
    are written in about two thirds of the time of one statement a row (README, Prestanda).
    The rows and their order are the same as one at a time; a refused row refuses its
    statement, and the caller's transaction is rolled back as before."""
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    one = "(" + ", ".join("?" * len(columns)) + ")"
    whole = len(rows) - len(rows) % ROWS_A_STATEMENT
    if whole:
        many = head + ", ".join([one] * ROWS_A_STATEMENT)
        conn.executemany(
            many,
            (
                tuple(chain.from_iterable(rows[i : i + ROWS_A_STATEMENT]))
                for i in range(0, whole, ROWS_A_STATEMENT)
            ),
        )
    if whole < len(rows):
        conn.executemany(head + one, rows[whole:])


def conn_path(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row else ""


def backup(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy made with SQLite's backup API, with the register's privacy: 0600,
    or 0660 with its group when the register is shared (`init --grupp`)."""
    from envagin_cli.store import files

    mode, gid = files.shared_mode(Path(conn_path(conn)))
    os.close(files.create(target, mode=mode, gid=gid))
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
