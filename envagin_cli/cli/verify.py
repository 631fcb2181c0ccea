"""`envagin verify`: the hash chains, the projection, the seals, the triggers and the
file's integrity."""

from __future__ import annotations

import typer

from envagin_cli.cli.common import DbOpt, JsonOpt, handled, open_db, say

commands = typer.Typer()


@commands.command()
def verify(json_: JsonOpt = False, db: DbOpt = None) -> None:
    """Kontrollera hashkedjorna, projektionen mot händelserna, sigillen över övriga
    tabeller, triggrarna och filens integritet."""
    from envagin_cli.domain import verify as verify_domain
    from envagin_cli.output import jsonout

    # A file too damaged to open is one of verify's findings, exit 3 (not a refusal's 1).
    with handled(damaged_exit=verify_domain.FEL_EXIT):
        result = verify_domain.run(open_db(db))
    if json_:
        jsonout.write(result.as_dict())
    else:
        typer.echo(
            f"Händelser: {result.handelser}, granskningsrader: {result.granskningsrader}, "
            f"ärenden: {result.arenden}, förseglade tabeller: {result.tabeller}."
        )
        typer.echo(f"Senaste kedja, händelser: {result.senaste_handelse or '–'}")
        typer.echo(f"Senaste kedja, granskning: {result.senaste_granskning or '–'}")
        if result.ok:
            typer.echo(
                "Allt stämmer: kedjorna är obrutna, projektionen är händelsernas, varje "
                "annan tabell stämmer med sitt sigill, triggrarna finns och "
                "PRAGMA integrity_check säger ok."
            )
    for fynd in result.fel:
        say(f"Fel ({fynd.kontroll}): {fynd.text}")
    if not result.ok:
        raise typer.Exit(verify_domain.FEL_EXIT)
