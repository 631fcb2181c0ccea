"""`envagin tui`: the full-screen program (Textual, imported only here, when it runs)."""

from __future__ import annotations

from typing import Annotated

import typer

from envagin_cli.cli.common import DbOpt, SomOpt, handled, say, state

commands = typer.Typer()


@commands.command()
def tui(
    kontrast: Annotated[
        bool, typer.Option("--kontrast", help="Högkontrasttema (svart, vitt och gult).")
    ] = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Helskärmsprogrammet: Att göra, ärenden, sökning och formulär för varje händelse.

    Tangenterna visas längst ner och med F1; de kan ändras i
    $XDG_CONFIG_HOME/envagin/tangenter.toml ([tangenter], t.ex. sok = "f3").
    Allt programmet gör går också med kommandona.

    \b
    Exempel:
      envagin tui
      envagin tui --db register.db --kontrast
    """
    import sys

    from envagin_cli.tui import model

    with handled():
        session = model.Session(db or state.db, som)
        model.keymap()  # a bad key map file is refused before the screen is taken
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        say("Fel: envagin tui behöver en terminal; använd kommandona (t.ex. envagin idag).")
        raise typer.Exit(2)
    from envagin_cli.tui.app import EnvaginTui

    try:
        EnvaginTui(session, kontrast=kontrast).run()
    finally:
        session.conn.close()
