"""Issue 28: attendance per insats and day (`envagin närvaro`), a week in one call, the
month's list for the försäkran and the absences for Arbetsförmedlingen, unexcused absence
in `idag`, corrections, the interchange and gallring; on a data set worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke, dump, make_pnr, rows

PNR = make_pnr("19811218", "987")
ARB = "Arbetsträning hos Arbetscentrum"


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


@pytest.fixture
def placed(register: Invoke) -> Invoke:
    """A (personnummer, ansvarig as): arbetstraning from 2026-11-02 to 2026-11-20.
    B (anonymous kvinna 1990, ansvarig mk): se from 2026-11-09, open. Today is 2026-11-22
    (a Sunday); week 47 is 2026-11-16 – 2026-11-22."""
    inv = register
    a = ok(inv("intake", "--personnummer", PNR, "--remittent", "af", "--ansvarig", "as",
               "--ärende", "A-1", "--datum", "2026-10-01")).strip()  # fmt: skip
    ok(inv("consent", a, "--omfattning", "samverkan,statistik", "--datum", "2026-10-02"))
    ok(inv("assign", a, "--insats", "arbetstraning", "--datum", "2026-11-02"))
    ok(inv("assign", a, "--avsluta", "arbetstraning", "--datum", "2026-11-20"))
    b = ok(inv("intake", "--anonym", "--kön", "kvinna", "--födelseår", "1990", "--remittent",
               "fs", "--ansvarig", "mk", "--ärende", "B-1", "--datum", "2026-10-05"))  # fmt: skip
    b = b.strip()
    ok(inv("consent", b, "--omfattning", "samverkan,statistik", "--datum", "2026-10-06"))
    ok(inv("assign", b, "--insats", "se", "--datum", "2026-11-09"))
    return inv


def _register_month(inv: Invoke) -> None:
    """A: week 46 (9–13 Nov) 4,4,0,ogiltig:4,4.5 with reason; 2026-11-03 4 h; week 47
    Mon 16 sjuk 4 h expected, Tue–Thu 6 h, Fri 20 (the insats's last day) 2 h.
    B: 2026-11-10 giltig frånvaro; 2026-11-19 7,5 h; 2026-11-20 ogiltig."""
    ok(inv("närvaro", "A-1", "--insats", "arbetstraning", "--datum", "2026-11-03",
           "--timmar", "4"))  # fmt: skip
    ok(inv("närvaro", "A-1", "--insats", "arbetstraning", "--vecka", "2026-V46",
           "--timmar", "4,4,0,ogiltig:4,4.5", "--orsak", "Kom inte"))  # fmt: skip
    ok(inv("narvaro", "registrera", "A-1", "--insats", "Arbetsträning hos Arbetscentrum",
           "--vecka", "2026W47", "--timmar", "sjuk:4,6,6,6,2"))  # fmt: skip
    ok(inv("närvaro", "B-1", "--insats", "se", "--datum", "2026-11-10", "--frånvaro",
           "giltig", "--orsak", "Läkarbesök"))  # fmt: skip
    ok(inv("närvaro", "B-1", "--insats", "se", "--datum", "2026-11-19", "--timmar", "7,5"))
    ok(inv("närvaro", "B-1", "--insats", "se", "--datum", "2026-11-20", "--frånvaro",
           "ogiltig"))  # fmt: skip


def test_the_months_list_by_hand(placed: Invoke, db: Path) -> None:
    _register_month(placed)
    data = json.loads(ok(placed("närvaro", "lista", "--månad", "2026-11", "--json")))
    assert (data["fran"], data["till"]) == ("2026-11-01", "2026-11-30")
    people = {p["arende"]: p for p in data["personer"]}
    a, b = people["A-1"], people["B-1"]
    assert a["person"] == "19811218-****" and b["person"] == "kvinna 1990"
    assert [(d["datum"], d["timmar"], d["franvaro"]) for d in a["dagar"]] == [
        ("2026-11-03", 4, None),
        ("2026-11-09", 4, None),
        ("2026-11-10", 4, None),
        ("2026-11-12", None, "ogiltig"),
        ("2026-11-13", 4.5, None),
        ("2026-11-16", None, "sjuk"),
        ("2026-11-17", 6, None),
        ("2026-11-18", 6, None),
        ("2026-11-19", 6, None),
        ("2026-11-20", 2, None),
    ]
    # 4 + 4 + 4 + 4.5 + 6 + 6 + 6 + 2 = 36.5 hours on 8 days; absences: 1 ogiltig, 1 sjuk.
    assert (a["timmar"], a["narvarodagar"], a["giltig"], a["ogiltig"], a["sjuk"]) == (
        36.5, 8, 0, 1, 1
    )  # fmt: skip
    assert a["franvarotimmar"] == 8  # 4 expected on the 12th + 4 on the 16th
    assert (b["timmar"], b["narvarodagar"], b["giltig"], b["ogiltig"], b["sjuk"]) == (
        7.5, 1, 1, 1, 0
    )  # fmt: skip
    # Reading the list is in the audit log, and no personnummer is in the output.
    assert rows(db, "SELECT count(*) FROM granskning WHERE atgard = 'närvarolista'") == [(1,)]
    text = ok(placed("närvaro", "lista", "--månad", "2026-11"))
    assert PNR not in text and "19811218-****" in text
    assert "36,5" in text and "Summa per person och insats" in text


def test_lists_by_insats_by_case_and_as_csv_and_xlsx(placed: Invoke, tmp_path: Path) -> None:
    _register_month(placed)
    only_se = json.loads(ok(placed("närvaro", "lista", "--månad", "2026-11", "--insats", "se",
                                   "--json")))  # fmt: skip
    assert [p["arende"] for p in only_se["personer"]] == ["B-1"]
    only_a = json.loads(ok(placed("närvaro", "lista", "--månad", "2026-11", "--ärende", "A-1",
                                  "--json")))  # fmt: skip
    assert [p["arende"] for p in only_a["personer"]] == ["A-1"]
    raw = placed("närvaro", "lista", "--månad", "2026-11", "--csv").stdout_bytes
    found = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert found[0][:6] == ["Ärende", "Person", "Insats", "Datum", "Dag", "Timmar"]
    assert [
        "A-1",
        "19811218-****",
        "arbetstraning",
        "2026-11-13",
        "fre",
        "4,5",
        "",
        "",
        "",
    ] in found
    gap = found.index([])
    assert found[gap + 1][:4] == ["Ärende", "Person", "Insats", "Timmar"]
    assert found[gap + 2] == ["A-1", "19811218-****", "arbetstraning", "36,5", "8", "0", "1",
                              "1", "8"]  # fmt: skip
    target = tmp_path / "narvaro.xlsx"
    ok(placed("närvaro", "lista", "--månad", "2026-11", "--xlsx", str(target)))
    from zipfile import ZipFile

    with ZipFile(target) as book:
        workbook = book.read("xl/workbook.xml").decode()
    assert "Närvaro" in workbook and "Summa" in workbook
    assert target.stat().st_mode & 0o777 == 0o600
    again = placed("närvaro", "lista", "--månad", "2026-11", "--xlsx", str(target))
    assert again.exit_code == 1  # no file is overwritten by surprise


def test_absences_in_arbetsformedlingens_shape(placed: Invoke) -> None:
    _register_month(placed)
    data = json.loads(ok(placed("närvaro", "lista", "--månad", "2026-11", "--frånvaro",
                                "--json")))  # fmt: skip
    assert [
        (f["arende"], f["aktivitet"], f["datum"], f["forvantad_tid"], f["franvarande_tid"],
         f["orsak"])
        for f in data["franvaro"]
    ] == [
        ("A-1", ARB, "2026-11-12", 4, 4, "Ogiltig frånvaro: Kom inte"),
        ("A-1", ARB, "2026-11-16", 4, 4, "Sjuk"),
        ("B-1", "Supported Employment", "2026-11-10", None, None, "Giltig frånvaro: Läkarbesök"),
        ("B-1", "Supported Employment", "2026-11-20", None, None, "Ogiltig frånvaro"),
    ]  # fmt: skip
    raw = placed("närvaro", "lista", "--månad", "2026-11", "--frånvaro", "--csv").stdout_bytes
    found = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert found[0] == ["Ärende", "Person", "Aktivitet", "Datum", "Förväntad tid (tim)",
                        "Frånvarande tid (tim)", "Orsak"]  # fmt: skip
    assert len(found) == 5


def test_unexcused_absence_in_the_responsible_handlaggares_day(placed: Invoke) -> None:
    _register_month(placed)
    mine = json.loads(ok(placed("idag", "--json", som="mk")))
    assert [(r["arende"], r["vad"], r["senast"]) for r in mine] == [
        ("B-1", "ogiltig frånvaro 2026-11-20 (se)", "2026-11-27")
    ]
    # A's unexcused absence (12 Nov) is ten days old, overdue by three; as's day shows it.
    theirs = json.loads(ok(placed("idag", "--json", som="as")))
    assert ("A-1", "ogiltig frånvaro 2026-11-12 (arbetstraning)", -3) in [
        (r["arende"], r["vad"], r["dagar_kvar"]) for r in theirs
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["A-1", "--insats", "arbetstraning", "--datum", "2026-11-01", "--timmar", "4"],
         "insats: ärendet är inte i insatsen arbetstraning den 2026-11-01"),
        (["A-1", "--insats", "arbetstraning", "--datum", "2026-11-21", "--timmar", "4"],
         "insats: ärendet är inte i insatsen arbetstraning den 2026-11-21"),
        (["A-1", "--insats", "se", "--datum", "2026-11-10", "--timmar", "4"],
         "insats: ärendet är inte i insatsen se"),
        (["A-1", "--insats", "jobbklubb", "--datum", "2026-11-10", "--timmar", "4"],
         "insats: 'jobbklubb' finns inte i katalogen"),
        (["A-1", "--insats", "arbetstraning", "--datum", "2026-11-10", "--timmar", "25"],
         "timmar: '25' är inte tillåtet"),
        (["A-1", "--insats", "arbetstraning", "--datum", "2026-11-10"],
         "timmar/frånvaro: ange --timmar"),
        (["A-1", "--insats", "arbetstraning", "--datum", "2026-11-10", "--timmar", "4",
          "--frånvaro", "sjuk"], "inte båda"),
        (["A-1", "--insats", "arbetstraning", "--datum", "2026-11-10", "--frånvaro", "ledig"],
         "frånvaro: okänd kod 'ledig'"),
        (["A-1", "--insats", "arbetstraning", "--datum", "2026-11-10", "--timmar", "4",
          "--orsak", "x"], "förväntat/orsak: anges bara med --frånvaro"),
        (["B-1", "--insats", "se", "--datum", "2026-11-23", "--timmar", "4"], "datum"),
        (["B-1", "--insats", "se", "--vecka", "2026-V48", "--timmar", "4,4,4,4,4"],
         "timmar: måndag 2026-11-23 är efter idag"),
        (["B-1", "--insats", "se", "--vecka", "2026-V47", "--timmar", "4,4,4,4"],
         "timmar: veckan har 4 värden"),
        (["B-1", "--insats", "se", "--vecka", "2026-V60", "--timmar", "4,4,4,4,4"],
         "vecka: '2026-V60' är inte en vecka"),
        # Week 45: B is not in se on Monday 2 Nov: nothing of the week is written.
        (["B-1", "--insats", "se", "--vecka", "2026-V46", "--timmar", "4,4,4,4,4"],
         "måndag 2026-11-09"),
    ],
)  # fmt: skip
def test_refusals_name_the_field_and_write_nothing(
    placed: Invoke, db: Path, args: list[str], message: str
) -> None:
    if message == "måndag 2026-11-09":
        ok(placed("närvaro", "B-1", "--insats", "se", "--datum", "2026-11-12", "--timmar", "3"))
        args = ["B-1", "--insats", "se", "--vecka", "2026-V46", "--timmar", "4,4,4,4,4"]
        message = "torsdag 2026-11-12: Närvaron i se den 2026-11-12 är redan registrerad"
    before = dump(db)
    result = placed("närvaro", *args)
    assert result.exit_code == 1, result.stdout
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert dump(db) == before


def test_a_day_is_recorded_once_and_corrected_like_any_event(placed: Invoke, db: Path) -> None:
    ok(placed("närvaro", "A-1", "--insats", "arbetstraning", "--datum", "2026-11-10",
              "--frånvaro", "ogiltig", "--förväntat", "4"))  # fmt: skip
    same = placed("närvaro", "A-1", "--insats", "arbetstraning", "--datum", "2026-11-10",
                  "--frånvaro", "ogiltig", "--förväntat", "4")  # fmt: skip
    assert same.exit_code == 0 and "finns redan" in same.stderr
    other = placed("närvaro", "A-1", "--insats", "arbetstraning", "--datum", "2026-11-10",
                   "--timmar", "4")  # fmt: skip
    assert other.exit_code == 1 and "redan registrerad (händelse" in other.stderr
    event = rows(db, "SELECT id FROM handelse WHERE typ = 'narvaro'")[0][0]
    ok(placed("rätta", str(event), "--timmar", "3,5", "--orsak", "Kom efter lunch", "--ja"))
    data = json.loads(ok(placed("närvaro", "lista", "--månad", "2026-11", "--json")))
    day = data["personer"][0]["dagar"]
    assert [(d["timmar"], d["franvaro"]) for d in day] == [(3.5, None)]
    corrected = day[0]["handelse_id"]
    ok(placed("makulera", str(corrected), "--orsak", "Fel person", "--ja"))
    data = json.loads(ok(placed("närvaro", "lista", "--månad", "2026-11", "--json")))
    assert data["personer"] == []
    # Ending the insats before a recorded day is refused, naming that day's record.
    ok(placed("närvaro", "B-1", "--insats", "se", "--datum", "2026-11-19", "--timmar", "2"))
    end = placed("assign", "B-1", "--avsluta", "se", "--datum", "2026-11-18")
    assert end.exit_code == 1 and "närvaro 2026-11-19" in end.stderr


def test_attendance_travels_in_the_interchange(
    placed: Invoke, tmp_path: Path, invoke: Invoke
) -> None:
    _register_month(placed)
    out = tmp_path / "alla.csv"
    ok(placed("export", str(out)))
    lines = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    kept = [r for r in lines if r["händelse"] == "narvaro"]
    assert len(kept) == 13  # A: 1 + 4 + 5 days; B: 3
    assert {"timmar", "frånvaro", "förväntat", "orsak"} <= set(lines[0])
    assert ("2026-11-12", "ogiltig", "4", "Kom inte") in [
        (r["datum"], r["frånvaro"], r["förväntat"], r["orsak"]) for r in kept
    ]
    other = tmp_path / "ny.db"
    ok(invoke("--db", str(other), "init", use_db=False))
    assert invoke("--db", str(other), "import", str(out), use_db=False).exit_code == 0
    mine = json.loads(ok(placed("närvaro", "lista", "--månad", "2026-11", "--json")))
    theirs = json.loads(ok(invoke("--db", str(other), "närvaro", "lista", "--månad", "2026-11",
                                  "--json", use_db=False)))  # fmt: skip
    for found in (mine, theirs):
        for p in found["personer"]:
            p.pop("person")  # the personnummer travels as a pseudonym
            for d in p["dagar"]:
                d.pop("handelse_id")
    assert theirs["personer"] == mine["personer"]
    assert invoke("--db", str(other), "import", str(out), use_db=False).exit_code == 0
    assert rows(other, "SELECT count(*) FROM handelse WHERE typ = 'narvaro'") == [(13,)]


def test_gallring_erases_the_reasons_and_keeps_the_counts(placed: Invoke, db: Path) -> None:
    _register_month(placed)
    ok(placed("close", "A-1", "--slutorsak", "arbete", "--försörjning", "lon", "--ingen-enkät",
              "--datum", "2026-11-21"))  # fmt: skip
    result = placed("gallra", "--före", "2026-11-22", "--ja")
    assert result.exit_code == 0, result.stderr
    reasons = rows(
        db,
        "SELECT count(*) FROM handelse WHERE typ = 'narvaro' AND arende = 'A-1' "
        "AND json_extract(data, '$.orsak') IS NOT NULL",
    )
    assert reasons == [(0,)]
    data = json.loads(ok(placed("närvaro", "lista", "--månad", "2026-11", "--ärende", "A-1",
                                "--json")))  # fmt: skip
    a = data["personer"][0]
    assert a["person"] == "man 1981"  # the personnummer is gone
    assert (a["timmar"], a["ogiltig"], a["sjuk"]) == (36.5, 1, 1)


def test_narvaro_help_and_dry_run(placed: Invoke, db: Path) -> None:
    text = ok(placed("närvaro", "--help"))
    assert "registrera" in text and "lista" in text
    before = dump(db)
    result = placed("--dry-run", "närvaro", "A-1", "--insats", "arbetstraning", "--datum",
                    "2026-11-10", "--timmar", "4")  # fmt: skip
    assert result.exit_code == 0 and "Provkörning" in result.stderr
    assert dump(db) == before
