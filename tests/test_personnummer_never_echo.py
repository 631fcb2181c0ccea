"""Issue 23, promise 9: a personnummer never echoes, and never hides in other fields.

The red team's probes: a personnummer typed where it does not belong (an unknown command
or flag, an event id, an extra argument, `--db`, a period) came back in the usage error or
the message, also in `import --json`; inside a case number (`P198112189876`) or a free text
(orsak, names, comments) it was stored, and from there reached completion, `cases`, the
pseudonymised export, and survived gallring. Now every message and usage error is redacted
(`personnummer.redact`), and case numbers, ids, codes and free text refuse a valid one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from envagin_cli.rules import personnummer
from envagin_cli.rules.errors import Valideringsfel
from envagin_cli.rules.freetext import check

from conftest import Invoke, dump, enrolled_case, make_pnr

PNR = make_pnr("19811218", "987")  # 12 digits
TIO = f"{PNR[2:8]}-{PNR[8:]}"  # 811218-987N
SAMORDNING = make_pnr("19701063", "239")  # day 63 = the 3rd
FULLWIDTH = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in PNR)
FORMS = [PNR, TIO, PNR[2:], f"{PNR[:8]}-{PNR[8:]}", f"{PNR[2:8]}+{PNR[8:]}", SAMORDNING, FULLWIDTH]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def assert_not_echoed(text: str, *numbers: str) -> None:
    """Neither the number as typed nor its birth date and serial appear in `text`."""
    flat = _digits(text)
    for number in numbers or FORMS:
        ascii_digits = "".join(str(int(c)) for c in number if c.isdigit())
        assert number not in text
        assert ascii_digits[-10:] not in flat, text
        assert ascii_digits[-10:-4] not in flat, text  # not even the birth date


USAGE = [
    ["{p}"],  # an unknown command
    ["show", "--{p}"],  # an unknown flag
    ["cases", "{p}"],  # an extra argument
    ["show", "EVI-2014-0001", "{p}"],
    ["makulera", "{p}", "--orsak", "fel"],  # a personnummer as the event id
    ["intake", "--ärende", "{p}", "--anonym", "--kön", "man", "--födelseår", "1981"],
    ["report", "--år", "{p}"],
    ["report", "--halvår", "{p}"],
    ["--db", "{p}", "cases"],
    ["import", "{p}.csv"],
]


@pytest.mark.parametrize("form", [TIO, PNR, FULLWIDTH], ids=["tio", "tolv", "fw"])
@pytest.mark.parametrize("args", USAGE, ids=lambda a: " ".join(a))
def test_no_message_or_usage_error_repeats_a_personnummer(
    register: Invoke, db: Path, args: list[str], form: str
) -> None:
    before = dump(db)
    result = register(*(a.format(p=form) for a in args))
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip()
    assert_not_echoed(result.stdout + result.stderr, form)
    assert dump(db) == before


def test_import_json_errors_repeat_no_personnummer(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    """An `ärende` column holding a personnummer (on an intake row and on a case row) and
    a personnummer as `händelse-id`: neither the messages nor `--json` repeat it."""
    path = tmp_path / "in.csv"
    path.write_text(
        "händelse;ärende;datum;anonym;kön;födelseår;remittent;ansvarig;händelse-id;orsak\n"
        f"intake;{TIO};2014-03-03;ja;man;1981;af;as;;\n"
        f"consent;{PNR};2014-03-04;;;;;;;\n"
        f"void;;2014-03-05;;;;;;{TIO};fel\n",
        encoding="utf-8",
    )
    before = dump(db)
    result = register("import", str(path), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["felaktiga_rader"] == 3
    assert_not_echoed(result.stdout + result.stderr, TIO, PNR)
    assert dump(db) == before
    # the same with the rejects file: its reasons repeat no number either
    rejects = tmp_path / "avvisade.csv"
    result = register("import", str(path), "--hoppa-över-fel", "--avvisade", str(rejects))
    reasons = [line.rsplit(";", 1)[-1] for line in rejects.read_text("utf-8-sig").splitlines()]
    assert_not_echoed("\n".join(reasons), TIO, PNR)


@pytest.mark.parametrize("nr", [f"P{PNR}", f"X-{TIO}", f"{PNR[2:]}A", f"EVI{SAMORDNING}"])
def test_a_case_number_holding_a_personnummer_is_refused(
    register: Invoke, db: Path, tmp_path: Path, nr: str
) -> None:
    before = dump(db)
    args = ["--anonym", "--kön", "man", "--födelseår", "1981", "--remittent", "af"]
    result = register("intake", "--ärende", nr, *args, "--ansvarig", "as", "--datum", "2014-03-03")
    assert result.exit_code == 1
    assert "ärende: får inte innehålla ett personnummer" in result.stderr
    assert_not_echoed(result.stdout + result.stderr)
    # the same case number in an import file
    path = tmp_path / "in.csv"
    path.write_text(
        "händelse,ärende,datum,anonym,kön,födelseår,remittent,ansvarig\n"
        f"intake,{nr},2014-03-03,ja,man,1981,af,as\n",
        encoding="utf-8",
    )
    result = register("import", str(path))
    assert result.exit_code == 1
    assert "ärende: får inte innehålla ett personnummer" in result.stderr
    assert_not_echoed(result.stdout + result.stderr)
    assert dump(db) == before


def test_a_number_that_is_no_personnummer_is_still_a_case_number(register: Invoke) -> None:
    """Only a valid number is refused: a wrong check digit is someone's own numbering."""
    wrong = PNR[:-1] + str((int(PNR[-1]) + 1) % 10)
    args = ["--anonym", "--kön", "man", "--födelseår", "1981", "--remittent", "af"]
    result = register("intake", "--ärende", f"P{wrong}", *args, "--ansvarig", "as")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"P{wrong}"


FREE_TEXT = [
    # (command, the field's name in the refusal)
    (["staff", "add", "xy", "--namn", "Kim {p}", "--part", "fs", "--roll", "ovrig"], "namn"),
    (["staff", "add", "x{d}", "--namn", "Kim", "--part", "fs", "--roll", "ovrig"], "id"),
    (["staff", "login", "as", "u{d}"], "login"),
    (["insats", "add", "k-{p}", "--namn", "Kurs", "--part", "ac"], "kod"),
    (["insats", "add", "kurs", "--namn", "Kurs för {p}", "--part", "ac"], "namn"),
    (["enhet", "set", "--namn", "En väg in {p}"], "namn"),
    (["enhet", "set", "--namn", "Haninge", "--kommun", "{p}"], "kommun"),
    (["enhet", "set", "--namn", "Haninge", "--af-kontor", "AF {p}"], "af-kontor"),
    (["mål", "add", "m-{d}", "--text", "Mål", "--nivå", "organisation"], "kod"),
    (["mål", "add", "m1", "--text", "Mål för {p}", "--nivå", "organisation"], "text"),
    (["mål", "add", "m1", "--text", "Mål", "--nivå", "organisation", "--källa", "{p}"], "källa"),
    (["mål", "add", "m1", "--text", "Mål", "--nivå", "organisation", "--enhet", "{p}"], "enhet"),
    (
        ["mål", "add", "m1", "--text", "Mål", "--nivå", "organisation", "--följs-upp-av", "{p}"],
        "följs upp av",
    ),
    (["makulera", "{event}", "--orsak", "Fel person, rätt är {p}", "--ja"], "orsak"),
    (
        ["tripartite", "{case}", "--handläggare", "as", "--remittent-handläggare", "Anna {p}"],
        "remittent-handläggare",
    ),
]


@pytest.mark.parametrize(
    ("args", "field"), FREE_TEXT, ids=lambda a: " ".join(a[:2]) if isinstance(a, list) else a
)
@pytest.mark.parametrize("form", [TIO, SAMORDNING], ids=["tio", "samo"])
def test_free_text_ids_and_codes_refuse_a_personnummer(
    register: Invoke, db: Path, args: list[str], field: str, form: str
) -> None:
    nr = enrolled_case(register)
    event = register("show", nr, "--json")
    event_id = str(json.loads(event.stdout)["handelser"][-1]["id"])
    before = dump(db)
    digits = _digits(form) if form != SAMORDNING else form
    result = register(*(a.format(p=form, d=digits, case=nr, event=event_id) for a in args))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert f"{field}: får inte innehålla ett personnummer" in result.stderr
    assert_not_echoed(result.stdout + result.stderr, form)
    assert dump(db) == before


def test_the_same_rules_in_the_domain() -> None:
    for form in FORMS:
        assert personnummer.holds_one(f"ring {form} i morgon")
        assert form not in personnummer.redact(f"ring {form} i morgon")
        with pytest.raises(Valideringsfel, match="orsak: får inte innehålla") as info:
            check(f"Avser {form}", "orsak", 200)
        assert form not in str(info.value)
    # what is not a valid personnummer stays text: a phone number, a date, a case number
    for text in ("ring 08-123 456 78", "2014-03-05", "EVI-2014-0001", "tel 0701234567"):
        assert check(text, "kommentar", 200) == text
    # a message redacts even a number that is not valid (conservative)
    assert personnummer.redact("händelse 811218-0000 och 1234567890") == (
        "händelse [personnummer] och [personnummer]"
    )
    assert personnummer.redact("händelse 12345 den 2014-03-05") == "händelse 12345 den 2014-03-05"
