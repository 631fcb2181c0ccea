"""The handläggare's day: what is due (`idag`), finding a person (`sök`), correcting an
event (`rätta`) and undoing one's own last registration (`ångra`)."""

from __future__ import annotations

from typing import Annotated

import typer

from envagin_cli.cli.common import (
    DbOpt,
    JsonOpt,
    SomOpt,
    handled,
    open_db,
    register_name,
    usage,
)

commands = typer.Typer()


@commands.command()
def idag(
    dagar: Annotated[
        str, typer.Option("--dagar", help="Visa det som ska vara gjort inom så många dagar.")
    ] = "7",
    handlaggare: Annotated[
        str | None,
        typer.Option(
            "--handläggare",
            help="En annan handläggares ärenden (standard: den som kör kommandot).",
            show_default=False,
        ),
    ] = None,
    alla: Annotated[bool, typer.Option("--alla", help="Alla handläggares ärenden.")] = False,
    json_: JsonOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Det som ska göras: försenat först, sedan det som ska vara klart inom --dagar.

    \b
    Exempel:
      envagin idag
      envagin idag --dagar 14 --alla
    """
    from envagin_cli.domain import staff
    from envagin_cli.domain.dates import today
    from envagin_cli.output import jsonout, tables
    from envagin_cli.store import queries

    if alla and handlaggare:
        usage("ange antingen --handläggare eller --alla.")
    days = dagar.strip()
    if not (days.isascii() and days.isdigit()) or int(days) > 3660:
        with handled():
            from envagin_cli.domain.errors import Valideringsfel

            raise Valideringsfel(f"dagar: '{days[:10]}' är inte tillåtet; ange ett heltal 0–3660.")
    with handled():
        conn = open_db(db)
        idag_ = today()
        if alla:
            who = None
        elif handlaggare:
            who = staff.require_active(conn, handlaggare, "handläggare")
        else:
            who = staff.current(conn, som)
        rows = queries.due_list(conn, idag_, dagar=int(days), handlaggare=who)
    if json_:
        jsonout.write(rows)
        return
    whose = "alla handläggare" if who is None else who
    tables.due_table(
        rows,
        f"Att göra för {whose} {idag_} (försenat och inom {days} dagar) · {register_name(db)}",
    )
