"""`envagin report`: the half-year report and its period options."""

from __future__ import annotations

import sqlite3
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from envagin_cli.cli.common import (
    DbOpt,
    JsonOpt,
    handled,
    normalize_token,
    open_db,
    parse_day,
    say,
    usage,
)

commands = typer.Typer()


class _PeriodCommand(TyperCommand):
    """Lets `--halvår`/`--tertial` stand without a value: the current one up to today."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from envagin_cli.domain.periods import AKTUELL

        fixed: list[str] = []
        for i, arg in enumerate(args):
            fixed.append(arg)
            if normalize_token(arg) in ("--halvar", "--tertial"):
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
        usage("ange en period: --halvår, --tertial, --år, --från/--till eller --sedan-start.")
    if till is not None and fran is None and not sedan_start:
        usage("--till hör ihop med --från eller --sedan-start.")
    if halvar is not None:
        return periods.halvar(halvar, idag)
    if tertial is not None:
        return periods.tertial(tertial, idag)
    if ar is not None:
        return periods.ar(ar)
    if fran is not None:
        if till is None:
            usage("--från kräver --till.")
        return periods.intervall(parse_day(fran, "från"), parse_day(till, "till"))
    if sedan_start:
        end = parse_day(till, "till") if till else idag
        from envagin_cli.report import figures

        return periods.sedan_start(figures.first_intake(conn) or end, end)
    return periods.halvar(periods.AKTUELL, idag)


@commands.command(cls=_PeriodCommand)
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
    from envagin_cli.output import jsonout
    from envagin_cli.output import report as report_render
    from envagin_cli.report import figures
    from envagin_cli.report.tables import maskera as mask_table
    from envagin_cli.store import queries

    if sum((json_, csv_, markdown, xlsx is not None)) > 1:
        usage("välj ett format: --json, --csv, --markdown eller --xlsx.")
    with handled():
        grans: int | None = None
        if maskera is not None:
            text = maskera.strip()
            if not (text.isascii() and text.isdigit()) or not 2 <= int(text) <= 1000:
                raise Valideringsfel("maskera: ange ett heltal 2–1000 (antal under det döljs).")
            grans = int(text)
        conn = open_db(db)
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
            rapport = figures.build(conn, period, idag)
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
            say(f"Skrev {xlsx}.")
            return
    if json_:
        if rapport is None:
            jsonout.write({"arbetsbelastning": report_render.table_json(tables[0])})
        else:
            jsonout.write(report_render.to_json(rapport))
    elif csv_:
        report_render.write_csv(shown, lines)
    elif markdown:
        sys.stdout.write(report_render.markdown(shown, lines))
    else:
        report_render.rich(rapport, shown, lines)
