"""Dates as typed on the command line and in files."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from envagin_cli.rules.dates import (
    not_after_today,
    parse_date,
    parse_file_date,
    real_today,
    today,
)
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
    real = real_today()
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
    real = real_today()
    later = real + timedelta(days=10)
    with pytest.raises(Valideringsfel, match="ligger efter dagens datum"):
        not_after_today(real + timedelta(days=1), idag=later)
    not_after_today(real, idag=later)


# --- one stated time zone (issue 30, item 7) --------------------------------------------


def test_today_is_the_date_in_the_stated_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    monkeypatch.delenv("ENVAGIN_IDAG")
    # UTC+14 and UTC-11: always a different date in the two.
    monkeypatch.setenv("ENVAGIN_TZ", "Pacific/Kiritimati")
    east = today()
    monkeypatch.setenv("ENVAGIN_TZ", "Pacific/Pago_Pago")
    west = today()
    assert east != west
    assert west == datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()
    # Unset: Europe/Stockholm, whatever zone the process runs in.
    monkeypatch.delenv("ENVAGIN_TZ")
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    import time

    time.tzset()
    try:
        assert today() == datetime.now(ZoneInfo("Europe/Stockholm")).date()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_an_unknown_zone_is_refused_by_name(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("init").exit_code == 0
    monkeypatch.setenv("ENVAGIN_TZ", "Europe/Atlantis")
    refused = invoke(
        "staff", "add", "ls", "--namn", "Lena Sundberg", "--part", "sf", "--roll",
        "projektledare",
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "ENVAGIN_TZ: 'Europe/Atlantis' är ingen känd tidszon" in refused.stderr


def test_stored_utc_times_are_shown_and_bounded_in_the_stated_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from envagin_cli.rules.dates import local_time, utc_bounds

    monkeypatch.delenv("ENVAGIN_TZ", raising=False)
    assert local_time("2026-11-21T23:30:00+00:00") == "2026-11-22T00:30:00+01:00"
    assert local_time("2026-07-01T22:00:00+00:00") == "2026-07-02T00:00:00+02:00"
    assert local_time("inte en tid") == "inte en tid"
    assert utc_bounds(date(2026, 11, 22), date(2026, 11, 22)) == (
        "2026-11-21T23:00:00+00:00",
        "2026-11-22T23:00:00+00:00",
    )
    assert utc_bounds(None, date(2026, 7, 1)) == (None, "2026-07-01T22:00:00+00:00")
    monkeypatch.setenv("ENVAGIN_TZ", "UTC")
    assert local_time("2026-11-21T23:30:00+00:00") == "2026-11-21T23:30:00+00:00"


def test_audit_filters_and_shows_days_in_the_stated_zone(register: Invoke, tmp_path: Path) -> None:
    db = tmp_path / "register.db"
    conn = sqlite3.connect(db)
    with conn:
        for tid, what in (
            ("2026-11-21T22:30:00+00:00", "sent den 21:a"),  # 23:30 on the 21st in Sweden
            ("2026-11-21T23:30:00+00:00", "natten till den 22:a"),  # 00:30 on the 22nd
            ("2026-11-22T23:30:00+00:00", "natten till den 23:e"),  # 00:30 on the 23rd
        ):
            conn.execute(
                "INSERT INTO granskning (tid, handlaggare, os_anvandare, atgard, detaljer) "
                "VALUES (?, 'ls', 'ls', 'visa ärende', ?)",
                (tid, what),
            )
    conn.close()
    listed = register("audit", "--från", "2026-11-22", "--till", "2026-11-22", "--json")
    assert listed.exit_code == 0, listed.stderr
    rows = [(r["tid"], r["detaljer"]) for r in json.loads(listed.stdout)]
    assert rows == [("2026-11-22T00:30:00+01:00", "natten till den 22:a")]
    table = register("audit", "--till", "2026-11-21")
    assert "2026-11-21T23:30:00+01:00" in table.stdout and "natten" not in table.stdout
