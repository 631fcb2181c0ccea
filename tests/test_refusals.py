"""Every refusal: a Swedish message naming the problem, exit 1 (2 for usage), nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Invoke, dump, enrolled_case, make_pnr

PNR = make_pnr("19811218", "987")


def _setup_open(register: Invoke) -> str:
    """An enrolled case with a mapping and one insats, closed neither way."""
    nr = enrolled_case(register, PNR)
    for step in (
        ["map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05"],
        ["assign", nr, "--insats", "arbetstraning", "--datum", "2014-04-01"],
    ):
        assert register(*step).exit_code == 0
    return nr


CASES = [
    # (arguments after the case number or command, exit code, words in the message)
    (["map", "{nr}", "--klar", "--datum", "2014-03-01"], 1, "före ärendets intag"),
    (
        ["map", "{nr}", "--start", "--handläggare", "as", "--datum", "2014-03-06"],
        1,
        "redan påbörjad kartläggning",
    ),
    (["map", "{nr}", "--klar", "--datum", "2014-03-04"], 1, "Ingen kartläggning är påbörjad"),
    (
        ["consent", "{nr}", "--omfattning", "samverkan", "--datum", "2014-03-01"],
        1,
        "före ärendets intag",
    ),
    (
        ["assign", "{nr}", "--insats", "arbetstraning", "--datum", "2014-05-01"],
        1,
        "redan i insatsen arbetstraning",
    ),
    (
        ["assign", "{nr}", "--insats", "kaffe", "--datum", "2014-05-01"],
        1,
        "insats: 'kaffe' är ingen insats i katalogen. Aktiva insatser: fordjupad-",
    ),
    (
        ["assign", "{nr}", "--avsluta", "syv", "--datum", "2014-05-01"],
        1,
        "Ingen pågående insats syv",
    ),
    (
        ["assign", "{nr}", "--avsluta", "arbetstraning", "--datum", "2014-03-20"],
        1,
        "Ingen pågående insats",
    ),
    (["assign", "{nr}", "--ansvarig", "zz", "--datum", "2014-05-01"], 1, "Aktiva handläggare: as"),
    (
        ["assign", "{nr}", "--insats", "syv", "--datum", "2030-01-01"],
        1,
        "datum: 2030-01-01 ligger efter dagens datum 2026-11-22.",
    ),
    (["assign", "{nr}", "--insats", "syv", "--datum", "imorgon"], 1, "inget giltigt datum"),
    (["assign", "{nr}", "--insats", "syv", "--datum", "2014"], 1, "inget giltigt datum"),
    (["assign", "{nr}", "--insats", "syv", "--datum", "05/03/2014"], 1, "inget giltigt datum"),
    (["assign", "{nr}"], 2, "ange precis en av --insats, --avsluta och --ansvarig."),
    (["assign", "{nr}", "--insats", "syv", "--okand-flagga"], 2, "okänd flagga '--okand-flagga'."),
    (["map", "{nr}", "--start", "--klar"], 2, "antingen --start eller --klar"),
    (
        # a missing value without a terminal is a usage error (exit 2), as the README says
        ["close", "{nr}", "--slutorsak", "arbete", "--försörjning", "lon", "--datum", "2014-05-01"],
        2,
        "flaggan --nöjd-bemötande saknas: enkätsvar 1–5 om bemötandet, eller 'avböjde'",
    ),
    (
        [
            "close",
            "{nr}",
            "--slutorsak",
            "arbete",
            "--försörjning",
            "lon",
            "--nöjd-bemötande",
            "7",
            "--nöjd-insats",
            "4",
        ],
        1,
        "nöjd-bemötande: '7'",
    ),
    (
        ["close", "{nr}", "--slutorsak", "arbete", "--försörjning", "lon", "--nöjd-bemötande", "5"],
        1,
        "nöjd-bemötande/nöjd-insats: enkäten har två frågor; ange båda svaren (1–5) eller "
        "--ingen-enkät.",
    ),
    (
        ["close", "{nr}", "--slutorsak", "ej-malgrupp", "--ingen-enkät", "--datum", "2014-05-01"],
        1,
        "slutorsak: 'ej-malgrupp' gäller bara ärenden som avslutas före inskrivning; ärendet "
        "skrevs in 2014-03-04.",
    ),
    (["close", "{nr}", "--slutorsak", "pension", "--ingen-enkät"], 1, "Tillåtna: arbete, studier"),
    (
        ["close", "{nr}", "--slutorsak", "arbete", "--försörjning", "lon,ingen", "--ingen-enkät"],
        1,
        "försörjning: 'ingen' (ingen egen försörjning) kan inte kombineras med andra källor.",
    ),
    (
        [
            "close",
            "{nr}",
            "--slutorsak",
            "arbete",
            "--försörjning",
            "lön",
            "--ingen-enkät",
            "--datum",
            "2014-03-20",
        ],
        1,
        "Ärendet avslutades 2014-03-20; insats 2014-04-01 kan inte ligga efter avslutet. "
        "Det gäller insats 2014-04-01 (händelse 8), som inte längre går ihop med avslut "
        "2014-03-20 (den nya händelsen).",
    ),
    (
        [
            "followup",
            "{nr}",
            "--sysselsättning",
            "arbete",
            "--försörjning",
            "lon",
            "--datum",
            "2015-02-28",
        ],
        1,
        "tidigast 2015-03-01",
    ),
    (
        ["followup", "{nr}", "--sysselsättning", "semester", "--försörjning", "lon"],
        1,
        "sysselsättning: okänd kod",
    ),
    (
        ["consent", "{nr}", "--återkalla", "--omfattning", "statistik", "--datum", "2014-03-03"],
        1,
        "inget gällande samtycke (statistik)",
    ),
    (["consent", "{nr}", "--omfattning", "allt"], 1, "omfattning: okänd kod"),
    (
        ["show", "EVI-1999-0001"],
        1,
        "ärende: 'EVI-1999-0001' finns inte. Se 'envagin cases --alla'.",
    ),
    (["map", "EVI-1999-0001", "--klar"], 1, "'EVI-1999-0001' finns inte"),
    (["makulera", "9999", "--orsak", "fel"], 1, "händelse 9999 finns inte"),
    (["makulera", "abc", "--orsak", "fel"], 1, "händelse-id"),
    (
        ["intake", "--personnummer", PNR, "--remittent", "af", "--datum", "2014-06-01"],
        1,
        "redan ett öppet ärende: EVI-2014-0001",
    ),
    (
        ["intake", "--anonym", "--kön", "man", "--födelseår", "1970", "--remittent", "kyrkan"],
        1,
        "remittent: okänd kod",
    ),
    (
        ["intake", "--anonym", "--kön", "annat", "--födelseår", "1970", "--remittent", "af"],
        1,
        "kön: okänd kod",
    ),
    (
        ["intake", "--anonym", "--kön", "man", "--födelseår", "nittio", "--remittent", "af"],
        1,
        "födelseår: 'nittio' är inte tillåtet; ange ett heltal 1880–2026.",
    ),
    (["intake", "--anonym", "--kön", "man", "--remittent", "af"], 2, "--födelseår saknas"),
    (["intake", "--remittent", "af"], 2, "flaggan --personnummer saknas: ange --personnummer"),
    (
        [
            "intake",
            "--anonym",
            "--kön",
            "man",
            "--födelseår",
            "1970",
            "--remittent",
            "af",
            "--ärende",
            "12345",
        ],
        1,
        "minst en bokstav",
    ),
    (
        [
            "intake",
            "--anonym",
            "--kön",
            "man",
            "--födelseår",
            "1970",
            "--remittent",
            "af",
            "--ärende",
            "EVI-2014-0001",
        ],
        1,
        "ärende: EVI-2014-0001 finns redan; välj ett annat nummer eller utelämna det.",
    ),
    (
        [
            "intake",
            "--anonym",
            "--kön",
            "man",
            "--födelseår",
            "1970",
            "--remittent",
            "af",
            "--ansvarig",
            "nobody",
        ],
        1,
        "ansvarig: 'nobody'",
    ),
    (
        ["tripartite", "{nr}", "--handläggare", "as", "--datum", "2014-05-01"],
        2,
        "flaggan --remittent-handläggare saknas",
    ),
    (
        ["tripartite", "{nr}", "--handläggare", "as", "--remittent-handläggare", "Rad\nbrytning"],
        1,
        "remittent-handläggare: styrtecken (t.ex. radbrytning) är inte tillåtna.",
    ),
    (
        ["staff", "add", "as", "--namn", "Annan Person", "--part", "fs", "--roll", "ovrig"],
        1,
        "id: handläggaren as finns redan (Amir Said, fs, socialsekreterare); välj ett annat id.",
    ),
    (
        ["staff", "add", "n y", "--namn", "Ny", "--part", "fs", "--roll", "ovrig"],
        1,
        "id: 'n y' är inget giltigt handläggar-id; använd 1–20 bokstäver a–z",
    ),
    (
        ["staff", "add", "ny", "--namn", "Ny", "--part", "kommunen", "--roll", "ovrig"],
        1,
        "part: okänd kod",
    ),
    (
        ["staff", "add", "ny", "--namn", "Ny", "--part", "fs", "--roll", "chef"],
        1,
        "roll: okänd kod",
    ),
    (
        [
            "staff",
            "add",
            "ny",
            "--namn",
            "Ny",
            "--part",
            "fs",
            "--roll",
            "ovrig",
            "--tjänstgöringsgrad",
            "120",
        ],
        1,
        "tjänstgöringsgrad: '120' är inte tillåten; ange hela procent 1–100.",
    ),
    (
        [
            "staff",
            "add",
            "ny",
            "--namn",
            "Ny",
            "--part",
            "fs",
            "--roll",
            "ovrig",
            "--tjänstgöringsgrad",
            "halv",
        ],
        1,
        "tjänstgöringsgrad: 'halv' är inte tillåten; ange hela procent 1–100.",
    ),
    (
        ["staff", "deactivate", "qq"],
        1,
        "id: 'qq' är ingen registrerad handläggare. Registrerade: as, jb, ls, mk.",
    ),
]


@pytest.mark.parametrize(("args", "code", "words"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_refused_and_nothing_written(
    register: Invoke, db: Path, args: list[str], code: int, words: str
) -> None:
    nr = _setup_open(register)
    before = dump(db)
    result = register(*[a.replace("{nr}", nr) for a in args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    # The message itself (not one word of it), as the first thing said, and no personnummer.
    assert words in result.stderr
    assert result.stderr.startswith("Fel i kommandoraden: " if code == 2 else "Fel: ")
    assert PNR not in result.stderr
    assert result.stdout == ""
    assert dump(db) == before
    assert "Traceback" not in result.stderr + result.stdout


def test_closing_twice_and_following_up_twice(register: Invoke, db: Path) -> None:
    nr = _setup_open(register)
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
            "2014-09-01",
        ).exit_code
        == 0
    )
    assert (
        register(
            "followup",
            nr,
            "--sysselsättning",
            "studier",
            "--försörjning",
            "studiemedel",
            "--datum",
            "2015-04-01",
        ).exit_code
        == 0
    )
    before = dump(db)
    again = register(
        "close",
        nr,
        "--slutorsak",
        "arbete",
        "--försörjning",
        "lon",
        "--ingen-enkät",
        "--datum",
        "2014-08-01",
    )
    assert again.exit_code == 1 and "redan avslut" in again.stderr
    twice = register(
        "followup",
        nr,
        "--sysselsättning",
        "arbete",
        "--försörjning",
        "lon",
        "--datum",
        "2015-05-01",
    )
    assert twice.exit_code == 1 and "ettårsuppföljningen görs en gång" in twice.stderr
    after_close = register("assign", nr, "--insats", "syv", "--datum", "2014-10-01")
    assert after_close.exit_code == 1 and "avslutades 2014-09-01" in after_close.stderr
    assert dump(db) == before


def test_joint_work_needs_consent(register: Invoke, db: Path) -> None:
    nr = register(
        "intake",
        "--anonym",
        "--kön",
        "kvinna",
        "--födelseår",
        "1990",
        "--remittent",
        "af",
        "--datum",
        "2014-03-03",
    ).stdout.strip()
    before = dump(db)
    for args in (
        ["map", nr, "--start", "--handläggare", "as"],
        ["tripartite", nr, "--handläggare", "as", "--remittent-handläggare", "Ek"],
        ["assign", nr, "--insats", "syv"],
    ):
        result = register(*args, "--datum", "2014-03-05")
        assert result.exit_code == 1
        assert "saknar samtycke till samverkan" in result.stderr
    # Consent to statistics alone is not consent to joint work.
    assert (
        register("consent", nr, "--omfattning", "statistik", "--datum", "2014-03-04").exit_code == 0
    )
    refused = register("assign", nr, "--insats", "syv", "--datum", "2014-03-05")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "Fel: Ärendet saknar samtycke till samverkan den 2014-03-05; insats kräver det."
    )
    assert dump(db)["arende_insats"] == before["arende_insats"]


def test_acting_user_is_required(register: Invoke, db: Path) -> None:
    before = dump(db)
    result = register(
        "intake", "--anonym", "--kön", "man", "--födelseår", "1970", "--remittent", "af", som=None
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Fel: som: ange vem som registrerar med --som ID eller miljövariabeln ENVAGIN_USER"
    )
    other = register(
        "intake",
        "--anonym",
        "--kön",
        "man",
        "--födelseår",
        "1970",
        "--remittent",
        "af",
        som="okand",
    )
    assert other.exit_code == 1
    assert "som: 'okand' är ingen registrerad handläggare. Aktiva handläggare: as, jb, ls, mk." in (
        other.stderr
    )
    assert dump(db) == before


def test_som_option_overrides_environment(register: Invoke, db: Path) -> None:
    result = register(
        "intake",
        "--anonym",
        "--kön",
        "man",
        "--födelseår",
        "1970",
        "--remittent",
        "af",
        "--som",
        "mk",
        som="ls",
    )
    assert result.exit_code == 0
    from conftest import rows

    assert rows(db, "SELECT som FROM handelse WHERE typ = 'intake'") == [("mk",)]


def test_ascii_spelling_of_options(register: Invoke) -> None:
    nr = enrolled_case(register)
    result = register("map", nr, "--start", "--handlaggare", "as", "--datum", "2014-03-05")
    assert result.exit_code == 0, result.stderr
    closed = register(
        "close",
        nr,
        "--slutorsak",
        "arbete",
        "--forsorjning",
        "lon",
        "--nojd-bemotande",
        "4",
        "--nojd-insats",
        "5",
        "--datum",
        "2014-05-05",
    )
    assert closed.exit_code == 0, closed.stderr
