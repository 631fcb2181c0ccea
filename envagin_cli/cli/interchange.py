"""`envagin import` and `envagin export`: the interchange files."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from envagin_cli.cli.common import DbOpt, JsonOpt, SomOpt, handled, open_db, parse_day, say, usage

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
    from envagin_cli.interchange import importer, read

    kind = _format_of(fil, fmt)
    if hoppa and not avvisade:
        usage("--hoppa-över-fel kräver --avvisade FIL.")
    if avvisade and not hoppa:
        usage("--avvisade hör till --hoppa-över-fel.")
    with handled():
        try:
            data = sys.stdin.buffer.read() if fil == "-" else Path(fil).read_bytes()
        except OSError as exc:
            raise Databasfel(f"Kan inte läsa {fil}: {exc.strerror}.") from None
        _columns, rows = read.read(data, fmt=kind, encoding=encoding)
        conn = open_db(db)
        progress, done = _progress(len(rows))
        try:
            res = importer.run(
                conn, rows, som=som, dry_run=dry_run, skip_errors=hoppa, progress=progress
            )
        finally:
            done()
        if hoppa and avvisade and res.fel:
            read.write_rejects(Path(avvisade), kind, rows, {f.rad: f.orsak for f in res.fel})
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
        say(f"rad {f.rad}{', fält ' + f.falt if f.falt else ''}: {f.orsak}")
    if len(res.fel) > 200:
        say(f"… och {len(res.fel) - 200} felaktiga rader till.")
    added = sum(res.nya.values())
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(res.nya.items())) or "inga"
    say(
        f"{res.rader} rader, {len(res.arenden)} ärenden, {added} nya händelser ({kinds}), "
        f"{res.fanns} fanns redan, {len(res.fel)} felaktiga; {res.sekunder:.2f} s."
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


@commands.command("export")
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
    from envagin_cli.interchange import export

    kind = _format_of(fil or "export.csv", fmt)
    with handled():
        first = parse_day(fran, "från") if fran else None
        last = parse_day(till, "till") if till else None
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
    say(
        f"Exporterade {count} händelser{' till ' + fil if fil else ''}"
        f"{' med personnummer i klartext' if med_personnummer else ''}."
    )
