"""`envagin närvaro`: attendance in an insats per day, a week at a time, and the month's list.

`envagin närvaro ÄRENDE …` registers (the group's default command, also by its name
`registrera`); `envagin närvaro lista …` lists. A case number always contains a letter
and a personnummer only digits, so neither can be taken for `lista` or `registrera`.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
import typer.core

from envagin_cli.cli.common import (
    CONTEXT,
    CaseArg,
    DbOpt,
    JsonOpt,
    SkrivOverOpt,
    SomOpt,
    done,
    handled,
    open_db,
    parse_day,
    say,
    usage,
)

_STANDARD = "registrera"


class NarvaroGrupp(typer.core.TyperGroup):
    """A group whose first argument, when it is not one of its commands, is the case of
    the default command (`närvaro EVI-2026-0001 …` = `närvaro registrera EVI-2026-0001 …`)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [_STANDARD, *args]
        return super().resolve_command(ctx, args)


narvaro_app = typer.Typer(
    cls=NarvaroGrupp,
    help="Närvaro i en insats per dag: registrera (envagin närvaro ÄRENDE …) och lista "
    "månaden (envagin närvaro lista …).",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


@narvaro_app.command(_STANDARD)
def registrera(
    arende: CaseArg,
    insats: Annotated[
        str, typer.Option("--insats", help="Insatsens kod (eller namn).", show_default=False)
    ],
    datum: Annotated[
        str | None,
        typer.Option(
            "--datum",
            help="Dagen: ÅÅÅÅ-MM-DD, ÅÅÅÅMMDD, '5 mars 2014', idag, igår (standard idag).",
            show_default=False,
        ),
    ] = None,
    vecka: Annotated[
        str | None,
        typer.Option(
            "--vecka",
            metavar="ÅÅÅÅ-Vnn",
            help="En hel vecka i ett anrop, t.ex. 2026-V47: --timmar har då ett värde per "
            "veckodag från måndag.",
            show_default=False,
        ),
    ] = None,
    timmar: Annotated[
        str | None,
        typer.Option(
            "--timmar",
            help="Närvarande timmar (4 eller 4,5). Med --vecka 5 eller 7 värden, "
            "kommaseparerade: timmar (decimalpunkt: 4.5), 0 eller - för ingen registrering, "
            "eller frånvaro giltig|ogiltig|sjuk med förväntade timmar efter kolon (sjuk:4).",
            show_default=False,
        ),
    ] = None,
    franvaro: Annotated[
        str | None,
        typer.Option(
            "--frånvaro",
            help="Frånvaro hela dagen: giltig, ogiltig eller sjuk.",
            show_default=False,
        ),
    ] = None,
    forvantat: Annotated[
        str | None,
        typer.Option(
            "--förväntat",
            help="Med --frånvaro: timmar personen skulle ha varit där (för frånvarorapporten).",
            show_default=False,
        ),
    ] = None,
    orsak: Annotated[
        str | None,
        typer.Option("--orsak", help="Med --frånvaro: orsaken, kort.", show_default=False),
    ] = None,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Registrera närvaro eller frånvaro i en insats en dag, eller en hel vecka.

    Vägras om ärendet inte är i insatsen den dagen. En felaktig registrering rättas med
    'envagin rätta HÄNDELSE-ID' eller makuleras med 'envagin makulera'.

    \b
    Exempel:
      envagin närvaro EVI-2026-0001 --insats arbetstraning --datum 2026-11-16 --timmar 4
      envagin närvaro EVI-2026-0001 --insats arbetstraning --datum 2026-11-17 \\
          --frånvaro sjuk --förväntat 4 --orsak "Sjukanmäld per telefon"
      envagin närvaro EVI-2026-0001 --insats arbetstraning --vecka 2026-V47 \\
          --timmar 4,4,0,ogiltig:4,4.5
    """
    from envagin_cli.domain import cases as cases_domain
    from envagin_cli.domain import narvaro

    if vecka is not None:
        if datum is not None or franvaro is not None or forvantat is not None:
            usage("--vecka tar värdena per dag i --timmar; utan --datum, --frånvaro, --förväntat.")
        if timmar is None:
            usage("--vecka kräver --timmar med ett värde per veckodag, t.ex. 4,4,0,sjuk:4,4.")
        with handled():
            conn = open_db(db)
            recorded = narvaro.week(
                conn, arende, vecka=vecka, insats=insats, timmar=timmar, orsak=orsak, som=som
            )
        new = [r for _, r in recorded if r.ny]
        if recorded:
            nr = recorded[0][1].arende
            say(
                f"Registrerat: närvaro i {nr} för {len(new)} dagar"
                + (f" ({len(recorded) - len(new)} fanns redan)" if len(new) < len(recorded) else "")
                + (f" (händelse {new[0].handelse_id}–{new[-1].handelse_id})." if new else ".")
            )
        else:
            say("Inget att registrera: veckan har bara 0 eller -.")
        return
    with handled():
        conn = open_db(db)
        result = cases_domain.narvaro(
            conn,
            arende,
            datum=parse_day(datum or "idag"),
            som=som,
            insats=insats,
            timmar=timmar,
            franvaro=franvaro,
            forvantat=forvantat,
            orsak=orsak,
        )
    done("närvaro", result)


@narvaro_app.command("lista")
def lista(
    manad: Annotated[
        str, typer.Option("--månad", metavar="ÅÅÅÅ-MM", help="Månaden, t.ex. 2026-11.")
    ],
    insats: Annotated[
        str | None, typer.Option("--insats", help="Bara en insats (kod).", show_default=False)
    ] = None,
    arende: Annotated[
        str | None,
        typer.Option("--ärende", help="Bara ett ärende (nummer).", show_default=False),
    ] = None,
    franvaro: Annotated[
        bool,
        typer.Option(
            "--frånvaro",
            help="Bara frånvaron, som Arbetsförmedlingen vill ha den av leverantörer: "
            "aktivitet, förväntad och frånvarande tid, orsak.",
        ),
    ] = False,
    csv_: Annotated[bool, typer.Option("--csv", help="CSV (semikolon, UTF-8 med BOM).")] = False,
    xlsx: Annotated[
        str | None,
        typer.Option("--xlsx", metavar="FIL", help="Excel-fil.", show_default=False),
    ] = None,
    json_: JsonOpt = False,
    skriv_over: SkrivOverOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Månadens närvaro per person och dag, med summor: underlaget för försäkran.

    Personnummer visas maskerade; att läsa listan loggas i granskningsloggen.

    \b
    Exempel:
      envagin närvaro lista --månad 2026-11 --insats arbetstraning
      envagin närvaro lista --månad 2026-11 --frånvaro --csv > franvaro.csv
      envagin närvaro lista --månad 2026-11 --xlsx narvaro-2026-11.xlsx
    """
    from envagin_cli.domain import narvaro
    from envagin_cli.output import csvfile, jsonout
    from envagin_cli.output import narvaro as out

    if sum([csv_, json_, xlsx is not None]) > 1:
        usage("välj ett format: --csv, --json eller --xlsx FIL.")
    with handled():
        if xlsx is not None:
            from pathlib import Path

            from envagin_cli.store import files

            files.check_free(Path(xlsx), skriv_over)
        conn = open_db(db)
        data = narvaro.month_list(conn, manad=manad, insats=insats, arende=arende, som=som)
        items = narvaro.absences(data)
        if xlsx is not None:
            from pathlib import Path

            from envagin_cli.store import files

            if franvaro:
                sheets = [("Frånvaro", [out.FRANVARO, *out.absence_rows(items)])]
            else:
                sheets = [
                    ("Närvaro", [out.LISTA, *out.day_rows(data)]),
                    ("Summa", [out.SUMMA, *out.total_rows(data)]),
                ]
            files.write_private(Path(xlsx), out.xlsx(sheets), overwrite=skriv_over)
    if xlsx is not None:
        say(f"Skrev {xlsx}.")
    elif json_:
        jsonout.write({**data, "franvaro": items} if franvaro else data)
    elif csv_:
        rows = [out.FRANVARO, *out.absence_rows(items)] if franvaro else out.csv_month(data)
        sys.stdout.flush()
        sys.stdout.buffer.write(csvfile.encode(rows))
        sys.stdout.flush()
    elif franvaro:
        out.show_absences(data, items)
    else:
        out.show_month(data)
