"""Dates as typed on the command line and in files."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from envagin_cli.rules.dates import not_after_today, parse_date, parse_file_date, today
from envagin_cli.rules.errors import Valideringsfel

from conftest import Invoke

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-03-05", date(2014, 3, 5)),
        ("20140305", date(2014, 3, 5)),
        ("5 mars 2014", date(2014, 3, 5)),
        ("5 Mars 2014", date(2014, 3, 5)),
        ("05 maj 2014", date(2014, 5, 5)),
        ("1 sept 2015", date(2015, 9, 1)),
        ("31 december 2014", date(2014, 12, 31)),
        ("idag", TODAY),
        ("i dag", TODAY),
        ("igår", date(2026, 11, 21)),
        ("igar", date(2026, 11, 21)),
    ],
)
def test_accepted(text: str, expected: date) -> None:
    assert parse_date(text, idag=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2014",
        "mars 2014",
        "05/03/2014",
        "5/3",
        "2014-3-5",
        "30 februari 2014",
        "2014-02-30",
        "20140230",
        "5 march 2014",
        "",
        "imorgon",
        "2014-03-05T10:00",
    ],
)
def test_refused(text: str) -> None:
    with pytest.raises(Valideringsfel, match="datum"):
        parse_date(text, idag=TODAY)


def test_file_dates_are_iso_only() -> None:
    assert parse_file_date("2014-03-05") == date(2014, 3, 5)
    for text in ("20140305", "5 mars 2014", "2014-02-30"):
        with pytest.raises(Valideringsfel):
            parse_file_date(text)


def test_envagin_idag_cannot_move_today_forward(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = date.today()
    monkeypatch.setenv("ENVAGIN_IDAG", (real + timedelta(days=1)).isoformat())
    with pytest.raises(Valideringsfel, match=r"ENVAGIN_IDAG: .* ligger efter dagens datum"):
        today()
    result = invoke("init")
    assert result.exit_code == 0
    refused = invoke(
        "staff", "add", "ls", "--namn", "Lena Sundberg", "--part", "sf", "--roll",
        "projektledare",
    )  # fmt: skip
    assert refused.exit_code == 1 and "ENVAGIN_IDAG" in refused.stderr
    assert "Traceback" not in refused.stderr
    monkeypatch.setenv("ENVAGIN_IDAG", (real - timedelta(days=3)).isoformat())
    assert today() == real - timedelta(days=3)


def test_no_parameter_lets_a_date_after_the_real_today_be_recorded() -> None:
    real = date.today()
    later = real + timedelta(days=10)
    with pytest.raises(Valideringsfel, match="ligger efter dagens datum"):
        not_after_today(real + timedelta(days=1), idag=later)
    not_after_today(real, idag=later)
