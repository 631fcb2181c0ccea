"""Goal follow-up at all three levels: commands, template, history, roles, report section."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from zipfile import ZipFile

import pytest

from envagin_cli.store import sigill

from conftest import Invoke, dump, rows


@pytest.fixture
def goals(register: Invoke) -> Invoke:
    result = register("mål", "mall", "en-vag-in-2014", "--datum", "2014-01-02")
    assert result.exit_code == 0, result.stderr
    assert "8 nya mål" in result.stderr
    return register


def test_template_loads_the_plan_once(goals: Invoke, db: Path) -> None:
    listed = json.loads(goals("mål", "list", "--json").stdout)
    by_key = {g["nyckel"]: g for g in listed}
    assert by_key["mottagning"]["deadline"] == "2014-03-31"
    assert by_key["mottagning"]["typ"] == "milstolpe"
    assert by_key["bestallarfunktion"]["deadline"] == "2015-12-31"
    assert by_key["ej-arbete-studier"]["riktning"] == "minska"
    assert by_key["ej-arbete-studier"]["basar"] == 2013
    assert by_key["sociala-foretag"]["basvarde"] == 3
    assert by_key["inflode"]["varde"] == 200 and by_key["inflode"]["niva"] == "individ"
    assert {g["niva"] for g in listed} == {"organisation", "befolkning", "individ"}
    before = dump(db)
    again = goals("mål", "mall", "en-vag-in-2014", "--datum", "2014-01-02")
    assert again.exit_code == 0 and "inget ändrat" in again.stderr
    assert dump(db) == before


def test_milestone_status_history(goals: Invoke, db: Path) -> None:
    assert (
        goals(
            "mål",
            "status",
            "mottagning",
            "pågår",
            "--kommentar",
            "Lokaler klara",
            "--datum",
            "2014-02-01",
        ).exit_code
        == 0
    )
    assert (
        goals(
            "mål",
            "status",
            "mottagning",
            "uppnått",
            "--kommentar",
            "Invigd",
            "--datum",
            "2014-04-15",
        ).exit_code
        == 0
    )
    history = json.loads(goals("mål", "show", "mottagning", "--json").stdout)["historik"]
    assert [(h["datum"], h["status"], h["kommentar"]) for h in history] == [
        ("2014-02-01", "pagar", "Lokaler klara"),
        ("2014-04-15", "uppnatt", "Invigd"),
    ]
    assert rows(db, "SELECT count(*) FROM handelse WHERE typ LIKE 'goal%'")[0][0] >= 10
    # Every change is also in the audit log, with who made it.
    audit = rows(
        db,
        "SELECT handlaggare, atgard, detaljer FROM granskning "
        "WHERE detaljer LIKE 'status%' ORDER BY id",
    )
    assert audit == [("ls", "ändrat mål", "status mottagning")] * 2
    conn = sqlite3.connect(db)
    # With the seals' function known (a plain client is refused before, for lack of it),
    # the append-only triggers refuse.
    sigill.register(conn)
    with pytest.raises(sqlite3.DatabaseError, match="får inte"):
        conn.execute("UPDATE malstatus SET status = 'pagar'")
    with pytest.raises(sqlite3.DatabaseError, match="får inte"):
        conn.execute("DELETE FROM malvarde")
    conn.close()
    table = goals("mål", "show", "mottagning")
    assert "Invigd" in table.stdout and "uppnått" in table.stdout


def test_indicator_values_against_baseline(goals: Invoke) -> None:
    assert (
        goals(
            "mål", "värde", "ej-arbete-studier", "2013", "14,2", "--datum", "2014-03-01"
        ).exit_code
        == 0
    )
    assert (
        goals(
            "mål",
            "varde",
            "ej-arbete-studier",
            "2014",
            "13.1",
            "--källa",
            "SCB 2015",
            "--datum",
            "2015-03-01",
        ).exit_code
        == 0
    )
    same = goals(
        "mål",
        "värde",
        "ej-arbete-studier",
        "2014",
        "13,1",
        "--källa",
        "SCB 2015",
        "--datum",
        "2015-03-02",
    )
    assert same.exit_code == 0 and "inget ändrat" in same.stderr
    assert (
        goals("mål", "värde", "sociala-foretag", "2014:2", "2", "--datum", "2015-01-10").exit_code
        == 0
    )
    listed = {g["nyckel"]: g for g in json.loads(goals("mål", "list", "--json").stdout)}
    fewer = listed["ej-arbete-studier"]
    assert (fewer["basvarde"], fewer["senaste_varde"], fewer["ratt_riktning"]) == (14.2, 13.1, True)
    assert fewer["forandring"] == pytest.approx(-1.1)
    firms = listed["sociala-foretag"]
    assert (firms["senaste_period"], firms["senaste_varde"], firms["ratt_riktning"]) == (
        "2014H2",
        2,
        False,
    )
    history = json.loads(goals("mål", "show", "ej-arbete-studier", "--json").stdout)
    assert [h["period"] for h in history["historik"]] == ["2013", "2014"]


def test_add_goals_and_refusals(goals: Invoke, db: Path) -> None:
    ok = goals(
        "mål",
        "add",
        "jobbtorg",
        "--text",
        "Ett jobbtorg har öppnat",
        "--nivå",
        "organisation",
        "--deadline",
        "2016-06-30",
        "--följs-upp-av",
        "Styrgruppen",
    )
    assert ok.exit_code == 0, ok.stderr
    indicator = goals(
        "mål",
        "add",
        "unga-utan-jobb",
        "--text",
        "Unga utan arbete",
        "--nivå",
        "befolkning",
        "--riktning",
        "minska",
        "--basår",
        "2013",
        "--källa",
        "SCB",
        "--rytm",
        "år",
    )
    assert indicator.exit_code == 0, indicator.stderr
    before = dump(db)
    for args, words in (
        (["add", "x", "--text", "X", "--nivå", "organisation"], "deadline"),
        (["add", "y", "--text", "Y", "--nivå", "befolkning"], "riktning"),
        (["add", "z", "--text", "Z", "--nivå", "kommun", "--deadline", "2016-01-01"], "nivå"),
        (
            [
                "add",
                "jobbtorg",
                "--text",
                "Annat",
                "--nivå",
                "organisation",
                "--deadline",
                "2016-06-30",
            ],
            "finns redan",
        ),
        (["status", "jobbtorg", "klart", "--kommentar", "x"], "status: okänd kod"),
        (["status", "saknas", "pågår", "--kommentar", "x"], "finns inte"),
        (["status", "ej-arbete-studier", "pågår", "--kommentar", "x"], "är en indikator"),
        (["status", "jobbtorg", "pågår", "--kommentar", ""], "kommentar"),
        (["värde", "jobbtorg", "2014", "3"], "är en milstolpe"),
        (["värde", "unga-utan-jobb", "2014T1", "3"], "period"),
        (["värde", "unga-utan-jobb", "2014", "många"], "värde"),
        (["mall", "okand-mall"], "mall"),
    ):
        result = goals("mål", *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
    assert dump(db) == before


def test_only_leaders_change_goals(goals: Invoke, db: Path) -> None:
    before = dump(db)
    for args in (
        ["status", "mottagning", "pågår", "--kommentar", "x"],
        ["värde", "ej-arbete-studier", "2014", "1"],
        ["add", "nytt", "--text", "N", "--nivå", "organisation", "--deadline", "2016-01-01"],
        ["mall", "en-vag-in-2014"],
        ["set", "nojda", "80"],
    ):
        result = goals("mål", *args, som="as")
        assert result.exit_code == 1 and "projektledare eller teamledare" in result.stderr
    assert dump(db) == before
    assert (
        goals(
            "staff", "add", "tl", "--namn", "Tea Ledare", "--part", "ac", "--roll", "teamledare"
        ).exit_code
        == 0
    )
    assert (
        goals("mål", "status", "mottagning", "pågår", "--kommentar", "x", som="tl").exit_code == 0
    )


def _report(run: Invoke, *args: str) -> dict:  # type: ignore[type-arg]
    result = run("report", "--halvår", "2014H1", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout) if "--json" in args else {"text": result.stdout}


def test_report_goal_section_in_every_format(goals: Invoke, tmp_path: Path) -> None:
    goals(
        "mål", "status", "mottagning", "uppnått", "--kommentar", "Invigd", "--datum", "2014-03-20"
    )
    goals(
        "mål",
        "status",
        "samlokalisering",
        "pågår",
        "--kommentar",
        "Flytt i maj",
        "--datum",
        "2014-03-25",
    )
    goals("mål", "värde", "ej-arbete-studier", "2013", "14,2", "--datum", "2014-03-01")
    goals("mål", "värde", "ej-arbete-studier", "2014", "13,1", "--datum", "2015-03-01")
    rep = _report(goals, "--json")
    milestones = rep["tabeller"]["milstolpar"]["rader"]
    # Due in 2014H1: the three spring milestones; the 2015 ones are neither due nor changed.
    assert set(milestones) == {"mottagning", "samlokalisering", "aktorssamarbete"}
    assert milestones["mottagning"]["status"] == "uppnått"
    assert milestones["mottagning"]["markering"] == ""
    assert milestones["samlokalisering"]["status"] == "pågår"
    assert "deadline passerad" in milestones["samlokalisering"]["markering"]
    assert "deadline passerad" in milestones["aktorssamarbete"]["markering"]
    indicators = rep["tabeller"]["indikatorer"]["rader"]
    # The 2014 value came after 2014H1 ended: only the baseline is known then.
    assert indicators["ej-arbete-studier"]["basvarde"] == 14.2
    assert indicators["ej-arbete-studier"]["senaste_varde"] is None
    later = json.loads(goals("report", "--år", "2014", "--json").stdout)
    row = later["tabeller"]["indikatorer"]["rader"]["ej-arbete-studier"]
    assert (row["senaste_period"], row["senaste_varde"], row["bedomning"]) == (
        "2014",
        13.1,
        "✓ rätt riktning",
    )
    assert [g["nyckel"] for g in rep["mål"]] == [
        "inflode",
        "ettar",
        "nojda",
        "ratt-stod",
        "offentlig",
    ]
    text = _report(goals)["text"]
    assert "Mål på organisationsnivå" in text and "⚠ deadline passerad" in text
    md = goals("report", "--halvår", "2014H1", "--markdown").stdout
    assert "## Mål på befolkningsnivå (indikatorer)" in md
    assert "## Mål på individnivå" in md
    raw = goals("report", "--halvår", "2014H1", "--csv").stdout_bytes.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(raw), delimiter=";"))
    assert ["Mål på organisationsnivå (milstolpar)"] in lines
    assert any("⚠ deadline passerad, ej uppnått" in cell for line in lines for cell in line)
    target = tmp_path / "mal.xlsx"
    assert goals("report", "--halvår", "2014H1", "--xlsx", str(target)).exit_code == 0
    with ZipFile(target) as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "organisationsnivå" in workbook and "befolkningsnivå" in workbook
    assert "Flytt i maj" in strings
