"""The demo register: deterministic for a date, obeys every rule, and shows something."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import Invoke


def _content(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute(
                "SELECT id, arende, typ, datum, som, data, makulerar FROM handelse ORDER BY id"
            ).fetchall()
            + conn.execute("SELECT * FROM arende ORDER BY nr").fetchall()
        )
    finally:
        conn.close()


def test_demo_is_deterministic_and_realistic(invoke: Invoke, tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    for path in (first, second):
        result = invoke("--db", str(path), "demo", "--datum", "2026-11-22", use_db=False)
        assert result.exit_code == 0, result.stderr
        assert "Demoregistret är klart" in result.stderr
    assert _content(first) == _content(second)
    conn = sqlite3.connect(first)
    cases, enrolled, closed, women = conn.execute(
        "SELECT count(*), count(inskriven), count(avslutad), sum(kon = 'kvinna') FROM arende"
    ).fetchone()
    years = conn.execute("SELECT count(DISTINCT substr(intag, 1, 4)) FROM arende").fetchone()[0]
    conn.close()
    assert 300 <= cases <= 2000
    assert years == 13  # 2014 to 2026
    assert enrolled < cases and closed < cases
    assert 0.5 < women / cases < 0.75
    env = {"ENVAGIN_IDAG": "2026-11-22"}
    summary = json.loads(
        invoke(
            "--db", str(first), "cases", "--per-handläggare", "--json", use_db=False, env=env
        ).stdout
    )
    assert sum(r["aktiva_arenden"] for r in summary) > 10
    assert sum(r["kartlaggning_forsenad"] for r in summary) >= 1
    assert sum(r["uppfoljning_att_gora"] for r in summary) >= 1
    assert sum(r["samtycke_aterkallat"] for r in summary) >= 1


def test_demo_refuses_a_register_in_use(register: Invoke) -> None:
    result = register("demo", "--datum", "2026-11-22")
    assert result.exit_code == 1 and "tomt register" in result.stderr


def test_demo_for_an_earlier_date(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "tidig.db"
    result = invoke(
        "--db",
        str(path),
        "demo",
        "--datum",
        "2015-06-30",
        use_db=False,
        env={"ENVAGIN_IDAG": "2015-06-30"},
    )
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(path)
    latest = conn.execute("SELECT max(datum) FROM handelse").fetchone()[0]
    conn.close()
    assert latest <= "2015-06-30"


def test_demo_works_for_every_size_and_date(tmp_path: Path) -> None:
    """Issue 26: sizes that once failed on a withdrawn consent, and dates before 2014-06-30."""
    from datetime import date

    from envagin_cli.domain import demo
    from envagin_cli.store import db

    runs = [(n, date(2026, 11, 22)) for n in (*range(1, 61), 70, 80, 90, 100, 120, 2000)]
    runs += [(n, day) for n in (1, 5, 30) for day in (date(2014, 1, 1), date(2014, 3, 15))]
    runs += [(59, date(2020, 2, 29)), (40, date(2019, 8, 1))]
    for i, (n, day) in enumerate(runs):
        path = tmp_path / f"d{i}.db"
        conn = db.open_db(db.DbPath(path, True), create=True)[0]
        try:
            summary = demo.build(conn, idag=day, per_ar=n)
        finally:
            conn.close()
        assert summary["arenden"] >= 2, (n, day)


def test_demo_cli_for_sizes_that_once_failed(invoke: Invoke, tmp_path: Path) -> None:
    for n in ("30", "59", "120"):
        path = tmp_path / f"{n}.db"
        result = invoke("--db", str(path), "demo", "--antal", n, use_db=False)
        assert result.exit_code == 0, result.stderr
        assert "Demoregistret är klart" in result.stderr
