"""The handläggare's day: what is due (`idag`), finding a person (`sök`), correcting an
event (`rätta`) and undoing one's own last registration (`ångra`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from envagin_cli.cli.common import (
    DbOpt,
    JaOpt,
    JsonOpt,
    RegistreratJsonOpt,
    SomOpt,
    ask_at_terminal,
    handled,
    open_db,
    register_name,
    say,
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
    from envagin_cli.domain import caseload, staff
    from envagin_cli.output import jsonout, tables
    from envagin_cli.rules.dates import today
    from envagin_cli.rules.errors import Valideringsfel

    if alla and handlaggare:
        usage("ange antingen --handläggare eller --alla.")
    days = dagar.strip()
    if not (days.isascii() and days.isdigit()) or int(days) > 3660:
        with handled():
            raise Valideringsfel(f"dagar: '{days[:10]}' är inte tillåtet; ange ett heltal 0–3660.")
    with handled():
        conn = open_db(db)
        idag_ = today()
        if alla:
            who = None
        elif handlaggare:
            who = staff.require_active(conn, handlaggare, "handläggare")
        else:
            try:
                who = staff.current(conn, som)
            except Valideringsfel as exc:  # nobody named: say how to see everyone's too
                raise Valideringsfel(f"{exc} Allas ärenden: envagin idag --alla.") from None
        rows = caseload.due_list(conn, idag_, dagar=int(days), handlaggare=who)
    if json_:
        jsonout.write(rows)
        return
    whose = "alla handläggare" if who is None else who
    tables.due_table(
        rows,
        f"Att göra för {whose} {idag_} (försenat och inom {days} dagar) · {register_name(db)}",
    )


@commands.command("sök")
def sok(
    text: Annotated[
        str,
        typer.Argument(
            metavar="TEXT",
            help="Personnummer (alla former), del av ett ärendenummer eller en pseudonym.",
            show_default=False,
        ),
    ],
    json_: JsonOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Hitta ärenden: en persons alla (öppna och avslutade), nyaste först.

    Ett uppslag på personnummer loggas i granskningsloggen, som 'visa'.

    \b
    Exempel:
      envagin sök 811218-9876
      envagin sök 2014-00
    """
    from envagin_cli.domain import caseload
    from envagin_cli.domain import cases as cases_domain
    from envagin_cli.output import jsonout, tables
    from envagin_cli.rules.dates import today

    with handled():
        conn = open_db(db)
        found = cases_domain.search(conn, text, som=som)
        rows = caseload.caseload(conn, today(), nummer=found) if found else []
    order = {nr: i for i, nr in enumerate(found)}
    rows.sort(key=lambda r: order[r["arende"]])
    if json_:
        jsonout.write(rows)
    else:
        tables.cases_table(rows, f"Sökning: {len(rows)} träffar · {register_name(db)}")


def _list(values: list[str] | None) -> list[str] | None:
    return list(values) if values else None


@commands.command("rätta")
def ratta(
    handelse: Annotated[
        str,
        typer.Argument(
            metavar="HÄNDELSE-ID", help="Händelsens id (se 'envagin visa').", show_default=False
        ),
    ],
    orsak: Annotated[str, typer.Option("--orsak", help="Vad som var fel.", show_default=False)],
    datum: Annotated[
        str | None,
        typer.Option("--datum", help="Rätt datum för händelsen.", show_default=False),
    ] = None,
    personnummer: Annotated[
        str | None, typer.Option("--personnummer", help="Intag: rätt person.", show_default=False)
    ] = None,
    anonym: Annotated[
        bool | None, typer.Option("--anonym", help="Intag: utan personnummer.", show_default=False)
    ] = None,
    kon: Annotated[
        str | None, typer.Option("--kön", help="Intag: kvinna eller man.", show_default=False)
    ] = None,
    fodelsear: Annotated[
        str | None, typer.Option("--födelseår", help="Intag: fyra siffror.", show_default=False)
    ] = None,
    remittent: Annotated[
        str | None,
        typer.Option("--remittent", help="Intag: remitterande part.", show_default=False),
    ] = None,
    forsorjning: Annotated[
        list[str] | None,
        typer.Option(
            "--försörjning", help="Intag, avslut, uppföljning: källorna.", show_default=False
        ),
    ] = None,
    ansvarig: Annotated[
        str | None,
        typer.Option(
            "--ansvarig", help="Intag, byte av ansvarig: handläggaren.", show_default=False
        ),
    ] = None,
    omfattning: Annotated[
        list[str] | None,
        typer.Option("--omfattning", help="Samtycke: samverkan, statistik.", show_default=False),
    ] = None,
    handlaggare: Annotated[
        list[str] | None,
        typer.Option(
            "--handläggare", help="Kartläggning, trepartssamtal: handläggarna.", show_default=False
        ),
    ] = None,
    remittent_handlaggare: Annotated[
        str | None,
        typer.Option("--remittent-handläggare", help="Trepartssamtal: namnet.", show_default=False),
    ] = None,
    avslutande: Annotated[
        bool | None,
        typer.Option("--avslutande/--ej-avslutande", help="Trepartssamtal.", show_default=False),
    ] = None,
    insats: Annotated[
        str | None, typer.Option("--insats", help="Insats: koden.", show_default=False)
    ] = None,
    utforare: Annotated[
        str | None, typer.Option("--utförare", help="Insats: utförande part.", show_default=False)
    ] = None,
    byt: Annotated[
        bool | None, typer.Option("--byt/--ej-byt", help="Insats.", show_default=False)
    ] = None,
    slutorsak: Annotated[
        str | None, typer.Option("--slutorsak", help="Avslut: slutorsaken.", show_default=False)
    ] = None,
    nojd_bemotande: Annotated[
        str | None, typer.Option("--nöjd-bemötande", help="Avslut: 1–5.", show_default=False)
    ] = None,
    nojd_insats: Annotated[
        str | None, typer.Option("--nöjd-insats", help="Avslut: 1–5.", show_default=False)
    ] = None,
    ingen_enkat: Annotated[
        bool | None,
        typer.Option("--ingen-enkät", help="Avslut: personen avböjde enkäten.", show_default=False),
    ] = None,
    sysselsattning: Annotated[
        str | None,
        typer.Option(
            "--sysselsättning",
            help="Intag, avslut, uppföljning: sysselsättningen (intag och avslut: "
            "kommaseparerade).",
            show_default=False,
        ),
    ] = None,
    utbildning: Annotated[
        str | None,
        typer.Option("--utbildning", help="Intag: högsta utbildning.", show_default=False),
    ] = None,
    timmar: Annotated[
        str | None,
        typer.Option("--timmar", help="Närvaro: närvarande timmar.", show_default=False),
    ] = None,
    franvaro: Annotated[
        str | None,
        typer.Option(
            "--frånvaro", help="Närvaro: frånvaro giltig, ogiltig, sjuk.", show_default=False
        ),
    ] = None,
    forvantat: Annotated[
        str | None,
        typer.Option(
            "--förväntat", help="Närvaro: förväntade timmar vid frånvaro.", show_default=False
        ),
    ] = None,
    tid_offentlig: Annotated[
        str | None,
        typer.Option(
            "--tid-offentlig", help="Intag: tid i offentlig försörjning.", show_default=False
        ),
    ] = None,
    som: SomOpt = None,
    ja: JaOpt = False,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Rätta en händelse: den makuleras och registreras rättad, i samma transaktion.

    Bara de angivna värdena ändras; resten behålls. Ett rättat intag behåller
    ärendenumret och alla senare händelser. Samma regler gäller som om den rättade
    händelsen hade registrerats från början.

    \b
    Exempel:
      envagin rätta 12 --datum 2026-12-01 --orsak "Fel datum"
      envagin rätta 30 --slutorsak studier --orsak "Fel slutorsak"
    """
    from envagin_cli.cli.common import done, parse_day, state
    from envagin_cli.domain import cases as cases_domain

    state.json = json_

    changes: dict[str, Any] = {
        "personnummer": personnummer,
        "anonym": anonym,
        "kon": kon,
        "fodelsear": fodelsear,
        "remittent": remittent,
        "forsorjning": _list(forsorjning),
        "ansvarig": ansvarig,
        "omfattning": _list(omfattning),
        "handlaggare": _list(handlaggare),
        "remittent_handlaggare": remittent_handlaggare,
        "avslutande": avslutande,
        "insats": insats,
        "utforare": utforare,
        "byt": byt,
        "slutorsak": slutorsak,
        "nojd_bemotande": nojd_bemotande,
        "nojd_insats": nojd_insats,
        "ingen_enkat": ingen_enkat,
        "sysselsattning": sysselsattning,
        "utbildning": utbildning,
        "tid_offentlig": tid_offentlig,
        "timmar": timmar,
        "franvaro": franvaro,
        "forvantat": forvantat,
    }
    with handled():
        conn = open_db(db)
        if datum is not None:
            changes["datum"] = parse_day(datum)
        preview = cases_domain.correct(
            conn, handelse, orsak=orsak, som=som, changes=dict(changes), write=False
        )
        for word, key in (("Före: ", "fore"), ("Efter:", "efter")):
            e = preview[key]
            text = f" – {e['beskrivning']}" if e["beskrivning"] else ""
            say(f"{word} {e['datum']} {e['handelse']}{text}")
        ask_at_terminal(f"Rätta händelse {preview['handelse_id']} i {preview['arende']}?", ja)
        done_ = cases_domain.correct(conn, handelse, orsak=orsak, som=som, changes=changes)
    result = done_["resultat"]
    done(f"rättelse av händelse {done_['handelse_id']}", result)


@commands.command("ångra")
def angra(
    som: SomOpt = None,
    ja: JaOpt = False,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Ångra din senaste registrering i dag: den makuleras, efter att ha visats.

    \b
    Exempel:
      envagin ångra
    """
    from envagin_cli.cli.common import done, state
    from envagin_cli.domain import cases as cases_domain

    state.json = json_

    with handled():
        conn = open_db(db)
        event = cases_domain.undo(conn, som=som)
        say(
            f"Ångrar händelse {event['id']} i {event['arende']}: {event['datum']} "
            f"{event['handelse']}"
            + (f" – {event['beskrivning']}" if event["beskrivning"] else "")
            + "."
        )
        why = f"Ångrad av {event['som']}"
        cases_domain.void(conn, event["id"], orsak=why, som=som, preview=True)
        ask_at_terminal("Makulera händelsen?", ja)
        r = cases_domain.void(conn, event["id"], orsak=why, som=som)
    done("makulering", r)
