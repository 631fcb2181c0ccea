"""The handläggare's day (issue 25): idag, cases --mina/--fas, sök, rätta, ångra, the next
step, Swedish command names, and the register in use. Through the CLI, on tmp registers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Invoke, dump, enrolled_case, make_pnr, rows

PNR = make_pnr("19811218", "987")


def _intake(invoke: Invoke, datum: str, ansvarig: str, pnr: str | None = None) -> str:
    who = ["--personnummer", pnr] if pnr else ["--anonym", "--kön", "man", "--födelseår", "1980"]
    result = invoke("intake", *who, "--remittent", "af", "--datum", datum, "--ansvarig", ansvarig)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def day(register: Invoke) -> dict[str, str]:
    """Cases with something due around 2026-11-22 (TODAY in conftest)."""
    late = enrolled_case(register, intake="2026-11-01", consent="2026-11-02")  # ansvarig as
    r = register("map", late, "--start", "--handläggare", "as", "--datum", "2026-11-03")
    assert r.exit_code == 0, r.stderr
    soon = _intake(register, "2026-11-20", "as")  # consent due 2026-12-04: 12 days
    other = _intake(register, "2026-11-15", "mk", make_pnr("19900101", "123"))  # 2026-11-29
    follow = enrolled_case(
        register, make_pnr("19700505", "456"), intake="2025-10-01", consent="2025-10-02"
    )
    r = register("assign", follow, "--insats", "syv", "--datum", "2025-12-01")
    assert r.exit_code == 0, r.stderr
    return {"late": late, "soon": soon, "other": other, "follow": follow}


def test_idag_lists_what_is_due_for_me_most_urgent_first(
    day: dict[str, str], register: Invoke
) -> None:
    result = register("idag", "--json", som="as")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert all(set(i) == {"arende", "vad", "senast", "dagar_kvar", "ansvarig"} for i in items)
    assert [(i["arende"], i["senast"], i["dagar_kvar"]) for i in items] == [
        (day["late"], "2026-11-17", -5),
        (day["follow"], "2027-06-01", 191),
    ]
    assert items[0]["vad"] == "kartläggningen klar"
    assert items[1]["vad"] == "uppföljning från 2026-11-01"
    assert {i["ansvarig"] for i in items} == {"as"}
    # within 14 days the missing consent is due too; mk's case is not mine
    wider = json.loads(register("idag", "--dagar", "14", "--json", som="as").stdout)
    assert [i["arende"] for i in wider] == [day["late"], day["soon"], day["follow"]]
    assert wider[1] == {
        "arende": day["soon"],
        "vad": "samtycke saknas",
        "senast": "2026-12-04",
        "dagar_kvar": 12,
        "ansvarig": "as",
    }


def test_idag_for_another_handlaggare_or_everyone(day: dict[str, str], register: Invoke) -> None:
    mk = json.loads(register("idag", "--handläggare", "mk", "--json", som="as").stdout)
    assert [(i["arende"], i["dagar_kvar"]) for i in mk] == [(day["other"], 7)]
    everyone = json.loads(register("idag", "--alla", "--json", som="as").stdout)
    assert [i["arende"] for i in everyone] == [day["late"], day["other"], day["follow"]]
    both = register("idag", "--alla", "--handläggare", "mk")
    assert both.exit_code == 2 and "--alla" in both.stderr
    bad = register("idag", "--dagar", "en vecka")
    assert bad.exit_code == 1 and "dagar:" in bad.stderr


def test_idag_needs_to_know_who_i_am(day: dict[str, str], register: Invoke) -> None:
    result = register("idag", som=None)
    assert result.exit_code == 1
    assert "--som" in result.stderr and "ENVAGIN_USER" in result.stderr
    assert "envagin idag --alla" in result.stderr


def test_idag_fits_80_columns_and_names_the_register(
    day: dict[str, str], register: Invoke, db: Path
) -> None:
    result = register("idag", "--alla", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    head = " ".join(lines[:3])
    assert "Att göra för alla handläggare 2026-11-22" in head and db.name in head
    for nr in (day["late"], day["other"], day["follow"]):
        assert nr in result.stdout
    assert "-5" in result.stdout and "2026-11-17" in result.stdout
    nothing = register("idag", "--handläggare", "jb")
    assert "inget att göra" in nothing.stdout


def test_cases_mina_fas_and_due_dates(day: dict[str, str], register: Invoke) -> None:
    mine = json.loads(register("cases", "--mina", "--json", som="mk").stdout)
    assert [c["arende"] for c in mine] == [day["other"]]
    assert mine[0]["att_gora"] == [
        {"kod": "samtycke", "vad": "samtycke saknas", "fran": None, "senast": "2026-11-29"}
    ]
    mapping = json.loads(register("cases", "--fas", "kartläggning", "--json").stdout)
    assert [c["arende"] for c in mapping] == [day["late"]]
    assert mapping[0]["att_gora"][0]["senast"] == "2026-11-17"
    referred = json.loads(register("cases", "--fas", "remitterad", "--json").stdout)
    assert {c["arende"] for c in referred} == {day["soon"], day["other"]}
    bad = register("cases", "--fas", "klar")
    assert bad.exit_code == 1 and "fas: okänd kod 'klar'" in bad.stderr
    assert "i-insats" in bad.stderr
    table = register("cases", "--försenad-kartläggning", env={"COLUMNS": "80"}).stdout
    assert "försenad" in table and "2026-11-17" in table


def test_cases_uppfoljning_says_what_it_lists_and_the_window(
    day: dict[str, str], register: Invoke, db: Path
) -> None:
    r = register(
        "close", day["follow"], "--slutorsak", "arbete", "--försörjning", "lon",
        "--ingen-enkät", "--datum", "2026-06-01",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    result = register("cases", "--uppföljning", env={"COLUMNS": "80"})
    out = result.stdout
    assert "Öppna ärenden" not in out
    head = " ".join(out.splitlines()[:3])
    assert "Ettårsuppföljning att göra" in head and "öppna och avslutade" in head
    assert "11–18 månader" in head and db.name in head
    assert day["follow"] in out and "2026-11-01" in out and "2027-06-01" in out
    assert all(len(line) <= 80 for line in out.splitlines())


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person at the terminal: questions are asked (answers come from `input`)."""
    from envagin_cli.cli import common, svenska

    monkeypatch.setattr(svenska, "at_terminal", lambda: True)
    monkeypatch.setattr(common, "at_terminal", lambda: True)


def _close(invoke: Invoke, nr: str, datum: str) -> None:
    r = invoke(
        "close", nr, "--slutorsak", "arbete", "--försörjning", "lon", "--ingen-enkät",
        "--datum", datum,
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr


def test_sok_finds_every_case_of_a_person_newest_first_and_is_audited(
    register: Invoke, db: Path
) -> None:
    first = enrolled_case(register, PNR, intake="2014-03-03", consent="2014-03-04")
    _close(register, first, "2014-06-01")
    second = enrolled_case(register, PNR, intake="2015-01-05", consent="2015-01-06")
    other = enrolled_case(
        register, make_pnr("19900101", "123"), intake="2015-02-02", consent="2015-02-03"
    )
    for form in ("811218-9876", "198112189876", "8112189876"):
        found = json.loads(register("sök", form, "--json", som="as").stdout)
        assert [c["arende"] for c in found] == [second, first], form
    assert "9876" not in register("sök", "811218-9876", som="as").stdout
    logged = rows(db, "SELECT handlaggare, atgard, arende, detaljer FROM granskning")
    assert ("as", "sök", first, "uppslag på personnummer") in logged
    assert ("as", "sök", second, "uppslag på personnummer") in logged
    # a case-number fragment (also through `sok`), and nothing found
    fragment = json.loads(register("sok", "2015-000", "--json").stdout)
    assert {c["arende"] for c in fragment} == {second, other}
    nothing = register("sök", "XYZ-1")
    assert nothing.exit_code == 0 and "Sökning: 0 träffar" in nothing.stdout


def test_sok_finds_a_pseudonym(register: Invoke) -> None:
    pseudonym = "a1b2c3d4e5f6a7b8c9d0"
    r = register("import", "-", "--format", "csv", input=(
        "händelse,ärende,datum,pseudonym,kön,födelseår,remittent\n"
        f"intake,P-1,2014-03-03,{pseudonym},man,1970,af\n"
    ))  # fmt: skip
    assert r.exit_code == 0, r.stderr
    found = json.loads(register("sök", pseudonym.upper(), "--json").stdout)
    assert [c["arende"] for c in found] == ["P-1"]


def test_show_names_the_closed_cases_of_a_person(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register, PNR)
    _close(register, nr, "2014-06-01")
    before = rows(db, "SELECT count(*) FROM granskning")[0][0]
    result = register("visa", "811218-9876", som="mk")
    assert result.exit_code == 1
    assert "inget öppet ärende" in result.stderr and nr in result.stderr
    assert "9876" not in result.stderr
    assert rows(db, "SELECT count(*) FROM granskning")[0][0] == before + 1
    unknown = register("show", make_pnr("19900101", "123"))
    assert unknown.exit_code == 1 and "inget ärende för det personnumret" in unknown.stderr


def _ids(db: Path, nr: str) -> list[tuple[int, str, str]]:
    """The case's events in effect: (id, kind, date)."""
    return rows(
        db,
        "SELECT id, typ, datum FROM handelse h WHERE arende = ? AND typ <> 'void' "
        "AND NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id) ORDER BY datum, id",
        nr,
    )


def test_ratta_an_intake_keeps_the_case_number_and_every_later_event(
    register: Invoke, db: Path
) -> None:
    nr = enrolled_case(register, PNR, intake="2026-11-20", consent="2026-11-21")
    r = register("map", nr, "--start", "--handläggare", "as", "--datum", "2026-11-22")
    assert r.exit_code == 0, r.stderr
    intake_id = _ids(db, nr)[0][0]
    result = register(
        "rätta", str(intake_id), "--datum", "2026-11-01", "--remittent", "fk",
        "--orsak", "Remissen kom 1 november", "--ja",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Före:  2026-11-20 intag – remittent Arbetsförmedlingen" in result.stderr
    assert "Efter: 2026-11-01 intag – remittent Försäkringskassan" in result.stderr
    view = json.loads(register("show", nr, "--json").stdout)
    assert view["arende"] == nr and view["intag"] == "2026-11-01" and view["remittent"] == "fk"
    assert view["inskriven"] == "2026-11-21" and view["fas"] == "kartläggning"
    kinds = [(typ, datum) for _, typ, datum in _ids(db, nr)]
    assert kinds == [
        ("intake", "2026-11-01"),
        ("consent", "2026-11-21"),
        ("map-start", "2026-11-22"),
    ]
    # every other value kept: the income sources and the ansvarig
    intake = next(h for h in view["handelser"] if h["typ"] == "intake" and not h["makulerad"])
    assert "Försörjningsstöd" in intake["beskrivning"] and "ansvarig as" in intake["beskrivning"]
    voided = [h for h in view["handelser"] if h["makulerad"]]
    assert [h["id"] for h in voided] == [intake_id]
    assert voided[0]["makuleringsorsak"] == "Remissen kom 1 november"
    # one case, still found by the person
    assert json.loads(register("show", "811218-9876", "--json").stdout)["arende"] == nr
    assert rows(db, "SELECT count(*) FROM arende")[0][0] == 1


def test_ratta_the_person_of_an_intake(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register, PNR)
    intake_id = _ids(db, nr)[0][0]
    right = make_pnr("19850101", "123")
    result = register("ratta", str(intake_id), "--personnummer", right, "--orsak", "Fel person")
    assert result.exit_code == 0, result.stderr
    view = json.loads(register("show", nr, "--json").stdout)
    assert view["person"] == "19850101-****" and view["kon"] == "man"
    assert rows(db, "SELECT count(*) FROM arende")[0][0] == 1
    assert json.loads(register("sök", right, "--json").stdout)[0]["arende"] == nr
    assert json.loads(register("sök", PNR, "--json").stdout) == []
    # the wrong person's number is not kept anywhere
    assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer = ?", PNR.replace(
        "-", "")) == [(0,)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer IS NOT NULL") == [(1,)]


def test_ratta_refuses_what_would_break_a_later_event_naming_it(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register, intake="2026-11-20", consent="2026-11-21")
    intake_id, consent_id = (i for i, _, _ in _ids(db, nr))
    before = dump(db)
    late = register("rätta", str(intake_id), "--datum", "2026-11-22", "--orsak", "x")
    assert late.exit_code == 1
    assert f"samtycke 2026-11-21 (händelse {consent_id})" in late.stderr
    assert f"rättelsen av händelse {intake_id}" in late.stderr
    wrong = register("rätta", str(consent_id), "--slutorsak", "arbete", "--orsak", "x")
    assert wrong.exit_code == 1 and "slutorsak: hör inte till" in wrong.stderr
    assert "--omfattning" in wrong.stderr
    same = register("rätta", str(consent_id), "--datum", "2026-11-21", "--orsak", "x")
    assert same.exit_code == 1 and "ändrar inget" in same.stderr
    bad = register("rätta", str(consent_id), "--omfattning", "allt", "--orsak", "x")
    assert bad.exit_code == 1 and "omfattning" in bad.stderr
    missing = register("rätta", "999", "--datum", "2026-11-01", "--orsak", "x")
    assert missing.exit_code == 1 and "händelse 999 finns inte" in missing.stderr
    assert dump(db) == before


def test_ratta_a_close_changes_the_given_values_only(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    r = register(
        "close", nr, "--slutorsak", "arbete", "--försörjning", "lon", "--nöjd-bemötande", "5",
        "--nöjd-insats", "4", "--datum", "2014-06-01",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    close_id = _ids(db, nr)[-1][0]
    result = register("rätta", str(close_id), "--slutorsak", "studier", "--orsak", "Studier")
    assert result.exit_code == 0, result.stderr
    view = json.loads(register("show", nr, "--json").stdout)
    assert view["slutorsak"] == "studier" and view["avslutad"] == "2014-06-01"
    now = next(h for h in view["handelser"] if h["typ"] == "close" and not h["makulerad"])
    assert "nöjd bemötande 5, insats 4" in now["beskrivning"] and "Lön" in now["beskrivning"]


def test_ratta_asks_at_a_terminal_and_a_no_writes_nothing(
    register: Invoke, db: Path, terminal: None
) -> None:
    nr = enrolled_case(register)
    consent_id = _ids(db, nr)[1][0]
    before = dump(db)
    result = register(
        "rätta", str(consent_id), "--datum", "2014-03-05", "--orsak", "x", input="n\n"
    )
    assert result.exit_code == 1 and "[j/N]" in result.stderr
    assert "Före:  2014-03-04 samtycke" in result.stderr
    assert "Efter: 2014-03-05 samtycke" in result.stderr
    assert dump(db) == before
    result = register(
        "rätta", str(consent_id), "--datum", "2014-03-05", "--orsak", "x", input="j\n"
    )
    assert result.exit_code == 0, result.stderr
    assert _ids(db, nr)[1][2] == "2014-03-05"


def test_angra_voids_my_newest_registration_of_today(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)  # registered by ls
    r = register("map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05", som="as")
    assert r.exit_code == 0, r.stderr
    result = register("ångra", "--ja")  # ls: the consent, not as's mapping
    assert result.exit_code == 1
    assert "samtycke" in result.stderr and "kan inte makuleras" in result.stderr
    result = register("angra", "--ja", som="as")
    assert result.exit_code == 0, result.stderr
    assert "Ångrar händelse" in result.stderr and "påbörjad kartläggning" in result.stderr
    assert [typ for _, typ, _ in _ids(db, nr)] == ["intake", "consent"]
    reason = rows(db, "SELECT som, json_extract(data, '$.orsak') FROM handelse WHERE typ = 'void'")
    assert reason == [("as", "Ångrad av as")]
    nothing = register("ångra", "--ja", som="mk")
    assert nothing.exit_code == 1 and "ingen registrering av mk i dag" in nothing.stderr


def test_makulera_checks_before_asking(register: Invoke, db: Path, terminal: None) -> None:
    nr = enrolled_case(register)
    before = dump(db)
    intake_id = _ids(db, nr)[0][0]
    result = register("makulera", str(intake_id), "--orsak", "x", input="j\n")
    assert result.exit_code == 1 and "[j/N]" not in result.stderr
    assert "kan makuleras först när" in result.stderr
    assert dump(db) == before


def test_each_registration_says_what_comes_next(register: Invoke) -> None:
    r = register("intag", "--anonym", "--kön", "man", "--födelseår", "1980", "--remittent",
                 "af", "--datum", "2026-11-20")  # fmt: skip
    nr = r.stdout.strip()
    assert "Nästa steg: registrera samtycket" in r.stderr and "senast 2026-12-04" in r.stderr
    r = register("samtycke", nr, "--omfattning", "samverkan,statistik", "--datum", "2026-11-20")
    assert "Nästa steg: påbörja kartläggningen" in r.stderr
    r = register("kartlägg", nr, "--start", "--handläggare", "as", "--datum", "2026-11-21")
    assert "Nästa steg: kartläggningen ska vara klar" in r.stderr and "2026-12-05" in r.stderr
    r = register("kartlagg", nr, "--klar", "--datum", "2026-11-22")
    assert "Nästa steg: trepartssamtal" in r.stderr and "senast 2026-12-06" in r.stderr
    r = register("trepart", nr, "--handläggare", "as", "--remittent-handläggare", "K E")
    assert "Nästa steg: placera i en insats" in r.stderr
    r = register("placera", nr, "--insats", "syv")
    assert "Nästa steg: ettårsuppföljning" in r.stderr
    assert "2027-10-22 – 2028-05-22" in r.stderr
    r = register("avsluta", nr, "--slutorsak", "arbete", "--försörjning", "lon", "--ingen-enkät")
    assert r.exit_code == 0, r.stderr
    assert "Nästa steg: ettårsuppföljning" in r.stderr
    assert all(line.count("Nästa steg") <= 1 for line in r.stderr.splitlines())


@pytest.mark.parametrize(
    ("alias", "command"),
    [
        ("intag", "intake"),
        ("samtycke", "consent"),
        ("kartlägg", "map"),
        ("kartlagg", "map"),
        ("trepart", "tripartite"),
        ("placera", "assign"),
        ("avsluta", "close"),
        ("uppföljning", "followup"),
        ("uppfoljning", "followup"),
        ("visa", "show"),
        ("ärenden", "cases"),
        ("arenden", "cases"),
    ],
)
def test_swedish_command_names_take_the_same_options(
    invoke: Invoke, alias: str, command: str
) -> None:
    own = invoke(command, "--help", use_db=False).stdout
    swedish = invoke(alias, "--help", use_db=False).stdout
    assert own.split("\n", 1)[1] == swedish.split("\n", 1)[1]


def test_help_lists_the_swedish_names_and_fits_80_columns(invoke: Invoke) -> None:
    out = invoke("--help", use_db=False, env={"COLUMNS": "80"}).stdout
    for pair in ("intake (intag)", "map (kartlägg)", "close (avsluta)", "cases (ärenden)"):
        assert pair in out
    assert "..." not in out.split("Kommandon:")[1]
    assert all(len(line) <= 80 for line in out.splitlines())
    for name in ("idag", "sök", "rätta", "ångra"):
        assert f"\n  {name} " in out


def test_report_names_the_register_in_its_header(register: Invoke, db: Path) -> None:
    enrolled_case(register, PNR)
    out = register("report", "--halvår", "2014H1", env={"COLUMNS": "80"}).stdout
    assert "En väg in – uppföljning · register" in out and db.name in out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert db.name not in register("report", "--halvår", "2014H1", "--markdown").stdout


def test_every_missing_value_is_asked_for_at_a_terminal_and_asked_again(
    register: Invoke, db: Path, terminal: None
) -> None:
    r = register("intake", "--remittent", "af", input="12345\n811218-9876\n")
    assert r.exit_code == 0, r.stderr
    nr = r.stdout.strip()
    assert "--personnummer saknas" in r.stderr and "Försök igen" in r.stderr
    assert "12345" not in r.stderr.split("Försök igen")[0].split("Fel:")[1]
    r = register("consent", nr, input="allt\nsamverkan,statistik\n")
    assert r.exit_code == 0, r.stderr
    assert "Tillåtna: samverkan,statistik, samverkan, statistik" in r.stderr
    assert "omfattning: okänd kod 'allt'" in r.stderr
    r = register("map", nr, "--start", input="zz\nas\n")
    assert r.exit_code == 0, r.stderr
    assert "--handläggare saknas. Tillåtna: as, jb, ls, mk" in r.stderr
    r = register("tripartite", nr, input="as\nKarin Ek\n")
    assert r.exit_code == 0, r.stderr
    r = register("close", nr, input="arbet\narbete\nlon\n6\n5\n4\n")
    assert r.exit_code == 0, r.stderr
    assert "'arbet' är inte tillåtet för --slutorsak" in r.stderr
    assert "enkätsvar: '6' är inte tillåtet" in r.stderr
    view = json.loads(register("show", nr, "--json").stdout)
    assert view["slutorsak"] == "arbete"
    close = next(h for h in view["handelser"] if h["typ"] == "close")
    assert "nöjd bemötande 5, insats 4" in close["beskrivning"]


def test_the_survey_may_be_declined_at_the_prompt(
    register: Invoke, db: Path, terminal: None
) -> None:
    nr = enrolled_case(register)
    r = register("close", nr, "--slutorsak", "arbete", "--försörjning", "lon", input="avböjde\n")
    assert r.exit_code == 0, r.stderr
    assert "enkät avböjd" in register("show", nr, "--json").stdout


def test_anonymous_intake_asks_for_sex_and_birth_year(
    register: Invoke, db: Path, terminal: None
) -> None:
    r = register("intag", "--remittent", "af", input="anonym\nannat\nkvinna\n1985\n")
    assert r.exit_code == 0, r.stderr
    view = json.loads(register("show", r.stdout.strip(), "--json").stdout)
    assert (view["kon"], view["fodelsear"]) == ("kvinna", 1985)


def test_without_a_terminal_a_missing_value_is_exit_2_and_nothing_written(
    register: Invoke, db: Path
) -> None:
    nr = enrolled_case(register)
    before = dump(db)
    for args in (
        ["consent", nr],
        ["map", nr, "--start"],
        ["tripartite", nr, "--remittent-handläggare", "Ek"],
        ["intake", "--remittent", "af"],
        ["close", nr, "--slutorsak", "arbete", "--försörjning", "lon"],
    ):
        result = register(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "saknas" in result.stderr, args
    assert dump(db) == before


def test_an_empty_answer_ends_with_exit_2(register: Invoke, db: Path, terminal: None) -> None:
    nr = enrolled_case(register)
    before = dump(db)
    result = register("consent", nr, input="\n")
    assert result.exit_code == 2 and "--omfattning saknas" in result.stderr
    assert dump(db) == before


def test_messages_are_wrapped_at_word_boundaries_at_80_columns(
    register: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    from envagin_cli.cli import common

    nr = enrolled_case(register)
    wide = register("close", nr, "--slutorsak", "sjukersattnin", "--ingen-enkät", "--försörjning",
                    "lon").stderr  # fmt: skip
    monkeypatch.setattr(common, "message_width", lambda: 80)
    result = register("close", nr, "--slutorsak", "sjukersattnin", "--ingen-enkät",
                      "--försörjning", "lon")  # fmt: skip
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) > len(wide.splitlines())
    assert all(len(line) <= 80 for line in lines), lines
    assert result.stderr.split() == wide.split()  # the same words, none broken
    usage_error = register("close", nr, "--slutorsakk", "x")
    assert usage_error.exit_code == 2
    assert all(len(line) <= 80 for line in usage_error.stderr.splitlines())


def test_root_help_goes_through_the_pager_when_longer_than_the_screen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import io
    import sys

    from envagin_cli.cli.app import app

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    target = tmp_path / "bladdrat.txt"
    reader = f"import sys; open(r'{target}', 'w').write(sys.stdin.read())"
    monkeypatch.setenv("PAGER", f'{sys.executable} -c "{reader}"')
    monkeypatch.setenv("LINES", "24")
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as done:
        app(["--help"], prog_name="envagin")
    assert done.value.code == 0
    paged = target.read_text()
    assert "intake (intag)" in paged and screen.getvalue() == ""
    assert len(paged.splitlines()) > 24 and all(len(x) <= 80 for x in paged.splitlines())


def test_completion_knows_the_swedish_names(register: Invoke, db: Path) -> None:
    from test_terminal import _complete

    nr = enrolled_case(register, PNR)
    assert _complete(db, "envagin kartl", 1) == ["kartlägg"]
    assert _complete(db, "envagin avs", 1) == ["avsluta"]
    assert set(_complete(db, "envagin i", 1)) == {"init", "intake", "intag", "idag", "import",
                                                   "insats", "inställning"}  # fmt: skip
    assert "--slutorsak" in _complete(db, "envagin avsluta X --slu", 3)
    assert _complete(db, "envagin avsluta EVI", 2) == [nr]


def test_a_corrected_register_verifies_and_survives_export_and_import(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    nr = enrolled_case(register, PNR, intake="2026-11-20", consent="2026-11-21")
    intake_id, consent_id = (i for i, _, _ in _ids(db, nr))
    right = make_pnr("19850101", "123")
    for args in (
        [str(intake_id), "--datum", "2026-11-01", "--personnummer", right],
        [str(consent_id), "--omfattning", "samverkan,statistik", "--datum", "2026-11-02"],
    ):
        r = register("rätta", *args, "--orsak", "Rättat")
        assert r.exit_code == 0, r.stderr
    checked = register("verify")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    out = tmp_path / "ut.csv"
    assert register("export", str(out), "--med-personnummer").exit_code == 0
    other = tmp_path / "annat.db"
    assert register("--db", str(other), "init", use_db=False).exit_code == 0
    assert register("--db", str(other), "import", str(out), use_db=False).exit_code == 0
    again = json.loads(register("--db", str(other), "show", nr, "--json", use_db=False).stdout)
    here = json.loads(register("show", nr, "--json").stdout)
    for key in ("arende", "person", "intag", "inskriven", "fas", "remittent"):
        assert again[key] == here[key], key
    assert here["intag"] == "2026-11-01" and here["person"] == "19850101-****"


def test_dry_run_takes_the_new_writing_commands(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    consent_id = _ids(db, nr)[1][0]
    before = dump(db)
    for args in (
        ["rätta", str(consent_id), "--datum", "2014-03-05", "--orsak", "x"],
        ["ratta", str(consent_id), "--datum", "2014-03-05", "--orsak", "x"],
        ["kartlägg", nr, "--start", "--handläggare", "as"],
        ["angra", "--ja"],
    ):
        result = register(*args, "--dry-run")
        assert result.exit_code == 0, (args, result.stderr)
        assert "Provkörning: inget har skrivits." in result.stderr, args
    assert dump(db) == before
    for args in (["idag"], ["sök", "EVI"]):
        assert register(*args, "--dry-run").exit_code == 2, args


def test_ratta_an_intakes_income_sources_and_ansvarig(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register)
    intake_id = _ids(db, nr)[0][0]
    result = register(
        "rätta", str(intake_id), "--försörjning", "a-kassa,sjukpenning", "--ansvarig", "mk",
        "--orsak", "Fel uppgifter",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    view = json.loads(register("show", nr, "--json").stdout)
    assert view["ansvarig"] == "mk" and view["intag"] == "2014-03-03"
    assert rows(db, "SELECT forsorjning_intag FROM arende") == [("a-kassa,sjukpenning",)]
    mine = json.loads(register("cases", "--mina", "--json", som="mk").stdout)
    assert [c["arende"] for c in mine] == [nr]
    bad = register("rätta", str(_ids(db, nr)[0][0]), "--ansvarig", "zz", "--orsak", "x")
    assert bad.exit_code == 1 and "ansvarig: 'zz'" in bad.stderr
