"""Figures that stand still (issue 29), each reading on a small hand-worked register.

Rätt stöd counts participants only; every outcome is rounded once; a target is shown with
the decimals that decide it; a period's figures read only events dated by its last day
(follow-ups too); targets are dated; a day falls due for follow-up once, whatever names the
period; a register from before dated targets keeps its targets from its first day.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from envagin_cli.store import sigill

from conftest import Invoke, dump, older_register, rows


def _ok(run: Invoke, *args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout.strip()


def _case(run: Invoke, intake: str, fs: str = "forsorjningsstod", kon: str = "kvinna") -> str:
    return _ok(
        run, "intake", "--anonym", "--kön", kon, "--födelseår", "1980", "--remittent", "af",
        "--försörjning", fs, "--ansvarig", "as", "--datum", intake,
    )  # fmt: skip


def _enrol(run: Invoke, nr: str, day: str) -> None:
    _ok(run, "consent", nr, "--omfattning", "samverkan,statistik", "--datum", day)


def _close(run: Invoke, nr: str, day: str, reason: str, fs: str = "forsorjningsstod") -> None:
    _ok(run, "close", nr, "--slutorsak", reason, "--försörjning", fs, "--ingen-enkät",
        "--datum", day)  # fmt: skip


def _report(run: Invoke, *args: str) -> dict[str, Any]:
    return json.loads(_ok(run, "report", *args, "--json"))


def _goals(run: Invoke, *args: str) -> dict[str, dict[str, Any]]:
    return {g["nyckel"]: g for g in _report(run, *args)["mål"]}


def test_ratt_stod_counts_only_participants(register: Invoke) -> None:
    """A referral closed before enrolment with `flyttat` was never a participant."""
    a = _case(register, "2014-01-10")
    _enrol(register, a, "2014-01-12")
    _close(register, a, "2014-03-01", "vard")
    b = _case(register, "2014-02-01")
    _close(register, b, "2014-02-05", "flyttat")
    rep = _report(register, "--halvår", "2014H1")
    assert rep["tabeller"]["period"]["rader"]["avslutade"]["totalt"] == 1
    assert rep["tabeller"]["slutorsak"]["rader"]["flyttat"]["totalt"] == 1
    goal = next(g for g in rep["mål"] if g["nyckel"] == "ratt-stod")
    assert (goal["utfall"], goal["underlag"]) == (
        100,
        "1 av 1 avslut som inte gick till arbete/studier",
    )
    # Only closures to work: no denominator, "–", never 0 %.
    c = _case(register, "2014-08-01")
    _enrol(register, c, "2014-08-02")
    _close(register, c, "2014-09-01", "arbete", "lon")
    _ok(register, "mål", "set", "ratt-stod", "50", "--datum", "2014-01-01")
    goals = _goals(register, "--från", "2014-07-01", "--till", "2014-12-31")
    assert (goals["ratt-stod"]["utfall"], goals["ratt-stod"]["uppfyllt"]) == (None, None)
    assert goals["ratt-stod"]["underlag"].startswith("0 av 0 ")
    table = _ok(register, "report", "--från", "2014-07-01", "--till", "2014-12-31")
    line = next(x for x in table.splitlines() if "rätt stöd" in x.lower())
    assert "– underlag saknas" in line and " 0 %" not in line


def test_change_in_public_support_is_rounded_once(register: Invoke) -> None:
    """Five of six with public support at intake (83,3 %), four at closing (66,7 %): the
    fall is 16,67 points, shown 17 (the rounded shares would give 83 − 67 = 16)."""
    for n in range(6):
        nr = _case(register, f"2014-01-{10 + n}", "forsorjningsstod" if n < 5 else "lon")
        _enrol(register, nr, f"2014-01-{10 + n}")
        _close(register, nr, "2014-05-02", "praktik", "forsorjningsstod" if n < 4 else "lon")
    _ok(register, "mål", "set", "offentlig", "17", "--datum", "2014-01-01")
    goal = _goals(register, "--halvår", "2014H1")["offentlig"]
    assert (goal["mål"], goal["utfall"], goal["uppfyllt"]) == (17, 17, True)
    assert goal["underlag"] == "83 % vid intag, 67 % vid avslut"
    _ok(register, "mål", "set", "offentlig", "17,5", "--datum", "2014-01-01")
    goal = _goals(register, "--halvår", "2014H1")["offentlig"]
    assert (goal["mål"], goal["utfall"], goal["uppfyllt"]) == (17.5, 17, False)


def test_a_target_is_shown_with_the_decimals_that_decide_it(register: Invoke) -> None:
    """12 a year over 31 days that are not whole months: 1,019…, shown 1,02; one new
    participant does not reach it, and the table does not say 1,0."""
    nr = _case(register, "2014-01-05")
    _enrol(register, nr, "2014-01-06")
    _ok(register, "mål", "set", "inflode", "12", "--datum", "2014-01-01")
    period = ("--från", "2014-01-02", "--till", "2014-02-01")
    goal = _goals(register, *period)["inflode"]
    assert (goal["mål"], goal["utfall"], goal["uppfyllt"]) == (1.02, 1, False)
    table = _ok(register, "report", *period)
    line = next(x for x in table.splitlines() if "Inflöde" in x)
    assert "1,02" in line and "✗ ej uppfyllt" in line and "1,0 " not in line
    # Whole months keep one decimal: 12 a year × 1/12 = 1, met by one.
    goal = _goals(register, "--från", "2014-01-01", "--till", "2014-01-31")["inflode"]
    assert (goal["mål"], goal["uppfyllt"]) == (1, True)


def test_a_past_period_stands_still(register: Invoke) -> None:
    """Registering what happened after 2014H1 (today, in 2026) leaves its report as it was;
    what happened in it and is registered late still counts."""
    nr = _case(register, "2013-02-01")
    _enrol(register, nr, "2013-02-02")
    _ok(register, "assign", nr, "--insats", "mobilisering", "--datum", "2013-03-01")
    before = _report(register, "--halvår", "2014H1")
    u = before["tabeller"]["uppfoljning"]["rader"]
    assert (u["due"]["totalt"], u["done"]["totalt"], u["ej_uppfoljda"]["totalt"]) == (1, 0, 1)
    # After the period: a follow-up, a close, new targets, a catalogue change.
    _ok(register, "followup", nr, "--sysselsättning", "arbete", "--försörjning", "lon",
        "--datum", "2014-07-15")  # fmt: skip
    _close(register, nr, "2014-08-01", "arbete", "lon")
    for key, value in (("inflode", "50"), ("ettar", "10"), ("offentlig", "5")):
        _ok(register, "mål", "set", key, value, "--datum", "2014-07-01")
    _ok(register, "mål", "set", "nojda", "10")  # today
    _ok(register, "insats", "deactivate", "repulse", "--datum", "2014-09-01")
    after = _report(register, "--halvår", "2014H1")
    assert after == before
    # The follow-up counts in a period that ends after it.
    later = _report(register, "--från", "2014-01-01", "--till", "2014-07-31")
    u = later["tabeller"]["uppfoljning"]["rader"]
    assert (u["due"]["totalt"], u["done"]["totalt"], u["arbete"]["totalt"]) == (1, 1, 1)
    # Late registration of what happened in the period counts.
    other = _case(register, "2014-02-01")
    _enrol(register, other, "2014-02-03")
    late = _report(register, "--halvår", "2014H1")
    assert late["tabeller"]["period"]["rader"]["nya"]["totalt"] == 1


def test_29_february_falls_due_once_whatever_names_the_period(register: Invoke) -> None:
    nr = _case(register, "2016-01-10")
    _enrol(register, nr, "2016-01-11")
    _ok(register, "assign", nr, "--insats", "praktik", "--datum", "2016-02-29")

    def due(*args: str) -> int:
        found = _report(register, *args)["tabeller"]["uppfoljning"]["rader"]["due"]
        return int(found["totalt"])

    assert due("--tertial", "2017T1") == 1
    assert due("--halvår", "2017H1") == 1
    assert due("--år", "2017") == 1
    assert due("--från", "2017-01-01", "--till", "2017-02-28") == 1
    assert due("--från", "2017-02-28", "--till", "2017-02-28") == 1
    assert due("--från", "2017-03-01", "--till", "2017-04-30") == 0
    assert due("--från", "2016-03-01", "--till", "2017-02-27") == 0
    assert due("--sedan-start", "--till", "2017-02-28") == 1
    assert due("--sedan-start", "--till", "2017-02-27") == 0


def test_dated_targets(register: Invoke, db: Path, tmp_path: Path) -> None:
    nr = _case(register, "2014-03-01")
    _enrol(register, nr, "2014-03-02")
    said = register("mål", "set", "inflode", "100", "--datum", "2015-01-01")
    assert said.stderr.strip() == "Målet inflode är satt till 100 från och med 2015-01-01."
    assert _goals(register, "--halvår", "2014H2")["inflode"]["mål"] == 100  # 200 × 6/12
    assert _goals(register, "--halvår", "2015H1")["inflode"]["mål"] == 50  # 100 × 6/12
    # A period is judged by the target of its last day.
    assert _goals(register, "--från", "2014-07-01", "--till", "2015-01-01")["inflode"]["namn"] == (
        "Inflöde: nya deltagare (100 per år)"
    )
    # The same value already in effect that day adds nothing.
    before = dump(db)
    again = register("mål", "set", "inflode", "100", "--datum", "2015-06-01")
    assert again.exit_code == 0 and "redan 100 den 2015-06-01" in again.stderr
    assert dump(db) == before
    _ok(register, "mål", "set", "inflode", "ingen", "--datum", "2016-01-01")
    listed = {g["nyckel"]: g for g in json.loads(_ok(register, "mål", "list", "--json"))}
    assert listed["inflode"]["varde"] is None
    assert [(h["fran"], h["varde"]) for h in listed["inflode"]["historik"]] == [
        (None, 200),
        ("2015-01-01", 100),
        ("2016-01-01", None),
    ]
    shown = json.loads(_ok(register, "mål", "show", "inflode", "--json"))
    assert [{**h, "registrerad": None} for h in shown["historik"]] == [
        {**h, "registrerad": None} for h in listed["inflode"]["historik"]
    ]
    assert shown["historik"][1]["registrerad"].startswith("20")
    assert shown["historik"][1]["som"] == "ls"
    text = _ok(register, "mål", "show", "inflöde")
    assert "registrets början" in text and "2015-01-01" in text and "inget mål" in text
    assert "100 från 2015-01-01" in _ok(register, "mål", "list")
    # The interchange format carries the day; the import judges every period alike.
    out = tmp_path / "ut.csv"
    _ok(register, "export", str(out))
    goal_rows = [
        line for line in out.read_text("utf-8-sig").splitlines() if line.startswith("goal")
    ]
    assert [r.split(";")[2] for r in goal_rows] == ["2015-01-01", "2016-01-01"]
    other = tmp_path / "annat.db"
    assert register("init", use_db=False, env={"ENVAGIN_DB": str(other)}).exit_code == 0
    imported = register("import", str(out), use_db=False, env={"ENVAGIN_DB": str(other)})
    assert imported.exit_code == 0, imported.stderr
    elsewhere = {"ENVAGIN_DB": str(other)}
    for period in ("2014H2", "2015H1", "2016H1"):
        here = _goals(register, "--halvår", period)
        there = register("report", "--halvår", period, "--json", use_db=False, env=elsewhere)
        goals = json.loads(there.stdout)["mål"]
        assert [g["mål"] for g in goals] == [g["mål"] for g in here.values()]


def test_a_register_from_before_dated_targets_keeps_them_from_its_first_day(
    invoke: Invoke, db: Path, tmp_path: Path
) -> None:
    """Schema 7 had one value per target; the value set in 2026 judged 2014 too, and still
    does after the upgrade, until a dated value replaces it."""
    conn: sqlite3.Connection = older_register(db, 7)
    conn.execute(
        "INSERT INTO staff (id, namn, part, roll, tjanstgoringsgrad, aktiv) "
        "VALUES ('ls', 'Lena', 'sf', 'projektledare', 100, 1)"
    )
    conn.execute(
        "INSERT INTO handelse (typ, datum, registrerad, som, data) VALUES ('goal', "
        "'2026-11-01', '2026-11-01T10:00:00+00:00', 'ls', ?)",
        (json.dumps({"mal": "inflode", "varde": 120}),),
    )
    conn.execute("UPDATE mal SET varde = 120 WHERE nyckel = 'inflode'")
    conn.commit()
    conn.close()
    _ok(invoke, "intake", "--anonym", "--kön", "man", "--födelseår", "1970", "--remittent",
        "af", "--ansvarig", "ls", "--datum", "2014-03-01")  # fmt: skip
    assert rows(db, "SELECT nyckel, varde, fran FROM mal_historik WHERE nyckel = 'inflode'") == [
        ("inflode", 120.0, None)
    ]
    assert _goals(invoke, "--halvår", "2014H1")["inflode"]["mål"] == 60  # 120 × 6/12
    _ok(invoke, "mål", "set", "inflode", "240", "--datum", "2020-01-01")
    assert _goals(invoke, "--halvår", "2014H1")["inflode"]["mål"] == 60
    assert _goals(invoke, "--halvår", "2020H1")["inflode"]["mål"] == 120
    # Its export carries the old value from the register's first day.
    out = tmp_path / "ut.jsonl"
    _ok(invoke, "export", str(out))
    goals = [json.loads(x) for x in out.read_text("utf-8").splitlines() if '"goal"' in x]
    assert [(g["datum"], g["värde"]) for g in goals] == [
        ("2014-03-01", "120"),
        ("2020-01-01", "240"),
    ]
    # The history of targets is append-only.
    check = sqlite3.connect(db)
    sigill.register(check)  # as every envagin connection: the append-only rule is tested
    try:
        for sql in ("UPDATE mal_historik SET varde = 1", "DELETE FROM mal_historik"):
            try:
                check.execute(sql)
                raise AssertionError(sql)
            except sqlite3.IntegrityError as error:
                assert "målvärdenas historik" in str(error)
    finally:
        check.close()
