"""The half-year report on a data set whose figures were worked out by hand.

2014H1 = 2014-01-01 – 2014-06-30. The cases (K = kvinna, M = man):

A K  intake 2013-11-01 (fs), enrolled 2013-11-05, arbetstraning 2013-12-01, closed 2014-02-10
     arbete; försörjning fs -> lon; survey 5/5                    carried over, closed in P
B M  intake 2013-02-01 (af), enrolled 2013-02-05, mobilisering 2013-03-01, open; follow-up
     2014-02-15 arbetssokande, fs                                  carried over; follow-up due
C K  intake 2013-04-10 (af), enrolled 2013-04-12, syv 2013-05-02, closed 2013-12-20 studier;
     follow-up 2014-04-05 studier, studiemedel                     not a participant in P
D M  intake 2013-06-01 (fk), enrolled 2013-06-03, vux 2013-06-20, open, no follow-up
E K  intake 2014-01-15 (fk), enrolled 2014-01-20, mapping 01-22 -> 02-10, tripartite 02-15,
     arbetstraning-sof 03-01, closed 05-30 af-insats; sjukpenning -> aktivitetsstod; 4/3
F M  intake 2014-02-01 (af), enrolled 02-03, mapping 02-04 -> 02-14, tripartite 02-20, se 03-10
G K  intake 2014-03-01 (fs), closed 2014-03-15 ej-malgrupp          never enrolled
H M  intake 2014-04-01, enrolled 04-02, closed 06-15 felregistrering  in no figure
I K  intake 2014-05-01 (egen), consent 05-05 voided                  referred only
J M  intake 2014-05-10, intake voided                                in no figure
K K  intake 2014-06-20 (vc), consent 2014-07-02                      referred only in P
L M  intake 2014-03-10 (fs), enrolled 03-12, mapping 03-13 -> 03-20, tripartite 03-25,
     praktik 04-01, closed 06-30 arbete; fs -> lon; survey 4/4
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from envagin_cli.report.mask import maskera
from envagin_cli.report.tables import Kolumn, Rad, Tabell, bounds_of, procent

from conftest import Invoke


def _case(run: Invoke, kon: str, remittent: str, intake: str, fs: str | None = None) -> str:
    args = [
        "intake",
        "--anonym",
        "--kön",
        kon,
        "--födelseår",
        "1980",
        "--remittent",
        remittent,
        "--datum",
        intake,
        "--ansvarig",
        "as",
    ]
    if fs:
        args += ["--försörjning", fs]
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def _do(run: Invoke, *args: str) -> None:
    result = run(*args)
    assert result.exit_code == 0, (args, result.stderr)


def _enrol(run: Invoke, nr: str, day: str) -> None:
    _do(run, "consent", nr, "--omfattning", "samverkan,statistik", "--datum", day)


def _event_id(run: Invoke, nr: str, typ: str) -> str:
    events = json.loads(run("show", nr, "--json").stdout)["handelser"]
    return str(next(e["id"] for e in events if e["typ"] == typ and not e["makulerad"]))


@pytest.fixture
def data(register: Invoke) -> Invoke:
    run = register
    a = _case(run, "kvinna", "fs", "2013-11-01", "forsorjningsstod")
    _enrol(run, a, "2013-11-05")
    _do(run, "map", a, "--start", "--handläggare", "as", "--datum", "2013-11-06")
    _do(run, "map", a, "--klar", "--datum", "2013-11-15")
    _do(
        run,
        "tripartite",
        a,
        "--handläggare",
        "as",
        "--remittent-handläggare",
        "Ek",
        "--datum",
        "2013-11-20",
    )
    _do(run, "assign", a, "--insats", "arbetstraning", "--datum", "2013-12-01")
    _do(
        run,
        "close",
        a,
        "--slutorsak",
        "arbete",
        "--försörjning",
        "lon",
        "--nöjd-bemötande",
        "5",
        "--nöjd-insats",
        "5",
        "--datum",
        "2014-02-10",
    )
    b = _case(run, "man", "af", "2013-02-01", "forsorjningsstod")
    _enrol(run, b, "2013-02-05")
    _do(run, "assign", b, "--insats", "mobilisering", "--datum", "2013-03-01")
    _do(
        run,
        "followup",
        b,
        "--sysselsättning",
        "arbetssokande",
        "--försörjning",
        "forsorjningsstod",
        "--datum",
        "2014-02-15",
    )
    c = _case(run, "kvinna", "af", "2013-04-10", "forsorjningsstod")
    _enrol(run, c, "2013-04-12")
    _do(run, "assign", c, "--insats", "syv", "--datum", "2013-05-02")
    _do(
        run,
        "close",
        c,
        "--slutorsak",
        "studier",
        "--försörjning",
        "studiemedel",
        "--ingen-enkät",
        "--datum",
        "2013-12-20",
    )
    _do(
        run,
        "followup",
        c,
        "--sysselsättning",
        "studier",
        "--försörjning",
        "studiemedel",
        "--datum",
        "2014-04-05",
    )
    d = _case(run, "man", "fk", "2013-06-01", "sjukpenning")
    _enrol(run, d, "2013-06-03")
    _do(run, "assign", d, "--insats", "vux", "--datum", "2013-06-20")
    e = _case(run, "kvinna", "fk", "2014-01-15", "sjukpenning")
    _enrol(run, e, "2014-01-20")
    _do(run, "map", e, "--start", "--handläggare", "as", "--datum", "2014-01-22")
    _do(run, "map", e, "--klar", "--datum", "2014-02-10")
    _do(
        run,
        "tripartite",
        e,
        "--handläggare",
        "as",
        "--remittent-handläggare",
        "Ek",
        "--datum",
        "2014-02-15",
    )
    _do(run, "assign", e, "--insats", "arbetstraning-sof", "--datum", "2014-03-01")
    _do(
        run,
        "close",
        e,
        "--slutorsak",
        "af-insats",
        "--försörjning",
        "aktivitetsstod",
        "--nöjd-bemötande",
        "4",
        "--nöjd-insats",
        "3",
        "--datum",
        "2014-05-30",
    )
    f = _case(run, "man", "af", "2014-02-01", "a-kassa")
    _enrol(run, f, "2014-02-03")
    _do(run, "map", f, "--start", "--handläggare", "mk", "--datum", "2014-02-04")
    _do(run, "map", f, "--klar", "--datum", "2014-02-14")
    _do(
        run,
        "tripartite",
        f,
        "--handläggare",
        "mk",
        "--remittent-handläggare",
        "Ek",
        "--datum",
        "2014-02-20",
    )
    _do(run, "assign", f, "--insats", "se", "--datum", "2014-03-10")
    g = _case(run, "kvinna", "fs", "2014-03-01")
    _do(run, "close", g, "--slutorsak", "ej-malgrupp", "--datum", "2014-03-15")
    h = _case(run, "man", "af", "2014-04-01", "forsorjningsstod")
    _enrol(run, h, "2014-04-02")
    _do(run, "close", h, "--slutorsak", "felregistrering", "--datum", "2014-06-15")
    i = _case(run, "kvinna", "egen", "2014-05-01")
    _enrol(run, i, "2014-05-05")
    _do(run, "makulera", _event_id(run, i, "consent"), "--orsak", "Fel ärende")
    j = _case(run, "man", "af", "2014-05-10")
    _do(run, "makulera", _event_id(run, j, "intake"), "--orsak", "Dubblett")
    k = _case(run, "kvinna", "vc", "2014-06-20")
    _enrol(run, k, "2014-07-02")
    ell = _case(run, "man", "fs", "2014-03-10", "forsorjningsstod")
    _enrol(run, ell, "2014-03-12")
    _do(run, "map", ell, "--start", "--handläggare", "mk", "--datum", "2014-03-13")
    _do(run, "map", ell, "--klar", "--datum", "2014-03-20")
    _do(
        run,
        "tripartite",
        ell,
        "--handläggare",
        "mk",
        "--remittent-handläggare",
        "Ek",
        "--datum",
        "2014-03-25",
    )
    _do(run, "assign", ell, "--insats", "praktik", "--datum", "2014-04-01")
    _do(
        run,
        "close",
        ell,
        "--slutorsak",
        "arbete",
        "--försörjning",
        "lon",
        "--nöjd-bemötande",
        "4",
        "--nöjd-insats",
        "4",
        "--datum",
        "2014-06-30",
    )
    return run


def _report(run: Invoke, *args: str) -> dict[str, Any]:
    result = run("report", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _kmt(table: dict[str, Any], row: str, prefix: str = "") -> tuple[Any, Any, Any]:
    r = table["rader"][row]
    return (r[f"{prefix}kvinnor"], r[f"{prefix}män"], r[f"{prefix}totalt"])


def test_half_year_figures(data: Invoke) -> None:
    rep = _report(data, "--halvår", "2014H1")
    assert rep["period"] == {
        "typ": "halvår",
        "etikett": "2014H1",
        "från": "2014-01-01",
        "till": "2014-06-30",
        "dagar": 181,
        "hela_månader": 6,
    }
    p = rep["tabeller"]["period"]
    assert _kmt(p, "deltagare") == (2, 4, 6)
    assert _kmt(p, "nya") == (1, 2, 3)
    assert _kmt(p, "remitterade") == (4, 2, 6)
    assert _kmt(p, "avslutade") == (2, 1, 3)
    assert _kmt(p, "arbete") == (1, 1, 2)
    assert _kmt(p, "studier") == (0, 0, 0)
    assert _kmt(p, "arbete_studier") == (1, 1, 2)
    assert _kmt(p, "procent") == (50, 100, 67)
    assert _kmt(p, "med_insats") == (2, 1, 3)
    assert _kmt(p, "med_insats_as") == (1, 1, 2)
    assert _kmt(p, "med_insats_procent") == (50, 100, 67)

    s = rep["tabeller"]["slutorsak"]
    assert _kmt(s, "arbete") == (1, 1, 2)
    assert _kmt(s, "af-insats") == (1, 0, 1)
    assert _kmt(s, "ej-malgrupp") == (1, 0, 1)
    assert "felregistrering" not in s["rader"]
    assert _kmt(s, "totalt") == (3, 1, 4)
    assert sum(_kmt(s, k)[2] for k in s["rader"] if k != "totalt") == 4

    r = rep["tabeller"]["remittent"]
    assert list(r["rader"]) == ["fs", "af", "fk", "totalt"]
    assert [(_kmt(r, k), r["rader"][k]["andel"]) for k in r["rader"]] == [
        ((0, 1, 1), 33),
        ((0, 1, 1), 33),
        ((1, 0, 1), 33),
        ((1, 2, 3), 100),
    ]

    ins = rep["tabeller"]["insatser"]
    expected = {
        "arbetstraning": ((1, 0, 1), (0, 0, 0), (1, 0, 1)),
        "mobilisering": ((0, 1, 1), (0, 0, 0), (0, 0, 0)),
        "vux": ((0, 1, 1), (0, 0, 0), (0, 0, 0)),
        "arbetstraning-sof": ((1, 0, 1), (1, 0, 1), (1, 0, 1)),
        "se": ((0, 1, 1), (0, 1, 1), (0, 0, 0)),
        "praktik": ((0, 1, 1), (0, 1, 1), (0, 1, 1)),
        "syv": ((0, 0, 0), (0, 0, 0), (0, 0, 0)),
    }
    for code, (during, started, ended) in expected.items():
        assert _kmt(ins, code, "i_") == during, code
        assert _kmt(ins, code, "start_") == started, code
        assert _kmt(ins, code, "slut_") == ended, code

    f = rep["tabeller"]["forsorjning"]
    assert _kmt(f, "forsorjningsstod", "intag_") == (1, 1, 2)
    assert _kmt(f, "sjukpenning", "intag_") == (1, 0, 1)
    assert _kmt(f, "lon", "avslut_") == (1, 1, 2)
    assert _kmt(f, "aktivitetsstod", "avslut_") == (1, 0, 1)
    assert _kmt(f, "forsorjningsstod", "avslut_") == (0, 0, 0)
    assert _kmt(f, "antal", "intag_") == (2, 1, 3)
    assert _kmt(f, "offentlig", "intag_") == (2, 1, 3)
    assert _kmt(f, "offentlig", "avslut_") == (1, 0, 1)
    assert _kmt(f, "offentlig_procent", "avslut_") == (50, 0, 33)
    assert _kmt(f, "lamnat_fs", "avslut_") == (1, 1, 2)
    assert _kmt(f, "lamnat_sp", "avslut_") == (1, 0, 1)
    assert _kmt(f, "lamnat_fs_procent", "avslut_") == (50, 100, 67)

    lt = rep["tabeller"]["ledtider"]
    assert _kmt(lt, "intag_inskrivning") == (5, 2, 2)
    assert _kmt(lt, "intag_kartlaggning") == (7, 3, 3)
    assert _kmt(lt, "kartlaggning") == (19, 8.5, 10)
    assert _kmt(lt, "intag_trepart") == (31, 17, 19)
    assert _kmt(lt, "trepart_insats") == (14, 12.5, 14)
    assert _kmt(lt, "trepart_insats", "n_") == (1, 2, 3)
    assert _kmt(lt, "inom_14") == (0, 100, 67)
    assert _kmt(lt, "inom_14", "n_") == (0, 2, 2)

    n = rep["tabeller"]["nojdhet"]
    assert _kmt(n, "svarat") == (2, 1, 3)
    assert _kmt(n, "avbojt") == (0, 0, 0)
    assert _kmt(n, "bemotande") == (100, 100, 100)
    assert _kmt(n, "insats") == (50, 100, 67)
    assert _kmt(n, "bada") == (50, 100, 67)

    u = rep["tabeller"]["uppfoljning"]
    assert _kmt(u, "due") == (1, 2, 3)
    assert _kmt(u, "done") == (1, 1, 2)
    assert _kmt(u, "ej_uppfoljda") == (0, 1, 1)
    assert _kmt(u, "studier") == (1, 0, 1)
    assert _kmt(u, "any") == (1, 0, 1)
    assert _kmt(u, "procent") == (100, 0, 50)

    goals = {g["nyckel"]: g for g in rep["mål"]}
    assert (goals["inflode"]["mål"], goals["inflode"]["utfall"], goals["inflode"]["uppfyllt"]) == (
        100,
        3,
        False,
    )
    assert (goals["ettar"]["mål"], goals["ettar"]["utfall"], goals["ettar"]["uppfyllt"]) == (
        40,
        50,
        True,
    )
    assert (goals["nojda"]["utfall"], goals["nojda"]["uppfyllt"]) == (67, False)
    assert (
        goals["ratt-stod"]["mål"],
        goals["ratt-stod"]["utfall"],
        goals["ratt-stod"]["uppfyllt"],
    ) == (None, 100, None)
    assert goals["offentlig"]["utfall"] == 67


def test_since_start_counts_every_participant_by_remittent(data: Invoke) -> None:
    rep = _report(data, "--sedan-start", "--till", "2014-06-30")
    assert rep["period"]["från"] == "2013-02-01" and rep["period"]["till"] == "2014-06-30"
    r = rep["tabeller"]["remittent"]
    assert [(k, _kmt(r, k), r["rader"][k]["andel"]) for k in r["rader"]] == [
        ("fs", (1, 1, 2), 29),
        ("af", (1, 2, 3), 43),
        ("fk", (1, 1, 2), 29),
        ("totalt", (3, 4, 7), 100),
    ]


@pytest.mark.parametrize(
    ("args", "label", "start", "end"),
    [
        (["--halvår", "2014H1"], "2014H1", "2014-01-01", "2014-06-30"),
        (["--halvår", "2014:2"], "2014H2", "2014-07-01", "2014-12-31"),
        (["--halvar", "2014-H1"], "2014H1", "2014-01-01", "2014-06-30"),
        (["--tertial", "2014T2"], "2014T2", "2014-05-01", "2014-08-31"),
        (["--tertial", "2014:3"], "2014T3", "2014-09-01", "2014-12-31"),
        (["--år", "2014"], "2014", "2014-01-01", "2014-12-31"),
        (["--ar", "2015"], "2015", "2015-01-01", "2015-12-31"),
        (
            ["--från", "2014-02-01", "--till", "15 mars 2014"],
            "2014-02-01–2014-03-15",
            "2014-02-01",
            "2014-03-15",
        ),
        (["--halvår"], "2026H2 (t.o.m. idag)", "2026-07-01", "2026-11-22"),
        (["--tertial"], "2026T3 (t.o.m. idag)", "2026-09-01", "2026-11-22"),
        ([], "2026H2 (t.o.m. idag)", "2026-07-01", "2026-11-22"),
    ],
)
def test_period_forms(register: Invoke, args: list[str], label: str, start: str, end: str) -> None:
    rep = _report(register, *args)
    assert (rep["period"]["etikett"], rep["period"]["från"], rep["period"]["till"]) == (
        label,
        start,
        end,
    )
    table = register("report", *args)
    assert f"{start} – {end}" in table.stdout


def test_bare_period_flag_before_other_options(register: Invoke) -> None:
    result = register("report", "--tertial", "--markdown")
    assert result.exit_code == 0 and "2026-09-01 – 2026-11-22" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--halvår", "2014H3"], 1, "halvår"),
        (["--tertial", "2014T4"], 1, "tertial"),
        (["--år", "14"], 1, "år"),
        (["--från", "2014-05-01", "--till", "2014-04-01"], 1, "före från-datumet"),
        (["--från", "2014-05-01"], 2, "--från kräver --till"),
        (["--halvår", "2014H1", "--år", "2014"], 2, "ange en period"),
        (["--maskera", "1"], 1, "maskera"),
        (["--json", "--csv"], 2, "välj ett format"),
    ],
)
def test_bad_report_options(register: Invoke, args: list[str], code: int, words: str) -> None:
    result = register("report", *args)
    assert result.exit_code == code
    assert words in result.stderr and result.stdout == ""


def test_goal_targets(data: Invoke) -> None:
    refused = data("mål", "set", "nojda", "60", som="as")
    assert refused.exit_code == 1 and "projektledare eller teamledare" in refused.stderr
    # Each target applies from its --datum (the report of 2014H1 reads those of 2014-06-30).
    since = ("--datum", "2014-01-01")
    assert data("mål", "set", "nöjda", "60", *since).exit_code == 0
    assert data("mal", "set", "ratt-stod", "80", *since).exit_code == 0
    assert data("mål", "set", "offentlig", "50", *since).exit_code == 0
    assert data("mål", "set", "inflode", "6", *since).exit_code == 0
    bad = data("mål", "set", "ettar", "140")
    assert bad.exit_code == 1 and "0–100" in bad.stderr
    unknown = data("mål", "set", "vinst", "1")
    assert unknown.exit_code == 1 and "inflode, ettar" in unknown.stderr
    listed = {g["nyckel"]: g["varde"] for g in json.loads(data("mål", "list", "--json").stdout)}
    assert listed == {"inflode": 6, "ettar": 40, "nojda": 60, "ratt-stod": 80, "offentlig": 50}
    goals = {g["nyckel"]: g for g in _report(data, "--halvår", "2014H1")["mål"]}
    assert (goals["inflode"]["mål"], goals["inflode"]["uppfyllt"]) == (3, True)
    assert goals["nojda"]["uppfyllt"] is True
    assert goals["ratt-stod"]["uppfyllt"] is True
    assert goals["offentlig"]["uppfyllt"] is True
    assert data("mål", "set", "ratt-stod", "ingen", *since).exit_code == 0
    table = data("report", "--halvår", "2014H1")
    assert "✓ uppfyllt" in table.stdout and "✗ ej uppfyllt" not in table.stdout
    assert "– inget mål" in table.stdout


def test_pro_rata_inflow_by_days(data: Invoke) -> None:
    rep = _report(data, "--från", "2014-01-15", "--till", "2014-03-15")
    inflow = next(g for g in rep["mål"] if g["nyckel"] == "inflode")
    assert inflow["mål"] == round(200 * 60 / 365, 1)
    assert "60/365 dagar" in inflow["underlag"]


def test_rounding_half_up() -> None:
    assert procent(9, 360) == 3
    assert procent(17, 40) == 43
    assert procent(1, 40) == 3
    assert procent(2, 3) == 67
    assert procent(1, 8) == 13
    assert procent(0, 5) == 0
    assert procent(3, 0) is None


def test_every_format(data: Invoke, tmp_path: Path) -> None:
    text = data("report", "--halvår", "2014H1")
    assert text.exit_code == 0
    assert "2014H1: 2014-01-01 – 2014-06-30" in text.stdout
    assert (
        "Deltagare och avslut" in text.stdout and "måluppfyllelse mot projektplanen" in text.stdout
    )

    raw = data("report", "--halvår", "2014H1", "--csv").stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    heads = [i for i, r in enumerate(rows) if r == ["Deltagare och avslut"]]
    assert heads
    block = rows[heads[0] + 1 : heads[0] + 4]
    assert block[0] == ["", "Kvinnor", "Män", "Totalt"]
    assert block[1] == ["Deltagare", "2", "4", "6"]
    assert ["Procent arbete/studier", "50 %", "100 %", "67 %"] in rows

    md = data("report", "--halvår", "2014H1", "--markdown").stdout
    assert "| Deltagare | 2 | 4 | 6 |" in md
    assert "## Mål på individnivå: måluppfyllelse mot projektplanen" in md

    target = tmp_path / "rapport.xlsx"
    result = data("report", "--halvår", "2014H1", "--xlsx", str(target))
    assert result.exit_code == 0, result.stderr
    from zipfile import ZipFile

    with ZipFile(target) as book:
        names = book.namelist()
        workbook = book.read("xl/workbook.xml").decode()
        styles = book.read("xl/styles.xml").decode()
        sheet2 = book.read("xl/worksheets/sheet2.xml").decode()
    sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
    # overview + 10 tables (with sysselsättning and bakgrund) + milestones, indicators, goals
    assert len(sheets) == 14
    assert "Deltagare och avslut" in workbook and "Översikt" in workbook
    assert "<b/>" in styles
    assert "<cols>" in sheet2


def test_caseload_in_report_and_cases(data: Invoke) -> None:
    rep = json.loads(data("report", "--caseload", "--json").stdout)["arbetsbelastning"]
    from_cases = json.loads(data("cases", "--per-handläggare", "--json").stdout)
    assert {k: v["aktiva_arenden"] for k, v in rep["rader"].items() if k != "totalt"} == {
        r["handlaggare"]: r["aktiva_arenden"] for r in from_cases
    }
    assert rep["rader"]["totalt"]["aktiva_arenden"] == 5  # B, D, F, I (referred), K


# --- masking --------------------------------------------------------------------------------


def _possible_values(
    table: dict[str, Any], relations: list[list[tuple[str, str]]], limit: int
) -> dict[tuple[str, str], set[int]]:
    """Every value each hidden cell can take, by exhaustive search over the relations."""
    grans = None
    hidden: list[tuple[str, str]] = []
    known: dict[tuple[str, str], int] = {}
    for row_key, row in table["rader"].items():
        for col, value in row.items():
            if col == "etikett":
                continue
            if isinstance(value, str) and (value.startswith("<") or value == "*"):
                hidden.append((row_key, col))
                if value.startswith("<"):
                    grans = int(value[1:])
            elif isinstance(value, int):
                known[(row_key, col)] = value
    ranges = {
        c: range(1, (grans or limit))
        if table["rader"][c[0]][c[1]].startswith("<")
        else range(1, limit + 1)
        for c in hidden
    }
    possible: dict[tuple[str, str], set[int]] = {c: set() for c in hidden}
    relevant = [r for r in relations if all(c in known or c in ranges for c in r)]

    def consistent(values: dict[tuple[str, str], int]) -> bool:
        for r in relevant:
            complete = all(c in values for c in r)
            if complete and sum(values[c] for c in r[:-1]) != values[r[-1]]:
                return False
        return True

    def search(i: int, values: dict[tuple[str, str], int]) -> None:
        # Backtracking over the hidden cells; a complete consistent assignment is possible.
        if not consistent(values):
            return
        if i == len(hidden):
            for c in hidden:
                possible[c].add(values[c])
            return
        for v in ranges[hidden[i]]:
            values[hidden[i]] = v
            search(i + 1, values)
            del values[hidden[i]]

    search(0, dict(known))
    return possible


def test_masking_leaves_no_hidden_value_recoverable(data: Invoke) -> None:
    rep = _report(data, "--halvår", "2014H1", "--maskera", "3")
    assert rep["maskering"] == 3
    s = rep["tabeller"]["slutorsak"]
    rows = [k for k in s["rader"] if k != "totalt"]
    relations = [[(r, "kvinnor"), (r, "män"), (r, "totalt")] for r in s["rader"]]
    relations += [[*[(r, c) for r in rows], ("totalt", c)] for c in ("kvinnor", "män", "totalt")]
    masked = [
        (r, c)
        for r, row in s["rader"].items()
        for c, v in row.items()
        if isinstance(v, str) and c != "etikett"
    ]
    assert masked  # 1s and 2s exist in this table
    # Small counts are shown as <3; zeros stay.
    assert s["rader"]["ej-malgrupp"]["män"] == 0
    assert s["rader"]["ej-malgrupp"]["kvinnor"] in ("<3", "*")
    possible = _possible_values(s, relations, limit=8)
    for cell, values in possible.items():
        assert len(values) >= 2, (cell, values)
    text = data("report", "--halvår", "2014H1", "--maskera", "3")
    assert "Maskering på" in text.stdout
    unmasked = data("report", "--halvår", "2014H1")
    assert "Maskering" not in unmasked.stdout


def test_masking_a_hand_made_table() -> None:
    kmt = [Kolumn("kvinnor", "K"), Kolumn("män", "M"), Kolumn("totalt", "T")]
    rows = [
        Rad("a", "A", {"kvinnor": 1, "män": 5, "totalt": 6}),
        Rad("b", "B", {"kvinnor": 4, "män": 7, "totalt": 11}),
        Rad("c", "C", {"kvinnor": 0, "män": 2, "totalt": 2}),
        Rad("t", "Totalt", {"kvinnor": 5, "män": 14, "totalt": 19}, summa=True),
    ]
    t = Tabell(
        "x",
        "X",
        kmt,
        rows,
        tripletter=[("kvinnor", "män", "totalt")],
        summagrupper=[(["a", "b", "c"], "t")],
    )
    maskera(t, 3)
    assert t.text(t.rad("a"), kmt[0]) == "<3"
    assert t.text(t.rad("c"), kmt[0]) == "0"
    relations = [[(r, "kvinnor"), (r, "män"), (r, "totalt")] for r in "abct"]
    relations += [[("a", c), ("b", c), ("c", c), ("t", c)] for c in ("kvinnor", "män", "totalt")]
    count = {(r.nyckel, k.nyckel): r.varden[k.nyckel] for r in rows for k in kmt}
    bounds = bounds_of(relations, t.dolda, lambda c: count[c], 3)
    assert all(low < high for low, high in bounds.values())
    as_json = {"rader": {r.nyckel: {k.nyckel: t.varde(r, k) for k in kmt} for r in rows}}
    possible = _possible_values(as_json, relations, limit=20)
    assert all(len(v) >= 2 for v in possible.values()), possible


def test_a_goal_label_names_the_stored_target(data: Invoke) -> None:
    before = {g["nyckel"]: g for g in _report(data, "--halvår", "2014H1")["mål"]}
    assert before["inflode"]["namn"] == "Inflöde: nya deltagare (200 per år)"
    assert data("mål", "set", "inflode", "150", "--datum", "2014-06-30").exit_code == 0
    after = {g["nyckel"]: g for g in _report(data, "--halvår", "2014H1")["mål"]}
    assert after["inflode"]["namn"] == "Inflöde: nya deltagare (150 per år)"
    assert after["inflode"]["mål"] == 75.0  # 150 per år × 6/12 månader
    assert "150 per år × 6/12 månader" in after["inflode"]["underlag"]
    table = data("report", "--halvår", "2014H1")
    assert "(150 per år)" in table.stdout and "(200 per år)" not in table.stdout
    assert data("mål", "set", "inflode", "ingen", "--datum", "2014-06-30").exit_code == 0
    unset = {g["nyckel"]: g for g in _report(data, "--halvår", "2014H1")["mål"]}
    assert unset["inflode"]["namn"] == "Inflöde: nya deltagare"
