"""Shared fixtures: a tmp_path register per test and an `invoke` around Typer's CliRunner."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from stdnum import luhn
from typer.testing import CliRunner, Result

from envagin_cli.cli.app import app

TODAY = "2026-11-22"


def make_pnr(birth: str, serial: str) -> str:
    """A valid 12-digit personnummer for birth YYYYMMDD and a 3-digit serial."""
    nine = birth[2:] + serial
    return birth + serial + luhn.calc_check_digit(nine)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ENVAGIN_DB", raising=False)
    monkeypatch.delenv("ENVAGIN_USER", raising=False)
    monkeypatch.setenv("ENVAGIN_IDAG", TODAY)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "register.db"


Invoke = Callable[..., Result]


@pytest.fixture
def invoke(db: Path) -> Invoke:
    runner = CliRunner()

    def run(
        *args: str,
        som: str | None = "ls",
        use_db: bool = True,
        env: dict[str, str] | None = None,
        input: str | None = None,
    ) -> Result:
        argv = (["--db", str(db)] if use_db else []) + list(args)
        environ = dict(env or {})
        if som is not None:
            environ["ENVAGIN_USER"] = som
        return runner.invoke(app, argv, env=environ, input=input)

    return run


@pytest.fixture
def register(invoke: Invoke) -> Invoke:
    """A register with a project leader (ls), two handläggare and an AF handläggare."""
    assert invoke("init").exit_code == 0
    for args in (
        ["ls", "--namn", "Lena Sundberg", "--part", "sf", "--roll", "projektledare"],
        ["as", "--namn", "Amir Said", "--part", "fs", "--roll", "socialsekreterare"],
        ["mk", "--namn", "Maria Karlsson", "--part", "ac", "--roll", "arbetsmarknadssekreterare"],
        [
            "jb",
            "--namn",
            "Johan Berg",
            "--part",
            "af",
            "--roll",
            "arbetsformedlare",
            "--tjänstgöringsgrad",
            "50",
        ],
    ):
        result = invoke("staff", "add", *args, "--datum", "2014-01-01")
        assert result.exit_code == 0, result.stderr
    return invoke


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare a register before and after a command."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    finally:
        conn.close()


def older_register(path: Path, version: int) -> sqlite3.Connection:
    """A new register file as schema `version` made it (its first migrations only), open;
    envagin migrates it the next time it opens it."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    from envagin_cli.store import migrations

    conn = sqlite3.connect(path)
    older = Migrations(migrations.MIGRATION_SET)
    for name, fn in migrations.MIGRATIONS[:version]:
        older(name=name)(fn)
    older.apply(Database(conn))
    conn.execute(f"PRAGMA user_version = {version}")
    return conn


def rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def enrolled_case(
    invoke: Invoke,
    pnr: str | None = None,
    *,
    intake: str = "2014-03-03",
    consent: str = "2014-03-04",
) -> str:
    """Intake + consent; returns the case number."""
    who = ["--personnummer", pnr] if pnr else ["--anonym", "--kön", "kvinna", "--födelseår", "1985"]
    result = invoke(
        "intake",
        *who,
        "--remittent",
        "af",
        "--försörjning",
        "forsorjningsstod",
        "--datum",
        intake,
        "--ansvarig",
        "as",
    )
    assert result.exit_code == 0, result.stderr
    nr = result.stdout.strip()
    result = invoke("consent", nr, "--omfattning", "samverkan,statistik", "--datum", consent)
    assert result.exit_code == 0, result.stderr
    return nr
