"""Dates as typed on the command line and in files."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from envagin_cli.domain.dates import not_after_today, parse_date, parse_file_date, today
from envagin_cli.domain.errors import Valideringsfel

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


def test_add_months_adds_as_dateutil_does() -> None:
    """`add_months` is done by hand (reading a case imports no dateutil) and must agree
    with `relativedelta(months=…)`: the day clamped to the month's last, leap years too."""
    from dateutil.relativedelta import relativedelta

    from envagin_cli.domain.dates import add_months

    days = [date(1999, 12, 1) + timedelta(days=i) for i in range(0, 3 * 366, 3)]
    days += [date(2000, 1, 31), date(2100, 1, 31), date(2024, 3, 31), date(2023, 8, 31)]
    for day in days:
        for months in (*range(-26, 27), 120, -120):
            assert add_months(day, months) == day + relativedelta(months=months), (day, months)


def test_reading_a_case_imports_no_dateutil() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from datetime import date\n"
        "from envagin_cli.domain import cases, lifecycle\n"
        "from envagin_cli.domain.dates import add_months\n"
        "from envagin_cli.store import queries\n"
        "add_months(date(2024, 1, 31), 1)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dateutil'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
