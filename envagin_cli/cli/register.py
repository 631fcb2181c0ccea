"""Setting up the register: `init`, `demo` and `backup`."""

from __future__ import annotations

from typing import Annotated

import typer

from envagin_cli.cli.common import (
    DbOpt,
    SkrivOverOpt,
    SomOpt,
    handled,
    open_db,
    parse_day,
    say,
    state,
)

commands = typer.Typer()


@commands.command()
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
    from envagin_cli.store import db as store_db

    with handled():
        target = store_db.resolve_path(db or state.db)
        conn = open_db(db, create=True)
        if grupp:
            store_db.share_with_group(conn, target.path, grupp)
            say(f"Registret är delat med gruppen {grupp} (0660).")
        if not state.created:
            say(f"Databasen finns redan och är aktuell: {target.path}")


@commands.command()
def demo(
    db: DbOpt = None,
    datum: Annotated[
        str, typer.Option("--datum", help="Demons 'idag' (samma datum ger samma data).")
    ] = "idag",
    antal: Annotated[str, typer.Option("--antal", help="Ungefärligt antal intag per år.")] = "60",
) -> None:
    """Bygg ett realistiskt demoregister (2014 till datumet), deterministiskt per datum."""
    from envagin_cli.domain import demo as demo_domain

    with handled():
        day = parse_day(datum)
        per_ar = demo_domain.parse_antal(antal)  # before a new file is made
        conn = open_db(db, create=True)
        summary = demo_domain.build(conn, idag=day, per_ar=per_ar)
    say(
        f"Demoregistret är klart: {summary['arenden']} ärenden, {summary['handelser']} händelser, "
        f"{summary['oppna']} öppna (idag = {day})."
    )


@commands.command()
def backup(
    fil: Annotated[str, typer.Argument(help="Ny fil att skriva kopian till.", show_default=False)],
    skriv_over: SkrivOverOpt = False,
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ta en konsekvent säkerhetskopia med SQLites backup-API (loggas i granskningsloggen)."""
    from pathlib import Path

    from envagin_cli.domain import audit
    from envagin_cli.store import db as store_db
    from envagin_cli.store import files

    with handled():
        target = Path(fil)
        files.check_free(target, skriv_over)  # before anything is read or logged
        conn = open_db(db)
        audit.backup(conn, Path(store_db.conn_path(conn)), target, som=som, overwrite=skriv_over)
    say(f"Säkerhetskopia skriven: {fil}")
