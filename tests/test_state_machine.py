"""The state machine and the domain API, without the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from envagin_cli.domain import cases as arenden
from envagin_cli.domain import staff
from envagin_cli.rules import lifecycle
from envagin_cli.rules.errors import Regelfel
from envagin_cli.rules.lifecycle import Handelse
from envagin_cli.store import db as dbmod

IDAG = date(2026, 11, 22)


def _intake(day: str) -> Handelse:
    return Handelse(
        1,
        "intake",
        date.fromisoformat(day),
        {"remittent": "af", "forsorjning": ["a-kassa"], "ansvarig": "as"},
    )


def test_same_day_events_follow_the_lifecycle_order() -> None:
    events = [
        Handelse(5, "assign", date(2014, 3, 4), {"insats": "syv", "utforare": "syv"}),
        Handelse(4, "map-start", date(2014, 3, 4), {"handlaggare": ["as"]}),
        Handelse(3, "consent", date(2014, 3, 4), {"omfattning": ["samverkan"]}),
        _intake("2014-03-04"),
    ]
    state = lifecycle.replay(events)
    assert state.inskriven == date(2014, 3, 4)
    assert state.forsta_insats == date(2014, 3, 4)


def test_same_day_start_and_end_of_an_insats_by_registration_order() -> None:
    events = [
        _intake("2014-03-01"),
        Handelse(2, "consent", date(2014, 3, 2), {"omfattning": ["samverkan", "statistik"]}),
        Handelse(3, "assign", date(2014, 3, 5), {"insats": "syv", "utforare": "syv"}),
        Handelse(4, "assign-end", date(2014, 3, 5), {"insats": "syv"}),
    ]
    state = lifecycle.replay(events)
    assert [(p.start, p.slut) for p in state.insatser] == [(date(2014, 3, 5), date(2014, 3, 5))]


def test_new_event_that_breaks_an_existing_one_names_it() -> None:
    events = [
        _intake("2014-03-01"),
        Handelse(2, "consent", date(2014, 3, 2), {"omfattning": ["samverkan"]}),
        Handelse(3, "assign", date(2014, 3, 10), {"insats": "syv", "utforare": "syv"}),
    ]
    withdrawal = Handelse(
        None, "consent-withdrawn", date(2014, 3, 5), {"omfattning": ["samverkan"]}
    )
    with pytest.raises(Regelfel, match=r"händelse 3"):
        lifecycle.replay(events, withdrawal)


def test_close_ends_active_insatser() -> None:
    events = [
        _intake("2014-03-01"),
        Handelse(2, "consent", date(2014, 3, 2), {"omfattning": ["samverkan"]}),
        Handelse(3, "assign", date(2014, 3, 10), {"insats": "syv", "utforare": "syv"}),
        Handelse(4, "assign", date(2014, 3, 11), {"insats": "vux", "utforare": "vux"}),
        Handelse(
            5,
            "close",
            date(2014, 6, 1),
            {"slutorsak": "studier", "forsorjning": ["studiemedel"], "ingen_enkat": True},
        ),
    ]
    state = lifecycle.replay(events)
    assert [p.slut for p in state.insatser] == [date(2014, 6, 1), date(2014, 6, 1)]
    assert state.aktiva() == []


def test_follow_up_counts_from_the_first_insats_at_month_ends() -> None:
    events = [
        _intake("2014-03-01"),
        Handelse(2, "consent", date(2014, 3, 2), {"omfattning": ["samverkan"]}),
        Handelse(3, "assign", date(2014, 3, 31), {"insats": "syv", "utforare": "syv"}),
    ]
    state = lifecycle.replay(events)
    assert state.uppfoljning_tidigast() == date(2015, 2, 28)


def test_domain_api_writes_one_transaction(tmp_path: Path) -> None:
    conn, _ = dbmod.open_db(dbmod.DbPath(tmp_path / "r.db", True), create=True)
    staff.add(
        conn,
        ident="as",
        namn="Amir",
        part="fs",
        roll="socialsekreterare",
        som=None,
        datum=date(2014, 1, 1),
        idag=IDAG,
    )
    result = arenden.intake(
        conn,
        datum=date(2014, 3, 3),
        som="as",
        remittent="af",
        anonym=True,
        kon="man",
        fodelsear="1970",
        idag=IDAG,
    )
    count = conn.execute("SELECT count(*) FROM handelse").fetchone()[0]
    with pytest.raises(Regelfel):
        arenden.map_start(
            conn, result.arende, datum=date(2014, 3, 5), som="as", handlaggare=["as"], idag=IDAG
        )
    assert conn.execute("SELECT count(*) FROM handelse").fetchone()[0] == count
    assert not conn.in_transaction
    conn.close()
