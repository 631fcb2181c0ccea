"""Preview before the irreversible, --ja for scripts, --dry-run on every write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Invoke, dump, enrolled_case, make_pnr


def test_makulera_shows_the_event_it_voids(register: Invoke) -> None:
    nr = enrolled_case(register)
    assert register("assign", nr, "--insats", "vux", "--datum", "2014-04-02").exit_code == 0
    event = json.loads(register("show", nr, "--json").stdout)["handelser"][-1]
    result = register("makulera", str(event["id"]), "--orsak", "Fel person", "--ja")
    assert result.exit_code == 0, result.stderr
    assert f"Makulerar händelse {event['id']} i {nr}: 2014-04-02 insats – Vuxenutbildning" in (
        result.stderr
    )


def test_consent_without_statistik_warns_that_the_personnummer_goes(register: Invoke) -> None:
    result = register(
        "intake", "--personnummer", make_pnr("19811218", "987"), "--remittent", "af",
        "--datum", "2014-03-03", "--ansvarig", "as",
    )  # fmt: skip
    nr = result.stdout.strip()
    result = register("consent", nr, "--omfattning", "samverkan", "--datum", "2014-03-04")
    assert result.exit_code == 0
    assert "personnumret bort för gott" in result.stderr
    other = enrolled_case(register)  # anonymous: nothing to remove, nothing said
    again = register("consent", other, "--omfattning", "samverkan", "--datum", "2014-03-05")
    assert "för gott" not in again.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_dry_run_checks_everything_and_writes_nothing(
    register: Invoke, db: Path, where: str
) -> None:
    nr = enrolled_case(register, make_pnr("19811218", "987"))

    def run(*args: str) -> tuple[int, str]:
        argv = ["--dry-run", *args] if where == "before" else [*args, "--dry-run"]
        result = register(*argv)
        return result.exit_code, result.stderr

    before = dump(db)
    for args in (
        ("map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05"),
        ("assign", nr, "--ansvarig", "jb", "--datum", "2014-03-05"),
        ("consent", nr, "--återkalla", "--datum", "2014-03-06"),
        ("close", nr, "--slutorsak", "arbete", "--försörjning", "lon", "--ingen-enkät"),
        ("staff", "add", "zz", "--namn", "Z", "--part", "fs", "--roll", "ovrig"),
        ("insats", "add", "ny", "--namn", "Ny", "--part", "ac"),
        ("mål", "set", "inflode", "150"),
        ("makulera", "6", "--orsak", "fel"),
    ):
        code, err = run(*args)
        assert code == 0, (args, err)
        assert "Provkörning: inget har skrivits." in err, args
    assert dump(db) == before
    # the checks still run: a bad value is refused as without --dry-run
    code, err = run("close", nr, "--slutorsak", "arbet", "--ingen-enkät")
    assert code == 1 and "menade du 'arbete'" in err
    assert dump(db) == before


def test_a_missing_value_is_asked_for_at_a_terminal(
    register: Invoke, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from envagin_cli.cli import svenska

    nr = enrolled_case(register)
    monkeypatch.setattr(svenska, "at_terminal", lambda: True)
    result = register("close", "--ingen-enkät", "--försörjning", "lon", input=f"{nr}\narbete\n")
    assert result.exit_code == 0, result.stderr
    assert "--slutorsak saknas. Tillåtna: arbete, studier" in result.stderr
    assert "Ange KOD:" in result.stderr and "Ange ÄRENDE:" in result.stderr
    assert json.loads(register("show", nr, "--json").stdout)["slutorsak"] == "arbete"


def test_an_empty_answer_or_no_terminal_keeps_exit_code_2(
    register: Invoke, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from envagin_cli.cli import svenska

    nr = enrolled_case(register)
    assert register("close", nr, "--ingen-enkät").exit_code == 2  # no terminal: no question
    monkeypatch.setattr(svenska, "at_terminal", lambda: True)
    result = register("close", nr, "--ingen-enkät", input="\n")
    assert result.exit_code == 2 and "flaggan --slutorsak saknas" in result.stderr


@pytest.mark.parametrize(
    "args", [["show", "{nr}"], ["export", "-"], ["cases"], ["report"], ["audit"]]
)
def test_dry_run_is_refused_where_only_the_audit_log_would_be_written(
    register: Invoke, db: Path, args: list[str]
) -> None:
    nr = enrolled_case(register, make_pnr("19811218", "987"))
    before = dump(db)
    result = register(*[a.replace("{nr}", nr) for a in args], "--dry-run")
    assert result.exit_code == 2
    assert "--dry-run gäller kommandon som skriver" in result.stderr
    assert result.stdout == "" and dump(db) == before
