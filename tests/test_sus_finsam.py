"""Issue 28: the SUS instrument (sysselsättning at intake and closing, utbildning, tid i
offentlig försörjning; the report's "Sysselsättning vid intag och avslut" and "Bakgrund")
and Uppföljning Finsam by the förbund's insatser (`enhet finsam add`, `export --finsam`),
each on a data set worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke, dump, enrolled_case, rows


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def _case(
    inv: Invoke,
    kon: str,
    born: int,
    intake: str,
    consent: str,
    *sus: str,
) -> str:
    nr = ok(
        inv(
            "intake",
            "--anonym",
            "--kön",
            kon,
            "--födelseår",
            str(born),
            "--remittent",
            "af",
            "--försörjning",
            "forsorjningsstod",
            "--datum",
            intake,
            *sus,
        )
    ).strip()
    ok(inv("consent", nr, "--omfattning", "samverkan,statistik", "--datum", consent))
    return nr


def _close(inv: Invoke, nr: str, reason: str, day: str, *more: str) -> None:
    ok(
        inv(
            "close",
            nr,
            "--slutorsak",
            reason,
            "--försörjning",
            "lon",
            "--ingen-enkät",
            "--datum",
            day,
            *more,
        )
    )


@pytest.fixture
def sus(register: Invoke) -> Invoke:
    """Hand-worked SUS data (year 2014; age = enrolment year minus year of birth).

    A kvinna 1990, enrolled 2014-01-12 (24): arbetssokande, gymnasial, 1-2-ar; closed
      2014-06-01 arbete with sysselsättning arbete.
    B man 1985, enrolled 2014-02-02 (29): arbetssokande + ovrigt, forgymnasial, over-5-ar;
      closed 2014-09-01 studier with studier.
    C kvinna 1960, enrolled 2014-03-02 (54): nothing given; closed 2014-10-01 annat,
      nothing given.
    D man 1949, enrolled 2013-12-02 (not in 2014's background): ovrigt, eftergymnasial;
      closed 2014-05-01 vard with ovrigt.
    E kvinna 1998, enrolled 2014-11-02 (16): okand, under-1-ar; open.
    F man 1950, enrolled 2014-04-02: gymnasial; closed as felregistrering (counts nowhere).
    G kvinna 1948, enrolled 2014-05-02 (66): nothing given; open.
    """
    inv = register
    a = _case(
        inv, "kvinna", 1990, "2014-01-10", "2014-01-12",
        "--sysselsättning", "arbetssökande", "--utbildning", "gymnasial",
        "--tid-offentlig", "1-2-år",
    )  # fmt: skip
    _close(inv, a, "arbete", "2014-06-01", "--sysselsättning", "arbete")
    b = _case(
        inv, "man", 1985, "2014-02-01", "2014-02-02",
        "--sysselsättning", "arbetssokande,ovrigt", "--utbildning", "förgymnasial",
        "--tid-offentlig", "over-5-ar",
    )  # fmt: skip
    _close(inv, b, "studier", "2014-09-01", "--sysselsättning", "studier")
    c = _case(inv, "kvinna", 1960, "2014-03-01", "2014-03-02")
    _close(inv, c, "annat", "2014-10-01")
    d = _case(
        inv, "man", 1949, "2013-12-01", "2013-12-02",
        "--sysselsättning", "ovrigt", "--utbildning", "eftergymnasial",
    )  # fmt: skip
    _close(inv, d, "vard", "2014-05-01", "--sysselsättning", "övrigt")
    _case(
        inv, "kvinna", 1998, "2014-11-01", "2014-11-02",
        "--utbildning", "okand", "--tid-offentlig", "under-1-ar",
    )  # fmt: skip
    f = _case(inv, "man", 1950, "2014-04-01", "2014-04-02", "--utbildning", "gymnasial")
    _close(inv, f, "felregistrering", "2014-05-05")
    _case(inv, "kvinna", 1948, "2014-05-01", "2014-05-02")
    return inv


def _tables(inv: Invoke, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(inv("report", *args, "--json")))["tabeller"]
    return data


def _kmt(table: dict[str, Any], row: str, prefix: str = "") -> tuple[Any, Any, Any]:
    r = table["rader"][row]
    return (r[f"{prefix}kvinnor"], r[f"{prefix}män"], r[f"{prefix}totalt"])


def test_sysselsattning_at_intake_and_closing(sus: Invoke) -> None:
    t = _tables(sus, "--år", "2014")["sysselsattning"]
    assert t["rubrik"] == "Sysselsättning vid intag och vid avslut (avslutade deltagare)"
    expected = {
        # row: (intag K, M, T), (avslut K, M, T)
        "arbete": ((0, 0, 0), (1, 0, 1)),
        "studier": ((0, 0, 0), (0, 1, 1)),
        "arbetssokande": ((1, 1, 2), (0, 0, 0)),
        "ovrigt": ((0, 2, 2), (0, 1, 1)),
        "antal": ((1, 2, 3), (1, 2, 3)),
    }
    for row, (intag, avslut) in expected.items():
        assert _kmt(t, row, "intag_") == intag, row
        assert _kmt(t, row, "avslut_") == avslut, row
    # The first half-year: A (closed June) and D (closed May).
    h1 = _tables(sus, "--halvår", "2014H1")["sysselsattning"]
    assert _kmt(h1, "antal", "intag_") == (1, 1, 2)
    assert _kmt(h1, "ovrigt", "avslut_") == (0, 1, 1)
    assert _kmt(h1, "arbete", "avslut_") == (1, 0, 1)


def test_bakgrund_of_those_enrolled(sus: Invoke) -> None:
    t = _tables(sus, "--år", "2014")["bakgrund"]
    assert t["rubrik"] == "Bakgrund (deltagare inskrivna under perioden)"
    expected = {
        "totalt": (4, 1, 5),
        "utb_forgymnasial": (0, 1, 1),
        "utb_gymnasial": (1, 0, 1),
        "utb_eftergymnasial": (0, 0, 0),
        "utb_okand": (1, 0, 1),
        "utb_saknas": (2, 0, 2),
        "tid_under-1-ar": (1, 0, 1),
        "tid_1-2-ar": (1, 0, 1),
        "tid_2-5-ar": (0, 0, 0),
        "tid_over-5-ar": (0, 1, 1),
        "tid_okand": (0, 0, 0),
        "tid_saknas": (2, 0, 2),
        "alder_16-24": (2, 0, 2),
        "alder_25-29": (0, 1, 1),
        "alder_30-49": (0, 0, 0),
        "alder_50-64": (1, 0, 1),
        "alder_65-": (1, 0, 1),
    }
    assert {row: _kmt(t, row) for row in expected} == expected
    assert t["rader"]["alder_65-"]["etikett"] == "Ålder vid inskrivning: 65 år och äldre"
    # The total is the period table's "varav nya".
    period = _tables(sus, "--år", "2014")["period"]
    assert _kmt(period, "nya") == (4, 1, 5)
    # 2013: only D, enrolled in December.
    t13 = _tables(sus, "--år", "2013")["bakgrund"]
    assert _kmt(t13, "totalt") == (0, 1, 1)
    assert _kmt(t13, "utb_eftergymnasial") == (0, 1, 1)
    assert _kmt(t13, "alder_50-64") == (0, 1, 1)  # 2013 - 1949 = 64


def test_new_tables_in_every_format(sus: Invoke, tmp_path: Path) -> None:
    text = ok(sus("report", "--år", "2014"))
    assert "Sysselsättning vid intag och vid avslut" in text and "Bakgrund (deltagare" in text
    raw = sus("report", "--år", "2014", "--csv").stdout_bytes
    found = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert ["Bakgrund (deltagare inskrivna under perioden)"] in found
    assert ["Utbildning: Uppgift saknas", "2", "0", "2"] in found
    md = ok(sus("report", "--år", "2014", "--markdown"))
    assert "| Ålder vid inskrivning: 16–24 år | 2 | 0 | 2 |" in md
    assert "Sysselsättning vid intag och vid avslut" in md
    xlsx = tmp_path / "r.xlsx"
    ok(sus("report", "--år", "2014", "--xlsx", str(xlsx)))
    from zipfile import ZipFile

    with ZipFile(xlsx) as book:
        workbook = book.read("xl/workbook.xml").decode()
    assert "Bakgrund" in workbook and "Sysselsättning vid intag" in workbook
    html = tmp_path / "r.html"
    ok(sus("report", "--år", "2014", "--html", str(html)))
    page = html.read_text(encoding="utf-8")
    assert "Bakgrund (deltagare inskrivna under perioden)" in page
    assert "Sysselsättning vid intag och vid avslut" in page


def test_new_tables_are_masked(sus: Invoke) -> None:
    data = json.loads(ok(sus("report", "--år", "2014", "--json", "--maskera", "3")))
    for key in ("sysselsattning", "bakgrund"):
        table = data["tabeller"][key]
        counts = [c["nyckel"] for c in table["kolumner"] if c["typ"] == "antal"]
        for row in table["rader"].values():
            for col in counts:
                value = row[col]
                assert value in ("<3", "*") or value == 0 or value >= 3, (key, row, col)
    # The total row's 5 equals "varav nya" (shown or hidden alike in both tables).
    b, p = data["tabeller"]["bakgrund"], data["tabeller"]["period"]
    assert _kmt(b, "totalt") == _kmt(p, "nya")


def test_sus_in_show_export_and_import(sus: Invoke, tmp_path: Path, invoke: Invoke) -> None:
    first = rows(tmp_path / "register.db", "SELECT nr FROM arende ORDER BY intag LIMIT 2")
    shown = ok(sus("show", first[1][0]))  # A (D's intake is earlier)
    assert "sysselsättning Aktivt arbetssökande" in shown
    assert "utbildning Gymnasial (ISCED 3–4)" in shown
    assert "tid i offentlig försörjning 1–2 år" in shown
    assert "sysselsättning Arbete" in shown
    out = tmp_path / "alla.csv"
    ok(sus("export", str(out)))
    lines = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    intakes = [r for r in lines if r["händelse"] == "intake"]
    assert {r["utbildning"] for r in intakes} >= {"gymnasial", "forgymnasial", "okand", ""}
    assert "arbetssokande,ovrigt" in {r["sysselsättning"] for r in intakes}
    assert "over-5-ar" in {r["tid-offentlig"] for r in intakes}
    closes = [r for r in lines if r["händelse"] == "close"]
    assert {r["sysselsättning"] for r in closes} == {"arbete", "studier", "", "ovrigt"}
    # Into a new register: the same report.
    other = tmp_path / "ny.db"
    ok(invoke("--db", str(other), "init", use_db=False))
    result = invoke("--db", str(other), "import", str(out), use_db=False)
    assert result.exit_code == 0, result.stderr
    again = json.loads(ok(invoke("--db", str(other), "report", "--år", "2014", "--json",
                                 use_db=False)))["tabeller"]  # fmt: skip
    before = _tables(sus, "--år", "2014")
    for key in ("sysselsattning", "bakgrund"):
        assert again[key]["rader"] == before[key]["rader"]
    # Importing the same file again adds nothing (the rule of sameness).
    snapshot = dump(other)
    assert invoke("--db", str(other), "import", str(out), use_db=False).exit_code == 0
    assert dump(other)["handelse"] == snapshot["handelse"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--utbildning", "grundskola"], "utbildning: okänd kod 'grundskola'"),
        (["--tid-offentlig", "10-ar"], "tid-offentlig: okänd kod '10-ar'"),
        (["--sysselsättning", "arbete,semester"], "sysselsättning: okänd kod 'semester'"),
    ],
)
def test_bad_sus_codes_are_refused_and_nothing_written(
    register: Invoke, db: Path, args: list[str], field: str
) -> None:
    before = dump(db)
    result = register(
        "intake", "--anonym", "--kön", "man", "--födelseår", "1980", "--remittent", "af", *args
    )
    assert result.exit_code == 1
    assert field in result.stderr and "Tillåtna:" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(db) == before


def test_close_refuses_a_bad_sysselsattning(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    before = dump(db)
    result = register(
        "close", nr, "--slutorsak", "arbete", "--försörjning", "lon", "--ingen-enkät",
        "--sysselsättning", "heltid", "--datum", "2014-05-01",
    )  # fmt: skip
    assert result.exit_code == 1 and "sysselsättning: okänd kod 'heltid'" in result.stderr
    assert dump(db) == before


def test_correcting_an_intake_adds_the_sus_values(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    intake_id = rows(db, "SELECT id FROM handelse WHERE typ = 'intake' AND arende = ?", nr)[0][0]
    result = register(
        "rätta", str(intake_id), "--utbildning", "eftergymnasial", "--sysselsättning",
        "studier,arbete", "--orsak", "Saknades", "--ja",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT utbildning, sysselsattning_intag FROM arende") == [
        ("eftergymnasial", "arbete,studier")
    ]


# --- Finsam by the förbund's insatser --------------------------------------------------


@pytest.fixture
def finsam(register: Invoke) -> Invoke:
    """Hand-worked Finsam data, with two Finsam insatser named on 2014-01-01: "En väg in"
    (the whole team) and "Arbetsträning och SE" (catalogue arbetstraning and se).

    A kvinna: enrolled 2014-01-12, arbetstraning 2014-02-01–2014-05-31, closed 2014-06-30.
    B man: enrolled 2014-03-04, arbetstraning from 2014-06-15 and se from 2014-06-20.
    C kvinna: enrolled 2014-02-02, never in an insats, open.
    D man: enrolled 2014-06-02, arbetstraning from 2014-07-01, felregistrering (nowhere).
    E kvinna: enrolled 2014-09-02, se from 2014-09-10.
    """
    inv = register
    for args in (["En väg in"], ["Arbetsträning och SE", "--insatser", "arbetstraning,se"]):
        ok(inv("enhet", "finsam", "add", *args, "--datum", "2014-01-01"))
    a = _case(inv, "kvinna", 1980, "2014-01-10", "2014-01-12")
    ok(inv("assign", a, "--insats", "arbetstraning", "--datum", "2014-02-01"))
    ok(inv("assign", a, "--avsluta", "arbetstraning", "--datum", "2014-05-31"))
    _close(inv, a, "arbete", "2014-06-30")
    b = _case(inv, "man", 1980, "2014-03-03", "2014-03-04")
    ok(inv("assign", b, "--insats", "arbetstraning", "--datum", "2014-06-15"))
    ok(inv("assign", b, "--insats", "se", "--datum", "2014-06-20"))
    _case(inv, "kvinna", 1970, "2014-02-01", "2014-02-02")
    d = _case(inv, "man", 1990, "2014-06-01", "2014-06-02")
    ok(inv("assign", d, "--insats", "arbetstraning", "--datum", "2014-07-01"))
    ok(inv("close", d, "--slutorsak", "felregistrering", "--ingen-enkät", "--datum", "2014-09-01"))
    e = _case(inv, "kvinna", 1995, "2014-09-01", "2014-09-02")
    ok(inv("assign", e, "--insats", "se", "--datum", "2014-09-10"))
    return inv


def _finsam_csv(path: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    found = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert found[0] == ["Finsam-insats", "Räknar", "Kvinnor", "Män", "Totalt"]
    gap = found.index([])
    ours = {r[0]: r[1:] for r in found[1:gap]}
    assert found[gap + 1] == ["Kod", "Insats", "Kvinnor", "Män", "Totalt"]
    catalogue = {r[0]: r[2:] for r in found[gap + 2 :]}
    return ours, catalogue


@pytest.mark.parametrize(
    ("period", "team", "named", "any_insats"),
    [
        (["--år", "2014"], ["3", "1", "4"], ["2", "1", "3"], ["2", "1", "3"]),
        (["--halvår", "2014H1"], ["2", "1", "3"], ["1", "1", "2"], ["1", "1", "2"]),
        (["--halvår", "2014H2"], ["2", "1", "3"], ["1", "1", "2"], ["1", "1", "2"]),
        (["--tertial", "2014T1"], ["2", "1", "3"], ["1", "0", "1"], ["1", "0", "1"]),
        (["--från", "2014-06-01", "--till", "2014-06-16"], ["2", "1", "3"], ["0", "1", "1"],
         ["0", "1", "1"]),
        (["--år", "2013"], ["0", "0", "0"], ["0", "0", "0"], ["0", "0", "0"]),
    ],
)  # fmt: skip
def test_finsam_counts_by_the_forbunds_insatser(
    finsam: Invoke,
    tmp_path: Path,
    period: list[str],
    team: list[str],
    named: list[str],
    any_insats: list[str],
) -> None:
    out = tmp_path / "finsam.csv"
    result = finsam("export", "--finsam", *period, str(out))
    assert result.exit_code == 0, result.stderr
    assert "2 Finsam-insatser" in result.stderr
    ours, catalogue = _finsam_csv(out)
    assert ours["En väg in"] == ["hela teamet", *team]
    assert ours["Arbetsträning och SE"] == ["insatserna arbetstraning, se", *named]
    assert catalogue["totalt"] == any_insats  # the catalogue table stays, as before


def test_finsam_whole_team_is_the_reports_deltagare(finsam: Invoke) -> None:
    data = json.loads(ok(finsam("export", "--finsam", "--år", "2014", "--json")))
    team = data["finsam_insatser"]["rader"]["En väg in"]
    report = _tables(finsam, "--år", "2014")["period"]
    assert (team["kvinnor"], team["män"], team["totalt"]) == _kmt(report, "deltagare")
    assert data["finsam"]["rader"]["totalt"]["etikett"] == "Deltagare i någon insats"


def test_finsam_definitions_are_dated_and_listed(finsam: Invoke, db: Path) -> None:
    # Redefined from 2014-07-01: only se. The first half-year keeps the old definition.
    ok(finsam("enhet", "finsam", "add", "Arbetsträning och SE", "--insatser", "se",
              "--datum", "2014-07-01"))  # fmt: skip
    h1 = json.loads(ok(finsam("export", "--finsam", "--halvår", "2014H1", "--json")))
    h2 = json.loads(ok(finsam("export", "--finsam", "--halvår", "2014H2", "--json")))
    assert h1["finsam_insatser"]["rader"]["Arbetsträning och SE"]["totalt"] == 2
    assert h2["finsam_insatser"]["rader"]["Arbetsträning och SE"]["totalt"] == 2  # B, E (se)
    assert h2["finsam_insatser"]["rader"]["Arbetsträning och SE"]["raknar"] == "insatserna se"
    listed = json.loads(ok(finsam("enhet", "finsam", "list", "--json")))
    assert listed == [
        {"namn": "En väg in", "insatser": [], "sedan": "2014-01-01"},
        {"namn": "Arbetsträning och SE", "insatser": ["se"], "sedan": "2014-07-01"},
    ]
    shown = ok(finsam("enhet", "show"))
    assert "Finsam-insatser" in shown and "hela teamet" in shown
    assert rows(db, "SELECT count(*) FROM enhet_finsam") == [(3,)]
    audit = rows(db, "SELECT count(*) FROM granskning WHERE atgard LIKE '%Finsam%'")
    assert audit == [(3,)]
    # The same definition again adds nothing.
    before = dump(db)
    again = finsam("enhet", "finsam", "add", "En väg in", "--datum", "2014-08-01")
    assert again.exit_code == 0 and "inget ändrat" in again.stderr
    assert dump(db) == before


def test_finsam_refusals_write_nothing(finsam: Invoke, db: Path) -> None:
    before = dump(db)
    unknown = finsam("enhet", "finsam", "add", "Resursrådet", "--insatser", "resursradet,jobb")
    assert unknown.exit_code == 1 and "insatser: 'jobb' finns inte i katalogen" in unknown.stderr
    not_leader = finsam("enhet", "finsam", "add", "Resursrådet", som="as")
    assert not_leader.exit_code == 1 and "projektledare" in not_leader.stderr
    future = finsam("enhet", "finsam", "add", "Resursrådet", "--datum", "2030-01-01")
    assert future.exit_code == 1 and "datum" in future.stderr
    empty = finsam("enhet", "finsam", "add", "  ")
    assert empty.exit_code == 1 and "namn" in empty.stderr
    assert dump(db) == before


def test_finsam_travels_in_the_interchange(finsam: Invoke, tmp_path: Path, invoke: Invoke) -> None:
    out = tmp_path / "alla.csv"
    ok(finsam("export", str(out)))
    lines = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    named = [(r["namn"], r["insatser"]) for r in lines if r["händelse"] == "finsam"]
    assert named == [("En väg in", ""), ("Arbetsträning och SE", "arbetstraning,se")]
    other = tmp_path / "ny.db"
    ok(invoke("--db", str(other), "init", use_db=False))
    assert invoke("--db", str(other), "import", str(out), use_db=False).exit_code == 0
    assert rows(other, "SELECT datum, namn, insatser FROM enhet_finsam ORDER BY id") == [
        ("2014-01-01", "En väg in", None),
        ("2014-01-01", "Arbetsträning och SE", "arbetstraning,se"),
    ]
    assert invoke("--db", str(other), "import", str(out), use_db=False).exit_code == 0
    assert rows(other, "SELECT count(*) FROM enhet_finsam") == [(2,)]


def test_finsam_without_named_insatser_keeps_the_catalogue_table(register: Invoke) -> None:
    result = register("export", "--finsam", "--år", "2014")
    assert result.exit_code == 0
    assert result.stdout.lstrip("\ufeff").startswith("Kod;Insats;Kvinnor;Män;Totalt")
    assert "enhet finsam add" in result.stderr


def test_finsam_add_takes_dry_run(register: Invoke, db: Path) -> None:
    before = dump(db)
    result = register("--dry-run", "enhet", "finsam", "add", "En väg in")
    assert result.exit_code == 0 and "Provkörning" in result.stderr
    assert dump(db) == before
