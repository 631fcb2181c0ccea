"""Opening the register file, migrating it, and write transactions.

Rules:
- the path comes from `--db`, else `ENVAGIN_DB`, else the per-user default data file;
  only the default is created on first use (the caller says so); an explicitly named
  path that does not exist is refused (`envagin init` creates one);
- a file that is not SQLite, or whose schema is newer than this program, is refused
  and never written to;
- a new file is readable by its owner only (0600);
- every write runs in `write(conn)`: `BEGIN IMMEDIATE`, so a second writer waits for the
  busy timeout instead of failing half-way; a lock held longer gives `Upptagen`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from envagin_cli.domain.errors import Databasfel, Upptagen

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = int(os.environ.get("ENVAGIN_TIMEOUT_MS", "5000"))


@dataclass(frozen=True)
class DbPath:
    path: Path
    explicit: bool


def resolve_path(option: str | None) -> DbPath:
    """`--db`, else `ENVAGIN_DB`, else `$XDG_DATA_HOME/envagin/envagin.db`."""
    if option:
        return DbPath(Path(option).expanduser(), True)
    env = os.environ.get("ENVAGIN_DB")
    if env:
        return DbPath(Path(env).expanduser(), True)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return DbPath(Path(base) / "envagin" / "envagin.db", False)


def _create_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise Databasfel(f"Kan inte skapa databasen {path}: {exc.strerror}.") from exc
    os.close(fd)


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except IsADirectoryError as exc:
        raise Databasfel(f"{path} är en mapp, inte en databasfil.") from exc
    except OSError as exc:
        raise Databasfel(f"Kan inte läsa {path}: {exc.strerror}.") from exc
    if header and header != SQLITE_HEADER:
        raise Databasfel(f"{path} är ingen SQLite-databas; filen lämnas orörd.")


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), foreign keys on."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def connect_readonly(path: Path) -> sqlite3.Connection:
    from urllib.parse import quote

    conn = sqlite3.connect(
        f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1", uri=True, isolation_level=None
    )
    conn.row_factory = sqlite3.Row
    return conn


def open_db(target: DbPath, *, create: bool = False) -> tuple[sqlite3.Connection, bool]:
    """Open (and migrate) the register; returns the connection and whether it was created.

    `create` allows making a new file at an explicit path (`envagin init`, `envagin demo`).
    """
    from envagin_cli.store import migrations

    path = target.path
    created = False
    if not path.exists():
        if target.explicit and not create:
            raise Databasfel(
                f"Databasen {path} finns inte. Skapa en ny med 'envagin init' "
                "eller ange rätt sökväg med --db eller ENVAGIN_DB."
            )
        _create_file(path)
        created = True
    _check_header(path)
    try:
        try:
            conn = connect(path)
            migrations.check_version(conn, path)
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc):
                raise
            # A read-only file in a read-only folder: SQLite cannot make the WAL index, so
            # read it as an unchanging file. Reports work; every write is refused.
            conn = connect_readonly(path)
            migrations.check_version(conn, path)
            if migrations.pending(conn):
                raise Databasfel(
                    f"{path} är skrivskyddad och behöver uppgraderas; be den som äger filen "
                    "köra envagin en gång med skrivrätt."
                ) from None
            return conn, created
        if migrations.pending(conn):
            _set_wal(conn)
            migrations.migrate(conn, path, backup=not created)
        else:
            _set_wal(conn)
    except sqlite3.DatabaseError as exc:
        raise translate(exc, path) from exc
    return conn, created


def _set_wal(conn: sqlite3.Connection) -> None:
    # A read-only file or folder cannot switch mode; reads still work.
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")


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
    _create_file(target)
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()


def share_with_group(conn: sqlite3.Connection, path: Path, group: str) -> None:
    """Give a group read and write access (0660) to the register and its WAL files."""
    import grp

    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise Databasfel(f"grupp: gruppen '{group[:40]}' finns inte på datorn.") from None
    # The -wal and -shm files exist while a connection is open; SQLite creates later ones
    # with the database file's mode (the folder should be the group's, with setgid).
    conn.execute("PRAGMA user_version").fetchone()
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            try:
                os.chown(file, -1, gid)
                os.chmod(file, 0o660)
            except OSError as exc:
                raise Databasfel(f"Kan inte ändra behörighet på {file}: {exc.strerror}.") from None
