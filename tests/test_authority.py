"""Issue 23, items 2, 3 and 5: authority comes from the login, the team never locks itself
out, and the login mode says the truth.

Each test is an attack from the issue's red team (or a clumsy user) that succeeded before:
a row's `som` lent a leader's authority to whoever imported the file; any handläggare
deactivated every leader and nothing could reactivate them; removing the last login link
switched the strict mode off while every header still said "strikt".
"""

from __future__ import annotations

import json
import os
import pty
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TODAY, Invoke, dump, enrolled_case, rows

ME = pwd.getpwuid(os.getuid()).pw_name

#: Leader-only rows, each with `som` naming the projektledare ls.
LEADER_ROWS = [
    {"händelse": "goal", "mål": "inflode", "värde": "10"},
    {"händelse": "insats-add", "kod": "egen", "namn": "Egen insats", "part": "ac"},
    {"händelse": "insats-deactivate", "kod": "art"},
    {"händelse": "unit", "namn": "Kapad enhet"},
    {
        "händelse": "goal-add",
        "kod": "m9",
        "text": "Kapat mål",
        "nivå": "organisation",
        "deadline": "2014-12-31",
    },
    {"händelse": "staff", "id": "ny", "namn": "Ny Ledare", "part": "fs", "roll": "projektledare"},
    {"händelse": "staff-deactivate", "id": "mk"},
    {"händelse": "staff-set", "id": "as", "roll": "projektledare"},
]


def _file(tmp_path: Path, row: dict[str, str], name: str = "rad.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({**row, "datum": "2014-07-01", "som": "ls"}) + "\n", "utf-8")
    return path


def _link(invoke: Invoke, ident: str, login: str = ME, som: str = "ls") -> None:
    result = invoke("staff", "login", ident, login, som=som)
    assert result.exit_code == 0, result.stderr


# --- item 2: authority comes from the login, never from a field ---------------------------


@pytest.mark.parametrize("row", LEADER_ROWS, ids=[r["händelse"] for r in LEADER_ROWS])
def test_a_row_naming_a_leader_lends_no_authority_in_strict_mode(
    register: Invoke, db: Path, tmp_path: Path, row: dict[str, str]
) -> None:
    """The red team's attack: a socialsekreterare, logged in, imports rows whose `som` is
    the projektledare."""
    _link(register, "as")  # the OS login running the tests is the socialsekreterare as
    path = _file(tmp_path, row)
    before = dump(db)
    refused = register("import", str(path), som=None)
    assert refused.exit_code == 1, refused.stderr
    assert "den som importerar (as) är socialsekreterare" in refused.stderr
    # Naming the leader as the importer is the strict mode's refusal.
    named = register("import", str(path), som="ls")
    assert named.exit_code == 1 and "vägras" in named.stderr
    assert dump(db) == before


@pytest.mark.parametrize("row", LEADER_ROWS, ids=[r["händelse"] for r in LEADER_ROWS])
def test_a_row_naming_a_leader_lends_no_authority_without_logins(
    register: Invoke, db: Path, tmp_path: Path, row: dict[str, str]
) -> None:
    path = _file(tmp_path, row)
    before = dump(db)
    refused = register("import", str(path), som="as")
    assert refused.exit_code == 1 and "den som importerar (as)" in refused.stderr
    unnamed = register("import", str(path), som=None)
    assert unnamed.exit_code == 1 and "ange vem som importerar" in unnamed.stderr
    assert dump(db) == before
    # The projektledare importing the same row: accepted, and `som` records ls.
    assert register("import", str(path), som="ls").exit_code == 0
    assert rows(db, "SELECT som FROM handelse ORDER BY id DESC LIMIT 1") == [("ls",)]
    # A row already there changes nothing and needs no authority (a file continuing an
    # export is read whole by anyone).
    after = dump(db)
    again = register("import", str(path), som="mk")
    assert again.exit_code == 0 and "1 fanns redan" in again.stderr, again.stderr
    assert dump(db) == after


def _setup_file(tmp_path: Path) -> Path:
    lines = [
        {"händelse": "staff", "id": "ls", "namn": "Lena Sundberg", "part": "sf",
         "roll": "projektledare", "som": "ls"},
        {"händelse": "staff", "id": "as", "namn": "Amir Said", "part": "fs",
         "roll": "socialsekreterare", "som": "ls"},
        {"händelse": "goal", "mål": "inflode", "värde": "10", "som": "ls"},
    ]  # fmt: skip
    path = tmp_path / "uppsattning.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    return path


def test_an_empty_register_is_set_up_by_anyone_but_escalates_nobody(
    invoke: Invoke, db: Path, tmp_path: Path
) -> None:
    """Anyone may set up an empty register (its first staff row); a file whose first row
    makes a leader does not lend that leader to a non-leader who imports it."""
    assert invoke("init").exit_code == 0
    path = _setup_file(tmp_path)
    before = dump(db)
    refused = invoke("import", str(path), som="as")
    assert refused.exit_code == 1, refused.stderr
    assert "den som importerar ('as') är ingen aktiv handläggare" in refused.stderr
    assert dump(db) == before
    # With no importing identity, the one the first staff row names sets the register up
    # (as 'staff add' would): the file is read whole, like any export.
    done = invoke("import", str(path), som=None)
    assert done.exit_code == 0, done.stderr
    assert rows(db, "SELECT id, roll FROM staff ORDER BY id") == [
        ("as", "socialsekreterare"),
        ("ls", "projektledare"),
    ]


# --- item 3: the team never locks itself out ---------------------------------------------


def test_only_leaders_change_staff(register: Invoke, db: Path) -> None:
    before = dump(db)
    for args in (
        ["staff", "deactivate", "ls"],  # checked before it would ask
        ["staff", "deactivate", "mk"],
        ["staff", "set", "as", "--roll", "projektledare"],
        ["staff", "add", "x", "--namn", "X Y", "--part", "fs", "--roll", "teamledare"],
    ):
        refused = register(*args, som="as")
        assert refused.exit_code == 1, (args, refused.stderr)
        assert "Bara en projektledare eller teamledare" in refused.stderr
    assert dump(db) == before


def test_the_last_leader_and_the_last_person_stay(register: Invoke, db: Path) -> None:
    before = dump(db)
    last = register("staff", "deactivate", "ls")
    assert last.exit_code == 1 and "registret vore låst för gott" in last.stderr
    lowered = register("staff", "set", "ls", "--roll", "ovrig")
    assert lowered.exit_code == 1 and "registret vore låst för gott" in lowered.stderr
    assert dump(db) == before
    # A second leader: now ls may go, and the teamledare brings her back.
    assert (
        register("staff", "set", "mk", "--roll", "teamledare", "--datum", "2014-02-01").exit_code
        == 0
    )
    assert register("staff", "deactivate", "ls", "--ja", "--datum", "2014-03-01").exit_code == 0
    again = register("staff", "deactivate", "mk", "--ja", som="mk")
    assert again.exit_code == 1 and "vore låst" in again.stderr
    back = register("staff", "reactivate", "ls", "--datum", "2014-04-01", som="mk")
    assert back.exit_code == 0, back.stderr
    assert rows(db, "SELECT aktiv, roll FROM staff WHERE id = 'ls'") == [(1, "projektledare")]
    twice = register("staff", "reactivate", "ls", som="mk")
    assert twice.exit_code == 0 and "redan aktiv" in twice.stderr


def test_the_last_active_person_stays_in_a_register_without_leaders(
    invoke: Invoke, db: Path
) -> None:
    """A register set up with another role first has no leader: any active handläggare
    may then name one; the last active person is never deactivated."""
    assert invoke("init").exit_code == 0
    add = ["--namn", "Amir Said", "--part", "fs", "--roll", "socialsekreterare"]
    assert invoke("staff", "add", "as", *add, som="as").exit_code == 0
    before = dump(db)
    alone = invoke("staff", "deactivate", "as", som="as")
    assert alone.exit_code == 1 and "sista aktiva handläggaren" in alone.stderr
    assert dump(db) == before
    promoted = invoke("staff", "set", "as", "--roll", "teamledare", som="as")
    assert promoted.exit_code == 0, promoted.stderr


def test_staff_changes_are_dated_history_and_audited(register: Invoke, db: Path) -> None:
    changed = register(
        "staff", "set", "jb", "--namn", "Johan Bergström", "--tjänstgöringsgrad", "40",
        "--datum", "2014-05-01",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.stderr
    same = register("staff", "set", "jb", "--tjänstgöringsgrad", "40")
    assert same.exit_code == 0 and "inget ändrat" in same.stderr
    assert register("staff", "deactivate", "jb", "--ja", "--datum", "2014-06-01").exit_code == 0
    assert register("staff", "reactivate", "jb", "--datum", "2014-07-01").exit_code == 0
    shown = json.loads(register("staff", "show", "jb", "--json").stdout)
    assert shown["namn"] == "Johan Bergström" and shown["tjanstgoringsgrad"] == 40
    assert [(h["händelse"], h["datum"], h["som"]) for h in shown["historik"]] == [
        ("staff", "2014-01-01", "ls"),
        ("staff-set", "2014-05-01", "ls"),
        ("staff-deactivate", "2014-06-01", "ls"),
        ("staff-reactivate", "2014-07-01", "ls"),
    ]
    assert shown["historik"][1]["värden"] == {"namn": "Johan Bergström", "tjanstgoringsgrad": 40}
    text = register("staff", "show", "jb").stdout
    assert "återaktiverad handläggare" in text and "2014-05-01" in text
    assert rows(db, "SELECT handlaggare, atgard FROM granskning ORDER BY id") == [
        ("ls", "handläggare ändrad"),
        ("ls", "handläggare avaktiverad"),
        ("ls", "handläggare återaktiverad"),
    ]
    usage = register("staff", "set", "jb")
    assert usage.exit_code == 2 and "--roll" in usage.stderr
    assert register("verify").exit_code == 0
    # The export carries the history, and an empty register reads it back the same.
    out = db.with_name("personal.csv")
    assert register("export", str(out)).exit_code == 0
    other = db.with_name("ny.db")
    assert register("--db", str(other), "init", use_db=False).exit_code == 0
    read = register("--db", str(other), "import", str(out), use_db=False, som=None)
    assert read.exit_code == 0, read.stderr
    assert rows(other, "SELECT * FROM staff ORDER BY id") == rows(
        db, "SELECT * FROM staff ORDER BY id"
    )


def test_the_same_rules_hold_in_an_import(register: Invoke, db: Path, tmp_path: Path) -> None:
    before = dump(db)
    last = register("import", str(_file(tmp_path, {"händelse": "staff-deactivate", "id": "ls"})))
    assert last.exit_code == 1 and "vore låst" in last.stderr
    lowered = _file(tmp_path, {"händelse": "staff-set", "id": "ls", "roll": "ovrig"})
    assert register("import", str(lowered)).exit_code == 1
    assert dump(db) == before


def test_deactivating_asks_first_and_refuses_scripts_without_ja(register: Invoke, db: Path) -> None:
    before = dump(db)
    script = register("staff", "deactivate", "mk")
    assert script.exit_code == 2 and "--ja" in script.stderr
    assert dump(db) == before
    env = {**os.environ, "ENVAGIN_USER": "ls", "ENVAGIN_IDAG": TODAY}
    for answer, code in (("n\n", 1), ("j\n", 0)):
        leader, follower = pty.openpty()
        os.write(leader, answer.encode())
        done = subprocess.run(
            [sys.executable, "-m", "envagin_cli", "--db", str(db), "staff", "deactivate", "mk"],
            stdin=follower,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        os.close(follower)
        os.close(leader)
        assert done.returncode == code, done.stderr
        assert "Avaktivera handläggaren? [j/N]" in done.stderr
    assert rows(db, "SELECT aktiv FROM staff WHERE id = 'mk'") == [(0,)]


# --- item 5: the login mode says the truth -----------------------------------------------


def test_a_register_with_no_login_linked_does_not_claim_strict(register: Invoke, db: Path) -> None:
    enrolled_case(register)
    report = register("report", "--år", "2014")
    assert "Inloggning: ingen inloggning kopplad" in report.stdout
    assert "strikt" not in report.stdout
    data = json.loads(register("report", "--år", "2014", "--json").stdout)
    assert data["inloggning"] == "ingen inloggning kopplad"
    listed = register("inställning", "list")
    assert listed.stdout.startswith("inloggning: ingen inloggning kopplad")
    assert json.loads(register("inställning", "list", "--json").stdout)["gäller"] == {
        "inloggning": "ingen inloggning kopplad"
    }
    assert "Inloggning: ingen inloggning kopplad" in register("audit").stdout
    page = db.with_name("rapport.html")
    assert register("report", "--år", "2014", "--html", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "<dt>Inloggning</dt><dd>ingen inloggning kopplad" in html and "strikt" not in html


def test_strict_mode_never_switches_off_by_itself(register: Invoke, db: Path) -> None:
    _link(register, "ls")
    assert "Inloggning: strikt" in register("report", "--år", "2014", som=None).stdout
    before = dump(db)
    last = register("staff", "login", "ls", "--ta-bort", ME, som=None)
    assert last.exit_code == 1 and "sista kopplade inloggningen" in last.stderr
    assert "inställning set inloggning fri" in last.stderr
    assert dump(db) == before
    # Another leader's login linked: then ls's own link may go, and strict still holds.
    assert register("staff", "set", "mk", "--roll", "teamledare", som=None).exit_code == 0
    _link(register, "mk", login="maria", som=None)
    assert register("staff", "login", "ls", "--ta-bort", ME, som=None).exit_code == 0
    assert register("inställning", "list").stdout.startswith("inloggning: strikt")
    refused = register("staff", "deactivate", "jb", "--ja", som="ls")
    assert refused.exit_code == 1 and "inte kopplad" in refused.stderr
    assert rows(db, "SELECT login, handlaggare FROM inloggning") == [("maria", "mk")]


def test_no_change_of_mode_or_login_shuts_every_leader_out(register: Invoke, db: Path) -> None:
    """At a shared terminal (fri) with only a socialsekreterare's login linked, switching to
    strict would leave no leader able to act: refused. Nor may the one leader's link go
    while another login keeps the strict mode enforced."""
    assert register("inställning", "set", "inloggning", "fri").exit_code == 0
    _link(register, "as", login="amir")
    before = dump(db)
    strict = register("inställning", "set", "inloggning", "strikt")
    assert strict.exit_code == 1 and "vore låst" in strict.stderr
    assert dump(db) == before
    _link(register, "ls")
    assert register("inställning", "set", "inloggning", "strikt", som=None).exit_code == 0
    before = dump(db)
    unlink = register("staff", "login", "ls", "--ta-bort", ME, som=None)
    assert unlink.exit_code == 1 and "kopplad OS-inloggning" in unlink.stderr
    assert dump(db) == before
