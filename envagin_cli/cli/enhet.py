"""`envagin enhet`: the unit's identity (its name and labels in a joint report)."""

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

enhet_app = group("Enhetens namn och dess parter i en gemensam rapport (report --enhet).")


@enhet_app.command("set")
def enhet_set(
    namn: Annotated[
        str,
        typer.Option(
            "--namn", help="Enhetens namn, t.ex. Haninge eller Ung i Tyresö.", show_default=False
        ),
    ],
    kommun: Annotated[
        str | None,
        typer.Option(
            "--kommun",
            help="Namnet på kommunens parter (fs, ac) i en gemensam rapport; "
            "standard 'NAMN kommun'.",
            show_default=False,
        ),
    ] = None,
    af_kontor: Annotated[
        str | None,
        typer.Option(
            "--af-kontor",
            help="Namnet på Arbetsförmedlingen (af) i en gemensam rapport; "
            "standard 'Arbetsförmedlingen NAMN'.",
            show_default=False,
        ),
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ange enhetens namn (projektledare/teamledare); daterat, historiken behålls."""
    from envagin_cli.domain import enhet

    with handled():
        conn = open_db(db)
        changed = enhet.set_unit(
            conn, namn=namn, kommun=kommun, af_kontor=af_kontor, som=som, datum=parse_day(datum)
        )
    if changed:
        say("Enhetens uppgifter är sparade.")
    else:
        already_there(conn, "unit", "enheten hade redan de uppgifterna, inget ändrat")


@enhet_app.command("show")
def enhet_show(json_: JsonOpt = False, db: DbOpt = None) -> None:
    """Visa enhetens namn, etiketter och tidigare uppgifter."""
    from envagin_cli.domain import enhet
    from envagin_cli.output import jsonout, tables

    with handled():
        data = enhet.show(open_db(db))
    if json_:
        jsonout.write(data)
    else:
        tables.unit_table(data)
