"""`envagin mål` (also `mal`): the project plan's goals."""

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

mal_app = group("Projektplanens mål (målvärden).")


@mal_app.command("list")
def mal_list(json_: JsonOpt = False, db: DbOpt = None) -> None:
    """Visa alla mål: milstolpar, indikatorer och målvärden på individnivå."""
    from envagin_cli.domain import mal
    from envagin_cli.output import jsonout, tables
    from envagin_cli.rules.dates import today

    with handled():
        rows = mal.list_goals(open_db(db), today())
    if json_:
        jsonout.write(rows)
    else:
        tables.goals_overview(rows)


@mal_app.command("add")
def mal_add(
    kod: Annotated[str, typer.Argument(help="Kod: a–z, siffror och '-'.", show_default=False)],
    text: Annotated[str, typer.Option("--text", help="Målet i klartext.", show_default=False)],
    niva: Annotated[
        str,
        typer.Option(
            "--nivå",
            help="organisation (milstolpe) eller befolkning (indikator).",
            show_default=False,
        ),
    ],
    typ: Annotated[
        str | None,
        typer.Option(
            "--typ", help="milstolpe eller indikator (standard efter nivån).", show_default=False
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option("--deadline", help="När milstolpen ska vara uppnådd.", show_default=False),
    ] = None,
    uppfoljs_av: Annotated[
        str | None,
        typer.Option("--följs-upp-av", help="Vem som följer upp målet.", show_default=False),
    ] = None,
    rytm: Annotated[
        str | None,
        typer.Option("--rytm", help="kvartal, tertial, halvår eller år.", show_default=False),
    ] = None,
    riktning: Annotated[
        str | None,
        typer.Option(
            "--riktning", help="Indikatorns önskade riktning: minska eller öka.", show_default=False
        ),
    ] = None,
    basar: Annotated[
        str | None, typer.Option("--basår", help="Basår, t.ex. 2013.", show_default=False)
    ] = None,
    enhet: Annotated[
        str | None, typer.Option("--enhet", help="T.ex. procent eller antal.", show_default=False)
    ] = None,
    kalla: Annotated[
        str | None, typer.Option("--källa", help="T.ex. SCB.", show_default=False)
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Lägg till en milstolpe eller indikator (projektledare/teamledare)."""
    from envagin_cli.domain import mal
    from envagin_cli.rules.codes import fold

    with handled():
        conn = open_db(db)
        added = mal.add(
            conn,
            kod=kod,
            text=text,
            niva=niva,
            typ=typ,
            deadline=parse_day(deadline, "deadline") if deadline else None,
            uppfoljs_av=uppfoljs_av,
            rytm=rytm,
            riktning=riktning,
            basar=basar,
            enhet=enhet,
            kalla=kalla,
            som=som,
            datum=parse_day(datum),
        )
    if added:
        say("Målet är tillagt.")
    else:
        already_there(conn, "goal-add", "målet fanns redan likadant, inget ändrat", kod=fold(kod))


@mal_app.command("status")
def mal_status(
    kod: Annotated[str, typer.Argument(help="Milstolpens kod.", show_default=False)],
    status: Annotated[
        str,
        typer.Argument(
            metavar="STATUS",
            help="ej-påbörjat, pågår, uppnått eller ej-uppnått.",
            show_default=False,
        ),
    ],
    kommentar: Annotated[
        str, typer.Option("--kommentar", help="Vad som hänt.", show_default=False)
    ],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ny status för en milstolpe, daterad och med kommentar (historiken behålls)."""
    from envagin_cli.domain import mal
    from envagin_cli.rules.codes import fold

    with handled():
        conn = open_db(db)
        added = mal.set_status(
            conn,
            kod=kod,
            status=status,
            kommentar=kommentar,
            som=som,
            datum=parse_day(datum),
        )
    if added:
        say("Statusen är registrerad.")
    else:
        already_there(
            conn,
            "goal-status",
            "samma status var redan registrerad, inget ändrat",
            kod=fold(kod),
            status=fold(status),
        )


@mal_app.command("värde")
def mal_varde(
    kod: Annotated[str, typer.Argument(help="Indikatorns kod.", show_default=False)],
    period: Annotated[
        str,
        typer.Argument(
            metavar="PERIOD", help="År (2014) eller halvår (2014H1).", show_default=False
        ),
    ],
    varde: Annotated[
        str, typer.Argument(metavar="VÄRDE", help="Talet, t.ex. 12,5.", show_default=False)
    ],
    kalla: Annotated[
        str | None, typer.Option("--källa", help="Varifrån värdet kommer.", show_default=False)
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Registrera en indikators värde för ett år eller halvår."""
    from envagin_cli.domain import mal
    from envagin_cli.rules.codes import fold

    with handled():
        conn = open_db(db)
        added = mal.add_value(
            conn,
            kod=kod,
            period=period,
            varde=varde,
            kalla=kalla,
            som=som,
            datum=parse_day(datum),
        )
    if added:
        say("Värdet är registrerat.")
    else:
        already_there(
            conn,
            "goal-value",
            "samma värde gällde redan, inget ändrat",
            kod=fold(kod),
            period=mal.parse_period(period),
        )


# The ASCII spelling of the command name, hidden from --help.
mal_app.command("varde", hidden=True)(mal_varde)


@mal_app.command("show")
def mal_show(
    kod: Annotated[str, typer.Argument(help="Målets kod.", show_default=False)],
    json_: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Visa ett måls hela historik."""
    from envagin_cli.domain import mal
    from envagin_cli.output import jsonout, tables

    with handled():
        view = mal.history(open_db(db), kod)
    if json_:
        jsonout.write(view)
    else:
        tables.goal_history(view)


@mal_app.command("mall")
def mal_mall(
    namn: Annotated[str, typer.Argument(metavar="MALL", help="en-vag-in-2014", show_default=False)],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Läs in projektplanens alla mål från en mall (en andra gång lägger inget till)."""
    from envagin_cli.domain import mal

    with handled():
        added = mal.load_template(open_db(db), namn=namn, som=som, datum=parse_day(datum))
    say(
        f"Mallen är inläst: {added} nya mål." if added else "Mallens mål fanns redan; inget ändrat."
    )


@mal_app.command("set")
def mal_set(
    nyckel: Annotated[
        str,
        typer.Argument(
            metavar="NYCKEL",
            help="inflode, ettar, nojda, ratt-stod eller offentlig.",
            show_default=False,
        ),
    ],
    varde: Annotated[
        str,
        typer.Argument(
            metavar="VÄRDE", help="Talet, eller 'ingen' för inget mål.", show_default=False
        ),
    ],
    datum: Annotated[
        str,
        typer.Option(
            "--datum",
            help="Dagen målvärdet gäller från (perioder som slutar före den bedöms mot det "
            "tidigare värdet): ÅÅÅÅ-MM-DD, ÅÅÅÅMMDD, '5 mars 2014', idag, igår.",
        ),
    ] = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ändra ett målvärde från och med --datum (projektledare/teamledare)."""
    from envagin_cli.domain import mal
    from envagin_cli.output.words import tal

    with handled():
        conn = open_db(db)
        day = parse_day(datum)
        if mal.target_in_effect(conn, nyckel, varde, day):
            key = mal.parse_key(nyckel)
            value = mal.parse_value(key, varde)
            shown = "utan mål" if value is None else f"redan {tal(value)}"
            what = f"målet {key} är {shown} den {day.isoformat()}"
            already_there(conn, "goal", what, mal=key, varde=value)
            return
        value = mal.set_goal(conn, nyckel=nyckel, varde=varde, som=som, datum=day)
    what = "borttaget" if value is None else f"satt till {tal(value)}"
    say(f"Målet {nyckel} är {what} från och med {day.isoformat()}.")
