"""`envagin inställning`: the register's settings, a dated and audited history."""

from __future__ import annotations

from typing import Annotated

import typer

from envagin_cli.cli.common import DbOpt, JsonOpt, SomOpt, group, handled, open_db, say

installning_app = group("Registrets inställningar (daterad historik; loggas).")


@installning_app.command("set")
def installning_set(
    nyckel: Annotated[
        str, typer.Argument(metavar="NYCKEL", help="Inställningen: inloggning.", show_default=False)
    ],
    varde: Annotated[
        str,
        typer.Argument(
            metavar="VÄRDE",
            help="För inloggning: strikt (var och en som sig själv) eller fri (delad terminal).",
            show_default=False,
        ),
    ],
    som: SomOpt = None,
    db: DbOpt = None,
) -> None:
    """Ändra en inställning (projektledare; loggas), t.ex. inloggning fri."""
    from envagin_cli.domain import installning

    with handled():
        changed = installning.set_value(open_db(db), key=nyckel, value=varde, som=som)
        key, value = installning.parse(nyckel, varde)
    say(
        f"Inställningen {key} är nu {value}."
        if changed
        else f"Inställningen {key} var redan {value}; inget ändrat."
    )


@installning_app.command("list")
def installning_list(json_: JsonOpt = False, db: DbOpt = None) -> None:
    """Visa inställningarna som gäller och deras historik."""
    from envagin_cli.domain import installning
    from envagin_cli.output import jsonout
    from envagin_cli.rules import codes

    with handled():
        conn = open_db(db)
        current = installning.current(conn)
        mode = installning.enforced_mode(conn)
        changes = installning.history(conn)
    # What is enforced, which is not the setting while no OS login is linked.
    enforced = {**current, "inloggning": mode}
    if json_:
        jsonout.write({"gäller": enforced, "inställt": current, "historik": changes})
        return
    for key, value in current.items():
        if enforced[key] != value:
            typer.echo(
                f"{key}: {enforced[key]} ({installning.meaning(enforced[key])}); inställt: "
                f"{value}, som gäller först när en OS-inloggning kopplas (envagin staff login)"
            )
        else:
            typer.echo(f"{key}: {value} ({codes.INSTALLNINGAR[key][value]})")
    for change in changes:
        typer.echo(
            f"  {change['tid']}  {change['nyckel']} {change['varde']}  av {change['handlaggare']} "
            f"(OS-användare {change['os_anvandare']})"
        )
