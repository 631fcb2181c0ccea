"""`envagin audit`: the audit log of who read or exported personal data."""

from __future__ import annotations

from typing import Annotated

import typer

from envagin_cli.cli.common import DbOpt, JsonOpt, SomOpt, handled, open_db, parse_day

commands = typer.Typer()


@commands.command()
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
    """Granskningsloggen: vem som läst eller exporterat personuppgifter (ledningen).

    Tiderna och --från/--till gäller svensk tid (Europe/Stockholm, eller den tidszon
    miljövariabeln ENVAGIN_TZ anger).
    """
    from envagin_cli.domain import audit as audit_domain
    from envagin_cli.domain import installning, staff
    from envagin_cli.output import jsonout, tables

    with handled():
        conn = open_db(db)
        staff.require_ledning(conn, som, "läsa granskningsloggen")
        rows = audit_domain.list_rows(
            conn,
            fran=parse_day(fran, "från") if fran else None,
            till=parse_day(till, "till") if till else None,
            handlaggare=handlaggare.lower() if handlaggare else None,
            arende=arende,
        )
        mode = installning.enforced_mode(conn)
    if json_:
        jsonout.write(rows)
    else:
        typer.echo(installning.login_line(mode))
        tables.audit_table(rows)
