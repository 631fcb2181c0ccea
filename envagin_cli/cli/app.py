"""The `envagin` command line: thin commands over the domain modules.

Each command declares its options, opens the register, calls one domain function inside
`handled()` (which turns an `EnvaginError` into a Swedish message on stderr and its exit
code) and hands the result to the output modules. Domain values are declared as text and
validated in the domain, so a bad value exits 1 and only command-line usage exits 2.
Heavy modules are imported inside the commands, so `--help` stays fast.

This module holds the Typer `app`, the root options and `main()`; the commands live in one
module per command group (see `common` for what they share).
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from envagin_cli.cli import (
    audit,
    cases,
    dag,
    enhet,
    gallra,
    insats,
    installning,
    interchange,
    komplettering,
    mal,
    narvaro,
    register,
    report,
    staff,
    tui,
    verify,
)
from envagin_cli.cli.common import CONTEXT, DbOpt, close_all, normalize_token, say, state
from envagin_cli.cli.root import Rot, command_name, command_names
from envagin_cli.cli.svenska import install

install()
komplettering.install()

app = typer.Typer(
    cls=Rot,
    name="envagin",
    help="Ärenderegister och uppföljning för En väg in (samverkan FS, AC, AF, FK).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)

# The order here is the order in `envagin --help`: the commands, then the sub-apps.
# A module's own `commands` are merged into the root; each is built when it runs.
Rot.sources = [
    *(
        (None, module_commands, False)
        for module_commands in (
            register.commands,
            cases.commands,
            dag.commands,
            report.commands,
            interchange.commands,
            audit.commands,
            gallra.commands,
            verify.commands,
            komplettering.commands,
            tui.commands,
        )
    ),
    ("staff", staff.staff_app, False),
    ("insats", insats.insats_app, False),
    ("mål", mal.mal_app, False),
    ("mal", mal.mal_app, True),  # the ASCII spelling
    ("enhet", enhet.enhet_app, False),
    ("närvaro", narvaro.narvaro_app, False),
    ("narvaro", narvaro.narvaro_app, True),  # the ASCII spelling
    ("inställning", installning.installning_app, False),
    ("installning", installning.installning_app, True),  # the ASCII spelling
]

# The Swedish names of the commands (`envagin intag` is `envagin intake`), each also with
# å/ä/ö written a/a/o; `envagin --help` shows them beside the English ones.
Rot.aliases = {
    swedish: command_name(commands, callback)
    for swedish, commands, callback in (
        ("intag", cases.commands, cases.intake),
        ("samtycke", cases.commands, cases.consent),
        ("kartlägg", cases.commands, cases.map_),
        ("trepart", cases.commands, cases.tripartite),
        ("placera", cases.commands, cases.assign),
        ("avsluta", cases.commands, cases.close),
        ("uppföljning", cases.commands, cases.followup),
        ("visa", cases.commands, cases.show),
        ("ärenden", cases.commands, cases.cases),
        ("sok", dag.commands, dag.sok),
        ("ratta", dag.commands, dag.ratta),
        ("angra", dag.commands, dag.angra),
    )
}

# Every command that writes to the register takes --dry-run: the case commands but the two
# that read, gallra, and the register's groups but their lists and views.
Rot.provkorbara = {
    *(c for c in command_names(cases.commands) if c not in ("cases", "show")),
    *(c for c in command_names(dag.commands) if c not in ("idag", "sök")),
    *(
        spelling
        for alias, name in Rot.aliases.items()
        if name in command_names(cases.commands) + command_names(dag.commands)
        and name not in ("cases", "show", "idag", "sök")
        for spelling in (alias, normalize_token(alias))
    ),
    *command_names(gallra.commands),
    *(f"staff {c}" for c in command_names(staff.staff_app) if c != "list"),
    *(f"insats {c}" for c in command_names(insats.insats_app) if c != "list"),
    *(f"mål {c}" for c in command_names(mal.mal_app) if c not in ("list", "show")),
    *(f"enhet {c}" for c in command_names(enhet.enhet_app) if c != "show"),
    "enhet finsam",
    "närvaro registrera",
    *(f"inställning {c}" for c in command_names(installning.installning_app) if c != "list"),
}


def _show_version(value: bool) -> None:
    if value:
        from envagin_cli import __version__

        typer.echo(f"envagin {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=False)
def _root(
    ctx: typer.Context,
    db: DbOpt = None,
    version: Annotated[
        bool,
        typer.Option("--version", help="Visa versionen.", callback=_show_version, is_eager=True),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Provkörning: kontrollera allt och säg vad som skulle skrivas, men skriv "
            "inget (före eller efter kommandot).",
        ),
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager", help="Ingen bläddrare (PAGER, less) för lång utdata i terminalen."
        ),
    ] = False,
) -> None:
    """Ärenderegister och uppföljning för En väg in."""
    state.db = db
    state.dry_run = dry_run or bool(ctx.meta.get("--dry-run"))
    ctx.call_on_close(close_all)


def main() -> Any:
    """Console entry point: no traceback reaches a user."""
    try:
        return app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        say("Avbrutet.")
        raise SystemExit(130) from None
    except Exception as exc:  # the last line of defence
        if os.environ.get("ENVAGIN_DEBUG"):
            raise
        say(
            f"Internt fel ({type(exc).__name__}); inget har skrivits. "
            "Kör med ENVAGIN_DEBUG=1 för detaljer och rapportera felet."
        )
        raise SystemExit(70) from None
