"""Files envagin writes that can hold personal data: private, in a folder that exists.

Rules:
- every such file (the register, its backups, an export, an import's rejects, a report
  file) is created readable by its owner only (0600); the register and its backups are
  0660 with the register's group when it is shared (`envagin init --grupp`). SQLite makes
  the register's -wal and -shm files with the register's own mode;
- an existing file is written over only with `--skriv-över`, and then gets the same mode
  (a 0644 file becomes 0600); a database (any SQLite file, so the register), the -wal,
  -shm or -journal file beside one, and anything that is not a regular file (a pipe, a
  device) are never written over;
- every such file is written in full under a temporary name in its own folder and then
  renamed: a kill or a full disk never leaves half a file under the name asked for;
- a missing folder is refused, never created: a mistyped path must not hide personal data
  in a new folder. The one exception is the per-user default register's own folder
  (`~/.local/share/envagin`), created 0700 on purpose with a message.

This module imports nothing else of the store.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from envagin_cli.rules.errors import Databasfel, Valideringsfel, kort, os_fel

PRIVATE = 0o600
SHARED = 0o660


#: Room left in a name for the temporary file written beside it (`.NAMN.PID.tmp`).
_TMP_ROOM = 32


def check_folder(path: Path) -> None:
    """Refuse a file whose folder does not exist (it is never created), or whose name or
    path is longer than the file system takes (before anything is written)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        is_folder = folder.is_dir()
    except OSError as exc:
        raise Databasfel(f"Kan inte använda {kort(str(path))}: {os_fel(exc)}.") from None
    if is_folder:
        _check_length(folder, path)
    if not is_folder:
        what = "är ingen mapp" if folder.exists() else "finns inte"
        raise Databasfel(
            f"Mappen {folder} {what}; envagin skapar inga mappar. Skapa den först "
            f"(mkdir -m 700 {folder}) eller välj en annan sökväg."
        )


def _check_length(folder: Path, path: Path) -> None:
    try:
        most_name = os.pathconf(folder, "PC_NAME_MAX")
        most_path = os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        most_name, most_path = 255, 4096
    name = len(os.fsencode(path.name))
    whole = len(os.fsencode(str(path.absolute())))
    if name > most_name - _TMP_ROOM or whole > most_path - _TMP_ROOM:
        raise Databasfel(
            f"Kan inte använda {kort(str(path))}: sökvägen (eller ett namn i den) är för "
            f"lång; ett filnamn får ha högst {most_name - _TMP_ROOM} byte."
        )


def shared_mode(register: Path) -> tuple[int, int]:
    """(mode, group id) for a copy of the register: 0660 and its group when it is shared
    with a group, else 0600 (and -1: the group is left as it is)."""
    try:
        info = register.stat()
    except OSError:
        return PRIVATE, -1
    if info.st_mode & (stat.S_IRGRP | stat.S_IWGRP):
        return SHARED, info.st_gid
    return PRIVATE, -1


def create(path: Path, *, mode: int = PRIVATE, gid: int = -1, exclusive: bool = True) -> int:
    """Create (or with `exclusive` False, truncate) `path` with `mode`; returns the open
    file descriptor (the caller closes it)."""
    check_folder(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    if hasattr(os, "O_NOFOLLOW"):
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise Databasfel(f"{path} finns redan; välj ett nytt filnamn.") from None
    except IsADirectoryError:
        raise Databasfel(f"{path} är en mapp; ange ett filnamn.") from None
    except OSError as exc:
        raise Databasfel(f"Kan inte skriva {kort(str(path))}: {os_fel(exc)}.") from None
    try:
        if gid != -1:
            os.fchown(fd, -1, gid)
        os.fchmod(fd, mode)  # the umask, or an existing file's mode, does not widen it
    except OSError as exc:
        os.close(fd)
        raise Databasfel(f"Kan inte ändra behörighet på {path}: {os_fel(exc)}.") from None
    return fd


SQLITE_HEADER = b"SQLite format 3\x00"
#: The files SQLite keeps beside a database while it is in use.
_SIDE_FILES = ("-wal", "-shm", "-journal")


def _is_sqlite(path: Path) -> bool:
    """Whether a regular file starts with SQLite's header (read without blocking); a file
    that cannot be read is refused, since it might be one."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Valideringsfel(
            f"{path} finns redan och kan inte läsas ({os_fel(exc)}); envagin skriver inte över "
            "en fil det inte kan se är ingen databas. Välj ett nytt filnamn."
        ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return os.read(fd, len(SQLITE_HEADER)) == SQLITE_HEADER
    finally:
        os.close(fd)


def check_free(path: Path, overwrite: bool) -> None:
    """A path envagin writes a file to (an export, an import's rejects, a backup, a report
    file): in a folder that exists, not a folder, and not an existing file unless
    `overwrite` (`--skriv-över`). Never, not even with `overwrite`: a database (any file
    that starts with SQLite's header, so the register too), a -wal, -shm or -journal file
    beside one, or anything that is not a regular file (a pipe, a device)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise Databasfel(f"Kan inte skriva {kort(str(path))}: {os_fel(exc)}.") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise Valideringsfel(f"{path} är en mapp; ange ett filnamn.")
    check_folder(path)
    for suffix in _SIDE_FILES:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            base = path.with_name(path.name[: -len(suffix)])
            if base.exists():
                raise Valideringsfel(
                    f"{path} hör till databasen {base.name}; envagin skriver aldrig över den. "
                    "Välj ett annat filnamn."
                )
    if info is None:
        return
    if not stat.S_ISREG(info.st_mode):
        raise Valideringsfel(
            f"{path} är ingen vanlig fil (t.ex. en pipe eller en enhet); ange ett filnamn."
        )
    if _is_sqlite(path):
        raise Valideringsfel(
            f"{path} finns redan och är en SQLite-databas (kanske ett register); envagin "
            "skriver aldrig över en databas, inte ens med --skriv-över. Välj ett nytt filnamn."
        )
    if not overwrite:
        raise Valideringsfel(f"{path} finns redan; ange --skriv-över för att ersätta den.")


def _temp_name(path: Path) -> Path:
    import secrets

    return path.with_name(f".{path.name[:100]}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _unique_names(path: Path) -> Iterator[Path]:
    """`path`, then `name-2.suffix`, `name-3.suffix`, ... (for names that must not clash)."""
    yield path
    for n in range(2, 1000):
        yield path.with_name(f"{path.stem}-{n}{path.suffix}")


def write_file(
    path: Path,
    fill: Callable[[int, Path], None],
    *,
    overwrite: bool = False,
    unique: bool = False,
    mode: int = PRIVATE,
    gid: int = -1,
) -> Path:
    """Write a file in full under a temporary name in the same folder, then give it its
    name; returns the name. `fill(fd, temporary path)` writes the content (a fill that
    raises, a kill or a full disk leave nothing under `path`). The name is `path` when it
    is free, or with `overwrite` an existing file is replaced (`check_free` says which);
    with `unique` the first free name of `path`, `path-2`, ... is taken."""
    if not unique:
        check_free(path, overwrite)
    else:
        check_folder(path)
    tmp = _temp_name(path)
    try:
        fd = create(tmp, mode=mode, gid=gid)
        try:
            try:
                fill(fd, tmp)
                os.fsync(fd)
            finally:
                os.close(fd)
            if overwrite and not unique:
                os.replace(tmp, path)
                return path
            for name in _unique_names(path) if unique else iter([path]):
                if _link(tmp, name):
                    return name
            raise FileExistsError(str(path))
        finally:
            tmp.unlink(missing_ok=True)
    except FileExistsError:
        raise Valideringsfel(
            f"{path} finns redan; ange --skriv-över för att ersätta den."
        ) from None
    except OSError as exc:
        raise Databasfel(f"Kan inte skriva {kort(str(path))}: {os_fel(exc)}.") from None


def _link(tmp: Path, name: Path) -> bool:
    """Give the written file `name` unless a file has it (then False): never over one that
    appeared since it was checked."""
    try:
        os.link(tmp, name)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links
        if name.exists() or name.is_symlink():
            return False
        os.replace(tmp, name)
    return True


def write_private(path: Path, data: bytes, overwrite: bool = False) -> None:
    """`data` to `path`, readable and writable by its owner only (0600); an existing file
    only with `overwrite` (`write_file`: a reader never sees half a document, and a
    refused or failed write leaves nothing behind)."""

    def fill(fd: int, _tmp: Path) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    write_file(path, fill, overwrite=overwrite)


def make_dir(path: Path) -> None:
    """A folder for report files (`--diagram KATALOG`): created 0700 when missing, in a
    folder that exists (its parents are never created); a file there is refused."""
    if path.exists() and not path.is_dir():
        raise Valideringsfel(f"diagram: {path} är en fil; ange en katalog.")
    check_folder(path)
    try:
        path.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise Databasfel(f"Kan inte skapa katalogen {path}: {os_fel(exc)}.") from None
