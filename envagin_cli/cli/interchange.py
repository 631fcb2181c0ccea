"""`envagin import` and `envagin export`: the interchange files."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from envagin_cli.cli.common import (
    DbOpt,
    JsonOpt,
    PeriodCommand,
    SkrivOverOpt,
    SomOpt,
    handled,
    open_db,
    parse_day,
    period_of,
    say,
    usage,
)

commands = typer.Typer()


def _format_of(path: str, given: str | None) -> str:
    if given:
        value = given.strip().lower().replace("-", "")
        if value in ("csv",):
            return "csv"
        if value in ("jsonl", "jsonlines", "json"):
            return "jsonl"
        usage("--format: csv eller jsonl.")
    if path == "-":
        usage("läser du från stdin (-) anger du --format csv eller --format jsonl.")
    return "jsonl" if path.lower().endswith((".jsonl", ".ndjson")) else "csv"


@commands.command("import")
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
            help="utf-8, utf-8-sig, utf-16 eller windows-1252 (standard: upptäcks).",
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
    skriv_over: SkrivOverOpt = False,
    json_: JsonOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Läs in händelser från en fil: allt eller inget, och inget dubbelt."""
    from pathlib import Path

    from envagin_cli.interchange import importer, read
    from envagin_cli.output.words import antal, decimal

    kind = _format_of(fil, fmt)
    if hoppa and not avvisade:
        usage("--hoppa-över-fel kräver --avvisade FIL.")
    if avvisade and not hoppa:
        usage("--avvisade hör till --hoppa-över-fel.")
    if skriv_over and not avvisade:
        usage("--skriv-över hör till --avvisade FIL.")
    with handled():
        data = read.read_source(fil)
        _columns, rows = read.read(data, fmt=kind, encoding=encoding)
        if avvisade:
            from envagin_cli.store import files

            files.check_free(Path(avvisade), skriv_over)  # before anything is written
        conn = open_db(db)
        progress, done = _progress(len(rows))
        try:
            res = importer.run(
                conn, rows, som=som, dry_run=dry_run, skip_errors=hoppa, progress=progress
            )
        finally:
            done()
        if hoppa and avvisade and res.fel:
            reasons: dict[int, list[str]] = {}
            for f in res.fel:
                reasons.setdefault(f.rad, []).append(f.orsak)
            read.write_rejects(
                Path(avvisade),
                kind,
                rows,
                {rad: " ".join(r) for rad, r in reasons.items()},
                overwrite=skriv_over,
            )
    bad_rows = len({f.rad for f in res.fel})
    # What was written: nothing unless the import committed.
    written = dict(res.nya) if res.skrivet else {}
    summary = {
        "rader": res.rader,
        "nya_handelser": written,
        "fanns_redan": res.fanns,
        "arenden": len(res.arenden) if res.skrivet else 0,
        "felaktiga_rader": bad_rows,
        "provkorning_nya_handelser": dict(res.nya) if dry_run else {},
        "skrivet": res.skrivet,
        "sekunder": round(res.sekunder, 3),
        "fel": [{"rad": f.rad, "fält": f.falt, "orsak": f.orsak} for f in res.fel],
    }
    for f in res.fel[:200]:
        say(f"rad {f.rad}{', fält ' + f.falt if f.falt else ''}: {f.orsak}")
    if len(res.fel) > 200:
        say(f"… och {len(res.fel) - 200} fel till.")
    counted = dict(res.nya) if dry_run else written
    added = sum(counted.values())
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(counted.items())) or "inga"
    cases = len(res.arenden) if dry_run or res.skrivet else 0
    new = antal(added, "ny händelse", "nya händelser")
    new += " skulle skrivas" if dry_run else (" skriven" if added == 1 else " skrivna")
    say(
        f"{antal(res.rader, 'rad', 'rader')}, {antal(cases, 'ärende', 'ärenden')}, "
        f"{new} ({kinds}), {res.fanns} fanns redan, "
        f"{antal(bad_rows, 'felaktig', 'felaktiga')}; {decimal(res.sekunder, 2)} s."
    )
    if json_:
        from envagin_cli.output import jsonout

        jsonout.write(summary)
    if dry_run:
        say("Provkörning: inget har skrivits.")
    elif res.fel and not hoppa:
        say("Inget har skrivits, eftersom filen har felaktiga rader (allt eller inget).")
    elif res.fel:
        say(f"{len(res.fel)} felaktiga rader skrevs till {avvisade}; de övriga är inlästa.")
    elif added == 0:
        say("Allt i filen fanns redan; inget nytt har skrivits.")
    if res.fel and not hoppa:
        raise typer.Exit(1)


def _progress(total: int) -> tuple[Any, Any]:
    """A progress bar on stderr for large files, only when stderr is a terminal."""
    if total < 5000 or not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress

    from envagin_cli.output.console import console

    bar = Progress(console=console(stderr=True), transient=True)
    task = bar.add_task("Kontrollerar rader", total=total)
    bar.start()
    return (lambda n: bar.advance(task, n)), bar.stop


@commands.command("export", cls=PeriodCommand)
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
        str | None,
        typer.Option("--från", help="Första datum (med --finsam: periodens).", show_default=False),
    ] = None,
    till: Annotated[
        str | None,
        typer.Option("--till", help="Sista datum (med --finsam: periodens).", show_default=False),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv eller jsonl.", show_default=False)
    ] = None,
    finsam: Annotated[
        bool,
        typer.Option(
            "--finsam",
            help="Uppföljning Finsam: antal deltagare per insats under perioden, "
            "Kvinnor/Män/Totalt (CSV med ; och BOM, eller --json).",
        ),
    ] = False,
    halvar: Annotated[
        str | None,
        typer.Option(
            "--halvår",
            metavar="[ÅÅÅÅH1]",
            help="Med --finsam: halvår, t.ex. 2014H1; utan värde: innevarande t.o.m. idag.",
            show_default=False,
        ),
    ] = None,
    tertial: Annotated[
        str | None,
        typer.Option(
            "--tertial",
            metavar="[ÅÅÅÅT2]",
            help="Med --finsam: tertial, t.ex. 2014T2.",
            show_default=False,
        ),
    ] = None,
    ar: Annotated[
        str | None,
        typer.Option("--år", metavar="ÅÅÅÅ", help="Med --finsam: kalenderår.", show_default=False),
    ] = None,
    skriv_over: SkrivOverOpt = False,
    json_: JsonOpt = False,
    med_personnummer: Annotated[
        bool,
        typer.Option(
            "--med-personnummer", help="Personnummer i klartext (projektledare/teamledare; loggas)."
        ),
    ] = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Skriv händelserna i utbytesformatet; utan personnummer (pseudonym) om inget annat anges.

    Med --finsam i stället antal deltagare per insats under en period (--år, --halvår,
    --tertial eller --från/--till), t.ex. envagin export --finsam --år 2014 finsam.csv.
    """
    if finsam:
        if med_personnummer or fmt:
            usage("--finsam skriver antal, inte händelser: utan --med-personnummer och --format.")
        _export_finsam(
            fil,
            halvar=halvar,
            tertial=tertial,
            ar=ar,
            fran=fran,
            till=till,
            json_=json_,
            db=db,
            overwrite=skriv_over,
        )
        return
    if halvar is not None or tertial is not None or ar is not None or json_:
        usage("--halvår, --tertial, --år och --json hör till --finsam.")
    from envagin_cli.interchange import export

    kind = _format_of(fil or "export.csv", fmt)
    with handled():
        first = parse_day(fran, "från") if fran else None
        last = parse_day(till, "till") if till else None
        if fil:
            from pathlib import Path

            from envagin_cli.store import files

            files.check_free(Path(fil), skriv_over)  # before the export is logged
        conn = open_db(db)
        data, count = export.export(
            conn,
            som=som,
            fran=first,
            till=last,
            med_personnummer=med_personnummer,
            fmt=kind,
            target=fil or "stdout",
        )
        _write(fil, data, skriv_over)
    say(
        f"Exporterade {count} händelser{' till ' + fil if fil else ''}"
        f"{' med personnummer i klartext' if med_personnummer else ''}."
    )


def _write(fil: str | None, data: bytes, overwrite: bool) -> None:
    """The bytes to FIL (readable only by its owner, 0600; an existing file only with
    `overwrite`, a database never), or to stdout."""
    from pathlib import Path

    from envagin_cli.store import files

    if fil:
        files.write_private(Path(fil), data, overwrite)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _export_finsam(
    fil: str | None,
    *,
    halvar: str | None,
    tertial: str | None,
    ar: str | None,
    fran: str | None,
    till: str | None,
    json_: bool,
    db: str | None,
    overwrite: bool,
) -> None:
    """`export --finsam`: participants per insats in the period, Kvinnor/Män/Totalt."""
    from envagin_cli.output import csvfile, jsonout
    from envagin_cli.output import report as report_render
    from envagin_cli.report import figures
    from envagin_cli.store import db as store_db

    if halvar is None and tertial is None and ar is None and fran is None:
        usage("--finsam kräver en period: --år, --halvår, --tertial eller --från/--till.")
    as_json = json_ or (fil or "").lower().endswith(".json")
    with handled():
        if fil:
            from pathlib import Path

            from envagin_cli.store import files

            files.check_free(Path(fil), overwrite)  # before anything is read
        conn = open_db(db)
        store_db.snapshot(conn)  # one read transaction for the whole export
        period = period_of(
            conn, halvar=halvar, tertial=tertial, ar=ar, fran=fran, till=till, sedan_start=False
        )
        forbund = figures.finsam_forbund(conn, period)
        table = figures.finsam(conn, period)
        if as_json:
            content: dict[str, Any] = {"period": report_render.period_json(period)}
            if forbund is not None:
                content["finsam_insatser"] = report_render.table_json(forbund)
            content["finsam"] = report_render.table_json(table)
            data = (jsonout.dumps(content) + "\n").encode("utf-8")
        else:
            block: list[list[Any]] = []
            if forbund is not None:
                # The förbund's insatser first (what the form asks), then the catalogue's.
                block = [
                    ["Finsam-insats", *(k.rubrik for k in forbund.kolumner)],
                    *([r.etikett, *(r.varden[k.nyckel] for k in forbund.kolumner)]
                      for r in forbund.rader),
                    [],
                ]  # fmt: skip
            data = csvfile.encode(
                [
                    *block,
                    ["Kod", "Insats", *(k.rubrik for k in table.kolumner)],
                    *(
                        [r.nyckel, r.etikett, *(r.varden[k.nyckel] for k in table.kolumner)]
                        for r in table.rader
                    ),
                ]
            )
        _write(fil, data, overwrite)
    named = (
        f"{len(forbund.rader)} Finsam-insatser och "
        if forbund is not None
        else "inga Finsam-insatser angivna (envagin enhet finsam add NAMN), "
    )
    say(
        f"Uppföljning Finsam {period.etikett} ({period.start.isoformat()}–"
        f"{period.slut.isoformat()}): {named}{len(table.rader) - 1} insatser i katalogen"
        f"{' till ' + fil if fil else ''}."
    )
