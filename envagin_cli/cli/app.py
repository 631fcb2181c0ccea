"""The `envagin` command line: thin commands over the domain modules.

Each command declares its options, opens the register, calls one domain function inside
`handled()` (which turns an `EnvaginError` into a Swedish message on stderr and its exit
code) and hands the result to `render`. Domain values are declared as text and validated
in the domain, so a bad value exits 1 and only command-line usage exits 2.
Heavy modules are imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand

_FOLD_OPTS = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o"})


def _normalize_token(token: str) -> str:
    """Option and command names: å/ä/ö may be written a/a/o (`--handlaggare`)."""
    return token.translate(_FOLD_OPTS)


CONTEXT = {"token_normalize_func": _normalize_token, "help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="envagin",
    help="Ärenderegister och uppföljning för En väg in (samverkan FS, AC, AF, FK).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
staff_app = typer.Typer(
    help="Handläggarregistret.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
insats_app = typer.Typer(
    help="Insatskatalogen.", no_args_is_help=True, rich_markup_mode=None, context_settings=CONTEXT
)
app.add_typer(staff_app, name="staff")
app.add_typer(insats_app, name="insats")

# Options shared by many commands.
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Databasfil (annars ENVAGIN_DB, annars standardfilen).", show_default=False
    ),
]
SomOpt = Annotated[
    str | None,
    typer.Option(
        "--som",
        envvar="ENVAGIN_USER",
        help="Handläggaren som registrerar (id); annars ENVAGIN_USER.",
        show_default=False,
    ),
]
DatumOpt = Annotated[
    str,
    typer.Option(
        "--datum", help="Händelsens datum: ÅÅÅÅ-MM-DD, ÅÅÅÅMMDD, '5 mars 2014', idag, igår."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")]
CaseArg = Annotated[
    str,
    typer.Argument(
        help="Ärendenummer eller personnummer för ett öppet ärende.", show_default=False
    ),
]


class _State:
    db: str | None = None
    connections: list[sqlite3.Connection] = []  # noqa: RUF012 - closed after each command


def _close_all() -> None:
    while _state.connections:
        _state.connections.pop().close()


_state = _State()


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def _usage(message: str) -> NoReturn:
    _say(f"Fel i kommandoraden: {message}")
    raise typer.Exit(2)


@contextmanager
def handled() -> Iterator[None]:
    """Turn domain errors into a Swedish message on stderr and the error's exit code."""
    from envagin_cli.domain.errors import EnvaginError

    try:
        yield
    except EnvaginError as exc:
        _say(f"Fel: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except sqlite3.DatabaseError as exc:
        from pathlib import Path

        from envagin_cli.store import db as dbmod

        error = dbmod.translate(exc, Path(_state.db or os.environ.get("ENVAGIN_DB", "registret")))
        _say(f"Fel: {error}")
        code = error.exit_code if isinstance(error, EnvaginError) else 1
        raise typer.Exit(code) from None


def _open(db: str | None, *, create: bool = False) -> sqlite3.Connection:
    from envagin_cli.store import db as dbmod

    target = dbmod.resolve_path(db or _state.db)
    conn, created = dbmod.open_db(target, create=create)
    _state.connections.append(conn)
    if created:
        _say(f"Skapade en ny databas: {target.path}")
    return conn


def _day(text: str, field: str = "datum") -> date:
    from envagin_cli.domain.dates import parse_date

    return parse_date(text, field)


def _done(what: str, nr: str, event_id: int) -> None:
    _say(f"Registrerat: {what} i {nr} (händelse {event_id}).")


def _show_version(value: bool) -> None:
    if value:
        from envagin_cli import __version__

        typer.echo(f"envagin {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=False)
def _root(
    ctx: typer.Context,
    db: DbOpt = None,
    version: Annotated[
        bool,
        typer.Option("--version", help="Visa versionen.", callback=_show_version, is_eager=True),
    ] = False,
) -> None:
    """Ärenderegister och uppföljning för En väg in."""
    _state.db = db
    ctx.call_on_close(_close_all)


# --- register set-up ----------------------------------------------------------------------


@app.command()
def init(
    db: DbOpt = None,
    grupp: Annotated[
        str | None,
        typer.Option(
            "--grupp",
            help="Gör registret (och dess WAL-filer) läs- och skrivbart för gruppen (0660).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Skapa ett nytt tomt register (eller uppgradera ett befintligt)."""
    from envagin_cli.store import db as dbmod

    with handled():
        target = dbmod.resolve_path(db or _state.db)
        existed = target.path.exists()
        conn = _open(db, create=True)
        if grupp:
            dbmod.share_with_group(conn, target.path, grupp)
            _say(f"Registret är delat med gruppen {grupp} (0660).")
        if existed:
            _say(f"Databasen finns redan och är aktuell: {target.path}")


@app.command()
def demo(
    db: DbOpt = None,
    datum: Annotated[
        str, typer.Option("--datum", help="Demons 'idag' (samma datum ger samma data).")
    ] = "idag",
    antal: Annotated[str, typer.Option("--antal", help="Ungefärligt antal intag per år.")] = "60",
) -> None:
    """Bygg ett realistiskt demoregister (2014 till datumet), deterministiskt per datum."""
    from envagin_cli.domain import demo as demomod

    with handled():
        day = _day(datum)
        conn = _open(db, create=True)
        summary = demomod.build(conn, idag=day, per_ar=demomod.parse_antal(antal))
    _say(
        f"Demoregistret är klart: {summary['arenden']} ärenden, {summary['handelser']} händelser, "
        f"{summary['oppna']} öppna (idag = {day})."
    )


@app.command()
def backup(
    fil: Annotated[str, typer.Argument(help="Ny fil att skriva kopian till.", show_default=False)],
    db: DbOpt = None,
) -> None:
    """Ta en konsekvent säkerhetskopia med SQLites backup-API."""
    from pathlib import Path

    from envagin_cli.store import db as dbmod

    with handled():
        conn = _open(db)
        dbmod.backup(conn, Path(fil))
    _say(f"Säkerhetskopia skriven: {fil}")


# --- staff --------------------------------------------------------------------------------


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
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Lägg till en handläggare."""
    from envagin_cli.domain import staff

    with handled():
        conn = _open(db)
        added = staff.add(
            conn,
            ident=ident,
            namn=namn,
            part=part,
            roll=roll,
            tjanstgoringsgrad=grad,
            som=som,
            datum=_day(datum),
        )
    _say(
        f"Handläggaren {ident.lower()} är registrerad."
        if added
        else f"Handläggaren {ident.lower()} fanns redan likadan; inget ändrat."
    )


@staff_app.command("list")
def staff_list(
    alla: Annotated[bool, typer.Option("--alla", help="Ta med avaktiverade.")] = False,
    json_: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Lista handläggarna."""
    from envagin_cli.domain import staff
    from envagin_cli.output import tables as render

    with handled():
        rows = staff.list_staff(_open(db), alla=alla)
    render.print_json(rows) if json_ else render.staff_table(rows)


@staff_app.command("deactivate")
def staff_deactivate(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Handläggarens id.", show_default=False)
    ],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Avaktivera en handläggare (historiken behålls)."""
    from envagin_cli.domain import staff

    with handled():
        changed = staff.deactivate(_open(db), ident=ident, som=som, datum=_day(datum))
    _say(
        f"Handläggaren {ident.lower()} är avaktiverad."
        if changed
        else f"Handläggaren {ident.lower()} var redan avaktiverad."
    )


# --- insats catalogue ---------------------------------------------------------------------


@insats_app.command("list")
def insats_list(
    alla: Annotated[bool, typer.Option("--alla", help="Ta med avaktiverade.")] = False,
    json_: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Lista insatskatalogen."""
    from envagin_cli.domain import insats as katalog
    from envagin_cli.output import tables as render

    with handled():
        rows = katalog.list_insatser(_open(db), alla=alla)
    render.print_json(rows) if json_ else render.insats_table(rows)


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
    from envagin_cli.domain import insats as katalog

    with handled():
        added = katalog.add(_open(db), kod=kod, namn=namn, part=part, som=som, datum=_day(datum))
    _say("Insatsen är tillagd." if added else "Insatsen fanns redan likadan; inget ändrat.")


@insats_app.command("deactivate")
def insats_deactivate(
    kod: Annotated[str, typer.Argument(help="Insatsens kod.", show_default=False)],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Avaktivera en insats (projektledare/teamledare); pågående placeringar påverkas inte."""
    from envagin_cli.domain import insats as katalog

    with handled():
        changed = katalog.deactivate(_open(db), kod=kod, som=som, datum=_day(datum))
    _say("Insatsen är avaktiverad." if changed else "Insatsen var redan avaktiverad.")


# --- the case lifecycle -------------------------------------------------------------------


@app.command()
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
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Registrera en remiss eller egenanmälan. Skriver bara ärendenumret på stdout."""
    from envagin_cli.domain import cases as arenden

    with handled():
        conn = _open(db)
        result = arenden.intake(
            conn,
            datum=_day(datum),
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
        )
    typer.echo(result.arende)
    _say(f"Registrerat: intag {result.arende} (händelse {result.handelse_id}).")


@app.command()
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
        bool, typer.Option("--återkalla", help="Återkalla samtycket (utan --omfattning: båda).")
    ] = False,
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Registrera skriftligt samtycke, eller att det återkallas."""
    from envagin_cli.domain import cases as arenden

    with handled():
        r = arenden.consent(
            _open(db),
            arende,
            datum=_day(datum),
            som=som,
            omfattning=omfattning or [],
            aterkalla=aterkalla,
        )
    _done("återkallat samtycke" if aterkalla else "samtycke", r.arende, r.handelse_id)


@app.command("map")
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
    db: DbOpt = None,
) -> None:
    """Kartläggning och vägledning: --start med handläggare, sedan --klar."""
    from envagin_cli.domain import cases as arenden

    if start == klar:
        _usage("ange antingen --start eller --klar.")
    if klar and handlaggare:
        _usage("--handläggare anges vid --start.")
    with handled():
        conn = _open(db)
        if start:
            r = arenden.map_start(
                conn, arende, datum=_day(datum), som=som, handlaggare=handlaggare or []
            )
        else:
            r = arenden.map_done(conn, arende, datum=_day(datum), som=som)
    _done("påbörjad kartläggning" if start else "klar kartläggning", r.arende, r.handelse_id)


@app.command()
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
    db: DbOpt = None,
) -> None:
    """Registrera ett trepartssamtal."""
    from envagin_cli.domain import cases as arenden

    with handled():
        r = arenden.tripartite(
            _open(db),
            arende,
            datum=_day(datum),
            som=som,
            handlaggare=handlaggare or [],
            remittent_handlaggare=remittent_handlaggare,
            avslutande=avslutande,
        )
    _done("trepartssamtal", r.arende, r.handelse_id)


@app.command()
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
    db: DbOpt = None,
) -> None:
    """Insatser: --insats KOD [--byt], --avsluta KOD, eller --ansvarig HANDLÄGGARE."""
    from envagin_cli.domain import cases as arenden

    if sum(x is not None for x in (insats, avsluta, ansvarig)) != 1:
        _usage("ange precis en av --insats, --avsluta och --ansvarig.")
    if (utforare or byt) and insats is None:
        _usage("--utförare och --byt hör till --insats.")
    with handled():
        conn = _open(db)
        day = _day(datum)
        if insats is not None:
            r = arenden.assign(
                conn, arende, datum=day, som=som, insats=insats, utforare=utforare, byt=byt
            )
            what = "insats"
        elif avsluta is not None:
            r = arenden.assign_end(conn, arende, datum=day, som=som, insats=avsluta)
            what = "avslutad insats"
        else:
            r = arenden.responsible(conn, arende, datum=day, som=som, ansvarig=str(ansvarig))
            what = "ny ansvarig"
    _done(what, r.arende, r.handelse_id)


@app.command()
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
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Avsluta ärendet (avslutsmöte med enkät); pågående insatser avslutas samma dag."""
    from envagin_cli.domain import cases as arenden

    with handled():
        r = arenden.close(
            _open(db),
            arende,
            datum=_day(datum),
            som=som,
            slutorsak=slutorsak,
            forsorjning=forsorjning or [],
            nojd_bemotande=nojd_bemotande,
            nojd_insats=nojd_insats,
            ingen_enkat=ingen_enkat,
        )
    _done("avslut", r.arende, r.handelse_id)


@app.command()
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
    db: DbOpt = None,
) -> None:
    """Ettårsuppföljning (tidigast 11 månader efter första insatsen)."""
    from envagin_cli.domain import cases as arenden

    with handled():
        r = arenden.followup(
            _open(db),
            arende,
            datum=_day(datum),
            som=som,
            sysselsattning=sysselsattning,
            forsorjning=forsorjning,
        )
    _done("ettårsuppföljning", r.arende, r.handelse_id)


@app.command()
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
    db: DbOpt = None,
) -> None:
    """Makulera en felaktig händelse; originalet står kvar i historiken."""
    from envagin_cli.domain import cases as arenden

    with handled():
        r = arenden.void(_open(db), handelse, orsak=orsak, som=som, datum=_day(datum))
    _done("makulering", r.arende, r.handelse_id)


# --- reading ------------------------------------------------------------------------------


@app.command()
def cases(
    alla: Annotated[bool, typer.Option("--alla", help="Ta med avslutade ärenden.")] = False,
    handlaggare: Annotated[
        str | None,
        typer.Option(
            "--handläggare",
            help="Bara ärenden med denna ansvariga handläggare.",
            show_default=False,
        ),
    ] = None,
    forsenad: Annotated[
        bool, typer.Option("--försenad-kartläggning", help="Bara kartläggningar äldre än 14 dagar.")
    ] = False,
    uppfoljning: Annotated[
        bool, typer.Option("--uppföljning", help="Bara ärenden där ettårsuppföljningen ska göras.")
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
    db: DbOpt = None,
) -> None:
    """Ärendelistan (caseload) med flaggor; öppna ärenden om inte --alla."""
    from envagin_cli.domain import staff
    from envagin_cli.domain.dates import today
    from envagin_cli.output import tables as render
    from envagin_cli.store import queries

    with handled():
        conn = _open(db)
        idag = today()
        if per_handlaggare:
            summary = queries.caseload_summary(conn, idag)
            render.print_json(summary) if json_ else render.summary_table(
                summary, f"Arbetsbelastning {idag}"
            )
            return
        who = staff.require_active(conn, handlaggare, "handläggare") if handlaggare else None
        rows = queries.caseload(
            conn,
            idag,
            alla=alla,
            handlaggare=who,
            forsenad=forsenad,
            uppfoljning=uppfoljning,
            aterkallat=aterkallat,
        )
    if json_:
        render.print_json(rows)
    else:
        render.cases_table(rows, f"{'Alla' if alla else 'Öppna'} ärenden {idag}")


@app.command()
def show(
    arende: CaseArg,
    json_: JsonOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Visa ett ärende med hela tidslinjen och händelse-id; makulerade händelser överstrukna."""
    from envagin_cli.domain import cases
    from envagin_cli.output import tables as render

    with handled():
        view = cases.show(_open(db), arende, som=som)
    render.print_json(view) if json_ else render.timeline(view)


# --- report and goals ---------------------------------------------------------------------

mal_app = typer.Typer(
    help="Projektplanens mål (målvärden).",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
app.add_typer(mal_app, name="mål")
app.add_typer(mal_app, name="mal", hidden=True)


class _PeriodCommand(TyperCommand):
    """Lets `--halvår`/`--tertial` stand without a value: the current one up to today."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from envagin_cli.domain.periods import AKTUELL

        fixed: list[str] = []
        for i, arg in enumerate(args):
            fixed.append(arg)
            if _normalize_token(arg) in ("--halvar", "--tertial"):
                following = args[i + 1] if i + 1 < len(args) else None
                if following is None or following.startswith("-"):
                    fixed.append(AKTUELL)
        return super().parse_args(ctx, fixed)


def _period(
    conn: sqlite3.Connection,
    *,
    halvar: str | None,
    tertial: str | None,
    ar: str | None,
    fran: str | None,
    till: str | None,
    sedan_start: bool,
) -> Any:
    from envagin_cli.domain import periods
    from envagin_cli.domain.dates import today

    idag = today()
    chosen = [x for x in (halvar, tertial, ar, fran, sedan_start or None) if x is not None]
    if len(chosen) > 1:
        _usage("ange en period: --halvår, --tertial, --år, --från/--till eller --sedan-start.")
    if till is not None and fran is None and not sedan_start:
        _usage("--till hör ihop med --från eller --sedan-start.")
    if halvar is not None:
        return periods.halvar(halvar, idag)
    if tertial is not None:
        return periods.tertial(tertial, idag)
    if ar is not None:
        return periods.ar(ar)
    if fran is not None:
        if till is None:
            _usage("--från kräver --till.")
        return periods.intervall(_day(fran, "från"), _day(till, "till"))
    if sedan_start:
        end = _day(till, "till") if till else idag
        first = conn.execute(
            "SELECT min(intag) FROM arende WHERE makulerad = 0 "
            "AND coalesce(slutorsak, '') <> 'felregistrering'"
        ).fetchone()[0]
        return periods.sedan_start(date.fromisoformat(first) if first else end, end)
    return periods.halvar(periods.AKTUELL, idag)


@app.command(cls=_PeriodCommand)
def report(
    halvar: Annotated[
        str | None,
        typer.Option(
            "--halvår",
            metavar="[ÅÅÅÅH1]",
            help="Halvår, t.ex. 2014H1 (även 2014:1, 2014-H1); utan värde: innevarande "
            "t.o.m. idag.",
            show_default=False,
        ),
    ] = None,
    tertial: Annotated[
        str | None,
        typer.Option(
            "--tertial",
            metavar="[ÅÅÅÅT2]",
            help="Tertial, t.ex. 2014T2; utan värde: innevarande t.o.m. idag.",
            show_default=False,
        ),
    ] = None,
    ar: Annotated[
        str | None, typer.Option("--år", metavar="ÅÅÅÅ", help="Kalenderår.", show_default=False)
    ] = None,
    fran: Annotated[
        str | None, typer.Option("--från", help="Periodens första dag.", show_default=False)
    ] = None,
    till: Annotated[
        str | None, typer.Option("--till", help="Periodens sista dag.", show_default=False)
    ] = None,
    sedan_start: Annotated[
        bool,
        typer.Option(
            "--sedan-start", help="Ackumulerat från första intaget t.o.m. --till (standard idag)."
        ),
    ] = False,
    caseload: Annotated[
        bool,
        typer.Option("--caseload", help="Arbetsbelastning per ansvarig handläggare i stället."),
    ] = False,
    maskera: Annotated[
        str | None,
        typer.Option(
            "--maskera",
            metavar="N",
            help="Dölj antal 1 till N-1 (och celler som röjer dem).",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
    csv_: Annotated[
        bool, typer.Option("--csv", help="CSV med ; och UTF-8 med BOM (Excel).")
    ] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown-tabeller.")] = False,
    xlsx: Annotated[
        str | None,
        typer.Option(
            "--xlsx", metavar="FIL", help="Excel-fil med ett blad per tabell.", show_default=False
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Halvårsrapporten till styrgruppen: deltagare, avslut, ledtider, nöjdhet, mål."""
    from pathlib import Path

    from envagin_cli.domain.dates import today
    from envagin_cli.domain.errors import Valideringsfel
    from envagin_cli.output import report as report_render
    from envagin_cli.report import figures as reportmod
    from envagin_cli.report.tables import maskera as mask_table
    from envagin_cli.store import queries

    if sum((json_, csv_, markdown, xlsx is not None)) > 1:
        _usage("välj ett format: --json, --csv, --markdown eller --xlsx.")
    with handled():
        grans: int | None = None
        if maskera is not None:
            text = maskera.strip()
            if not (text.isascii() and text.isdigit()) or not 2 <= int(text) <= 1000:
                raise Valideringsfel("maskera: ange ett heltal 2–1000 (antal under det döljs).")
            grans = int(text)
        conn = _open(db)
        idag = today()
        if caseload:
            rows = queries.caseload_summary(conn, idag)
            tables = [report_render.caseload_table(rows, idag.isoformat())]
            lines = ["En väg in – arbetsbelastning", f"Per {idag.isoformat()}."]
            rapport = None
        else:
            period = _period(
                conn,
                halvar=halvar,
                tertial=tertial,
                ar=ar,
                fran=fran,
                till=till,
                sedan_start=sedan_start,
            )
            rapport = reportmod.build(conn, period, idag)
            rapport.maskering = grans
            tables = rapport.tabeller
            lines = report_render.header_lines(rapport)
        if grans is not None:
            for table in tables:
                mask_table(table, grans)
            if rapport is None:
                lines.append(f"Maskering på: antal 1–{grans - 1} visas som <{grans}.")
        shown = report_render.all_tables(rapport) if rapport is not None else tables
        if xlsx is not None:
            report_render.write_xlsx(Path(xlsx), shown, lines)
            _say(f"Skrev {xlsx}.")
            return
    if json_:
        if rapport is None:
            report_render.print_json({"arbetsbelastning": report_render.table_json(tables[0])})
        else:
            report_render.print_json(report_render.to_json(rapport))
    elif csv_:
        report_render.write_csv(shown, lines)
    elif markdown:
        sys.stdout.write(report_render.markdown(shown, lines))
    else:
        report_render.rich(rapport, shown, lines)


@mal_app.command("list")
def mal_list(json_: JsonOpt = False, db: DbOpt = None) -> None:
    """Visa alla mål: milstolpar, indikatorer och målvärden på individnivå."""
    from envagin_cli.domain import mal as malfoljning
    from envagin_cli.domain.dates import today
    from envagin_cli.output import tables as render

    with handled():
        rows = malfoljning.list_goals(_open(db), today())
    if json_:
        render.print_json(rows)
    else:
        render.goals_overview(rows)


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
    from envagin_cli.domain import mal as malfoljning

    with handled():
        conn = _open(db)
        added = malfoljning.add(
            conn,
            kod=kod,
            text=text,
            niva=niva,
            typ=typ,
            deadline=_day(deadline, "deadline") if deadline else None,
            uppfoljs_av=uppfoljs_av,
            rytm=rytm,
            riktning=riktning,
            basar=basar,
            enhet=enhet,
            kalla=kalla,
            som=som,
            datum=_day(datum),
        )
    _say("Målet är tillagt." if added else "Målet fanns redan likadant; inget ändrat.")


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
    from envagin_cli.domain import mal as malfoljning

    with handled():
        malfoljning.set_status(
            _open(db), kod=kod, status=status, kommentar=kommentar, som=som, datum=_day(datum)
        )
    _say("Statusen är registrerad.")


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
    from envagin_cli.domain import mal as malfoljning

    with handled():
        added = malfoljning.add_value(
            _open(db), kod=kod, period=period, varde=varde, kalla=kalla, som=som, datum=_day(datum)
        )
    _say("Värdet är registrerat." if added else "Samma värde gällde redan; inget ändrat.")


# The ASCII spelling of the command name, hidden from --help.
mal_app.command("varde", hidden=True)(mal_varde)


@mal_app.command("show")
def mal_show(
    kod: Annotated[str, typer.Argument(help="Målets kod.", show_default=False)],
    json_: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Visa ett måls hela historik."""
    from envagin_cli.domain import mal as malfoljning
    from envagin_cli.output import tables as render

    with handled():
        view = malfoljning.history(_open(db), kod)
    if json_:
        render.print_json(view)
    else:
        render.goal_history(view)


@mal_app.command("mall")
def mal_mall(
    namn: Annotated[str, typer.Argument(metavar="MALL", help="en-vag-in-2014", show_default=False)],
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Läs in projektplanens alla mål från en mall (en andra gång lägger inget till)."""
    from envagin_cli.domain import mal as malfoljning

    with handled():
        added = malfoljning.load_template(_open(db), namn=namn, som=som, datum=_day(datum))
    _say(
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
    datum: DatumOpt = "idag",
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ändra ett målvärde (projektledare/teamledare)."""
    from envagin_cli.domain import mal

    with handled():
        value = mal.set_goal(_open(db), nyckel=nyckel, varde=varde, som=som, datum=_day(datum))
    _say(f"Målet {nyckel} är {'borttaget' if value is None else f'satt till {value:g}'}.")


# --- import and export --------------------------------------------------------------------


def _format_of(path: str, given: str | None) -> str:
    if given:
        value = given.strip().lower().replace("-", "")
        if value in ("csv",):
            return "csv"
        if value in ("jsonl", "jsonlines", "json"):
            return "jsonl"
        _usage("--format: csv eller jsonl.")
    if path == "-":
        _usage("läser du från stdin (-) anger du --format csv eller --format jsonl.")
    return "jsonl" if path.lower().endswith((".jsonl", ".ndjson")) else "csv"


@app.command("import")
def import_(
    fil: Annotated[
        str,
        typer.Argument(
            metavar="FIL", help="CSV- eller JSON Lines-fil, - för stdin.", show_default=False
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv eller jsonl (standard: efter filändelsen).", show_default=False
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="utf-8, utf-8-sig eller windows-1252 (standard: upptäcks).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Kontrollera allt men skriv inget.")
    ] = False,
    hoppa: Annotated[
        bool,
        typer.Option(
            "--hoppa-över-fel", help="Skriv de korrekta raderna; de felaktiga läggs i --avvisade."
        ),
    ] = False,
    avvisade: Annotated[
        str | None,
        typer.Option(
            "--avvisade",
            metavar="FIL",
            help="Fil för felaktiga rader (med kolumnerna rad och fel).",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Läs in händelser från en fil: allt eller inget, och inget dubbelt."""
    from pathlib import Path

    from envagin_cli.domain.errors import Databasfel
    from envagin_cli.interchange import importer
    from envagin_cli.interchange import read as reading

    kind = _format_of(fil, fmt)
    if hoppa and not avvisade:
        _usage("--hoppa-över-fel kräver --avvisade FIL.")
    if avvisade and not hoppa:
        _usage("--avvisade hör till --hoppa-över-fel.")
    with handled():
        try:
            data = sys.stdin.buffer.read() if fil == "-" else Path(fil).read_bytes()
        except OSError as exc:
            raise Databasfel(f"Kan inte läsa {fil}: {exc.strerror}.") from None
        _columns, rows = reading.read(data, fmt=kind, encoding=encoding)
        conn = _open(db)
        progress, done = _progress(len(rows))
        try:
            res = importer.run(
                conn, rows, som=som, dry_run=dry_run, skip_errors=hoppa, progress=progress
            )
        finally:
            done()
        if hoppa and avvisade and res.fel:
            reading.write_rejects(Path(avvisade), kind, rows, {f.rad: f.orsak for f in res.fel})
    summary = {
        "rader": res.rader,
        "nya_handelser": dict(res.nya),
        "fanns_redan": res.fanns,
        "arenden": len(res.arenden),
        "felaktiga_rader": len(res.fel),
        "skrivet": res.skrivet,
        "sekunder": round(res.sekunder, 3),
        "fel": [{"rad": f.rad, "fält": f.falt, "orsak": f.orsak} for f in res.fel],
    }
    for f in res.fel[:200]:
        _say(f"rad {f.rad}{', fält ' + f.falt if f.falt else ''}: {f.orsak}")
    if len(res.fel) > 200:
        _say(f"… och {len(res.fel) - 200} felaktiga rader till.")
    added = sum(res.nya.values())
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(res.nya.items())) or "inga"
    _say(
        f"{res.rader} rader, {len(res.arenden)} ärenden, {added} nya händelser ({kinds}), "
        f"{res.fanns} fanns redan, {len(res.fel)} felaktiga; {res.sekunder:.2f} s."
    )
    if json_:
        from envagin_cli.output import tables as render

        render.print_json(summary)
    if dry_run:
        _say("Provkörning: inget har skrivits.")
    elif res.fel and not hoppa:
        _say("Inget har skrivits, eftersom filen har felaktiga rader (allt eller inget).")
    elif res.fel:
        _say(f"{len(res.fel)} felaktiga rader skrevs till {avvisade}; de övriga är inlästa.")
    elif added == 0:
        _say("Allt i filen fanns redan; inget nytt har skrivits.")
    if res.fel and not hoppa:
        raise typer.Exit(1)


def _progress(total: int) -> tuple[Any, Any]:
    """A progress bar on stderr for large files, only when stderr is a terminal."""
    if total < 5000 or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("Kontrollerar rader", total=total)
    bar.start()
    return (lambda n: bar.advance(task, n)), bar.stop


@app.command("export")
def export_(
    fil: Annotated[
        str | None,
        typer.Argument(
            metavar="[FIL]",
            help="Filen att skriva (.csv eller .jsonl); utan fil: stdout.",
            show_default=False,
        ),
    ] = None,
    fran: Annotated[
        str | None, typer.Option("--från", help="Första datum.", show_default=False)
    ] = None,
    till: Annotated[
        str | None, typer.Option("--till", help="Sista datum.", show_default=False)
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv eller jsonl.", show_default=False)
    ] = None,
    med_personnummer: Annotated[
        bool,
        typer.Option(
            "--med-personnummer", help="Personnummer i klartext (projektledare/teamledare; loggas)."
        ),
    ] = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Skriv händelserna i utbytesformatet; utan personnummer (pseudonym) om inget annat anges."""
    from envagin_cli.domain.errors import Databasfel
    from envagin_cli.interchange import export as utbyte

    kind = _format_of(fil or "export.csv", fmt)
    with handled():
        first = _day(fran, "från") if fran else None
        last = _day(till, "till") if till else None
        conn = _open(db)
        data, count = utbyte.export(
            conn,
            som=som,
            fran=first,
            till=last,
            med_personnummer=med_personnummer,
            fmt=kind,
            target=fil or "stdout",
        )
        if fil:
            try:
                fd = os.open(fil, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            except OSError as exc:
                raise Databasfel(f"Kan inte skriva {fil}: {exc.strerror}.") from None
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    _say(
        f"Exporterade {count} händelser{' till ' + fil if fil else ''}"
        f"{' med personnummer i klartext' if med_personnummer else ''}."
    )


# --- safety: audit, gallring -----------------------------------------------------------------


@app.command()
def audit(
    fran: Annotated[
        str | None, typer.Option("--från", help="Från och med datum.", show_default=False)
    ] = None,
    till: Annotated[
        str | None, typer.Option("--till", help="Till och med datum.", show_default=False)
    ] = None,
    handlaggare: Annotated[
        str | None,
        typer.Option("--handläggare", help="Bara denna handläggare.", show_default=False),
    ] = None,
    arende: Annotated[
        str | None, typer.Option("--ärende", help="Bara detta ärende.", show_default=False)
    ] = None,
    json_: JsonOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Granskningsloggen: vem som läst eller exporterat personuppgifter (ledningen)."""
    from envagin_cli.domain import audit as granskning
    from envagin_cli.domain import staff
    from envagin_cli.output import tables as render

    with handled():
        conn = _open(db)
        staff.require_ledning(conn, som, "läsa granskningsloggen")
        rows = granskning.list_rows(
            conn,
            fran=_day(fran, "från").isoformat() if fran else None,
            till=_day(till, "till").isoformat() if till else None,
            handlaggare=handlaggare.lower() if handlaggare else None,
            arende=arende,
        )
    if json_:
        render.print_json(rows)
    else:
        render.audit_table(rows)


@app.command()
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
    from envagin_cli.domain import gallra as gallring
    from envagin_cli.domain import staff
    from envagin_cli.domain.dates import today

    with handled():
        conn = _open(db)
        staff.require_ledning(conn, som, "gallra")
        idag = today()
        cutoff = _day(fore, "före") if fore else gallring.default_cutoff(idag)
        todo = gallring.plan(conn, cutoff, idag)
        _say(
            f"Gallring av avslutade ärenden med sista händelse före {cutoff.isoformat()}: "
            f"{len(todo.arenden)} ärenden; personnummer tas bort i {todo.med_personnummer}, "
            f"fritext i {todo.med_fritext} händelser. Kön, födelseår, datum och koder "
            "behålls."
        )
        if not todo.arenden:
            _say("Inget att gallra.")
            return
        if not ja:
            if not sys.stdin.isatty():
                _say("Fel: bekräfta med --ja när kommandot körs utan terminal; inget har gallrats.")
                raise typer.Exit(1)
            if not typer.confirm("Gallra nu? Det går inte att ångra.", default=False):
                _say("Avbrutet; inget har gallrats.")
                raise typer.Exit(1)
        done = gallring.run(conn, fore=cutoff, som=som, idag=idag)
    _say(f"Gallrade {len(done.arenden)} ärenden.")


def main() -> Any:
    """Console entry point: no traceback reaches a user."""
    try:
        return app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _say("Avbrutet; inget halvfärdigt har skrivits.")
        raise SystemExit(130) from None
    except Exception as exc:  # the last line of defence
        if os.environ.get("ENVAGIN_DEBUG"):
            raise
        _say(
            f"Internt fel ({type(exc).__name__}); inget har skrivits. "
            "Kör med ENVAGIN_DEBUG=1 för detaljer och rapportera felet."
        )
        raise SystemExit(70) from None
