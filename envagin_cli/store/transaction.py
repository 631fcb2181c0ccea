"""The register file's write transactions and its low-level file handling.

- every write runs in `write(conn)`: `BEGIN IMMEDIATE`, so a second writer waits for the
  busy timeout instead of failing half-way; a lock held longer gives `Upptagen`; nested
  calls become savepoints; the seals of the tables (`sigill`) are checked at its start
  and the chains' heads renewed at its end, in the same transaction (triggers keep the
  other seals row by row; in full only after a change of the schema);
- a file envagin creates is readable by its owner only (0600; module `files`);
- a backup is a consistent copy made with SQLite's backup API, written under a temporary
  name and renamed when complete.

This module imports nothing else of the store, so `db` and `migrations` can both use it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

from envagin_cli.rules.errors import Databasfel, Skadad, Upptagen, os_fel


def create_file(path: Path, *, make_folder: bool = False) -> None:
    """A new, empty register file (0600), or an existing empty one made so. Its folder
    must exist, except the per-user default's (`make_folder`), which is created for the
    owner only (0700)."""
    from envagin_cli.store import files

    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        # An existing empty file (`touch reg.db; envagin init`): made private as a new one.
        try:
            os.chmod(path, files.PRIVATE)
        except OSError as exc:
            raise Databasfel(f"Kan inte ändra behörighet på {path}: {os_fel(exc)}.") from None
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


#: Connections whose open transaction erases personal data (`erasing`).
_ERASING: set[sqlite3.Connection] = set()


def erasing(conn: sqlite3.Connection) -> None:
    """The transaction open on `conn` erases personal data (gallring, a consent without
    `statistik`): after its commit the WAL is written into the file and truncated
    (`wipe_wal`), so no earlier copy of an erased page is left in it. (Every connection
    has `secure_delete` on, so the erased bytes themselves are overwritten with zeros.)"""
    _ERASING.add(conn)


def wipe_wal(conn: sqlite3.Connection) -> bool:
    """Checkpoint the WAL into the file and truncate it to nothing; False when another
    process still reads an older state (its next checkpoint overwrites the pages)."""
    try:
        row = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:
        return False
    return row is None or row[0] == 0


def snapshot(conn: sqlite3.Connection) -> None:
    """Begin one read transaction that lasts until the connection is closed (or the
    transaction ended): every query of a report or an export then sees the file as it
    was at this moment, whatever is written meanwhile (WAL keeps that snapshot for it).
    A connection already in a transaction keeps the one it is in."""
    if conn.in_transaction:
        return
    try:
        conn.execute("BEGIN")
        # The snapshot starts at the first read, not at BEGIN.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        raise translate(exc, Path(conn_path(conn))) from exc


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
        _ERASING.discard(conn)
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _ERASING.discard(conn)
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise translate(exc, Path(conn_path(conn))) from exc
    if conn in _ERASING:
        _ERASING.discard(conn)
        wipe_wal(conn)


#: Rows a statement in `insert_rows`; with the widest row (a case's 26 columns) under 999
#: parameters, the limit of older SQLite builds.
ROWS_A_STATEMENT = 32


def insert_rows(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`, many rows a statement
    (`INSERT ... VALUES (...), (...), ...`): SQLite's own work for each statement run (binding,
    resetting, the CHECK lists built anew) is then shared by the rows; an import's event rows
    are written in about two thirds of the time of one statement a row (docs/prestanda.md).
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


def backup(
    source: Path,
    target: Path,
    *,
    overwrite: bool = False,
    unique: bool = False,
    done: Callable[[], None] | None = None,
) -> Path:
    """A consistent copy of the register at `source` made with SQLite's backup API (read
    through a connection of its own, so the caller may hold the write lock), with the
    register's privacy: 0600, or 0660 with its group when the register is shared (`init
    --grupp`). The copy is made under a temporary name beside `target` and renamed when
    complete (`files.write_file`; `overwrite` and `unique` as there); `done` runs after the
    copy and before the rename (the audit row: without it there is no copy). Returns the
    copy's name."""
    from envagin_cli.store import files

    mode, gid = files.shared_mode(source)

    def fill(_fd: int, tmp: Path) -> None:
        src = sqlite3.connect(str(source), timeout=30)
        try:
            src.execute("PRAGMA secure_delete = ON")
            dest = sqlite3.connect(str(tmp))
            try:
                dest.execute("PRAGMA secure_delete = ON")
                src.backup(dest)
            except sqlite3.OperationalError as exc:
                if "full" in str(exc).lower() or "i/o" in str(exc).lower():
                    raise Databasfel(
                        f"Kan inte skriva {target}: disken är full (eller filen blir för stor); "
                        "ingen kopia har skrivits."
                    ) from None
                raise
            finally:
                dest.close()
        finally:
            src.close()
        if done is not None:
            done()

    return files.write_file(target, fill, overwrite=overwrite, unique=unique, mode=mode, gid=gid)
