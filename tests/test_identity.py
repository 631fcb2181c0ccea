"""Who did it: identity from the OS login.

The OS login is the name of the process's real user id (not `LOGNAME`/`USER`, which anyone
can set). Once a login is linked to a handläggare, that handläggare is the default for
`--som`/`ENVAGIN_USER`, and in the strict mode (a new register's) acting as another one,
or from a login that is not linked, is refused. `inställning set inloggning fri`
(projektledare only) allows it for a shared terminal. A register with no login linked
works as before (the rest of the test suite).
"""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

from conftest import Invoke, dump, enrolled_case, rows

ME = pwd.getpwuid(os.getuid()).pw_name


def _link(invoke: Invoke, ident: str, login: str = ME, som: str = "ls") -> None:
    result = invoke("staff", "login", ident, login, som=som)
    assert result.exit_code == 0, result.stderr


def test_unlinked_register_works_as_before(register: Invoke, db: Path) -> None:
    assert rows(db, "SELECT count(*) FROM inloggning") == [(0,)]
    nr = enrolled_case(register)  # as ls, via ENVAGIN_USER
    assert register("show", nr, som="mk").exit_code == 0


def test_linked_login_is_the_default_and_strict_refuses_others(register: Invoke, db: Path) -> None:
    _link(register, "as")
    # No --som: the login's handläggare.
    result = register(
        "intake",
        "--anonym",
        "--kön",
        "man",
        "--födelseår",
        "1980",
        "--remittent",
        "af",
        "--datum",
        "2014-03-03",
        som=None,
    )
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT som FROM handelse ORDER BY id DESC LIMIT 1") == [("as",)]
    # Acting as someone else, even the projektledare, is refused and writes nothing.
    before = dump(db)
    for who in ("ls", "mk"):
        refused = register(
            "intake",
            "--anonym",
            "--kön",
            "man",
            "--födelseår",
            "1981",
            "--remittent",
            "af",
            "--datum",
            "2014-03-04",
            som=who,
        )
        assert refused.exit_code == 1
        assert f"kopplad till handläggaren as; att registrera som {who} vägras" in refused.stderr
        assert "inställning set inloggning fri" in refused.stderr
    assert dump(db) == before
    assert register("staff", "list", som=None).exit_code == 0  # reading needs no som
    # The same id as the login's is fine.
    assert register("show", result.stdout.strip(), som="as").exit_code == 0


def test_a_login_not_linked_is_refused_once_any_is(register: Invoke, db: Path) -> None:
    _link(register, "ls", login="annan.person")
    before = dump(db)
    refused = register("staff", "deactivate", "mk")
    assert refused.exit_code == 1
    assert f"inloggningen '{ME}' är inte kopplad" in refused.stderr
    assert f"envagin staff login ID {ME}" in refused.stderr
    assert dump(db) == before


def test_the_environment_does_not_change_who_is_logged_in(register: Invoke, db: Path) -> None:
    _link(register, "as")
    # LOGNAME/USER name another login; the real user id still decides.
    env = {"LOGNAME": "annan", "USER": "annan", "LNAME": "annan", "USERNAME": "annan"}
    refused = register("staff", "deactivate", "mk", som="ls", env=env)
    assert refused.exit_code == 1 and "kopplad till handläggaren as" in refused.stderr


def test_only_leaders_link_logins_and_it_is_audited(register: Invoke, db: Path) -> None:
    refused = register("staff", "login", "mk", "maria", som="as")
    assert refused.exit_code == 1 and "projektledare eller teamledare" in refused.stderr
    assert rows(db, "SELECT count(*) FROM inloggning") == [(0,)]
    bad = register("staff", "login", "mk", "ma ria")
    assert bad.exit_code == 1 and "login:" in bad.stderr
    _link(register, "ls")  # first their own login: once one is linked, the rule holds
    _link(register, "mk", login="maria")
    taken = register("staff", "login", "as", "maria")
    assert taken.exit_code == 1 and "redan kopplad till handläggaren mk" in taken.stderr
    again = register("staff", "login", "mk", "maria")
    assert again.exit_code == 0 and "redan kopplad" in again.stderr
    removed = register("staff", "login", "mk", "--ta-bort", "maria")
    assert removed.exit_code == 0, removed.stderr
    both = register("staff", "login", "mk", "maria", "--ta-bort", "maria")
    assert both.exit_code == 2
    assert rows(db, "SELECT login, handlaggare FROM inloggning") == [(ME, "ls")]
    listed = json.loads(register("staff", "list", "--json").stdout)
    assert {p["id"]: p["inloggningar"] for p in listed}["ls"] == [ME]
    assert ME in register("staff", "list").stdout
    assert rows(db, "SELECT handlaggare, atgard, detaljer FROM granskning ORDER BY id") == [
        ("ls", "inloggning kopplad", f"{ME} → ls"),
        ("ls", "inloggning kopplad", "maria → mk"),
        ("ls", "inloggning borttagen", "maria → mk"),
    ]


def test_staff_add_with_logins(invoke: Invoke, db: Path) -> None:
    assert invoke("init").exit_code == 0
    first = invoke(
        "staff",
        "add",
        "ls",
        "--namn",
        "Lena Sundberg",
        "--part",
        "sf",
        "--roll",
        "projektledare",
        "--login",
        "lena.s",  # another login first: the rule must not lock out the one adding
        "--login",
        ME,
        som=None,
    )
    assert first.exit_code == 0, first.stderr
    assert rows(db, "SELECT login, handlaggare FROM inloggning ORDER BY login") == sorted(
        [(ME, "ls"), ("lena.s", "ls")]
    )
    # The next one is added by ls (the login's default), and only a leader links logins.
    added = invoke(
        "staff",
        "add",
        "as",
        "--namn",
        "Amir Said",
        "--part",
        "fs",
        "--roll",
        "socialsekreterare",
        "--login",
        "amir",
        som=None,
    )
    assert added.exit_code == 0, added.stderr
    assert rows(db, "SELECT som FROM handelse ORDER BY id DESC LIMIT 1") == [("ls",)]
    taken = invoke(
        "staff",
        "add",
        "mk",
        "--namn",
        "Maria Karlsson",
        "--part",
        "ac",
        "--roll",
        "ovrig",
        "--login",
        "amir",
        som=None,
    )
    assert taken.exit_code == 1 and "redan kopplad till handläggaren as" in taken.stderr
    assert rows(db, "SELECT count(*) FROM staff WHERE id = 'mk'") == [(0,)]
    # In a new register, the first handläggare links logins only as a leader.
    other = db.with_name("annat.db")
    assert invoke("--db", str(other), "init", use_db=False).exit_code == 0
    refused = invoke(
        "--db",
        str(other),
        "staff",
        "add",
        "as",
        "--namn",
        "Amir Said",
        "--part",
        "fs",
        "--roll",
        "socialsekreterare",
        "--login",
        ME,
        som=None,
        use_db=False,
    )
    assert refused.exit_code == 1 and "projektledare eller teamledare" in refused.stderr
    assert rows(other, "SELECT count(*) FROM staff") == [(0,)]


def test_only_a_projektledare_changes_the_setting(register: Invoke, db: Path) -> None:
    _link(register, "as")
    # as is a socialsekreterare: neither links logins nor changes settings.
    assert register("staff", "login", "ls", "lena", som="as").exit_code == 1
    before = dump(db)
    refused = register("inställning", "set", "inloggning", "fri", som="as")
    assert refused.exit_code == 1 and "Bara en projektledare" in refused.stderr
    bad = register("inställning", "set", "inloggning", "öppen", som="as")
    assert bad.exit_code == 1 and "strikt, fri" in bad.stderr
    assert dump(db) == before
    assert "Inloggning: strikt" in register("report", "--år", "2014").stdout


def test_setting_is_dated_audited_history_shown_in_reports_and_audit(
    register: Invoke, db: Path
) -> None:
    _link(register, "ls")
    changed = register("installning", "set", "inloggning", "fri", som=None)
    assert changed.exit_code == 0, changed.stderr
    # Now anyone active may be named, e.g. at a shared terminal.
    nr = enrolled_case(register)
    assert rows(db, "SELECT DISTINCT som FROM handelse WHERE arende = ?", nr) == [("ls",)]
    assert register("show", nr, som="mk").exit_code == 0
    report = register("report", "--år", "2014")
    assert "Inloggning: fri" in report.stdout
    assert json.loads(register("report", "--år", "2014", "--json").stdout)["inloggning"] == "fri"
    audit = register("audit", som=None)
    assert audit.exit_code == 0 and "Inloggning: fri" in audit.stdout
    assert "inställning ändrad" in audit.stdout
    listed = json.loads(register("inställning", "list", "--json").stdout)
    assert listed["gäller"] == {"inloggning": "fri"}
    assert [(h["nyckel"], h["varde"], h["handlaggare"]) for h in listed["historik"]] == [
        ("inloggning", "fri", "ls")
    ]
    back = register("inställning", "set", "inloggning", "strikt", som="ls")
    assert back.exit_code == 0
    refused = register("show", nr, som="mk")
    assert refused.exit_code == 1 and "vägras" in refused.stderr
    assert register("verify").exit_code == 0


def test_import_in_strict_mode(register: Invoke, db: Path, tmp_path: Path) -> None:
    _link(register, "as")
    data = tmp_path / "in.csv"
    data.write_text(
        "händelse;ärende;datum;som;anonym;kön;födelseår;remittent\n"
        "intake;X-1;2014-03-03;mk;ja;man;1980;af\n",
        encoding="utf-8",
    )
    refused = register("import", str(data), som="ls")
    assert refused.exit_code == 1 and "vägras" in refused.stderr
    # The linked login imports; each row keeps who recorded it.
    result = register("import", str(data), som=None)
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT som FROM handelse WHERE arende = 'X-1'") == [("mk",)]
