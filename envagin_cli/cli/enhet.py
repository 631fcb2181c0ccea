"""`envagin enhet`: the unit's identity (its name and labels in a joint report) and its
Finsam insatser (`enhet finsam add`)."""

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

enhet_app = group(
    "Enhetens namn och dess parter i en gemensam rapport (report --enhet), och dess "
    "Finsam-insatser (export --finsam)."
)
finsam_app = group("Enhetens Finsam-insatser: det förbundet finansierar och följer upp.")
enhet_app.add_typer(finsam_app, name="finsam")


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


@finsam_app.command("add")
def finsam_add(
    namn: Annotated[
        str,
        typer.Argument(
            help="Finsam-insatsens namn som i Uppföljning Finsam, t.ex. 'En väg in'.",
            show_default=False,
        ),
    ],
    insatser: Annotated[
        str | None,
        typer.Option(
            "--insatser",
            help="Katalogens insatser (KOD,KOD) som räknas till Finsam-insatsen; utan dem "
            "räknas hela teamet (alla inskrivna deltagare).",
            show_default=False,
        ),
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ange en Finsam-insats (projektledare/teamledare); daterat, samma namn igen
    ändrar den från det datumet och historiken behålls.

    Exempel:
      envagin enhet finsam add "En väg in"
      envagin enhet finsam add Resursrådet --insatser resursradet
    """
    from envagin_cli.domain import enhet

    with handled():
        conn = open_db(db)
        changed = enhet.add_finsam(
            conn,
            namn=namn,
            insatser=[insatser] if insatser else [],
            som=som,
            datum=parse_day(datum),
        )
    if changed:
        say(f"Finsam-insatsen {' '.join(namn.split())} är sparad.")
    else:
        already_there(
            conn,
            "finsam",
            "Finsam-insatsen fanns redan så, inget ändrat",
            namn=" ".join(namn.split()),
        )


@finsam_app.command("list")
def finsam_list(json_: JsonOpt = False, db: DbOpt = None) -> None:
    """Visa enhetens Finsam-insatser (även i 'enhet show')."""
    from envagin_cli.domain import enhet
    from envagin_cli.output import jsonout, tables

    with handled():
        data = enhet.finsam(open_db(db))
    if json_:
        jsonout.write(data)
    else:
        tables.finsam_table(data)
