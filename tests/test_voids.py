"""Late registration and voiding (DOMAIN.md "Order and corrections")."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import Invoke, dump, enrolled_case, rows


def _events(register: Invoke, nr: str) -> list[dict[str, object]]:
    return json.loads(register("show", nr, "--json").stdout)["handelser"]


def test_late_registration_of_an_earlier_event(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    assert (
        register("assign", nr, "--insats", "arbetstraning", "--datum", "2014-04-01").exit_code == 0
    )
    # The mapping happened in March but is registered after the insats: normal work.
    assert (
        register("map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05").exit_code
        == 0
    )
    assert register("map", nr, "--klar", "--datum", "2014-03-15").exit_code == 0
    assert rows(db, "SELECT kartlaggning_start, kartlaggning_klar, forsta_insats FROM arende") == [
        ("2014-03-05", "2014-03-15", "2014-04-01")
    ]
    # A withdrawal registered late, dated before the insats, would make the insats unlawful.
    before = dump(db)
    late = register("consent", nr, "--återkalla", "--datum", "2014-03-20")
    assert late.exit_code == 1
    assert "insats 2014-04-01" in late.stderr and "Makulera" in late.stderr
    assert dump(db) == before


def test_void_keeps_history_and_figures_forget_the_event(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    assert (
        register("assign", nr, "--insats", "arbetstraning", "--datum", "2014-04-01").exit_code == 0
    )
    wrong = register("assign", nr, "--insats", "vux", "--datum", "2014-04-02")
    assert wrong.exit_code == 0
    vux_id = next(
        e["id"] for e in _events(register, nr) if e["beskrivning"].startswith("Vuxenutbildning")
    )
    result = register("makulera", str(vux_id), "--orsak", "Fel person")
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT insats FROM arende_insats") == [("arbetstraning",)]
    history = _events(register, nr)
    voided = next(e for e in history if e["id"] == vux_id)
    assert voided["makulerad"] and voided["makuleringsorsak"] == "Fel person"
    assert history[-1]["typ"] == "void"
    assert rows(db, "SELECT count(*) FROM handelse WHERE id = ?", vux_id) == [(1,)]
    table = register("show", nr)
    assert "MAKULERAD" in table.stdout and "Fel person" in table.stdout
    # The void is final: not twice, not a void of a void.
    again = register("makulera", str(vux_id), "--orsak", "igen")
    assert again.exit_code == 1 and "redan makulerad" in again.stderr
    void_id = history[-1]["id"]
    meta = register("makulera", str(void_id), "--orsak", "ångra")
    assert meta.exit_code == 1 and "själv en makulering" in meta.stderr
    # The same insats can now be registered again with the right date.
    assert register("assign", nr, "--insats", "vux", "--datum", "2014-05-02").exit_code == 0


def test_void_refused_when_later_events_depend_on_it(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    assert (
        register("map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05").exit_code
        == 0
    )
    consent_id = next(e["id"] for e in _events(register, nr) if e["typ"] == "consent")
    before = dump(db)
    result = register("makulera", str(consent_id), "--orsak", "fel datum")
    assert result.exit_code == 1
    assert "kan inte makuleras" in result.stderr and "samtycke till samverkan" in result.stderr
    assert dump(db) == before


def test_voided_close_reopens_the_case(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    assert (
        register(
            "close",
            nr,
            "--slutorsak",
            "arbete",
            "--försörjning",
            "lon",
            "--ingen-enkät",
            "--datum",
            "2014-05-01",
        ).exit_code
        == 0
    )
    close_id = next(e["id"] for e in _events(register, nr) if e["typ"] == "close")
    assert register("makulera", str(close_id), "--orsak", "Fel ärende").exit_code == 0
    assert rows(db, "SELECT avslutad, slutorsak FROM arende") == [(None, None)]
    assert (
        register(
            "close",
            nr,
            "--slutorsak",
            "studier",
            "--försörjning",
            "studiemedel",
            "--ingen-enkät",
            "--datum",
            "2014-06-01",
        ).exit_code
        == 0
    )


def test_void_intake_only_as_last_event(register: Invoke, db: Path) -> None:
    nr = register(
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
    ).stdout.strip()
    assert (
        register(
            "consent", nr, "--omfattning", "samverkan,statistik", "--datum", "2014-03-04"
        ).exit_code
        == 0
    )
    events = _events(register, nr)
    intake_id = events[0]["id"]
    refused = register("makulera", str(intake_id), "--orsak", "dubblett")
    assert refused.exit_code == 1 and "övriga händelser" in refused.stderr
    assert register("makulera", str(events[1]["id"]), "--orsak", "dubblett").exit_code == 0
    assert register("makulera", str(intake_id), "--orsak", "dubblett").exit_code == 0
    assert rows(db, "SELECT makulerad FROM arende") == [(1,)]
    assert json.loads(register("cases", "--alla", "--json").stdout) == []
    later = register("consent", nr, "--omfattning", "samverkan", "--datum", "2014-03-05")
    assert later.exit_code == 1 and "makulerat" in later.stderr


def test_staff_events_cannot_be_voided(register: Invoke) -> None:
    result = register("makulera", "1", "--orsak", "fel")
    assert result.exit_code == 1 and "hör inte till något ärende" in result.stderr


def test_event_log_is_append_only(register: Invoke, db: Path) -> None:
    enrolled_case(register)
    conn = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="får inte ändras"):
            conn.execute("UPDATE handelse SET som = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="får inte raderas"):
            conn.execute("DELETE FROM handelse")
    finally:
        conn.close()
