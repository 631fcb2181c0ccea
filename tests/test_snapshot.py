"""Issue 30, item 5: a report and an export each read the register in one
read transaction: what is written while they run is not half in them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from envagin_cli.domain import cases
from envagin_cli.store import db as store_db

from conftest import Invoke, enrolled_case


def _write_meanwhile(db: Path) -> None:
    """Another handläggare's intake, committed by a connection of its own."""
    conn = store_db.connect(db)
    try:
        nr = cases.intake(
            conn,
            datum=date(2014, 5, 5),
            som="as",
            remittent="fk",
            anonym=True,
            kon="man",
            fodelsear=1990,
        ).arende
        day = date(2014, 5, 6)
        cases.consent(conn, nr, datum=day, som="as", omfattning=["samverkan,statistik"])
        cases.assign(conn, nr, datum=day, som="as", insats="syv")
    finally:
        conn.close()


def _writing_first(original: Callable[..., Any], db: Path) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _write_meanwhile(db)
        return original(*args, **kwargs)

    return wrapped


def test_a_report_does_not_see_a_write_made_while_it_runs(
    register: Invoke, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrolled_case(register)
    before = register("report", "--år", "2014", "--json")
    assert before.exit_code == 0, before.stderr
    from envagin_cli.report import figures

    monkeypatch.setattr(figures, "build", _writing_first(figures.build, db))
    during = register("report", "--år", "2014", "--json")
    assert during.exit_code == 0, during.stderr
    assert during.stdout == before.stdout
    # The write itself was committed: the next report counts it.
    monkeypatch.undo()
    after = register("report", "--år", "2014", "--json")
    assert after.stdout != before.stdout


def test_finsam_export_reads_one_snapshot(
    register: Invoke, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nr = enrolled_case(register)
    assert register("assign", nr, "--insats", "syv", "--datum", "2014-03-10").exit_code == 0
    from envagin_cli.report import figures

    before = register("export", "--finsam", "--år", "2014", "--json")
    assert before.exit_code == 0, before.stderr
    monkeypatch.setattr(figures, "finsam", _writing_first(figures.finsam, db))
    during = register("export", "--finsam", "--år", "2014", "--json")
    assert during.stdout == before.stdout
    monkeypatch.undo()
    assert register("export", "--finsam", "--år", "2014", "--json").stdout != before.stdout
