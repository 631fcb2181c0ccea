"""The register file's write transactions and its low-level file handling.

- every write runs in `write(conn)`: `BEGIN IMMEDIATE`, so a second writer waits for the
  busy timeout instead of failing half-way; a lock held longer gives `Upptagen`; nested
  calls become savepoints;
- a file envagin creates is readable by its owner only (0600);
- a backup is a consistent copy made with SQLite's backup API.

This module imports nothing else of the store, so `db` and `migrations` can both use it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from envagin_cli.domain.errors import Databasfel, Upptagen, os_fel


def create_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise Databasfel(f"Kan inte skapa databasen {path}: {os_fel(exc)}.") from exc
    os.close(fd)


def translate(exc: sqlite3.DatabaseError, path: Path) -> Databasfel | Upptagen:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return Upptagen("Databasen är upptagen, försök igen om en stund.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return Databasfel(f"{path} är skadad eller ingen SQLite-databas; filen lämnas orörd.")
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
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise translate(exc, Path(conn_path(conn))) from exc
    try:
        yield conn
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


def conn_path(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row else ""


def backup(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy made with SQLite's backup API, readable by the owner only."""
    if target.exists():
        raise Databasfel(f"{target} finns redan; välj ett nytt filnamn.")
    create_file(target)
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
