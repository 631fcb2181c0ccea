"""Personnummer edge cases: through the domain parser and through `intake`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from envagin_cli.rules import personnummer
from envagin_cli.rules.errors import Valideringsfel

from conftest import Invoke, dump, make_pnr, rows

REF = date(2026, 11, 22)


def test_forms_normalise_to_twelve_digits() -> None:
    pnr = make_pnr("19811218", "987")
    for form in (pnr, pnr[2:], f"{pnr[2:8]}-{pnr[8:]}", f"{pnr[:8]}-{pnr[8:]}", f" {pnr[2:]} "):
        parsed = personnummer.parse(form, REF)
        assert parsed.nummer == pnr
        assert parsed.fodd == date(1981, 12, 18)
        assert parsed.kon == "man"


def test_plus_means_a_hundred_or_older() -> None:
    pnr = make_pnr("19181224", "402")
    assert personnummer.parse(f"{pnr[2:8]}+{pnr[8:]}", REF).nummer == pnr
    # Without '+', the same ten digits are someone born in 2018.
    assert personnummer.parse(f"{pnr[2:8]}-{pnr[8:]}", REF).fodd == date(2018, 12, 24)
    assert personnummer.parse(pnr[2:8] + "+" + pnr[8:], REF).kon == "kvinna"


def test_samordningsnummer_accepted() -> None:
    number = make_pnr("19701063", "239")  # day 63 = the 3rd
    parsed = personnummer.parse(number, REF)
    assert parsed.samordningsnummer
    assert parsed.fodd == date(1970, 10, 3)
    assert parsed.nummer == number


def test_fullwidth_digits_normalised() -> None:
    pnr = make_pnr("19811218", "987")
    fullwidth = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in pnr)
    assert personnummer.parse(fullwidth, REF).nummer == pnr


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (make_pnr("19811218", "987")[:-1] + "0", "kontrollsiffran"),
        ("19140230" + "123" + "4", None),
        ("198112189", "10 eller 12 siffror"),
        ("١٩٨١١٢١٨٩٨٧٦", "bara innehålla"),
        ("19811218-98X6", "10 eller 12 siffror"),
    ],
)
def test_refused(text: str, why: str | None) -> None:
    with pytest.raises(Valideringsfel) as info:
        personnummer.parse(text, REF)
    message = str(info.value)
    assert message.startswith("personnummer:")
    if why:
        assert why in message
    assert text not in message and text[2:] not in message


def test_thirtieth_of_february_refused() -> None:
    # A correct check digit on a date that does not exist.
    number = "20140230" + "123"
    from stdnum import luhn

    number += luhn.calc_check_digit(number[2:])
    with pytest.raises(Valideringsfel, match="finns inte i kalendern"):
        personnummer.parse(number, REF)


def test_birth_after_intake_refused(register: Invoke, db: Path) -> None:
    pnr = make_pnr("20200101", "123")
    before = dump(db)
    result = register("intake", "--personnummer", pnr, "--remittent", "af", "--datum", "2019-05-01")
    assert result.exit_code == 1
    assert "efter 2019-05-01" in result.stderr
    assert pnr not in result.stderr and pnr[2:] not in result.stderr
    assert dump(db) == before


def test_serial_000_refused_without_echoing_the_number(register: Invoke, db: Path) -> None:
    never_issued = make_pnr("19811218", "000")  # valid check digit, serial 000
    with pytest.raises(Valideringsfel, match="000") as caught:
        personnummer.parse(never_issued, REF)
    assert never_issued[2:8] not in str(caught.value)
    before = dump(db)
    for form in (never_issued, f"{never_issued[2:8]}-{never_issued[8:]}"):
        result = register(
            "intake", "--personnummer", form, "--remittent", "af", "--datum", "2014-03-03"
        )
        assert result.exit_code == 1
        assert "födelsenumret" in result.stderr and "000" in result.stderr
        assert never_issued[2:8] not in result.stderr + result.stdout
    assert dump(db) == before


def test_bad_check_digit_through_cli(register: Invoke, db: Path) -> None:
    bad = make_pnr("19811218", "987")[:-1] + "0"
    if bad == make_pnr("19811218", "987"):
        bad = bad[:-1] + "1"
    before = dump(db)
    result = register("intake", "--personnummer", bad, "--remittent", "af", "--datum", "2014-03-03")
    assert result.exit_code == 1 and "kontrollsiffran" in result.stderr
    assert bad not in result.stderr + result.stdout
    assert dump(db) == before


def test_kon_from_number_unless_given(register: Invoke, db: Path) -> None:
    woman = make_pnr("19900101", "242")
    assert (
        register(
            "intake", "--personnummer", woman, "--remittent", "af", "--datum", "2014-03-03"
        ).exit_code
        == 0
    )
    given = make_pnr("19910101", "111")
    assert (
        register(
            "intake",
            "--personnummer",
            given,
            "--kön",
            "kvinna",
            "--remittent",
            "af",
            "--datum",
            "2014-03-03",
        ).exit_code
        == 0
    )
    assert rows(db, "SELECT kon, fodelsear FROM arende ORDER BY nr") == [
        ("kvinna", 1990),
        ("kvinna", 1991),
    ]


def test_mask() -> None:
    assert personnummer.mask("198112189876") == "19811218-****"
    assert personnummer.mask(None) == ""
