"""Issue 30, item 9: the report's boundaries that no test pinned: 14 against 15 days of
mapping, declined surveys counted, a goal met exactly, masking of derived cells beyond
Slutorsak, and the targets of a joint report."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

from envagin_cli.report import figures

from conftest import Invoke, enrolled_case


def _ok(register: Invoke, *args: str) -> str:
    result = register(*args)
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout


def _report(register: Invoke, *extra: str) -> dict[str, Any]:
    return json.loads(_ok(register, "report", "--år", "2014", "--json", *extra))


def _mapped(register: Invoke, done: str) -> str:
    nr = enrolled_case(register)
    _ok(register, "map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05")
    _ok(register, "map", nr, "--klar", "--datum", done)
    return nr


def test_mapping_done_in_14_days_is_in_time_and_15_is_not(register: Invoke) -> None:
    _mapped(register, "2014-03-19")  # 14 days
    rep = _report(register)
    row = rep["tabeller"]["ledtider"]["rader"]["inom_14"]
    assert (row["totalt"], row["n_totalt"]) == (100, 1)
    _mapped(register, "2014-03-20")  # 15 days
    row = _report(register)["tabeller"]["ledtider"]["rader"]["inom_14"]
    assert (row["totalt"], row["n_totalt"]) == (50, 1)


def test_caseload_flags_a_mapping_late_from_its_15th_day(register: Invoke) -> None:
    nr = enrolled_case(register)
    _ok(register, "map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05")

    def flags(day: str) -> list[str]:
        out = register("cases", "--json", env={"ENVAGIN_IDAG": day})
        assert out.exit_code == 0, out.stderr
        return next(c for c in json.loads(out.stdout) if c["arende"] == nr)["flaggor"]

    assert not any("kartläggning" in f for f in flags("2014-03-19"))
    assert any("kartläggning" in f for f in flags("2014-03-20"))


def _closed(register: Invoke, *survey: str) -> None:
    nr = enrolled_case(register)
    _ok(register, "assign", nr, "--insats", "syv", "--datum", "2014-03-10")
    _ok(
        register,
        "close",
        nr,
        "--slutorsak",
        "arbete",
        "--försörjning",
        "lon",
        *survey,
        "--datum",
        "2014-05-01",
    )


def test_declined_surveys_are_counted_apart_from_answers(register: Invoke) -> None:
    _closed(register, "--ingen-enkät")
    _closed(register, "--ingen-enkät")
    _closed(register, "--nöjd-bemötande", "5", "--nöjd-insats", "3")
    rows = _report(register)["tabeller"]["nojdhet"]["rader"]
    assert rows["avbojt"]["totalt"] == 2 and rows["avbojt"]["kvinnor"] == 2
    assert rows["svarat"]["totalt"] == 1
    assert (rows["bemotande"]["totalt"], rows["insats"]["totalt"], rows["bada"]["totalt"]) == (
        100,
        0,
        0,
    )


def test_a_goal_met_exactly_is_met(register: Invoke) -> None:
    _closed(register, "--nöjd-bemötande", "4", "--nöjd-insats", "4")
    _closed(register, "--nöjd-bemötande", "4", "--nöjd-insats", "5")

    def goal(key: str) -> dict[str, Any]:
        return next(g for g in _report(register)["mål"] if g["nyckel"] == key)

    _ok(register, "mål", "set", "inflode", "2", "--datum", "2014-01-01")
    assert (goal("inflode")["utfall"], goal("inflode")["uppfyllt"]) == (2, True)
    _ok(register, "mål", "set", "inflode", "3", "--datum", "2014-01-01")
    assert goal("inflode")["uppfyllt"] is False
    _ok(register, "mål", "set", "nojda", "100", "--datum", "2014-01-01")
    assert (goal("nojda")["utfall"], goal("nojda")["uppfyllt"]) == (100, True)


def test_masking_hides_the_shares_computed_from_a_hidden_count(register: Invoke) -> None:
    _closed(register, "--nöjd-bemötande", "5", "--nöjd-insats", "5")
    _mapped(register, "2014-03-19")
    rep = _report(register, "--maskera", "3")
    nojd = rep["tabeller"]["nojdhet"]["rader"]
    assert nojd["svarat"]["totalt"] == "<3"
    # The shares are derived from the hidden count: hidden too, not 100 %.
    assert nojd["bemotande"]["totalt"] == "*" and nojd["bada"]["totalt"] == "*"
    ledtider = rep["tabeller"]["ledtider"]["rader"]
    assert ledtider["inom_14"]["n_totalt"] == "<3"
    assert ledtider["inom_14"]["totalt"] == "*"


def _unit_targets(*targets: dict[str, float]) -> dict[str, float | None]:
    units = []
    for each in targets:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE mal_historik (nyckel TEXT, varde REAL, fran TEXT, id INTEGER)")
        conn.executemany("INSERT INTO mal_historik VALUES (?, ?, NULL, NULL)", list(each.items()))
        units.append(figures.Enhet(conn, namn=f"enhet {len(units)}"))
    return figures._targets(units, date(2014, 12, 31))


def test_joint_report_targets_add_inflow_and_keep_only_agreed_shares() -> None:
    joint = _unit_targets(
        {"inflode": 100, "nojda": 90, "ettar": 40},
        {"inflode": 50, "nojda": 90, "ettar": 45},
    )
    assert joint["inflode"] == 150
    assert joint["nojda"] == 90
    assert joint["ettar"] is None  # the units disagree: no joint target
    assert joint["ratt-stod"] is None and joint["offentlig"] is None
    # A unit without an inflow target: no joint inflow target.
    assert _unit_targets({"inflode": 100}, {"nojda": 90})["inflode"] is None
    # One register: its own targets as they are.
    own = _unit_targets({"inflode": 100, "ettar": 40})
    assert {k: v for k, v in own.items() if v is not None} == {"inflode": 100, "ettar": 40}
