"""`envagin insats`: the catalogue of insatser."""

from __future__ import annotations

from typing import Annotated

import typer

from envagin_cli.cli.common import (
    DatumOpt,
    DbOpt,
    JsonOpt,
    SomOpt,
    already_there,
    group,
    handled,
    open_db,
    parse_day,
    say,
)

insats_app = group("Insatskatalogen.")


@insats_app.command("list")
def insats_list(
    alla: Annotated[bool, typer.Option("--alla", help="Ta med avaktiverade.")] = False,
    json_: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Lista insatskatalogen."""
    from envagin_cli.domain import insats
    from envagin_cli.output import jsonout, tables

    with handled():
        rows = insats.list_insatser(open_db(db), alla=alla)
    jsonout.write(rows) if json_ else tables.insats_table(rows)


@insats_app.command("add")
def insats_add(
    kod: Annotated[str, typer.Argument(help="Kod: a–z, siffror och '-'.", show_default=False)],
    namn: Annotated[str, typer.Option("--namn", help="Insatsens namn.", show_default=False)],
    part: Annotated[
        str, typer.Option("--part", help="Utförande part eller aktör.", show_default=False)
    ],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Lägg till en insats i katalogen (projektledare/teamledare)."""
    from envagin_cli.domain import insats

    with handled():
        conn = open_db(db)
        added = insats.add(conn, kod=kod, namn=namn, part=part, som=som, datum=parse_day(datum))
    if added:
        say("Insatsen är tillagd.")
    else:
        from envagin_cli.rules.codes import fold

        already_there(
            conn, "insats-add", "insatsen fanns redan likadan, inget ändrat", kod=fold(kod)
        )


@insats_app.command("deactivate")
def insats_deactivate(
    kod: Annotated[str, typer.Argument(help="Insatsens kod.", show_default=False)],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Avaktivera en insats (projektledare/teamledare); pågående placeringar påverkas inte."""
    from envagin_cli.domain import insats

    with handled():
        conn = open_db(db)
        changed = insats.deactivate(conn, kod=kod, som=som, datum=parse_day(datum))
    if changed:
        say("Insatsen är avaktiverad.")
    else:
        from envagin_cli.rules.codes import fold

        already_there(conn, "insats-deactivate", "insatsen var redan avaktiverad", kod=fold(kod))
