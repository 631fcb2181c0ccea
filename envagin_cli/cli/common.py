"""What the command modules share: context settings, option types, state and helpers.

`handled()` turns an `EnvaginError` (or a database error) into a Swedish message on stderr
and its exit code; `usage()` reports a command-line mistake with exit code 2.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, NoReturn

import typer

_FOLD_OPTS = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o"})


def normalize_token(token: str) -> str:
    """Option and command names: å/ä/ö may be written a/a/o (`--handlaggare`)."""
    return token.translate(_FOLD_OPTS)


CONTEXT = {"token_normalize_func": normalize_token, "help_option_names": ["-h", "--help"]}


# Options shared by many commands.
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Databasfil (annars ENVAGIN_DB, annars standardfilen).", show_default=False
    ),
]
SomOpt = Annotated[
    str | None,
    typer.Option(
        "--som",
        envvar="ENVAGIN_USER",
        help="Handläggaren som registrerar (id); annars ENVAGIN_USER.",
        show_default=False,
    ),
]
DatumOpt = Annotated[
    str,
    typer.Option(
        "--datum", help="Händelsens datum: ÅÅÅÅ-MM-DD, ÅÅÅÅMMDD, '5 mars 2014', idag, igår."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")]
CaseArg = Annotated[
    str,
    typer.Argument(
        help="Ärendenummer eller personnummer för ett öppet ärende.", show_default=False
    ),
]


class _State:
    db: str | None = None
    connections: list[sqlite3.Connection] = []  # noqa: RUF012 - closed after each command


def close_all() -> None:
    while state.connections:
        state.connections.pop().close()


state = _State()


def say(message: str) -> None:
    sys.stderr.write(message + "\n")


def usage(message: str) -> NoReturn:
    say(f"Fel i kommandoraden: {message}")
    raise typer.Exit(2)


@contextmanager
def handled() -> Iterator[None]:
    """Turn domain errors into a Swedish message on stderr and the error's exit code."""
    from envagin_cli.domain.errors import EnvaginError

    try:
        yield
    except EnvaginError as exc:
        say(f"Fel: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except sqlite3.DatabaseError as exc:
        from pathlib import Path

        from envagin_cli.store import db

        error = db.translate(exc, Path(state.db or os.environ.get("ENVAGIN_DB", "registret")))
        say(f"Fel: {error}")
        code = error.exit_code if isinstance(error, EnvaginError) else 1
        raise typer.Exit(code) from None


def open_db(db: str | None, *, create: bool = False) -> sqlite3.Connection:
    from envagin_cli.store import db as store_db

    target = store_db.resolve_path(db or state.db)
    conn, created = store_db.open_db(target, create=create)
    state.connections.append(conn)
    if created:
        say(f"Skapade en ny databas: {target.path}")
    return conn


def parse_day(text: str, field: str = "datum") -> date:
    from envagin_cli.domain.dates import parse_date

    return parse_date(text, field)


def done(what: str, nr: str, event_id: int) -> None:
    say(f"Registrerat: {what} i {nr} (händelse {event_id}).")
