"""Report files: readable by their owner only (0600), never over an existing file unless asked.

A file is written in full to a temporary name beside it and then renamed into place, so a
reader never sees half a document and a refused write leaves nothing behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from envagin_cli.domain.errors import Databasfel, Valideringsfel


def check_free(path: Path, overwrite: bool) -> None:
    """Refuse a path that is a directory, or an existing file without `--skriv-över`."""
    if path.is_dir():
        raise Valideringsfel(f"{path} är en mapp; ange ett filnamn.")
    if path.exists() and not overwrite:
        raise Valideringsfel(f"{path} finns redan; ange --skriv-över för att ersätta den.")


def write_private(path: Path, data: bytes, overwrite: bool) -> None:
    """Write `data` to `path` with mode 0600; an existing file only with `overwrite`."""
    check_free(path, overwrite)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o600)  # whatever the umask
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
        raise Databasfel(f"Kan inte skriva {path}: {exc.strerror}.") from None


def make_dir(path: Path) -> None:
    """The chart directory: created (0700) if missing; an existing file there is refused."""
    if path.exists() and not path.is_dir():
        raise Valideringsfel(f"diagram: {path} är en fil; ange en katalog.")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise Databasfel(f"Kan inte skapa katalogen {path}: {exc.strerror}.") from None
