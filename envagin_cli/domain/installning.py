"""The register's settings (`envagin inställning`): a dated, audited history.

Each change is a new row in `installning_historik` (which only grows) and a row in the
audit log; the value in effect is the newest. Only a projektledare changes a setting.
The one setting, `inloggning`: `strikt` (a new register's: each handläggare acts only as
the one their OS login is linked to, once any login is linked) or `fri` (a shared
terminal: `--som`/`ENVAGIN_USER` names any active handläggare). While no login is linked
nothing is checked, and every header says so ('ingen inloggning kopplad', `enforced`);
the last link cannot be removed while the setting is strikt (`staff.link_login`), so the
strict mode never switches off by itself.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from envagin_cli.domain.register import Register, working
from envagin_cli.rules import codes
from envagin_cli.rules.dates import local_time
from envagin_cli.rules.errors import Valideringsfel


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
        actor = reg.leader(som, f"ändra inställningen {nyckel}", frozenset({"projektledare"}))
        if reg.settings[nyckel] == varde:
            return False
        if nyckel == "inloggning":
            reg.keep_a_leader(f"Att sätta inloggning {varde}", mode=varde)
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


#: What is enforced while no OS login is linked, whatever the setting says.
INGEN_KOPPLAD = "ingen inloggning kopplad"
_INGEN = "ingen identitet kontrolleras; --som anger vem som registrerar"


def enforced(reg: Register) -> str:
    """The login mode actually enforced: 'ingen inloggning kopplad' while no OS login is
    linked (the setting then checks nothing), else the setting: 'strikt' or 'fri'."""
    return reg.settings["inloggning"] if reg.logins else INGEN_KOPPLAD


def enforced_mode(conn: sqlite3.Connection) -> str:
    return enforced(Register(conn))


def weakest(modes: set[str]) -> str:
    """The mode of a joint report: the weakest of its units' (a unit that checks no
    identity makes the whole report's identities less certain)."""
    for mode in (INGEN_KOPPLAD, "fri"):
        if mode in modes:
            return mode
    return "strikt"


def meaning(mode: str) -> str:
    return _INGEN if mode == INGEN_KOPPLAD else codes.INSTALLNINGAR["inloggning"][mode]


def login_line(mode: str) -> str:
    """How report headers and `audit` state the login mode enforced."""
    return f"Inloggning: {mode} ({meaning(mode)})."
