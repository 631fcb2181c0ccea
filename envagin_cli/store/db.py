"""Opening the register file, migrating it, and write transactions.

Rules:
- the path comes from `--db`, else `ENVAGIN_DB`, else the per-user default data file;
  a missing file, the default too, is created only on purpose (`envagin init`, `envagin
  demo`); otherwise it is refused, saying how to create one or name another, so a
  forgotten `ENVAGIN_DB` never shows an empty new register. A named path whose folder
  does not exist is refused (only the default's folder is created);
- a file that is not SQLite, or whose schema is newer than this program, is refused
  and never written to;
- a new file is readable by its owner only (0600);
- every write runs in `write(conn)` (module `transaction`, re-exported here).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from envagin_cli.rules.errors import Databasfel, Valideringsfel, os_fel
from envagin_cli.store.transaction import (
    backup,
    conn_path,
    create_file,
    snapshot,
    translate,
    write,
)

__all__ = ["backup", "conn_path", "snapshot", "translate", "write"]

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
_LONGEST_WAIT_MS = 3_600_000


def busy_timeout_ms() -> int:
    """How long a command waits for another's write lock: `ENVAGIN_TIMEOUT_MS`, else 5 s."""
    text = os.environ.get("ENVAGIN_TIMEOUT_MS", "").strip()
    if not text:
        return BUSY_TIMEOUT_MS
    if not (text.isascii() and text.isdigit() and len(text) <= 7) or int(text) > _LONGEST_WAIT_MS:
        raise Valideringsfel(
            f"ENVAGIN_TIMEOUT_MS: '{text[:20]}' är ingen väntetid; ange millisekunder som ett "
            f"heltal 0–{_LONGEST_WAIT_MS} (standard {BUSY_TIMEOUT_MS})."
        )
    return int(text)


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


def shown_name(path: Path) -> str:
    """The register file as a header line names it (home shortened to ~)."""
    try:
        return "register ~/" + str(path.resolve().relative_to(Path.home().resolve()))
    except ValueError:
        return f"register {path}"


def _check_file(path: Path, prefix: str = "") -> int:
    """Refuse, before SQLite opens it, a path that is no regular file (a folder, a named
    pipe, a device: a pipe is never opened, so nothing waits for a writer) or a regular
    file that is not SQLite; returns the file's size (0: an empty file)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise Databasfel(f"{prefix}Kan inte läsa {path}: {os_fel(exc)}.") from exc
    if stat.S_ISDIR(info.st_mode):
        raise Databasfel(f"{prefix}{path} är en mapp, inte en databasfil.")
    if not stat.S_ISREG(info.st_mode):
        raise Databasfel(
            f"{prefix}{path} är ingen vanlig fil (utan t.ex. en namngiven pipe eller en "
            "enhet); ange registrets databasfil."
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # changed since it was looked at
                raise Databasfel(f"{prefix}{path} är ingen vanlig fil; ange registrets databasfil.")
            header = os.read(fd, 16)
        finally:
            os.close(fd)
    except OSError as exc:
        raise Databasfel(f"{prefix}Kan inte läsa {path}: {os_fel(exc)}.") from exc
    if header and header != SQLITE_HEADER:
        raise Databasfel(f"{prefix}{path} är ingen SQLite-databas; filen lämnas orörd.")
    return len(header)


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), foreign keys on."""
    wait = busy_timeout_ms()
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=wait / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {wait}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")  # erased content is overwritten with zeros
    # Checks each b-tree cell's size as a page is read: damage is found when a command
    # reads it (and refused, `transaction.translate`), at a cost too small to measure.
    conn.execute("PRAGMA cell_size_check = ON")
    # REPLACE's deletions fire delete triggers only so: the seals' triggers see them too.
    conn.execute("PRAGMA recursive_triggers = ON")
    from envagin_cli.store import sigill

    sigill.register(conn)
    return conn


def connect_readonly(path: Path) -> sqlite3.Connection:
    from urllib.parse import quote

    conn = sqlite3.connect(
        f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1", uri=True, isolation_level=None
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA cell_size_check = ON")
    from envagin_cli.store import sigill

    # A write is refused as read-only, not for an unknown function of a seal's trigger.
    sigill.register(conn)
    return conn


def open_unit(path: Path) -> sqlite3.Connection:
    """Another unit's register, for a joint report: read as an unchanging file, so that
    nothing is written into it or beside it (no -wal or -shm file, no migration, no audit
    row). A missing file, a file that is not an envagin register, one from a newer or an
    older envagin, or one with changes still in its -wal file is refused by name."""
    from envagin_cli.store import migrations

    if not path.exists():
        raise Databasfel(f"enhet: {path} finns inte.")
    if not _check_file(path, "enhet: "):
        raise Databasfel(f"enhet: {path} är tom, inget envagin-register.")
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        # Read as unchanging, SQLite would not see what is still in the -wal file.
        raise Databasfel(
            f"enhet: {path} har ändringar kvar i {wal.name}; stäng envagin i den enheten "
            "(eller ta en kopia med 'envagin backup') och läs den kopian."
        )
    try:
        conn = connect_readonly(path)
        if not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise Databasfel(f"enhet: {path} är tom, inget envagin-register.")
        migrations.check_version(conn, path)
        if migrations.pending(conn):
            raise Databasfel(
                f"enhet: {path} har schemaversion {migrations.user_version(conn)} från en "
                "äldre envagin; öppna den en gång med denna envagin i enheten (den uppgraderas "
                "då) och ange den kopian."
            )
    except sqlite3.DatabaseError as exc:
        raise translate(exc, path) from exc
    except UnicodeDecodeError as exc:
        raise translate(sqlite3.DatabaseError("malformed"), path) from exc
    return conn


def open_db(target: DbPath, *, create: bool = False) -> tuple[sqlite3.Connection, bool]:
    """Open (and migrate) the register; returns the connection and whether it was created.

    `create` allows making a new file at an explicit path (`envagin init`, `envagin demo`).
    """
    from envagin_cli.store import migrations

    busy_timeout_ms()  # a bad setting is refused before any file is made
    path = target.path
    created = False
    if not path.exists() and not path.is_symlink():
        if target.explicit and not create:
            raise Databasfel(
                f"Databasen {path} finns inte. Skapa en ny med 'envagin init' "
                "eller ange rätt sökväg med --db eller ENVAGIN_DB."
            )
        if not create:  # the default is made on purpose only, never by a typo'd ENVAGIN_DB
            raise Databasfel(
                f"Det finns inget register ännu (standardfilen {path}). Skapa det med "
                "'envagin init', eller ange ett befintligt med --db FIL eller ENVAGIN_DB."
            )
        create_file(path, make_folder=not target.explicit)
        created = True
    if not _check_file(path) and not created:
        if target.explicit and not create:
            raise Databasfel(
                f"{path} är tom, inget envagin-register; filen lämnas orörd. Skapa ett "
                "register i den med 'envagin init', eller ange rätt fil."
            )
        # An empty file becomes a new register (`init`): private, whatever its mode was.
        create_file(path, make_folder=False)
        created = True
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
            if not created and not migrations.user_version(conn):
                # An empty SQLite file: only `init` (or the default register) makes it one.
                if target.explicit and not create:
                    conn.close()
                    raise Databasfel(
                        f"{path} är en tom SQLite-databas, inget envagin-register; filen "
                        "lämnas orörd. Skapa ett register i den med 'envagin init', eller "
                        "ange rätt fil."
                    )
                create_file(path)  # private, as a new file
                created = True
            _set_wal(conn)
            migrations.migrate(conn, path, backup=not created)
        else:
            _set_wal(conn)
    except sqlite3.DatabaseError as exc:
        raise translate(exc, path) from exc
    except UnicodeDecodeError as exc:
        # SQLite's message about a damaged schema quotes its bytes, which are not UTF-8.
        raise translate(sqlite3.DatabaseError("malformed"), path) from exc
    return conn, created


def _set_wal(conn: sqlite3.Connection) -> None:
    # A read-only file or folder cannot switch mode; reads still work.
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")


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
                raise Databasfel(f"Kan inte ändra behörighet på {file}: {os_fel(exc)}.") from None
