"""Files envagin writes that can hold personal data: private, in a folder that exists.

Rules:
- every such file (the register, its backups, an export, an import's rejects, a report
  file) is created readable by its owner only (0600); the register and its backups are
  0660 with the register's group when it is shared (`envagin init --grupp`). SQLite makes
  the register's -wal and -shm files with the register's own mode;
- an existing file that is written over gets the same mode (a 0644 file becomes 0600);
- a missing folder is refused, never created: a mistyped path must not hide personal data
  in a new folder. The one exception is the per-user default register's own folder
  (`~/.local/share/envagin`), created 0700 on purpose with a message.

This module imports nothing else of the store.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from envagin_cli.domain.errors import Databasfel, Valideringsfel, kort, os_fel

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
        raise Databasfel(f"Kan inte skriva {path}: {os_fel(exc)}.") from None
    try:
        if gid != -1:
            os.fchown(fd, -1, gid)
        os.fchmod(fd, mode)  # the umask, or an existing file's mode, does not widen it
    except OSError as exc:
        os.close(fd)
        raise Databasfel(f"Kan inte ändra behörighet på {path}: {os_fel(exc)}.") from None
    return fd


def check_free(path: Path, overwrite: bool) -> None:
    """A report file's path: in a folder that exists, not a folder, and not an existing
    file unless `overwrite` (`--skriv-över`)."""
    if path.is_dir():
        raise Valideringsfel(f"{path} är en mapp; ange ett filnamn.")
    check_folder(path)
    if path.exists() and not overwrite:
        raise Valideringsfel(f"{path} finns redan; ange --skriv-över för att ersätta den.")


def write_private(path: Path, data: bytes, overwrite: bool = True) -> None:
    """`data` to `path`, readable and writable by its owner only (0600); an existing file
    only with `overwrite`.

    The file is written in full to a temporary name beside it and then moved into place,
    so a reader never sees half a document and a refused write leaves nothing behind.
    """
    check_free(path, overwrite)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = create(tmp)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            if overwrite:
                os.replace(tmp, path)
            else:
                try:
                    os.link(tmp, path)  # fails if the file appeared meanwhile
                except FileExistsError:
                    raise
                except OSError:  # a file system without hard links
                    if path.exists():
                        raise FileExistsError(str(path)) from None
                    os.replace(tmp, path)
                else:
                    os.unlink(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except FileExistsError:
        raise Valideringsfel(
            f"{path} finns redan; ange --skriv-över för att ersätta den."
        ) from None
    except OSError as exc:
        raise Databasfel(f"Kan inte skriva {path}: {os_fel(exc)}.") from None


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
