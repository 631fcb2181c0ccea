"""Files that can hold personal data are private, and a missing folder is never created.

The register, its -wal and -shm files, backups, exports, an import's rejects and report
files are 0600 (the register and its backups 0660 with the group of `init --grupp`), even
under a permissive umask and when an existing world-readable file is written over. A path
in a folder that does not exist is refused with a message naming the folder; nothing is
created and nothing is written to the register.
"""

from __future__ import annotations

import grp
import os
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import Invoke, dump, enrolled_case, make_pnr


@pytest.fixture(autouse=True)
def _permissive_umask() -> Iterator[None]:
    """A umask that would make files world-readable: envagin must not rely on it."""
    old = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_register_and_its_wal_files_are_private(register: Invoke, db: Path) -> None:
    from envagin_cli.domain import staff
    from envagin_cli.store import db as dbmod

    assert _mode(db) == 0o600
    # While a connection is open the -wal and -shm files exist; SQLite gives them the
    # register's mode.
    conn, _ = dbmod.open_db(dbmod.DbPath(db, True))
    try:
        staff.add(
            conn,
            ident="eb",
            namn="Eva Berg",
            part="fk",
            roll="forsakringshandlaggare",
            som="ls",
            datum=date(2014, 1, 2),
        )
        for suffix in ("-wal", "-shm"):
            assert _mode(db.with_name(db.name + suffix)) == 0o600
    finally:
        conn.close()


def test_every_output_file_is_private(register: Invoke, db: Path, tmp_path: Path) -> None:
    pnr = make_pnr("19811218", "987")
    enrolled_case(register, pnr)
    # An existing world-readable file written over (`--skriv-över`) becomes private too.
    export = tmp_path / "export.csv"
    export.write_text("gammalt\n")
    os.chmod(export, 0o644)
    assert register("export", str(export), "--med-personnummer", "--skriv-över").exit_code == 0
    assert pnr in export.read_text(encoding="utf-8-sig")
    jsonl = tmp_path / "export.jsonl"
    assert register("export", str(jsonl)).exit_code == 0
    finsam = tmp_path / "finsam.csv"
    assert register("export", "--finsam", "--år", "2014", str(finsam)).exit_code == 0
    xlsx = tmp_path / "rapport.xlsx"
    assert register("report", "--år", "2014", "--xlsx", str(xlsx)).exit_code == 0
    backup = tmp_path / "kopia.db"
    assert register("backup", str(backup)).exit_code == 0
    # Rejects: a file with one bad row and its personnummer in clear.
    bad = tmp_path / "in.csv"
    other = make_pnr("19900101", "123")
    bad.write_text(
        "händelse;ärende;datum;personnummer;remittent\n"
        f"intake;X-1;2014-03-03;{other};af\n"
        f"intake;X-2;2014-03-03;{make_pnr('19900202', '124')};ingen-sådan\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "avvisade.csv"
    result = register("import", str(bad), "--hoppa-över-fel", "--avvisade", str(rejects))
    assert result.exit_code == 0, result.stderr
    for path in (export, jsonl, finsam, xlsx, backup, rejects):
        assert _mode(path) == 0o600, path


def test_backup_of_a_shared_register_keeps_its_group(invoke: Invoke, tmp_path: Path) -> None:
    group = grp.getgrgid(os.getgid()).gr_name
    shared = tmp_path / "delad.db"
    assert invoke("--db", str(shared), "init", "--grupp", group, use_db=False).exit_code == 0
    copy = tmp_path / "delad-kopia.db"
    result = invoke("--db", str(shared), "backup", str(copy), use_db=False)
    assert result.exit_code == 0, result.stderr
    assert _mode(copy) == 0o660 and copy.stat().st_gid == os.getgid()


def test_a_missing_folder_is_refused_never_created(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "finns-inte"
    before = dump(db)
    attempts = [
        ("export", str(missing / "e.csv"), "--med-personnummer"),
        ("export", "--finsam", "--år", "2014", str(missing / "f.csv")),
        ("report", "--år", "2014", "--xlsx", str(missing / "r.xlsx")),
        ("backup", str(missing / "k.db")),
    ]
    good = tmp_path / "in.csv"
    good.write_text(
        "händelse;ärende;datum;anonym;kön;födelseår;remittent\n"
        "intake;X-2;2014-03-03;ja;man;1980;ingen-sådan\n",
        encoding="utf-8",
    )
    attempts.append(("import", str(good), "--hoppa-över-fel", "--avvisade", str(missing / "a.csv")))
    for args in attempts:
        result = register(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert f"Mappen {missing} finns inte" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    refused = register("--db", str(missing / "ny.db"), "init", use_db=False)
    assert refused.exit_code == 1 and f"Mappen {missing} finns inte" in refused.stderr
    assert not missing.exists()
    assert dump(db) == before  # not even an audit row for the refused export


def test_the_default_register_folder_is_made_for_its_owner(invoke: Invoke, tmp_path: Path) -> None:
    # only `init` makes the default register (issue 25), its folder too
    assert invoke("init", use_db=False).exit_code == 0
    folder = tmp_path / "xdg" / "envagin"
    assert _mode(folder) == 0o700 and _mode(folder / "envagin.db") == 0o600


def test_sqlite_gives_new_wal_files_the_register_mode(tmp_path: Path) -> None:
    """What the promise rests on, shown on a plain SQLite file."""
    path = tmp_path / "x.db"
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    assert _mode(tmp_path / "x.db-wal") == 0o600
    conn.close()
