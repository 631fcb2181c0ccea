"""The whole En väg in lifecycle through the CLI, checked in the database and in `show`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Invoke, enrolled_case, make_pnr, rows


def test_whole_lifecycle(register: Invoke, db: Path) -> None:
    pnr = make_pnr("19811218", "987")
    result = register(
        "intake",
        "--personnummer",
        pnr,
        "--remittent",
        "fs",
        "--försörjning",
        "forsorjningsstod,sjukpenning",
        "--ansvarig",
        "as",
        "--datum",
        "2014-03-03",
    )
    assert result.exit_code == 0, result.stderr
    nr = result.stdout.strip()
    assert nr == "EVI-2014-0001"  # only the case number on stdout
    steps = [
        ["consent", nr, "--omfattning", "samverkan,statistik", "--datum", "4 mars 2014"],
        ["map", nr, "--start", "--handläggare", "as", "--handläggare", "mk", "--datum", "20140305"],
        ["map", nr, "--klar", "--datum", "2014-03-17"],
        [
            "tripartite",
            nr,
            "--handläggare",
            "as",
            "--remittent-handläggare",
            "Karin Ek",
            "--datum",
            "2014-03-20",
        ],
        ["assign", nr, "--insats", "arbetstraning", "--datum", "2014-04-01"],
        ["assign", nr, "--insats", "syv", "--datum", "2014-04-10"],
        ["assign", nr, "--avsluta", "syv", "--datum", "2014-04-30"],
        ["assign", nr, "--insats", "se", "--byt", "--datum", "2014-06-02"],
        ["assign", nr, "--ansvarig", "mk", "--datum", "2014-06-03"],
        [
            "tripartite",
            nr,
            "--handläggare",
            "mk",
            "--remittent-handläggare",
            "Karin Ek",
            "--avslutande",
            "--datum",
            "2014-11-28",
        ],
        [
            "close",
            nr,
            "--slutorsak",
            "arbete",
            "--försörjning",
            "lon",
            "--nöjd-bemötande",
            "5",
            "--nöjd-insats",
            "4",
            "--datum",
            "2014-12-01",
        ],
        [
            "followup",
            nr,
            "--sysselsättning",
            "arbete",
            "--försörjning",
            "lon",
            "--datum",
            "2015-04-01",
        ],
    ]
    for step in steps:
        result = register(*step)
        assert result.exit_code == 0, (step, result.stderr)
    case = rows(
        db,
        "SELECT inskriven, kartlaggning_start, kartlaggning_klar, trepart, "
        "forsta_insats, avslutad, slutorsak, nojd_bemotande, nojd_insats, uppfoljd, "
        "sysselsattning, ansvarig FROM arende WHERE nr = ?",
        nr,
    )[0]
    assert case == (
        "2014-03-04",
        "2014-03-05",
        "2014-03-17",
        "2014-03-20",
        "2014-04-01",
        "2014-12-01",
        "arbete",
        5,
        4,
        "2015-04-01",
        "arbete",
        "mk",
    )
    spans = rows(
        db, "SELECT insats, start, slut FROM arende_insats WHERE arende = ? ORDER BY lopnr", nr
    )
    # --byt ended arbetstraning the day se started; the close ended se.
    assert spans == [
        ("arbetstraning", "2014-04-01", "2014-06-02"),
        ("syv", "2014-04-10", "2014-04-30"),
        ("se", "2014-06-02", "2014-12-01"),
    ]
    sources = rows(
        db,
        "SELECT forsorjning_intag, forsorjning_avslut, forsorjning_uppfoljning "
        "FROM arende WHERE nr = ?",
        nr,
    )
    assert sources == [("forsorjningsstod,sjukpenning", "lon", "lon")]
    shown = register("show", nr, "--json")
    assert shown.exit_code == 0
    view = json.loads(shown.stdout)
    assert view["fas"] == "avslutad"
    assert view["person"] == "19811218-****"
    assert [h["typ"] for h in view["handelser"]] == [
        "intake",
        "consent",
        "map-start",
        "map-done",
        "tripartite",
        "assign",
        "assign",
        "assign-end",
        "assign",
        "responsible",
        "tripartite",
        "close",
        "followup",
    ]
    assert all(h["som"] == "ls" for h in view["handelser"])
    # The personnummer never leaves in clear text through show.
    assert pnr not in shown.stdout and pnr[2:] not in shown.stdout


def test_case_named_by_personnummer_of_open_case(register: Invoke) -> None:
    pnr = make_pnr("19900101", "123")
    nr = enrolled_case(register, pnr)
    ten_digit = f"{pnr[2:8]}-{pnr[8:]}"
    result = register("map", ten_digit, "--start", "--handläggare", "as", "--datum", "2014-03-05")
    assert result.exit_code == 0, result.stderr
    assert nr in result.stderr
    table = register("show", pnr)
    assert table.exit_code == 0
    assert "19900101-****" in table.stdout
    assert pnr not in table.stdout


def test_generated_and_given_case_numbers(register: Invoke) -> None:
    first = register(
        "intake",
        "--anonym",
        "--kön",
        "man",
        "--födelseår",
        "1970",
        "--remittent",
        "egen",
        "--datum",
        "2015-01-05",
    )
    second = register(
        "intake",
        "--anonym",
        "--kön",
        "man",
        "--födelseår",
        "1971",
        "--remittent",
        "egen",
        "--datum",
        "2015-02-05",
    )
    own = register(
        "intake",
        "--anonym",
        "--kön",
        "kvinna",
        "--födelseår",
        "1972",
        "--remittent",
        "egen",
        "--ärende",
        "TYR-77",
        "--datum",
        "2015-02-05",
    )
    assert [first.stdout.strip(), second.stdout.strip(), own.stdout.strip()] == [
        "EVI-2015-0001",
        "EVI-2015-0002",
        "TYR-77",
    ]


def test_consent_without_statistik_makes_the_case_anonymous(register: Invoke, db: Path) -> None:
    pnr = make_pnr("19790203", "456")
    nr = register(
        "intake", "--personnummer", pnr, "--remittent", "fk", "--datum", "2014-03-03"
    ).stdout.strip()
    assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer = ?", pnr) == [(1,)]
    assert (
        register("consent", nr, "--omfattning", "samverkan", "--datum", "2014-03-04").exit_code == 0
    )
    assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer IS NOT NULL") == [(0,)]
    assert rows(db, "SELECT kon, fodelsear FROM arende WHERE nr = ?", nr) == [("kvinna", 1979)]
    # The history is untouched: the intake event still points at the same identity row.
    assert rows(db, "SELECT count(*) FROM handelse WHERE arende = ?", nr) == [(2,)]


def test_protected_identity_keeps_no_personnummer(register: Invoke, db: Path) -> None:
    pnr = make_pnr("19850505", "321")
    result = register(
        "intake", "--personnummer", pnr, "--skyddad", "--remittent", "fs", "--datum", "2014-03-03"
    )
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT personnummer, kon, fodelsear, skyddad FROM identitet") == [
        (None, "man", 1985, 1)
    ]


def test_withdrawal_flags_the_open_case_and_allows_closing(register: Invoke) -> None:
    nr = enrolled_case(register)
    assert (
        register("assign", nr, "--insats", "mobilisering", "--datum", "2014-03-10").exit_code == 0
    )
    assert register("consent", nr, "--återkalla", "--datum", "2014-04-01").exit_code == 0
    listed = json.loads(register("cases", "--återkallat", "--json").stdout)
    assert [c["arende"] for c in listed] == [nr]
    assert "samtycke återkallat" in listed[0]["flaggor"]
    # Ending the insats and closing are still possible; new joint work is not.
    assert register("assign", nr, "--insats", "syv", "--datum", "2014-04-02").exit_code == 1
    assert (
        register("assign", nr, "--avsluta", "mobilisering", "--datum", "2014-04-02").exit_code == 0
    )
    closed = register(
        "close",
        nr,
        "--slutorsak",
        "avbrutet",
        "--försörjning",
        "forsorjningsstod",
        "--ingen-enkät",
        "--datum",
        "2014-04-03",
    )
    assert closed.exit_code == 0, closed.stderr
    assert json.loads(register("cases", "--återkallat", "--json").stdout) == []


def test_closed_before_enrolment(register: Invoke, db: Path) -> None:
    nr = register(
        "intake",
        "--anonym",
        "--kön",
        "man",
        "--födelseår",
        "1950",
        "--remittent",
        "fs",
        "--datum",
        "2014-03-03",
    ).stdout.strip()
    result = register("close", nr, "--slutorsak", "ej-målgrupp", "--datum", "2014-03-10")
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT inskriven, slutorsak FROM arende") == [(None, "ej-malgrupp")]


def test_caseload_flags_overdue_mapping_and_follow_up(register: Invoke) -> None:
    late = enrolled_case(register, intake="2026-10-01", consent="2026-10-02")
    assert (
        register("map", late, "--start", "--handläggare", "as", "--datum", "2026-11-01").exit_code
        == 0
    )
    on_time = enrolled_case(register, intake="2026-11-10", consent="2026-11-10")
    assert (
        register(
            "map", on_time, "--start", "--handläggare", "as", "--datum", "2026-11-12"
        ).exit_code
        == 0
    )
    due = enrolled_case(register, intake="2025-11-01", consent="2025-11-02")
    assert register("assign", due, "--insats", "vux", "--datum", "2025-12-20").exit_code == 0
    overdue = json.loads(register("cases", "--försenad-kartläggning", "--json").stdout)
    assert [c["arende"] for c in overdue] == [late]
    follow = json.loads(register("cases", "--uppföljning", "--json").stdout)
    assert [c["arende"] for c in follow] == [due]
    mine = json.loads(register("cases", "--handläggare", "as", "--json").stdout)
    assert {c["arende"] for c in mine} == {late, on_time, due}
    summary = json.loads(register("cases", "--per-handläggare", "--json").stdout)
    amir = next(s for s in summary if s["handlaggare"] == "as")
    assert (
        amir["aktiva_arenden"],
        amir["kartlaggning_forsenad"],
        amir["uppfoljning_att_gora"],
    ) == (3, 1, 1)
    table = register("cases")
    assert "kartläggning försenad" in table.stdout and late in table.stdout


def test_staff_register(register: Invoke) -> None:
    listed = json.loads(register("staff", "list", "--json").stdout)
    assert [s["id"] for s in listed] == ["as", "jb", "ls", "mk"]
    assert next(s for s in listed if s["id"] == "jb")["tjanstgoringsgrad"] == 50
    same = register(
        "staff",
        "add",
        "mk",
        "--namn",
        "Maria Karlsson",
        "--part",
        "ac",
        "--roll",
        "arbetsmarknadssekreterare",
        "--datum",
        "2014-01-01",
    )
    assert same.exit_code == 0 and "inget ändrat" in same.stderr
    assert register("staff", "deactivate", "jb", "--ja").exit_code == 0
    assert [s["id"] for s in json.loads(register("staff", "list", "--json").stdout)] == [
        "as",
        "ls",
        "mk",
    ]
    refused = register(
        "intake", "--anonym", "--kön", "man", "--födelseår", "1970", "--remittent", "af", som="jb"
    )
    assert refused.exit_code == 1
    assert "som: 'jb' är avaktiverad" in refused.stderr


def test_insats_catalogue(register: Invoke) -> None:
    codes = [i["kod"] for i in json.loads(register("insats", "list", "--json").stdout)]
    assert codes[:3] == ["fordjupad-kartlaggning", "arbetstraning", "arbetstraning-sof"]
    assert len(codes) == 16
    refused = register(
        "insats", "add", "jobbklubb", "--namn", "Jobbklubb", "--part", "ac", som="as"
    )
    assert refused.exit_code == 1 and "projektledare eller teamledare" in refused.stderr
    assert (
        register("insats", "add", "jobbklubb", "--namn", "Jobbklubb", "--part", "ac").exit_code == 0
    )
    assert register("insats", "deactivate", "art").exit_code == 0
    codes = [i["kod"] for i in json.loads(register("insats", "list", "--json").stdout)]
    assert "jobbklubb" in codes and "art" not in codes
    nr = enrolled_case(register)
    refused = register("assign", nr, "--insats", "art", "--datum", "2014-03-05")
    assert refused.exit_code == 1 and "avaktiverad" in refused.stderr


def test_new_register_is_set_up_by_its_first_staff_member(invoke: Invoke, db: Path) -> None:
    assert invoke("init").exit_code == 0
    first = invoke(
        "staff",
        "add",
        "pl",
        "--namn",
        "Pia Lund",
        "--part",
        "sf",
        "--roll",
        "projektledare",
        som=None,
    )
    assert first.exit_code == 0, first.stderr
    second = invoke(
        "staff", "add", "x1", "--namn", "X", "--part", "fs", "--roll", "ovrig", som=None
    )
    assert second.exit_code == 1 and "som" in second.stderr
    assert rows(db, "SELECT som FROM handelse") == [("pl",)]
