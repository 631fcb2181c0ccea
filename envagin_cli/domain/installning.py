"""The register's settings (`envagin inställning`): a dated, audited history.

Each change is a new row in `installning_historik` (which only grows) and a row in the
audit log; the value in effect is the newest. Only a projektledare changes a setting.
The one setting, `inloggning`: `strikt` (a new register's: each handläggare acts only as
the one their OS login is linked to, once any login is linked) or `fri` (a shared
terminal: `--som`/`ENVAGIN_USER` names any active handläggare).
"""

from __future__ import annotations

import sqlite3
from datetime import date

from envagin_cli.domain.register import Register, working
from envagin_cli.rules import codes
from envagin_cli.rules.dates import local_time
from envagin_cli.rules.errors import Behorighetsfel, Valideringsfel


def parse(key: str, value: str) -> tuple[str, str]:
    nyckel = codes.fold(key)
    if nyckel not in codes.INSTALLNINGAR:
        raise Valideringsfel(
            f"nyckel: '{key[:30]}' är ingen inställning; tillåtna: "
            f"{', '.join(codes.INSTALLNINGAR)}."
        )
    allowed = codes.INSTALLNINGAR[nyckel]
    varde = codes.fold(value)
    if varde not in allowed:
        raise Valideringsfel(
            f"värde: '{value[:30]}' är inget värde för {nyckel}; tillåtna: {', '.join(allowed)}."
        )
    return nyckel, varde


def set_value(
    target: Register | sqlite3.Connection,
    *,
    key: str,
    value: str,
    som: str | None,
    idag: date | None = None,
) -> bool:
    """Change a setting (projektledare only; audited). False when it already had it."""
    nyckel, varde = parse(key, value)
    with working(target, idag) as reg:
        actor = reg.actor(som)
        if reg.staff[actor].roll != "projektledare":
            raise Behorighetsfel(
                f"Bara en projektledare får ändra inställningen {nyckel}; {actor} är "
                f"{codes.label(codes.ROLLER, reg.staff[actor].roll).lower()}."
            )
        if reg.settings[nyckel] == varde:
            return False
        reg.set_setting(nyckel, varde, actor)
    return True


def current(conn: sqlite3.Connection) -> dict[str, str]:
    """The settings in effect."""
    return dict(Register(conn).settings)


def history(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Every change of every setting, oldest first (times in the stated zone)."""
    return [
        {**dict(r), "tid": local_time(r["tid"])}
        for r in conn.execute(
            "SELECT nyckel, varde, tid, handlaggare, os_anvandare FROM installning_historik "
            "ORDER BY id"
        )
    ]


def login_line(mode: str) -> str:
    """How report headers and `audit` state the login mode."""
    return f"Inloggning: {mode} ({codes.INSTALLNINGAR['inloggning'][mode]})."
