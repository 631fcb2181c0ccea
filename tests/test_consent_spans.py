"""Issue 30, items 1–4 and 6: consent in force, same-day consent after a withdrawal, one
open case per person over time, withdrawing what is in force, deactivations by date."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import Result

from conftest import Invoke, dump, enrolled_case, make_pnr, rows

PNR = make_pnr("19790203", "456")
ANON_WARNING = "Inget samtycke till statistik gäller efter detta samtycke"


def _intake(register: Invoke, datum: str, pnr: str = PNR) -> str:
    result = register(
        "intake", "--personnummer", pnr, "--remittent", "fk", "--ansvarig", "as", "--datum", datum
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _ok(result: Result) -> None:
    assert result.exit_code == 0, result.stderr


def _close_before_enrolment(register: Invoke, nr: str, datum: str) -> None:
    _ok(register("close", nr, "--slutorsak", "ej-malgrupp", "--datum", datum))


# --- 1. anonymising follows whether statistik consent is in force --------------------


def test_renewed_samverkan_consent_keeps_the_personnummer_while_statistik_is_in_force(
    register: Invoke, db: Path
) -> None:
    nr = _intake(register, "2014-03-03")
    _ok(register("consent", nr, "--omfattning", "samverkan,statistik", "--datum", "2014-03-04"))
    _ok(
        register("consent", nr, "--återkalla", "--omfattning", "samverkan", "--datum", "2014-04-01")
    )
    again = register("consent", nr, "--omfattning", "samverkan", "--datum", "2014-04-10")
    _ok(again)
    # No question about removing the personnummer: statistik consent is still in force.
    assert ANON_WARNING not in again.stderr
    assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer = ?", PNR) == [(1,)]
    _ok(register("assign", nr, "--insats", "syv", "--datum", "2014-04-11"))


def test_samverkan_consent_without_statistik_in_force_warns_and_anonymises(
    register: Invoke, db: Path
) -> None:
    nr = _intake(register, "2014-03-03")
    given = register("consent", nr, "--omfattning", "samverkan", "--datum", "2014-03-04")
    _ok(given)
    assert ANON_WARNING in given.stderr
    assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer IS NOT NULL") == [(0,)]


def test_statistik_consent_after_its_withdrawal_lets_a_samverkan_consent_anonymise(
    register: Invoke, db: Path
) -> None:
    nr = _intake(register, "2014-03-03")
    _ok(register("consent", nr, "--omfattning", "samverkan,statistik", "--datum", "2014-03-04"))
    _ok(register("consent", nr, "--återkalla", "--datum", "2014-04-01"))
    again = register("consent", nr, "--omfattning", "samverkan", "--datum", "2014-04-10")
    _ok(again)
    assert ANON_WARNING in again.stderr
    assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer IS NOT NULL") == [(0,)]


def test_statistik_only_consent_keeps_the_personnummer_and_allows_no_joint_work(
    register: Invoke, db: Path
) -> None:
    nr = _intake(register, "2014-03-03")
    given = register("consent", nr, "--omfattning", "statistik", "--datum", "2014-03-04")
    _ok(given)
    assert ANON_WARNING not in given.stderr
    assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer = ?", PNR) == [(1,)]
    assert rows(db, "SELECT inskriven, statistik FROM arende WHERE nr = ?", nr) == [(None, 1)]
    before = dump(db)
    refused = register("map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05")
    assert refused.exit_code == 1
    assert "saknar samtycke till samverkan den 2014-03-05" in refused.stderr
    assert dump(db) == before


# --- 2. a consent given again on the day of its withdrawal ------------------------------


def test_consent_given_again_on_the_day_of_its_withdrawal_is_in_force(
    register: Invoke, db: Path
) -> None:
    nr = enrolled_case(register, PNR)
    _ok(
        register("consent", nr, "--återkalla", "--omfattning", "samverkan", "--datum", "2014-05-01")
    )
    _ok(register("consent", nr, "--omfattning", "samverkan", "--datum", "2014-05-01"))
    assert rows(db, "SELECT samverkan_aterkallad FROM arende WHERE nr = ?", nr) == [(None,)]
    assert json.loads(register("cases", "--återkallat", "--json").stdout) == []
    _ok(register("map", nr, "--start", "--handläggare", "as", "--datum", "2014-05-02"))
    # The same day's work after the renewed consent too.
    _ok(register("assign", nr, "--insats", "syv", "--datum", "2014-05-01"))
    # verify replays every case the same way.
    _ok(register("verify"))


def test_consent_before_a_withdrawal_of_the_same_day_stays_withdrawn(
    register: Invoke, db: Path
) -> None:
    nr = enrolled_case(register, PNR, consent="2014-05-01")
    _ok(
        register("consent", nr, "--återkalla", "--omfattning", "samverkan", "--datum", "2014-05-01")
    )
    assert rows(db, "SELECT samverkan_aterkallad FROM arende WHERE nr = ?", nr) == [("2014-05-01",)]
    refused = register("map", nr, "--start", "--handläggare", "as", "--datum", "2014-05-02")
    assert refused.exit_code == 1
    assert "Samtycket till samverkan återkallades 2014-05-01" in refused.stderr


# --- 3. one open case per person, over time ---------------------------------------------


def test_intake_inside_a_closed_case_of_the_same_person_is_refused(
    register: Invoke, db: Path
) -> None:
    first = _intake(register, "2014-03-03")
    _close_before_enrolment(register, first, "2014-06-01")
    before = dump(db)
    for day in ("2014-04-01", "2014-03-03", "2014-01-10"):
        refused = register("intake", "--personnummer", PNR, "--remittent", "fk", "--datum", day)
        assert refused.exit_code == 1, day
        assert f"Personen har ärendet {first} från 2014-03-03 till 2014-06-01" in refused.stderr
        assert f"ett nytt intag {day}" in refused.stderr
        assert PNR not in refused.stderr
        assert dump(db) == before
    # From the day it was closed, a new case may begin.
    second = _intake(register, "2014-06-01")
    assert second != first


def test_voiding_the_close_of_an_older_case_when_a_newer_one_exists_is_refused(
    register: Invoke, db: Path
) -> None:
    first = _intake(register, "2014-03-03")
    _close_before_enrolment(register, first, "2014-06-01")
    second = _intake(register, "2014-09-01")
    close_id = rows(db, "SELECT id FROM handelse WHERE arende = ? AND typ = 'close'", first)[0][0]
    before = dump(db)
    refused = register("makulera", str(close_id), "--orsak", "fel datum")
    assert refused.exit_code == 1
    assert f"Personen har ärendet {second} öppet sedan 2014-09-01" in refused.stderr
    assert f"ärendet {first} öppet sedan 2014-03-03" in refused.stderr
    assert dump(db) == before
    # Once the newer case is voided, the older may be opened again.
    intake_id = rows(db, "SELECT id FROM handelse WHERE arende = ? AND typ = 'intake'", second)
    _ok(register("makulera", str(intake_id[0][0]), "--orsak", "fel person"))
    _ok(register("makulera", str(close_id), "--orsak", "fel datum"))
    assert rows(db, "SELECT avslutad FROM arende WHERE nr = ?", first) == [(None,)]


def test_import_refuses_an_intake_inside_a_closed_case(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "händelse;ärende;datum;som;personnummer;remittent;slutorsak\r\n"
        f"intake;K-1;2014-03-03;as;{PNR};af;\r\n"
        "close;K-1;2014-06-01;as;;;ej-malgrupp\r\n"
        f"intake;K-2;2014-04-01;as;{PNR};af;\r\n",
        encoding="utf-8",
    )
    before = dump(db)
    refused = register("import", str(path), "--json")
    assert refused.exit_code == 1
    summary = json.loads(refused.stdout)
    assert [(f["rad"], f["orsak"][:60]) for f in summary["fel"]] == [
        (4, "Personen har ärendet K-1 från 2014-03-03 till 2014-06-01; en")
    ]
    assert dump(db) == before


# --- 4. withdrawing what is in force ------------------------------------------------------


def test_withdrawal_without_scope_withdraws_what_is_in_force(register: Invoke, db: Path) -> None:
    nr = _intake(register, "2014-03-03")
    _ok(register("consent", nr, "--omfattning", "samverkan", "--datum", "2014-03-04", "--ja"))
    _ok(register("consent", nr, "--återkalla", "--datum", "2014-04-01"))
    data = rows(db, "SELECT data FROM handelse WHERE typ = 'consent-withdrawn'")
    assert json.loads(data[0][0])["omfattning"] == ["samverkan"]
    before = dump(db)
    refused = register("consent", nr, "--återkalla", "--datum", "2014-04-02")
    assert refused.exit_code == 1
    assert "Det finns inget gällande samtycke att återkalla den 2014-04-02." in refused.stderr
    assert dump(db) == before


def test_withdrawing_one_scope_keeps_the_other(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register, PNR)
    _ok(
        register("consent", nr, "--återkalla", "--omfattning", "statistik", "--datum", "2014-04-01")
    )
    assert rows(
        db, "SELECT statistik_aterkallad, samverkan_aterkallad FROM arende WHERE nr = ?", nr
    ) == [("2014-04-01", None)]
    # Joint work goes on under samverkan.
    _ok(register("assign", nr, "--insats", "syv", "--datum", "2014-04-02"))
    refused = register(
        "consent", nr, "--återkalla", "--omfattning", "statistik", "--datum", "2014-04-03"
    )
    assert refused.exit_code == 1
    assert "inget gällande samtycke (statistik) att återkalla den 2014-04-03" in refused.stderr


# --- 6. deactivations in date order ---------------------------------------------------


def test_import_cannot_place_someone_in_an_insats_deactivated_before(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "händelse;ärende;datum;som;personnummer;remittent;omfattning;insats;kod\r\n"
        f"intake;K-1;2014-03-03;as;{PNR};af;;;\r\n"
        "consent;K-1;2014-03-04;as;;;samverkan,statistik;;\r\n"
        "assign;K-1;2014-03-10;as;;;;art;\r\n"
        "assign;K-1;2014-09-01;as;;;;syv;\r\n"
        "insats-deactivate;;2014-06-01;ls;;;;;syv\r\n",
        encoding="utf-8",
    )
    before = dump(db)
    refused = register("import", str(path), "--json")
    assert refused.exit_code == 1
    fel = json.loads(refused.stdout)["fel"]
    assert [(f["rad"], f["orsak"][:30]) for f in fel] == [(5, "insats: 'syv' är avaktiverad. ")]
    assert dump(db) == before
    # The command refuses it the same way.
    nr = enrolled_case(register, PNR)
    _ok(register("insats", "deactivate", "syv", "--datum", "2014-06-01"))
    command = register("assign", nr, "--insats", "syv", "--datum", "2014-09-01")
    assert command.exit_code == 1
    assert "insats: 'syv' är avaktiverad." in command.stderr


def test_import_places_someone_in_an_insats_before_its_deactivation(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "händelse;ärende;datum;som;personnummer;remittent;omfattning;insats;kod\r\n"
        "insats-deactivate;;2014-06-01;ls;;;;;syv\r\n"
        f"intake;K-1;2014-03-03;as;{PNR};af;;;\r\n"
        "consent;K-1;2014-03-04;as;;;samverkan,statistik;;\r\n"
        "assign;K-1;2014-05-01;as;;;;syv;\r\n",
        encoding="utf-8",
    )
    _ok(register("import", str(path)))
    assert rows(db, "SELECT insats, start FROM arende_insats") == [("syv", "2014-05-01")]
    assert rows(db, "SELECT aktiv FROM insats WHERE kod = 'syv'") == [(0,)]
