"""`envagin report`: the half-year report and its period options."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from envagin_cli.cli.common import (
    DbOpt,
    JsonOpt,
    PeriodCommand,
    handled,
    open_db,
    period_of,
    register_name,
    say,
    state,
    usage,
)

if TYPE_CHECKING:
    from envagin_cli.report import figures
    from envagin_cli.rules.periods import Period

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
    enhet: Annotated[
        list[str] | None,
        typer.Option(
            "--enhet",
            metavar="FIL",
            help="En enhets registerfil; upprepa för flera. Rapporten räknar över just de "
            "angivna enheterna, i den ordningen (inte --db), och lägger till Resultat per "
            "enhet. Filerna läses utan att något skrivs i dem.",
            show_default=False,
        ),
    ] = None,
    perioder: Annotated[
        str | None,
        typer.Option(
            "--perioder",
            metavar="P,P,…",
            help="Lägg till Utveckling per period: en rad per period, t.ex. 2013,2014H1,2014T2.",
            show_default=False,
        ),
    ] = None,
    kon: Annotated[
        bool,
        typer.Option("--kön", help="Med --perioder: kolumner även för Kvinnor och Män."),
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

    from envagin_cli.domain import caseload as caseload_domain
    from envagin_cli.output import jsonout
    from envagin_cli.output import report as report_render
    from envagin_cli.report import figures
    from envagin_cli.report.mask import maskera_tabeller
    from envagin_cli.report.tables import Tabell
    from envagin_cli.rules.dates import today
    from envagin_cli.rules.errors import Valideringsfel
    from envagin_cli.store import db as store_db

    files = xlsx is not None or html is not None or diagram_dir is not None
    if sum((json_, csv_, markdown, files)) > 1:
        usage("välj ett format: --json, --csv, --markdown eller filer (--xlsx, --html, --diagram).")
    if caseload and (html is not None or diagram_dir is not None):
        usage("--html och --diagram gäller rapporten, inte --caseload.")
    if caseload and (enhet or perioder):
        usage(
            "--caseload gäller det egna registret och går inte att kombinera med --enhet "
            "eller --perioder."
        )
    if kon and not perioder:
        usage("--kön hör ihop med --perioder.")
    with handled():
        grans: int | None = None
        if maskera is not None:
            text = maskera.strip()
            if not (
                text.isascii() and text.isdigit() and len(text) <= 6 and 2 <= int(text) <= 1000
            ):
                raise Valideringsfel("maskera: ange ett heltal 2–1000 (antal under det döljs).")
            grans = int(text)
        idag = today()
        periods_asked = report_periods(perioder, idag) if perioder else []
        source: figures.Kallor
        if enhet:
            source = open_units(enhet)
            conn = source[0].conn
        else:
            conn = open_db(db)
            source = conn
        # One read transaction per file for the whole report (its tables, files and
        # charts): a report made while a write goes on never contradicts itself.
        for each in [u.conn for u in source] if isinstance(source, list) else [conn]:
            store_db.snapshot(each)
        if caseload:
            rows = caseload_domain.caseload_summary(conn, idag)
            tables = [report_render.caseload_table(rows, idag.isoformat())]
            lines = ["En väg in – arbetsbelastning", f"Per {idag.isoformat()}."]
            rapport = None
        else:
            period = period_of(
                source,
                halvar=halvar,
                tertial=tertial,
                ar=ar,
                fran=fran,
                till=till,
                sedan_start=sedan_start,
            )
            rapport = figures.build(source, period, idag, periods_asked, kon)
            rapport.maskering = grans
            tables = rapport.tabeller
        extra: list[Tabell] = []
        if rapport is not None and (files or grans is not None):
            from envagin_cli.report import diagram

            # The charts' own tables: masked with the report, so that every format
            # (JSON too) hides the same cells.
            extra = diagram.chart_tables(source, rapport.period)
        if grans is not None:
            # One masking over the whole report: its tables, goals and charts.
            maskera_tabeller([*tables, *extra], grans, rapport, periods_asked)
            if rapport is None:
                lines.append(f"Maskering på: antal 1–{grans - 1} visas som <{grans}.")
        if rapport is not None:
            # After the masking: the key figures in the header are masked as in the tables.
            lines = report_render.header_lines(rapport)
        shown = report_render.all_tables(rapport) if rapport is not None else tables
        if files:
            from envagin_cli.output import document
            from envagin_cli.output import html as html_render

            for message in document.write_files(
                rapport,
                shown,
                extra,
                lines,
                xlsx=xlsx,
                html=html,
                katalog=diagram_dir,
                enhet=html_render.unit_of(source),
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
    elif rapport is None and grans is None:
        # At the terminal the caseload is the very table `cases --per-handläggare` shows.
        from envagin_cli.output import tables as terminal_tables

        terminal_tables.summary_table(rows, f"Arbetsbelastning {idag} · {register_name(db)}")
    else:
        if not enhet:  # at the terminal the header names the register in use
            lines = [f"{lines[0]} · {register_name(db)}", *lines[1:]]
        report_render.rich(rapport, shown, lines)


def open_units(files: list[str]) -> list[figures.Enhet]:
    """The units of a joint report, read-only, each named by its `enhet set`."""
    from pathlib import Path

    from envagin_cli.domain import enhet
    from envagin_cli.report import figures
    from envagin_cli.rules.codes import fold
    from envagin_cli.rules.errors import Databasfel
    from envagin_cli.store import db as store_db

    units: list[figures.Enhet] = []
    seen: dict[Path, str] = {}
    names: dict[str, str] = {}
    for text in files:
        path = Path(text).expanduser()
        key = path.resolve()
        if key in seen:
            raise Databasfel(f"enhet: {text} anges två gånger.")
        seen[key] = text
        conn = store_db.open_unit(path)
        state.connections.append(conn)
        unit = enhet.current(conn)
        if unit is None:
            raise Databasfel(
                f"enhet: {text} har inget enhetsnamn; be enheten köra "
                "'envagin enhet set --namn NAMN' och skicka filen igen."
            )
        folded = fold(unit["namn"])
        if folded == "totalt" or folded in names:
            other = names.get(folded, "kolumnen Totalt")
            raise Databasfel(
                f"enhet: {text} heter {unit['namn']}, samma som {other}; varje enhet behöver "
                "ett eget namn (envagin enhet set --namn)."
            )
        names[folded] = text
        units.append(figures.Enhet(conn, fil=text, **unit))
    return units


def report_periods(text: str, idag: date) -> list[tuple[str, Period]]:
    """`--perioder 2013,2014H1,2014T2`: each label as given, with its period."""
    from envagin_cli.rules import periods
    from envagin_cli.rules.errors import Valideringsfel

    found: list[tuple[str, Period]] = []
    for part in text.split(","):
        label = part.strip()
        if not label:
            continue
        upper = label.upper()
        if "T" in upper:
            period = periods.tertial(label, idag)
        elif "H" in upper or ":" in upper:
            period = periods.halvar(label, idag)
        elif label.isascii() and label.isdigit():
            period = periods.ar(label)
        else:
            raise Valideringsfel(
                f"perioder: '{label[:20]}' är ingen period; skriv år (2013), halvår (2014H1) "
                "eller tertial (2014T2), åtskilda med komma."
            )
        period = periods.up_to_today(period, idag)
        if any(p.etikett == period.etikett for _, p in found):
            raise Valideringsfel(f"perioder: {label} anges två gånger.")
        found.append((label, period))
    if not found:
        raise Valideringsfel("perioder: ange minst en period, t.ex. 2013,2014H1.")
    return found
