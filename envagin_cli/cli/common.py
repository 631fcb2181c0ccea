"""What the command modules share: context settings, option types, state and helpers.

`handled()` turns an `EnvaginError` (or a database error) into a Swedish message on stderr
and its exit code; `usage()` reports a command-line mistake with exit code 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand

if TYPE_CHECKING:
    import sqlite3

    from envagin_cli.domain.register import Resultat
    from envagin_cli.report.figures import Kallor
    from envagin_cli.rules.periods import Period

_FOLD_OPTS = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o"})


def normalize_token(token: str) -> str:
    """Option and command names: å/ä/ö may be written a/a/o (`--handlaggare`)."""
    return token.translate(_FOLD_OPTS)


CONTEXT = {"token_normalize_func": normalize_token, "help_option_names": ["-h", "--help"]}


def group(help: str) -> typer.Typer:
    """A command group (`staff`, `insats`, `mål`, `enhet`, `inställning`): its help, and
    the root's settings (Swedish option names also with a/a/o, no Rich markup)."""
    return typer.Typer(
        help=help, no_args_is_help=True, rich_markup_mode=None, context_settings=CONTEXT
    )


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
#: `--json` on a command that registers: what it registered, as one object on stdout.
RegistreratJsonOpt = Annotated[
    bool, typer.Option("--json", help="Skriv vad som registrerades som JSON på stdout.")
]
SkrivOverOpt = Annotated[
    bool,
    typer.Option(
        "--skriv-över",
        help="Ersätt en fil som redan finns (annars vägras det; en databas aldrig).",
    ),
]
CaseArg = Annotated[
    str,
    typer.Argument(
        help="Ärendenummer eller personnummer för ett öppet ärende.", show_default=False
    ),
]


class _State:
    db: str | None = None
    #: `--dry-run`: every check runs, the command's transaction is rolled back.
    dry_run: bool = False
    #: Whether the last register opened was made new (`init` on an empty file too).
    created: bool = False
    #: `--json` on a command that registers: what it did, as one JSON object on stdout.
    json: bool = False
    connections: list[sqlite3.Connection] = []  # noqa: RUF012 - closed after each command


def close_all() -> None:
    rolled_back = False
    while state.connections:
        conn = state.connections.pop()
        if state.dry_run and conn.in_transaction:
            conn.execute("ROLLBACK")
            rolled_back = True
        conn.close()
    if rolled_back:
        say("Provkörning: inget har skrivits.")
    state.dry_run = False
    state.json = False


state = _State()


def message_width() -> int | None:
    """The width messages are wrapped to: the terminal's, when stderr is one."""
    if not sys.stderr.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def fit(message: str, width: int | None) -> str:
    """A message wrapped at word boundaries to `width` (never inside a word, a case
    number, a date or a code); unchanged when `width` is None."""
    if not width or all(len(line) <= width for line in message.split("\n")):
        return message
    import textwrap

    return "\n".join(
        textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False)
        if len(line) > width
        else line
        for line in message.split("\n")
    )


def say(message: str) -> None:
    """A message on stderr, at a terminal wrapped to its width at word boundaries; a
    number shaped like a personnummer never stands in one."""
    from envagin_cli.rules.errors import redact

    sys.stderr.write(fit(redact(message), message_width()) + "\n")


def at_terminal() -> bool:
    """Whether a person is there to answer (stdin and stderr are a terminal)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


JA = ("j", "ja")
NEJ = ("n", "nej", "")


def ask_at_terminal(question: str, ja: bool) -> None:
    """Before the irreversible: at a terminal, ask (unless `--ja`); a "no" ends the
    command with exit code 1 and nothing written. Scripts (no terminal) are not asked."""
    if ja or state.dry_run or not at_terminal():
        return
    if not confirm(question):
        say("Avbrutet; inget har skrivits.")
        raise typer.Exit(1)


def ask_first(question: str, ja: bool) -> None:
    """Before a step that can shut someone out: at a terminal, ask (unless `--ja`); with
    no terminal and no `--ja`, refuse (exit code 2); a "no" ends the command with exit
    code 1. Nothing is written either way."""
    if ja or state.dry_run:
        return
    if not sys.stdin.isatty():
        usage("bekräfta med --ja när kommandot körs utan terminal; inget har skrivits.")
    if not confirm(question):
        say("Avbrutet; inget har skrivits.")
        raise typer.Exit(1)


JaOpt = Annotated[bool, typer.Option("--ja", help="Fråga inte (svara ja; för skript).")]


def confirm(question: str) -> bool:
    """Ask a yes/no question at the terminal: j/ja or n/nej (empty = nej)."""
    while True:
        sys.stderr.write(f"{question} [j/N] ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:  # end of input: no
            sys.stderr.write("\n")
            return False
        answer = line.strip().lower()
        if answer in JA:
            return True
        if answer in NEJ:
            return False
        say("Svara j (ja) eller n (nej).")


def ask_missing(
    option: str,
    what: str,
    check: Callable[[str], Any],
    allowed: list[str] | None = None,
) -> str:
    """A required value the command line left out: at a terminal it is asked for, with
    the allowed values, and asked again after a wrong answer (`check` raises an
    `EnvaginError` naming what is wrong); without a terminal, or for an empty answer, it
    is a usage error (exit code 2), as for any missing option."""
    from envagin_cli.rules.errors import EnvaginError

    if not at_terminal():
        usage(f"flaggan {option} saknas: {what}.")
    if allowed:
        say(f"{option} saknas. Tillåtna: {', '.join(allowed)}.")
    else:
        say(f"{option} saknas: {what}.")
    while True:
        sys.stderr.write(f"Ange {option[2:]}: ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        answer = line.strip()
        if not answer:
            if not line:
                sys.stderr.write("\n")
            usage(f"flaggan {option} saknas: {what}.")
        try:
            check(answer)
        except EnvaginError as exc:
            say(f"Fel: {exc} Försök igen (tomt svar avbryter).")
            continue
        return answer


def usage(message: str) -> NoReturn:
    say(f"Fel i kommandoraden: {message}")
    raise typer.Exit(2)


@contextmanager
def handled(*, damaged_exit: int | None = None) -> Iterator[None]:
    """Turn domain errors into a Swedish message on stderr and the error's exit code.

    A database error (also a damaged file met while reading) becomes its message
    (`store.transaction.translate`: never SQLite's own words, which may quote a row);
    `damaged_exit`: the exit code for a damaged file, when not the refusal's 1 (`verify`).
    """
    import sqlite3

    from envagin_cli.rules.errors import EnvaginError, Skadad

    try:
        yield
    except EnvaginError as exc:
        for message in exc.messages or [str(exc)]:
            say(f"Fel: {message}")
        code = exc.exit_code
        if damaged_exit is not None and isinstance(exc, Skadad):
            code = damaged_exit
        raise typer.Exit(code) from None
    except sqlite3.DatabaseError as exc:
        from pathlib import Path

        from envagin_cli.store import db

        error = db.translate(exc, Path(state.db or os.environ.get("ENVAGIN_DB", "registret")))
        say(f"Fel: {error}")
        code = error.exit_code if isinstance(error, EnvaginError) else 1
        if damaged_exit is not None and isinstance(error, Skadad):
            code = damaged_exit
        raise typer.Exit(code) from None
    except OSError as exc:
        # A path the system refuses before any file is touched (a name too long, a loop
        # of links, ...): the path and why, never "Internt fel".
        from envagin_cli.rules.errors import kort, os_fel

        name = exc.filename if exc.filename is not None else ""
        shown = kort(os.fsdecode(name) if isinstance(name, bytes | str) else str(name))
        say(f"Fel: Kan inte använda {shown or 'filen'}: {os_fel(exc)}.")
        raise typer.Exit(1) from None


def open_db(db: str | None, *, create: bool = False) -> sqlite3.Connection:
    from envagin_cli.store import db as store_db

    target = store_db.resolve_path(db or state.db)
    conn, created = store_db.open_db(target, create=create)
    state.connections.append(conn)
    if state.dry_run:
        # the command's own transaction becomes a savepoint in this one, rolled back at the end
        conn.execute("BEGIN IMMEDIATE")
    state.created = created
    if created:
        say(f"Skapade en ny databas: {target.path}")
    return conn


def register_name(db: str | None) -> str:
    """The register file in use, as a header line names it (home shortened to ~)."""
    from envagin_cli.store import db as store_db

    return store_db.shown_name(store_db.resolve_path(db or state.db).path)


def parse_day(text: str, field: str = "datum") -> date:
    from envagin_cli.rules.dates import parse_date

    return parse_date(text, field)


#: What a write command says when its event is already there (the rule of sameness).
ALREADY_THERE = "Händelsen finns redan (händelse {}); inget har lagts till."


def already_there(conn: sqlite3.Connection, typ: str, what: str, **fields: Any) -> None:
    """A register command whose event was already there: says which, and that nothing
    was added (`what`: the command's own words for it)."""
    from envagin_cli.store import queries

    event_id = queries.newest_event(conn, typ, **fields)
    if event_id is None:
        say(what[0].upper() + what[1:] + ".")
    else:
        say(ALREADY_THERE.format(event_id)[:-1] + f": {what}.")


def done(what: str, result: Resultat) -> None:
    """What a case command did: the event it registered, or the same one already there."""
    if result.ny and state.dry_run:
        say(f"Provkörning: {what} i {result.arende} skulle registreras; allt är kontrollerat.")
    elif result.ny:
        say(f"Registrerat: {what} i {result.arende} (händelse {result.handelse_id}).")
    else:
        say(ALREADY_THERE.format(result.handelse_id))
    next_step(result, what)


def next_step(result: Resultat, what: str = "") -> None:
    """One line on what comes next in the case and by when (after a registration); with
    `--json`, what was done as one object on stdout (the messages stay on stderr)."""
    from envagin_cli.domain import cases
    from envagin_cli.rules import lifecycle
    from envagin_cli.rules.errors import EnvaginError

    step: str | None = None
    if state.connections:
        try:
            now = cases.state(state.connections[-1], result.arende)
        except EnvaginError:  # the case's history no longer replays: nothing to suggest
            now = None
        if now is not None and now.intag is not None:
            step = lifecycle.next_step(now, result.arende)
            say("Nästa steg: " + step)
    if state.json:
        from envagin_cli.output import jsonout

        jsonout.write(
            {
                "arende": result.arende,
                "handelse": what,
                "handelse_id": result.handelse_id,
                "ny": bool(result.ny),
                "provkorning": state.dry_run,
                "nasta_steg": step,
            }
        )


class PeriodCommand(TyperCommand):
    """Lets `--halvår`/`--tertial` stand without a value: the current one up to today
    (`report`, and `export --finsam`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from envagin_cli.rules.periods import AKTUELL

        fixed: list[str] = []
        for i, arg in enumerate(args):
            fixed.append(arg)
            if normalize_token(arg) in ("--halvar", "--tertial"):
                following = args[i + 1] if i + 1 < len(args) else None
                if following is None or following.startswith("-"):
                    fixed.append(AKTUELL)
        return super().parse_args(ctx, fixed)


def period_of(
    conn: Kallor,
    *,
    halvar: str | None,
    tertial: str | None,
    ar: str | None,
    fran: str | None,
    till: str | None,
    sedan_start: bool,
) -> Period:
    """The period the options name (the current half-year when none is given); `conn` is
    the register, or the units of a joint report (where `--sedan-start` begins)."""
    from envagin_cli.rules import periods
    from envagin_cli.rules.dates import today

    idag = today()
    chosen = [x for x in (halvar, tertial, ar, fran, sedan_start or None) if x is not None]
    if len(chosen) > 1:
        usage("ange en period: --halvår, --tertial, --år, --från/--till eller --sedan-start.")
    if till is not None and fran is None and not sedan_start:
        usage("--till hör ihop med --från eller --sedan-start.")
    return periods.up_to_today(
        _named_period(conn, idag, halvar, tertial, ar, fran, till, sedan_start), idag
    )


def _named_period(
    conn: Kallor,
    idag: date,
    halvar: str | None,
    tertial: str | None,
    ar: str | None,
    fran: str | None,
    till: str | None,
    sedan_start: bool,
) -> Period:
    from envagin_cli.rules import periods

    if halvar is not None:
        return periods.halvar(halvar, idag)
    if tertial is not None:
        return periods.tertial(tertial, idag)
    if ar is not None:
        return periods.ar(ar)
    if fran is not None:
        if till is None:
            usage("--från kräver --till.")
        return periods.intervall(parse_day(fran, "från"), parse_day(till, "till"))
    if sedan_start:
        end = parse_day(till, "till") if till else idag
        from envagin_cli.report import figures

        return periods.sedan_start(figures.first_intake(conn) or end, end)
    return periods.halvar(periods.AKTUELL, idag)
