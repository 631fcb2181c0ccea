"""Shared fixtures: a tmp_path register per test and an `invoke` around Typer's CliRunner."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from stdnum import luhn
from typer.testing import CliRunner, Result

from envagin_cli.cli.app import app

#: Hypothesis runs the same examples every time (`ci`, the default: a failure is the same
#: failure on the next run and in CI); `HYPOTHESIS_PROFILE=utforska` draws new ones.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("utforska", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: "Today" in the tests (`ENVAGIN_IDAG`). The register refuses a today after the computer's
#: date; on a machine whose clock is earlier, the in-process tests run with the computer's
#: date raised to TODAY (`_env`), and the tests that start envagin as a process are skipped
#: (`needs_clock`).
TODAY = "2026-11-22"
CLOCK_BEHIND = date.today() < date.fromisoformat(TODAY)
needs_clock = pytest.mark.skipif(
    CLOCK_BEHIND, reason=f"datorns klocka ligger före testernas dag {TODAY}"
)


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
    if CLOCK_BEHIND:
        from envagin_cli.rules import dates

        fixed = date.fromisoformat(TODAY)
        monkeypatch.setattr(dates, "_real_today", lambda *args: max(date.today(), fixed))


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


def build_template(
    factory: pytest.TempPathFactory, name: str, build: Callable[[Invoke], object]
) -> Path:
    """A register built once per session by `build` (given an `invoke` on it, as the
    fixture's), for tests to copy (`copy_register`) instead of building it again: a copy
    takes a fraction of a millisecond, building even the smallest about 100 ms."""
    folder = factory.mktemp(name)
    path = folder / "register.db"
    runner = CliRunner()

    def invoke(
        *args: str,
        som: str | None = "ls",
        use_db: bool = True,
        env: dict[str, str] | None = None,
        input: str | None = None,
    ) -> Result:
        environ: dict[str, str | None] = {
            "ENVAGIN_DB": None,
            "ENVAGIN_IDAG": TODAY,
            "ENVAGIN_USER": som,
            "XDG_DATA_HOME": str(folder / "xdg"),
            "COLUMNS": "250",
            **(env or {}),
        }
        argv = (["--db", str(path)] if use_db else []) + list(args)
        return runner.invoke(app, argv, env=environ, input=input)

    with pytest.MonkeyPatch.context() as patch:
        if CLOCK_BEHIND:
            from envagin_cli.rules import dates

            fixed = date.fromisoformat(TODAY)
            patch.setattr(dates, "_real_today", lambda *args: max(date.today(), fixed))
        build(invoke)
    return path


def copy_register(template: Path, db: Path) -> None:
    """The template's file (and -wal, if any) as the test's register."""
    for suffix in ("", "-wal"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copy2(source, db.with_name(db.name + suffix))


@pytest.fixture(scope="session")
def register_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory, "mall", _build_register)


@pytest.fixture
def register(invoke: Invoke, db: Path, register_template: Path) -> Invoke:
    """A register with a project leader (ls), two handläggare and an AF handläggare."""
    copy_register(register_template, db)
    return invoke


def _build_register(invoke: Callable[..., Result]) -> None:
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
