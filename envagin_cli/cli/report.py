"""`envagin report`: the half-year report and its period options."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from envagin_cli.cli.common import (
    DbOpt,
    JsonOpt,
    PeriodCommand,
    handled,
    open_db,
    period_of,
    say,
    usage,
)

commands = typer.Typer()


@commands.command(cls=PeriodCommand)
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
    html: Annotated[
        str | None,
        typer.Option(
            "--html",
            metavar="FIL",
            help="Ett fristående HTML-dokument med alla tabeller och diagram (skrivs ut på A4).",
            show_default=False,
        ),
    ] = None,
    diagram_dir: Annotated[
        str | None,
        typer.Option(
            "--diagram",
            metavar="KATALOG",
            help="Diagrammen som PNG- och SVG-filer med fasta namn i KATALOG.",
            show_default=False,
        ),
    ] = None,
    skriv_over: Annotated[
        bool,
        typer.Option("--skriv-över", help="Ersätt filer som redan finns (annars vägras det)."),
    ] = False,
    db: DbOpt = None,
) -> None:
    """Halvårsrapporten till styrgruppen: deltagare, avslut, ledtider, nöjdhet, mål."""

    from envagin_cli.domain.dates import today
    from envagin_cli.domain.errors import Valideringsfel
    from envagin_cli.output import jsonout
    from envagin_cli.output import report as report_render
    from envagin_cli.report import figures
    from envagin_cli.report.tables import maskera as mask_table
    from envagin_cli.store import queries

    files = xlsx is not None or html is not None or diagram_dir is not None
    if sum((json_, csv_, markdown, files)) > 1:
        usage("välj ett format: --json, --csv, --markdown eller filer (--xlsx, --html, --diagram).")
    if caseload and (html is not None or diagram_dir is not None):
        usage("--html och --diagram gäller rapporten, inte --caseload.")
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
            period = period_of(
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
        if files:
            from envagin_cli.output import document
            from envagin_cli.output import html as html_render
            from envagin_cli.report import diagram

            extra = diagram.chart_tables(conn, rapport.period) if rapport is not None else []
            if grans is not None:
                for table in extra:
                    mask_table(table, grans)
            for message in document.write_files(
                rapport,
                shown,
                extra,
                lines,
                xlsx=xlsx,
                html=html,
                katalog=diagram_dir,
                enhet=html_render.unit_of(conn),
                overwrite=skriv_over,
            ):
                say(message)
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
