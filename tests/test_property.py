"""Property tests: random and hostile input never harms the register.

Hypothesis drives the CLI and the import with random personnummer, dates, codes, unicode,
control characters, very long strings and SQL-like text. Every run must end with exit code
0, 1 or 2 and no traceback; a refused command writes nothing; accepted free text is stored
exactly as given.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from envagin_cli.cli.app import app

from conftest import TODAY, dump

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_examples_are_the_same_on_every_run() -> None:
    """The `ci` profile (conftest) is the default: derandomized, no example database."""
    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert SETTINGS.derandomize is True and SETTINGS.database is None


hostile = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(
        [
            "'; DROP TABLE arende; --",
            '" OR 1=1 --',
            "Robert'); DELETE FROM x;",
            "\x00",
            "a\nb",
            "\u202e",
            "١٩٨١",
            "１９８１１２１８９８７６",
            "x" * 1_000_000,
            "2014-02-30",
            "idag",
            "igår",
            "  ",
            "",
            "ÅÄÖåäö",
            "%s%n",
            "{}",
            "[]",
        ]
    ),
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register with staff and one enrolled case, copied for each example."""
    path = tmp_path_factory.mktemp("prop") / "base.db"
    runner = CliRunner()
    env = {"ENVAGIN_IDAG": TODAY, "ENVAGIN_USER": "ls"}

    def run(*args: str) -> None:
        result = runner.invoke(app, ["--db", str(path), *args], env=env)
        assert result.exit_code == 0, result.stderr

    run("init")
    run("staff", "add", "ls", "--namn", "Lena", "--part", "sf", "--roll", "projektledare")
    run("staff", "add", "as", "--namn", "Amir", "--part", "fs", "--roll", "socialsekreterare")
    run(
        "intake",
        "--anonym",
        "--kön",
        "man",
        "--födelseår",
        "1970",
        "--remittent",
        "af",
        "--datum",
        "2014-03-03",
        "--ärende",
        "BAS-1",
    )
    run("consent", "BAS-1", "--omfattning", "samverkan,statistik", "--datum", "2014-03-04")
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def _copy(base: Path, tmp_path: Path, name: str) -> Path:
    import shutil

    target = tmp_path / f"{name}.db"
    if target.exists():
        target.unlink()
    shutil.copy(base, target)
    return target


def _run(db: Path, *args: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(
        app, ["--db", str(db), *args], env={"ENVAGIN_IDAG": TODAY, "ENVAGIN_USER": "ls"}
    )
    return result.exit_code, result.stdout, result.stderr, result.exception


def _harmless(code: int, out: str, err: str, exc: BaseException | None) -> None:
    assert code in (0, 1, 2), (code, err[-300:])
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in out + err


@SETTINGS
@given(pnr=hostile, datum=hostile, remittent=hostile, kon=hostile, ar=hostile)
def test_intake_never_harms(
    base: Path, tmp_path: Path, pnr: str, datum: str, remittent: str, kon: str, ar: str
) -> None:
    db = _copy(base, tmp_path, "intake")
    before = dump(db)
    code, out, err, exc = _run(
        db,
        "intake",
        "--personnummer",
        pnr,
        "--datum",
        datum,
        "--remittent",
        remittent,
        "--kön",
        kon,
        "--födelseår",
        ar,
    )
    _harmless(code, out, err, exc)
    if code != 0:
        assert dump(db) == before
        assert err.startswith("Fel") or "Usage" in err or "Error" in err


@SETTINGS
@given(name=hostile, slutorsak=hostile, grade=hostile, kod=hostile)
def test_free_text_stored_exactly_or_refused(
    base: Path, tmp_path: Path, name: str, slutorsak: str, grade: str, kod: str
) -> None:
    db = _copy(base, tmp_path, "text")
    before = dump(db)
    code, out, err, exc = _run(
        db,
        "tripartite",
        "BAS-1",
        "--handläggare",
        "as",
        "--remittent-handläggare",
        name,
        "--datum",
        "2014-03-05",
    )
    _harmless(code, out, err, exc)
    if code == 0:
        view = json.loads(_run(db, "show", "BAS-1", "--json")[1])
        assert view["handelser"][-1]["beskrivning"].endswith(f"remittentens handläggare {name}")
    else:
        assert dump(db) == before
    before = dump(db)
    code, out, err, exc = _run(
        db,
        "staff",
        "add",
        "nyid",
        "--namn",
        name,
        "--part",
        "ac",
        "--roll",
        "ovrig",
        "--tjänstgöringsgrad",
        grade,
    )
    _harmless(code, out, err, exc)
    if code == 0:
        import sqlite3

        conn = sqlite3.connect(db)
        assert conn.execute("SELECT namn FROM staff WHERE id = 'nyid'").fetchone()[0] == name
        conn.close()
    else:
        assert dump(db) == before
    before = dump(db)
    code, out, err, exc = _run(
        db,
        "close",
        "BAS-1",
        "--slutorsak",
        slutorsak,
        "--försörjning",
        kod,
        "--ingen-enkät",
        "--datum",
        "2014-06-01",
    )
    _harmless(code, out, err, exc)
    if code != 0:
        assert dump(db) == before


@SETTINGS
@given(
    cells=st.lists(
        st.tuples(
            st.sampled_from(["intake", "consent", "assign", "close", "staff", "void", "goal", "x"]),
            hostile,
            hostile,
            hostile,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_import_never_harms(
    base: Path, tmp_path: Path, cells: list[tuple[str, str, str, str]]
) -> None:
    db = _copy(base, tmp_path, "import")
    lines = [
        json.dumps(
            {
                "händelse": kind,
                "ärende": a,
                "datum": b,
                "remittent": c,
                "anonym": "ja",
                "kön": "man",
                "födelseår": "1970",
            }
        )
        for kind, a, b, c in cells
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    before = dump(db)
    code, out, err, exc = _run(db, "import", str(path))
    _harmless(code, out, err, exc)
    if code != 0:
        assert dump(db) == before
