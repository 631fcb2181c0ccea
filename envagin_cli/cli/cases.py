"""The case lifecycle (`intake` … `makulera`) and reading cases (`cases`, `show`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from envagin_cli.cli.common import (
    ALREADY_THERE,
    CaseArg,
    DatumOpt,
    DbOpt,
    JaOpt,
    JsonOpt,
    RegistreratJsonOpt,
    SomOpt,
    ask_at_terminal,
    ask_missing,
    done,
    handled,
    next_step,
    open_db,
    parse_day,
    register_name,
    say,
    state,
    usage,
)

if TYPE_CHECKING:
    import sqlite3

commands = typer.Typer()

# --- answers to the questions for missing values ------------------------------------------


def _person_answer(answer: str) -> None:
    from envagin_cli.rules import personnummer as pnr
    from envagin_cli.rules.codes import fold
    from envagin_cli.rules.dates import today

    if fold(answer) != "anonym":
        pnr.parse(answer, today())


def _year_answer(answer: str) -> None:
    from envagin_cli.domain.cases import _int
    from envagin_cli.rules.dates import today

    if _int(answer, "födelseår", 1880, today().year) is None:
        from envagin_cli.rules.errors import Valideringsfel

        raise Valideringsfel("födelseår: ange fyra siffror.")


def _answer_1_5(answer: str) -> None:
    from envagin_cli.domain.cases import _int

    _int(answer, "enkätsvar", 1, 5)


def _text_answer(answer: str) -> None:
    from envagin_cli.rules import freetext

    freetext.check(answer, "namn", 200, required=True)


def _ask_staff(conn: sqlite3.Connection, option: str, what: str) -> str:
    """A missing handläggare, asked for among the active ones."""
    from envagin_cli.domain import staff

    active = [
        r[0] for r in conn.execute("SELECT id FROM staff WHERE aktiv = 1 ORDER BY id").fetchall()
    ]

    def check(answer: str) -> None:
        for part in answer.split(","):
            if part.strip():
                staff.require_active(conn, part.strip(), option[2:])

    return ask_missing(option, what, check, active)


# --- the case lifecycle -------------------------------------------------------------------


@commands.command()
def intake(
    remittent: Annotated[
        str,
        typer.Option(
            "--remittent",
            show_default=False,
            help="Remitterande part: egen, fs, ac, af, fk, vc, psyk, po, vux, syv, bus, sf, annan.",
        ),
    ],
    personnummer: Annotated[
        str | None,
        typer.Option(
            "--personnummer",
            help="10 eller 12 siffror; samordningsnummer går bra.",
            show_default=False,
        ),
    ] = None,
    anonym: Annotated[
        bool, typer.Option("--anonym", help="Utan personnummer: ange --kön och --födelseår.")
    ] = False,
    kon: Annotated[
        str | None, typer.Option("--kön", help="kvinna eller man.", show_default=False)
    ] = None,
    fodelsear: Annotated[
        str | None, typer.Option("--födelseår", help="Fyra siffror.", show_default=False)
    ] = None,
    skyddad: Annotated[
        bool, typer.Option("--skyddad", help="Skyddade personuppgifter: personnumret sparas inte.")
    ] = False,
    forsorjning: Annotated[
        list[str] | None,
        typer.Option(
            "--försörjning",
            help="Försörjningskällor vid intag, kommaseparerade.",
            show_default=False,
        ),
    ] = None,
    ansvarig: Annotated[
        str | None,
        typer.Option(
            "--ansvarig",
            help="Ansvarig handläggare (standard: den som registrerar).",
            show_default=False,
        ),
    ] = None,
    arende: Annotated[
        str | None,
        typer.Option(
            "--ärende",
            help="Eget ärendenummer (minst en bokstav); annars EVI-ÅÅÅÅ-NNNN.",
            show_default=False,
        ),
    ] = None,
    sysselsattning: Annotated[
        list[str] | None,
        typer.Option(
            "--sysselsättning",
            help="Sysselsättning vid intag, kommaseparerade: arbete, studier, "
            "arbetssokande, ovrigt.",
            show_default=False,
        ),
    ] = None,
    utbildning: Annotated[
        str | None,
        typer.Option(
            "--utbildning",
            help="Högsta avslutade utbildning: forgymnasial, gymnasial, eftergymnasial, okand.",
            show_default=False,
        ),
    ] = None,
    tid_offentlig: Annotated[
        str | None,
        typer.Option(
            "--tid-offentlig",
            help="Tid i offentlig försörjning före intaget: under-1-ar, 1-2-ar, 2-5-ar, "
            "over-5-ar, okand.",
            show_default=False,
        ),
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Registrera en remiss eller egenanmälan. Skriver bara ärendenumret på stdout.

    \b
    Exempel:
      envagin intake --personnummer 811218-9876 --remittent af --försörjning forsorjningsstod
      envagin intake --anonym --kön kvinna --födelseår 1985 --remittent egen
    """
    state.json = json_
    from envagin_cli.domain import cases as cases_domain
    from envagin_cli.rules import codes

    if not (personnummer and personnummer.strip()) and not anonym:
        answer = ask_missing(
            "--personnummer",
            "ange --personnummer, eller --anonym med --kön och --födelseår (svara 'anonym')",
            _person_answer,
        )
        if codes.fold(answer) == "anonym":
            anonym = True
        else:
            personnummer = answer
    if anonym and not (personnummer and personnummer.strip()):
        if not kon:
            kon = ask_missing(
                "--kön",
                "kvinna eller man",
                lambda a: codes.parse_code(a, codes.KON, "kön"),
                list(codes.KON),
            )
        if not fodelsear:
            fodelsear = ask_missing("--födelseår", "fyra siffror", _year_answer)
    with handled():
        conn = open_db(db)
        result = cases_domain.intake(
            conn,
            datum=parse_day(datum),
            som=som,
            remittent=remittent,
            personnummer=personnummer,
            anonym=anonym,
            kon=kon,
            fodelsear=fodelsear,
            skyddad=skyddad,
            forsorjning=forsorjning or [],
            ansvarig=ansvarig,
            arende=arende,
            sysselsattning=sysselsattning or [],
            utbildning=utbildning,
            tid_offentlig=tid_offentlig,
        )
    if not json_:
        typer.echo(result.arende)
    if result.ny:
        say(f"Registrerat: intag {result.arende} (händelse {result.handelse_id}).")
    else:
        say(ALREADY_THERE.format(result.handelse_id))
    next_step(result, "intag")


@commands.command()
def consent(
    arende: CaseArg,
    omfattning: Annotated[
        list[str] | None,
        typer.Option(
            "--omfattning",
            help="samverkan, statistik eller samverkan,statistik.",
            show_default=False,
        ),
    ] = None,
    aterkalla: Annotated[
        bool,
        typer.Option(
            "--återkalla",
            help="Återkalla samtycket (utan --omfattning: det som gäller den dagen).",
        ),
    ] = False,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    ja: JaOpt = False,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Registrera skriftligt samtycke, eller att det återkallas.

    \b
    Exempel:
      envagin consent EVI-2014-0001 --omfattning samverkan,statistik --datum 2014-03-04
      envagin consent EVI-2014-0001 --återkalla
    """
    state.json = json_
    from envagin_cli.domain import cases as cases_domain
    from envagin_cli.rules import codes

    if not aterkalla and not omfattning:
        omfattning = [
            ask_missing(
                "--omfattning",
                "samverkan, statistik eller samverkan,statistik",
                lambda a: codes.parse_codes([a], codes.SAMTYCKEN, "omfattning", required=True),
                ["samverkan,statistik", "samverkan", "statistik"],
            )
        ]
    with handled():
        conn = open_db(db)
        day = parse_day(datum)
        if not aterkalla and cases_domain.anonymises(conn, arende, omfattning or [], day):
            say(
                "Inget samtycke till statistik gäller efter detta samtycke, och utan det tas "
                "personnumret bort för gott; kön och födelseår finns kvar. Det går inte att "
                "ångra."
            )
            ask_at_terminal("Registrera samtycket och ta bort personnumret?", ja)
        r = cases_domain.consent(
            conn,
            arende,
            datum=day,
            som=som,
            omfattning=omfattning or [],
            aterkalla=aterkalla,
        )
    done("återkallat samtycke" if aterkalla else "samtycke", r)


@commands.command("map")
def map_(
    arende: CaseArg,
    start: Annotated[bool, typer.Option("--start", help="Kartläggningen påbörjas.")] = False,
    klar: Annotated[bool, typer.Option("--klar", help="Kartläggningen är klar.")] = False,
    handlaggare: Annotated[
        list[str] | None,
        typer.Option(
            "--handläggare", help="En eller två handläggare (med --start).", show_default=False
        ),
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Kartläggning och vägledning: --start med handläggare, sedan --klar.

    \b
    Exempel:
      envagin map EVI-2014-0001 --start --handläggare as --handläggare jb
      envagin map EVI-2014-0001 --klar --datum igår
    """
    state.json = json_
    from envagin_cli.domain import cases as cases_domain

    if start == klar:
        usage("ange antingen --start eller --klar.")
    if klar and handlaggare:
        usage("--handläggare anges vid --start.")
    with handled():
        conn = open_db(db)
        if start and not handlaggare:
            handlaggare = [_ask_staff(conn, "--handläggare", "en eller två handläggare")]
        if start:
            r = cases_domain.map_start(
                conn, arende, datum=parse_day(datum), som=som, handlaggare=handlaggare or []
            )
        else:
            r = cases_domain.map_done(conn, arende, datum=parse_day(datum), som=som)
    done("påbörjad kartläggning" if start else "klar kartläggning", r)


@commands.command()
def tripartite(
    arende: CaseArg,
    handlaggare: Annotated[
        list[str] | None,
        typer.Option(
            "--handläggare",
            help="En väg in-handläggaren som gjorde kartläggningen.",
            show_default=False,
        ),
    ] = None,
    remittent_handlaggare: Annotated[
        str | None,
        typer.Option(
            "--remittent-handläggare", help="Namn på remittentens handläggare.", show_default=False
        ),
    ] = None,
    avslutande: Annotated[
        bool, typer.Option("--avslutande", help="Avslutande trepartssamtal.")
    ] = False,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Registrera ett trepartssamtal.

    \b
    Exempel:
      envagin tripartite EVI-2014-0001 --handläggare as --remittent-handläggare "Karin Ek"
    """
    state.json = json_
    from envagin_cli.domain import cases as cases_domain

    with handled():
        conn = open_db(db)
        if not handlaggare:
            handlaggare = [_ask_staff(conn, "--handläggare", "En väg in-handläggaren som kartlade")]
        if not (remittent_handlaggare and remittent_handlaggare.strip()):
            remittent_handlaggare = ask_missing(
                "--remittent-handläggare", "namnet på remittentens handläggare", _text_answer
            )
        r = cases_domain.tripartite(
            conn,
            arende,
            datum=parse_day(datum),
            som=som,
            handlaggare=handlaggare or [],
            remittent_handlaggare=remittent_handlaggare,
            avslutande=avslutande,
        )
    done("trepartssamtal", r)


@commands.command()
def assign(
    arende: CaseArg,
    insats: Annotated[
        str | None, typer.Option("--insats", help="Starta en insats (kod).", show_default=False)
    ] = None,
    utforare: Annotated[
        str | None,
        typer.Option(
            "--utförare", help="Utförande part (standard: insatsens part).", show_default=False
        ),
    ] = None,
    byt: Annotated[
        bool, typer.Option("--byt", help="Avsluta alla pågående insatser samma dag.")
    ] = False,
    avsluta: Annotated[
        str | None,
        typer.Option("--avsluta", help="Avsluta en pågående insats (kod).", show_default=False),
    ] = None,
    ansvarig: Annotated[
        str | None, typer.Option("--ansvarig", help="Byt ansvarig handläggare.", show_default=False)
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Insatser: --insats KOD [--byt], --avsluta KOD, eller --ansvarig HANDLÄGGARE.

    \b
    Exempel:
      envagin assign EVI-2014-0001 --insats arbetstraning
      envagin assign EVI-2014-0001 --insats se --byt
      envagin assign EVI-2014-0001 --avsluta se
      envagin assign EVI-2014-0001 --ansvarig jb
    """
    state.json = json_
    from envagin_cli.domain import cases as cases_domain

    if sum(x is not None for x in (insats, avsluta, ansvarig)) != 1:
        usage("ange precis en av --insats, --avsluta och --ansvarig.")
    if (utforare or byt) and insats is None:
        usage("--utförare och --byt hör till --insats.")
    with handled():
        conn = open_db(db)
        day = parse_day(datum)
        if insats is not None:
            r = cases_domain.assign(
                conn, arende, datum=day, som=som, insats=insats, utforare=utforare, byt=byt
            )
            what = "insats"
        elif avsluta is not None:
            r = cases_domain.assign_end(conn, arende, datum=day, som=som, insats=avsluta)
            what = "avslutad insats"
        else:
            r = cases_domain.responsible(conn, arende, datum=day, som=som, ansvarig=str(ansvarig))
            what = "ny ansvarig"
    done(what, r)


@commands.command()
def close(
    arende: CaseArg,
    slutorsak: Annotated[
        str,
        typer.Option(
            "--slutorsak",
            show_default=False,
            help="arbete, studier, arbetsrehabilitering, praktik, af-insats, vard, sjukersattning, "
            "sol, lss, flyttat, avbrutet, annat, okand; före inskrivning ej-malgrupp, avbojt; "
            "felregistrering.",
        ),
    ],
    forsorjning: Annotated[
        list[str] | None,
        typer.Option(
            "--försörjning",
            help="Försörjningskällor vid avslut, kommaseparerade.",
            show_default=False,
        ),
    ] = None,
    nojd_bemotande: Annotated[
        str | None,
        typer.Option("--nöjd-bemötande", help="Enkätsvar 1–5 om bemötandet.", show_default=False),
    ] = None,
    nojd_insats: Annotated[
        str | None,
        typer.Option(
            "--nöjd-insats", help="Enkätsvar 1–5 om vägledning/insats.", show_default=False
        ),
    ] = None,
    ingen_enkat: Annotated[
        bool, typer.Option("--ingen-enkät", help="Personen avböjde enkäten.")
    ] = False,
    sysselsattning: Annotated[
        list[str] | None,
        typer.Option(
            "--sysselsättning",
            help="Sysselsättning vid avslut, kommaseparerade: arbete, studier, "
            "arbetssokande, ovrigt.",
            show_default=False,
        ),
    ] = None,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Avsluta ärendet (avslutsmöte med enkät); pågående insatser avslutas samma dag.

    I en terminal frågar kommandot efter det som saknas: försörjning och enkätens två svar
    (eller 'avböjde').

    \b
    Exempel:
      envagin close EVI-2014-0001 --slutorsak arbete --försörjning lon \\
          --nöjd-bemötande 5 --nöjd-insats 4
      envagin close EVI-2014-0002 --slutorsak ej-malgrupp --ingen-enkät
    """
    state.json = json_
    from envagin_cli.domain import cases as cases_domain
    from envagin_cli.rules import codes

    with handled():
        conn = open_db(db)
        answered = nojd_bemotande is not None or nojd_insats is not None or ingen_enkat
        if cases_domain.needs_survey(conn, arende, slutorsak):
            if not forsorjning:
                forsorjning = [
                    ask_missing(
                        "--försörjning",
                        "försörjningskällorna vid avslut, kommaseparerade",
                        lambda a: codes.parse_forsorjning([a], required=True),
                        list(codes.FORSORJNING),
                    )
                ]
            if not answered:
                first = ask_missing(
                    "--nöjd-bemötande",
                    "enkätsvar 1–5 om bemötandet, eller 'avböjde' om personen avböjde enkäten",
                    lambda a: None if codes.fold(a) == "avbojde" else _answer_1_5(a),
                    ["1", "2", "3", "4", "5", "avböjde"],
                )
                if codes.fold(first) == "avbojde":
                    ingen_enkat = True
                else:
                    nojd_bemotande = first
                    nojd_insats = ask_missing(
                        "--nöjd-insats",
                        "enkätsvar 1–5 om vägledning/insats",
                        _answer_1_5,
                        ["1", "2", "3", "4", "5"],
                    )
        r = cases_domain.close(
            conn,
            arende,
            datum=parse_day(datum),
            som=som,
            slutorsak=slutorsak,
            forsorjning=forsorjning or [],
            nojd_bemotande=nojd_bemotande,
            nojd_insats=nojd_insats,
            ingen_enkat=ingen_enkat,
            sysselsattning=sysselsattning or [],
        )
    done("avslut", r)


@commands.command()
def followup(
    arende: CaseArg,
    sysselsattning: Annotated[
        str,
        typer.Option(
            "--sysselsättning",
            help="arbete, studier, arbetssokande eller ovrigt.",
            show_default=False,
        ),
    ],
    forsorjning: Annotated[
        list[str],
        typer.Option(
            "--försörjning", help="Försörjningskällor vid uppföljningen.", show_default=False
        ),
    ],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Ettårsuppföljning (tidigast 11 månader efter första insatsen).

    \b
    Exempel:
      envagin followup EVI-2014-0001 --sysselsättning arbete --försörjning lon
    """
    state.json = json_
    from envagin_cli.domain import cases as cases_domain

    with handled():
        r = cases_domain.followup(
            open_db(db),
            arende,
            datum=parse_day(datum),
            som=som,
            sysselsattning=sysselsattning,
            forsorjning=forsorjning,
        )
    done("ettårsuppföljning", r)


@commands.command()
def makulera(
    handelse: Annotated[
        str,
        typer.Argument(
            metavar="HÄNDELSE-ID", help="Händelsens id (se 'envagin show').", show_default=False
        ),
    ],
    orsak: Annotated[
        str, typer.Option("--orsak", help="Varför händelsen var fel.", show_default=False)
    ],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    ja: JaOpt = False,
    json_: RegistreratJsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Makulera en felaktig händelse; originalet står kvar i historiken.

    \b
    Exempel:
      envagin makulera 12 --orsak "Fel ärende"
    """
    state.json = json_
    from envagin_cli.domain import cases as cases_domain
    from envagin_cli.store import queries

    with handled():
        conn = open_db(db)
        event = queries.event_preview(conn, handelse)
        if event is not None:
            say(
                f"Makulerar händelse {event['id']} i {event['arende']}: {event['datum']} "
                f"{event['handelse']}"
                + (f" – {event['beskrivning']}" if event["beskrivning"] else "")
                + "."
            )
            day = parse_day(datum)
            cases_domain.void(conn, handelse, orsak=orsak, som=som, datum=day, preview=True)
            ask_at_terminal("Makulera händelsen?", ja)
        r = cases_domain.void(conn, handelse, orsak=orsak, som=som, datum=parse_day(datum))
    done("makulering", r)


# --- reading ------------------------------------------------------------------------------


@commands.command()
def cases(
    alla: Annotated[bool, typer.Option("--alla", help="Ta med avslutade ärenden.")] = False,
    mina: Annotated[
        bool, typer.Option("--mina", help="Bara mina ärenden (där jag är ansvarig).")
    ] = False,
    handlaggare: Annotated[
        str | None,
        typer.Option(
            "--handläggare",
            help="Bara ärenden med denna ansvariga handläggare.",
            show_default=False,
        ),
    ] = None,
    fas: Annotated[
        str | None,
        typer.Option(
            "--fas",
            help="Bara ärenden i fasen: remitterad, inskriven, kartlaggning, kartlagd, "
            "i-insats, avslutad.",
            show_default=False,
        ),
    ] = None,
    forsenad: Annotated[
        bool, typer.Option("--försenad-kartläggning", help="Bara kartläggningar äldre än 14 dagar.")
    ] = False,
    uppfoljning: Annotated[
        bool,
        typer.Option(
            "--uppföljning",
            help="Ärenden (öppna och avslutade) vars ettårsuppföljning ska göras nu: 11–18 "
            "månader efter första insatsen.",
        ),
    ] = False,
    aterkallat: Annotated[
        bool, typer.Option("--återkallat", help="Bara öppna ärenden med återkallat samtycke.")
    ] = False,
    per_handlaggare: Annotated[
        bool,
        typer.Option(
            "--per-handläggare", help="Arbetsbelastning per ansvarig handläggare och part."
        ),
    ] = False,
    json_: JsonOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ärendelistan (caseload) med flaggor och datum; öppna ärenden om inte --alla.

    \b
    Exempel:
      envagin cases --mina
      envagin cases --handläggare as --fas kartlaggning
      envagin cases --försenad-kartläggning
      envagin cases --per-handläggare
    """
    from envagin_cli.domain import caseload, staff
    from envagin_cli.output import jsonout, tables
    from envagin_cli.rules import codes
    from envagin_cli.rules.dates import today

    if mina and handlaggare:
        usage("ange antingen --mina eller --handläggare.")
    with handled():
        conn = open_db(db)
        idag = today()
        where = register_name(db)
        if per_handlaggare:
            summary = caseload.caseload_summary(conn, idag)
            jsonout.write(summary) if json_ else tables.summary_table(
                summary, f"Arbetsbelastning {idag} · {where}"
            )
            return
        phase = codes.parse_code(fas, caseload.FASER, "fas") if fas is not None else None
        if mina:
            who: str | None = staff.current(conn, som)
        else:
            who = staff.require_active(conn, handlaggare, "handläggare") if handlaggare else None
        rows = caseload.caseload(
            conn,
            idag,
            alla=alla,
            handlaggare=who,
            forsenad=forsenad,
            uppfoljning=uppfoljning,
            aterkallat=aterkallat,
            fas=phase,
        )
    if json_:
        jsonout.write(rows)
        return
    if uppfoljning:
        what = (
            f"Ettårsuppföljning att göra {idag} (öppna och avslutade ärenden; fönstret "
            f"{codes.FOLLOW_UP_FROM_MONTHS}–{codes.FOLLOW_UP_UNTIL_MONTHS} månader efter "
            "första insatsen)"
        )
    else:
        what = f"{'Alla' if alla or phase == 'avslutad' else 'Öppna'} ärenden {idag}"
    if who:
        what += f", ansvarig {who}"
    if phase:
        what += f", fas {caseload.FASER[phase]}"
    tables.cases_table(rows, f"{what} · {where}")


@commands.command()
def show(
    arende: CaseArg,
    json_: JsonOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Visa ett ärende med hela tidslinjen och händelse-id; makulerade händelser överstrukna.

    \b
    Exempel:
      envagin show EVI-2014-0001
      envagin show EVI-2014-0001 --json
    """
    from envagin_cli.domain import cases as cases_domain
    from envagin_cli.output import jsonout, tables

    with handled():
        view = cases_domain.show(open_db(db), arende, som=som)
    jsonout.write(view) if json_ else tables.timeline(view)
