"""The register file: paths, creation, versions, hostile files, the schema snapshot."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from envagin_cli.store import migrations, schema

from conftest import Invoke, older_register

ROOT = Path(__file__).resolve().parent.parent


def test_schema_snapshot_is_current() -> None:
    assert (ROOT / "schema.sql").read_text(encoding="utf-8") == schema.snapshot(), (
        "schema.sql is stale: run `python -m envagin_cli.store.schema > schema.sql`"
    )


def test_tables_are_strict_with_foreign_keys(register: Invoke, db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' "
            "ESCAPE '\\' AND name NOT LIKE 'sqlite_%'"
        ):
            assert sql.rstrip().endswith("STRICT"), name
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_explicit_missing_path_is_never_created(invoke: Invoke, db: Path) -> None:
    result = invoke("cases")
    assert result.exit_code == 1
    assert "finns inte" in result.stderr and "envagin init" in result.stderr
    assert not db.exists()
    env_result = invoke("cases", use_db=False, env={"ENVAGIN_DB": str(db)})
    assert env_result.exit_code == 1 and not db.exists()


def test_init_creates_owner_only_file(invoke: Invoke, db: Path) -> None:
    result = invoke("init")
    assert result.exit_code == 0
    assert "Skapade en ny databas" in result.stderr
    assert (db.stat().st_mode & 0o777) == 0o600
    again = invoke("init")
    assert again.exit_code == 0 and "finns redan" in again.stderr


def test_default_path_created_only_by_init_with_message(invoke: Invoke, tmp_path: Path) -> None:
    default = tmp_path / "xdg" / "envagin" / "envagin.db"
    for args in (["cases"], ["idag", "--alla"], ["report"], ["staff", "list"]):
        refused = invoke(*args, use_db=False)
        assert refused.exit_code == 1, args
        assert "inget register" in refused.stderr and "envagin init" in refused.stderr
        assert "--db" in refused.stderr and str(default) in refused.stderr
        assert not default.exists() and not default.parent.exists(), args
    result = invoke("init", use_db=False)
    assert result.exit_code == 0, result.stderr
    assert default.exists()
    assert str(default) in result.stderr and "Skapade" in result.stderr
    second = invoke("cases", use_db=False)
    assert second.exit_code == 0 and "Skapade" not in second.stderr
    assert "envagin.db" in second.stdout  # the header names the register in use


def test_db_option_on_the_command_too(register: Invoke, db: Path) -> None:
    result = register("staff", "list", "--json", "--db", str(db), use_db=False)
    assert result.exit_code == 0 and '"ls"' in result.stdout


def test_not_sqlite_is_refused_and_untouched(invoke: Invoke, db: Path) -> None:
    db.write_bytes(b"Namn;Personnummer\nAnna;19811218-9876\n")
    before = db.read_bytes()
    result = invoke("cases")
    assert result.exit_code == 1 and "ingen SQLite-databas" in result.stderr
    assert db.read_bytes() == before


def test_foreign_sqlite_file_is_refused(invoke: Invoke, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE kunder (id INTEGER)")
    conn.commit()
    conn.close()
    result = invoke("cases")
    assert result.exit_code == 1 and "inget envagin-register" in result.stderr


def test_newer_schema_is_refused_and_untouched(register: Invoke, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    conn.close()
    before = db.read_bytes()
    result = register("cases")
    assert result.exit_code == 1
    assert "schemaversion" in result.stderr and "Uppgradera envagin" in result.stderr
    assert db.read_bytes() == before


def test_truncated_file_is_refused(register: Invoke, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = db.read_bytes()
    db.write_bytes(data[:200])
    result = register("cases")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == data[:200]


def test_backup_copy(register: Invoke, db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "kopia.db"
    result = register("backup", str(copy))
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT count(*) FROM staff").fetchone()[0] == 4
    conn.close()
    assert (copy.stat().st_mode & 0o777) == 0o600
    refused = register("backup", str(copy))
    assert refused.exit_code == 1 and "finns redan" in refused.stderr


def test_old_register_is_backed_up_before_migration(tmp_path: Path, monkeypatch: object) -> None:
    # A register at the current version, then an extra, later migration registered.
    from envagin_cli.store import db as dbmod

    path = tmp_path / "gammal.db"
    conn, created = dbmod.open_db(dbmod.DbPath(path, True), create=True)
    assert created
    conn.close()
    old_version = migrations.SCHEMA_VERSION

    def _m002(database: object) -> None:
        database.execute("CREATE TABLE extra (x INTEGER) STRICT")  # type: ignore[attr-defined]

    original = list(migrations.MIGRATIONS)
    try:
        migrations.MIGRATIONS.append(("0002_extra", _m002))
        migrations.SCHEMA_VERSION = len(migrations.MIGRATIONS)
        conn, created = dbmod.open_db(dbmod.DbPath(path, True))
        assert not created
        assert conn.execute("PRAGMA user_version").fetchone()[0] == old_version + 1
        conn.close()
        backups = list(tmp_path.glob(f"gammal.db.v{old_version}-*.bak"))
        assert len(backups) == 1
        old = sqlite3.connect(backups[0])
        assert old.execute("PRAGMA user_version").fetchone()[0] == old_version
        old.close()
    finally:
        migrations.MIGRATIONS[:] = original
        migrations.SCHEMA_VERSION = len(original)
    assert os.path.exists(path)


def test_failed_migration_leaves_old_version(tmp_path: Path) -> None:
    from envagin_cli.rules.errors import EnvaginError
    from envagin_cli.store import db as dbmod

    path = tmp_path / "gammal.db"
    conn, _ = dbmod.open_db(dbmod.DbPath(path, True), create=True)
    conn.close()

    def _broken(database: object) -> None:
        database.execute("CREATE TABLE halv (x INTEGER) STRICT")  # type: ignore[attr-defined]
        database.execute("THIS IS NOT SQL")  # type: ignore[attr-defined]

    original = list(migrations.MIGRATIONS)
    try:
        migrations.MIGRATIONS.append(("0002_broken", _broken))
        migrations.SCHEMA_VERSION = len(migrations.MIGRATIONS)
        with pytest.raises(EnvaginError):
            dbmod.open_db(dbmod.DbPath(path, True))
    finally:
        migrations.MIGRATIONS[:] = original
        migrations.SCHEMA_VERSION = len(original)
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == len(original)
    assert (
        check.execute("SELECT count(*) FROM sqlite_master WHERE name = 'halv'").fetchone()[0] == 0
    )
    check.close()


def test_projection_code_lists_hold_after_migration_7(tmp_path: Path) -> None:
    """Schema 7 writes the code lists of the projection tables as comparisons (cheaper for
    SQLite than an IN list): a register made at schema 6, with a case in it, still refuses
    exactly the codes it refused, allows what it allowed (NULL too), and keeps its rows."""
    from envagin_cli.rules import codes
    from envagin_cli.store import db as dbmod

    path = tmp_path / "schema6.db"
    conn = older_register(path, 6)
    assert (
        "remittent IN ('egen'"
        in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'arende'").fetchone()[0]
    )
    conn.execute("INSERT INTO identitet (id, kon, fodelsear) VALUES (1, 'kvinna', 1980)")
    conn.execute("INSERT INTO staff VALUES ('ls', 'Lena', 'sf', 'projektledare', 100, 1)")
    conn.execute("INSERT INTO insats (kod, namn, part) VALUES ('jobb', 'Jobbspår', 'ac')")
    conn.execute(
        "INSERT INTO arende (nr, identitet_id, kon, fodelsear, remittent, intag, slutorsak) "
        "VALUES ('A-1', 1, 'kvinna', 1980, 'af', '2014-01-02', 'arbete')"
    )
    conn.execute(
        "INSERT INTO arende_insats (arende, lopnr, insats, utforare, start) "
        "VALUES ('A-1', 1, 'jobb', 'ac', '2014-02-01')"
    )
    conn.commit()
    conn.close()

    conn, created = dbmod.open_db(dbmod.DbPath(path, True))
    assert not created
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        arende = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'arende'").fetchone()[0]
        assert " IN (" not in arende.replace("kon IN (", "").replace("makulerad IN (", "")
        assert [tuple(r) for r in conn.execute("SELECT remittent, slutorsak FROM arende")] == [
            ("af", "arbete")
        ]
        insert = (
            "INSERT INTO arende (nr, identitet_id, kon, fodelsear, remittent, intag, "
            "slutorsak, sysselsattning) VALUES (?, 1, 'man', 1990, ?, '2014-01-03', ?, ?)"
        )
        for n, remittent in enumerate(codes.REMITTENTER):
            conn.execute(insert, (f"R-{n}", remittent, None, None))
        for n, reason in enumerate(codes.SLUTORSAKER):
            conn.execute(insert, (f"S-{n}", "fk", reason, None))
        for n, work in enumerate(codes.SYSSELSATTNING):
            conn.execute(insert, (f"Y-{n}", "fk", None, work))
        for bad in (("egenn", None, None), ("af", "jobb", None), ("af", None, "arbeten")):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                conn.execute(insert, ("X-1", *bad))
        span = (
            "INSERT INTO arende_insats (arende, lopnr, insats, utforare, start) "
            "VALUES ('A-1', ?, 'jobb', ?, '2014-03-01')"
        )
        for n, performer in enumerate(codes.UTFORARE, start=2):
            conn.execute(span, (n, performer))
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(span, (99, "arbetsformedlingen"))
        conn.rollback()
    finally:
        conn.close()


@pytest.mark.parametrize("count", [0, 1, 31, 32, 33, 97])
def test_insert_rows_writes_every_row_in_order(count: int) -> None:
    from envagin_cli.store.transaction import ROWS_A_STATEMENT, insert_rows

    assert ROWS_A_STATEMENT == 32
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, s TEXT CHECK (s <> 'fel')) STRICT")
    rows = [(n, f"rad {n}") for n in range(count)]
    insert_rows(conn, "t", ("n", "s"), rows)
    assert conn.execute("SELECT n, s FROM t ORDER BY rowid").fetchall() == rows
    # A refused row refuses its statement: the caller's transaction is rolled back.
    if count:
        with pytest.raises(sqlite3.IntegrityError):
            insert_rows(
                conn, "t", ("n", "s"), [(count + n, "fel" if n == 5 else "ok") for n in range(40)]
            )
