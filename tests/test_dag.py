"""The handläggare's day (issue 25): idag, cases --mina/--fas, sök, rätta, ångra, the next
step, Swedish command names, and the register in use. Through the CLI, on tmp registers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Invoke, enrolled_case, make_pnr

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
    assert items[1]["vad"] == "ettårsuppföljning från 2026-11-01"
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
