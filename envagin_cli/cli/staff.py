"""`envagin staff`: the register of handläggare."""

from __future__ import annotations

from typing import Annotated

import typer

from envagin_cli.cli.common import (
    DatumOpt,
    DbOpt,
    JaOpt,
    JsonOpt,
    SomOpt,
    already_there,
    ask_first,
    group,
    handled,
    open_db,
    parse_day,
    say,
)

staff_app = group("Handläggarregistret.")


@staff_app.command("add")
def staff_add(
    ident: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="Id: bokstäver och siffror, t.ex. ls.", show_default=False
        ),
    ],
    namn: Annotated[str, typer.Option("--namn", help="För- och efternamn.", show_default=False)],
    part: Annotated[
        str, typer.Option("--part", help="fs, ac, af, fk eller sf.", show_default=False)
    ],
    roll: Annotated[
        str,
        typer.Option(
            "--roll",
            show_default=False,
            help="socialsekreterare, arbetsmarknadssekreterare, arbetsformedlare, "
            "forsakringshandlaggare, projektledare, teamledare eller ovrig.",
        ),
    ],
    grad: Annotated[str, typer.Option("--tjänstgöringsgrad", help="Hela procent 1–100.")] = "100",
    login: Annotated[
        list[str] | None,
        typer.Option(
            "--login",
            help="OS-inloggning att koppla till handläggaren (kan upprepas; "
            "projektledare/teamledare).",
            show_default=False,
        ),
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Lägg till en handläggare."""
    from envagin_cli.domain import staff

    with handled():
        conn = open_db(db)
        added = staff.add(
            conn,
            ident=ident,
            namn=namn,
            part=part,
            roll=roll,
            tjanstgoringsgrad=grad,
            som=som,
            datum=parse_day(datum),
            logins=login or [],
        )
        person = None if added else staff.get(conn, ident.strip().lower())
    if added:
        say(f"Handläggaren {ident.lower()} är registrerad.")
        for name in login or []:
            say(f"OS-inloggningen {name.strip()} är kopplad till {ident.lower()}.")
    elif person is not None and not person.aktiv:
        already_there(
            conn,
            "staff",
            f"handläggaren {person.id} fanns redan likadan men är avaktiverad, inget ändrat "
            "('staff add' aktiverar inte igen)",
            id=person.id,
        )
    else:
        already_there(
            conn,
            "staff",
            f"handläggaren {ident.lower()} fanns redan likadan, inget ändrat",
            id=ident.strip().lower(),
        )


@staff_app.command("login")
def staff_login(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Handläggarens id.", show_default=False)
    ],
    login: Annotated[
        str | None,
        typer.Argument(metavar="[LOGIN]", help="OS-inloggningen att koppla.", show_default=False),
    ] = None,
    ta_bort: Annotated[
        str | None,
        typer.Option(
            "--ta-bort", metavar="LOGIN", help="Ta bort kopplingen till LOGIN.", show_default=False
        ),
    ] = None,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Koppla en OS-inloggning till en handläggare, eller ta bort kopplingen
    (projektledare/teamledare; loggas)."""
    from envagin_cli.cli.common import usage
    from envagin_cli.domain import staff

    if (login is None) == (ta_bort is None):
        usage("ange antingen LOGIN att koppla eller --ta-bort LOGIN.")
    name = login if login is not None else ta_bort
    assert name is not None
    with handled():
        conn = open_db(db)
        changed = staff.link_login(
            conn, ident=ident, login=name, som=som, remove=ta_bort is not None
        )
    who, shown = ident.strip().lower(), name.strip()
    if ta_bort is not None:
        say(
            f"OS-inloggningen {shown} är inte längre kopplad till {who}."
            if changed
            else f"OS-inloggningen {shown} var inte kopplad; inget ändrat."
        )
    else:
        say(
            f"OS-inloggningen {shown} är kopplad till {who}."
            if changed
            else f"OS-inloggningen {shown} var redan kopplad till {who}; inget ändrat."
        )


@staff_app.command("list")
def staff_list(
    alla: Annotated[bool, typer.Option("--alla", help="Ta med avaktiverade.")] = False,
    json_: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Lista handläggarna."""
    from envagin_cli.domain import staff
    from envagin_cli.output import jsonout, tables

    with handled():
        rows = staff.list_staff(open_db(db), alla=alla)
    jsonout.write(rows) if json_ else tables.staff_table(rows)


@staff_app.command("deactivate")
def staff_deactivate(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Handläggarens id.", show_default=False)
    ],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    ja: JaOpt = False,
    db: DbOpt = None,
) -> None:
    """Avaktivera en handläggare (projektledare/teamledare; frågar först; historiken
    behålls). Den sista aktiva projektledaren eller teamledaren avaktiveras inte."""
    from envagin_cli.domain import staff
    from envagin_cli.domain.register import Register

    with handled():
        conn = open_db(db)
        day = parse_day(datum)
        # Every check first (nothing recorded: the register is not flushed), then ask.
        if staff.deactivate(Register(conn), ident=ident, som=som, datum=day):
            person = staff.get(conn, ident.strip().lower())
            assert person is not None
            say(
                f"Avaktiverar {person.id} ({person.namn}, {person.roll}); {person.id} kan då "
                "inte registrera något förrän hen återaktiveras (envagin staff reactivate)."
            )
            ask_first("Avaktivera handläggaren?", ja)
        changed = staff.deactivate(conn, ident=ident, som=som, datum=day)
    if changed:
        say(f"Handläggaren {ident.lower()} är avaktiverad.")
    else:
        already_there(
            conn,
            "staff-deactivate",
            f"handläggaren {ident.lower()} var redan avaktiverad",
            id=ident.strip().lower(),
        )


@staff_app.command("reactivate")
def staff_reactivate(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Handläggarens id.", show_default=False)
    ],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Återaktivera en avaktiverad handläggare (projektledare/teamledare; loggas)."""
    from envagin_cli.domain import staff

    with handled():
        conn = open_db(db)
        changed = staff.reactivate(conn, ident=ident, som=som, datum=parse_day(datum))
    if changed:
        say(f"Handläggaren {ident.lower()} är aktiv igen.")
    else:
        say(f"Handläggaren {ident.lower()} var redan aktiv; inget ändrat.")


@staff_app.command("set")
def staff_set(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Handläggarens id.", show_default=False)
    ],
    namn: Annotated[
        str | None, typer.Option("--namn", help="För- och efternamn.", show_default=False)
    ] = None,
    roll: Annotated[
        str | None,
        typer.Option("--roll", help="Ny roll (se 'staff add --help').", show_default=False),
    ] = None,
    part: Annotated[
        str | None, typer.Option("--part", help="fs, ac, af, fk eller sf.", show_default=False)
    ] = None,
    grad: Annotated[
        str | None,
        typer.Option("--tjänstgöringsgrad", help="Hela procent 1–100.", show_default=False),
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ändra en handläggares namn, roll, part eller tjänstgöringsgrad
    (projektledare/teamledare; daterat, historiken behålls, loggas)."""
    from envagin_cli.cli.common import usage
    from envagin_cli.domain import staff

    if namn is None and roll is None and part is None and grad is None:
        usage("ange minst ett av --namn, --roll, --part och --tjänstgöringsgrad.")
    with handled():
        conn = open_db(db)
        changed = staff.change(
            conn,
            ident=ident,
            namn=namn,
            part=part,
            roll=roll,
            tjanstgoringsgrad=grad,
            som=som,
            datum=parse_day(datum),
        )
    who = ident.strip().lower()
    say(
        f"Handläggaren {who} är ändrad (se envagin staff show {who})."
        if changed
        else f"Handläggaren {who} hade redan de värdena; inget ändrat."
    )


@staff_app.command("show")
def staff_show(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Handläggarens id.", show_default=False)
    ],
    json_: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Visa en handläggare och dess historik: tillagd, ändrad, avaktiverad, återaktiverad."""
    from envagin_cli.domain import staff
    from envagin_cli.output import jsonout
    from envagin_cli.rules.event_kinds import FIELD_NAMES

    with handled():
        conn = open_db(db)
        events = staff.history(conn, ident)
        person = staff.get(conn, ident.strip().lower())
    assert person is not None
    if json_:
        jsonout.write(
            {
                "id": person.id,
                "namn": person.namn,
                "part": person.part,
                "roll": person.roll,
                "tjanstgoringsgrad": person.tjanstgoringsgrad,
                "aktiv": person.aktiv,
                "historik": events,
            }
        )
        return
    typer.echo(
        f"{person.id}: {person.namn}, {person.part}, {person.roll}, "
        f"{person.tjanstgoringsgrad} %, {'aktiv' if person.aktiv else 'avaktiverad'}"
    )
    for e in events:
        values = ", ".join(
            f"{FIELD_NAMES.get(k, k)} {v}"
            for k, v in e["värden"].items()  # type: ignore[attr-defined]
        )
        typer.echo(
            f"  {e['datum']}  {e['beskrivning']}{': ' + values if values else ''}  "
            f"av {e['som']} (händelse {e['händelse_id']})"
        )
