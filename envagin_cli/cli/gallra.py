"""`envagin gallra`: anonymising old closed cases."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from envagin_cli.cli.common import DbOpt, SomOpt, confirm, handled, open_db, parse_day, say

commands = typer.Typer()


@commands.command()
def gallra(
    fore: Annotated[
        str | None,
        typer.Option(
            "--före",
            help="Gallra avslutade ärenden vars sista händelse är före datumet "
            "(standard: 5 år före idag).",
            show_default=False,
        ),
    ] = None,
    ja: Annotated[bool, typer.Option("--ja", help="Fråga inte (för skript).")] = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Anonymisera gamla avslutade ärenden (projektledare/teamledare); siffrorna består."""
    from envagin_cli.domain import gallra as gallra_domain
    from envagin_cli.domain import staff
    from envagin_cli.output.words import antal
    from envagin_cli.rules.dates import today

    with handled():
        conn = open_db(db)
        staff.require_ledning(conn, som, "gallra")
        idag = today()
        cutoff = parse_day(fore, "före") if fore else gallra_domain.default_cutoff(idag)
        todo = gallra_domain.plan(conn, cutoff, idag)
        say(
            f"Gallring av avslutade ärenden med sista händelse före {cutoff.isoformat()}: "
            f"{antal(len(todo.arenden), 'ärende', 'ärenden')}; "
            f"personnummer tas bort i {todo.med_personnummer}, "
            f"fritext i {todo.med_fritext} händelser. Kön, födelseår, datum och koder "
            "behålls."
        )
        if not todo.arenden:
            say("Inget att gallra.")
            return
        if not ja:
            if not sys.stdin.isatty():
                say("Fel: bekräfta med --ja när kommandot körs utan terminal; inget har gallrats.")
                raise typer.Exit(1)
            if not confirm("Gallra nu? Det går inte att ångra."):
                say("Avbrutet; inget har gallrats.")
                raise typer.Exit(1)
        done = gallra_domain.run(conn, fore=cutoff, som=som, idag=idag)
    say(f"Gallrade {antal(len(done.arenden), 'ärende', 'ärenden')}.")
