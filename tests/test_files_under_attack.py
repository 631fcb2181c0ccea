"""Issue 23's probes on files, each a test that failed before and holds now.

- No file is overwritten by surprise: every file envagin writes (export, `--finsam`,
  `import --avvisade`, backup, report files) refuses an existing target without
  `--skriv-över`, and the register, any other database and the register's -wal/-shm even
  with it; a write that fails (a full disk) leaves nothing under the name asked for.
- Erasure is physical: after gallring or a consent without `statistik` no personnummer
  is left in the file's bytes, its WAL or a backup taken afterwards, even where SQLite is
  built with `secure_delete` off (the upstream default).
- Files: `init` makes an existing empty file private; an empty file, a folder, a named
  pipe or a device given as the register (or as a unit of a joint report) is refused at
  once, and nothing is written beside it.
- `backup` writes an audit row; two processes opening an old register at once both
  succeed; no `.bak` is made beside a file that is not a register.

Real subprocesses are used where the operating system's behaviour is the point (a pipe
that would block, a file size limit, two processes racing).
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from envagin_cli.store import migrations

from conftest import TODAY, Invoke, dump, enrolled_case, make_pnr, older_register, rows


def cli(
    db: Path | str,
    *args: str,
    user: str | None = "ls",
    timeout: float = 60,
    limit: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """The installed command line in a process of its own; `limit`: the largest file it
    may write (RLIMIT_FSIZE, as a full disk would stop it)."""
    environ = {**os.environ, "ENVAGIN_IDAG": TODAY}
    environ.pop("ENVAGIN_DB", None)
    if user:
        environ["ENVAGIN_USER"] = user

    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "envagin_cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
        preexec_fn=limited,
    )


def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


# --- 1. No file is overwritten by surprise ---------------------------------------------


def _reject_file(tmp_path: Path) -> Path:
    bad = tmp_path / "in.csv"
    bad.write_text(
        "händelse;ärende;datum;anonym;kön;födelseår;remittent\n"
        "intake;X-1;2014-03-03;ja;man;1980;af\n"
        "intake;X-2;2014-03-03;ja;man;1980;ingen-sådan\n",
        encoding="utf-8",
    )
    return bad


def _writers(target: Path, bad: Path) -> list[tuple[str, ...]]:
    """Every command that writes a file, aimed at `target`."""
    return [
        ("export", str(target)),
        ("export", str(target), "--med-personnummer"),
        ("export", "--finsam", "--år", "2014", str(target)),
        ("import", str(bad), "--hoppa-över-fel", "--avvisade", str(target)),
        ("backup", str(target)),
        ("report", "--år", "2014", "--xlsx", str(target)),
        ("report", "--år", "2014", "--html", str(target)),
    ]


def test_the_register_and_any_database_are_never_written_over(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    """Probe: `envagin export "$ENVAGIN_DB"` wrote CSV over the open register (exit 0)."""
    enrolled_case(register, make_pnr("19811218", "987"))
    other = tmp_path / "annan.db"
    assert register("backup", str(other)).exit_code == 0
    bad = _reject_file(tmp_path)
    _checkpoint(db)
    targets = [db, other, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    for target in targets:
        for args in _writers(target, bad):
            for force in ((), ("--skriv-över",)):
                before = {p: p.read_bytes() for p in (db, other) if p.exists()}
                table = dump(db)
                result = register(*args, *force)
                assert result.exit_code == 1, (args, force, result.stderr)
                assert "Traceback" not in result.stderr
                assert str(target) in result.stderr, result.stderr
                _checkpoint(db)
                assert {p: p.read_bytes() for p in before} == before, (args, force)
                assert dump(db) == table, (args, force)  # not even an audit row
    assert register("cases").exit_code == 0
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_an_existing_file_is_replaced_only_with_skriv_over(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    """Probe: `export --finsam` and `import --avvisade` wrote over any existing file."""
    enrolled_case(register, make_pnr("19811218", "987"))
    bad = _reject_file(tmp_path)
    for n, args in enumerate(_writers(tmp_path / "x", bad)):
        target = tmp_path / f"mål-{n}{'.xlsx' if '--xlsx' in args else ''}"
        args = tuple(str(target) if a == str(tmp_path / "x") else a for a in args)
        target.write_text("mitt viktiga dokument\n")
        os.chmod(target, 0o644)
        result = register(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert "finns redan" in result.stderr and "--skriv-över" in result.stderr
        assert target.read_text() == "mitt viktiga dokument\n"
        assert (target.stat().st_mode & 0o777) == 0o644
        result = register(*args, "--skriv-över")
        assert result.exit_code == 0, (args, result.stderr)
        assert target.read_bytes() != b"mitt viktiga dokument\n"
        assert (target.stat().st_mode & 0o777) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_pipe_or_a_device_is_never_a_target(register: Invoke, db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    bad = _reject_file(tmp_path)
    for target in (fifo, Path("/dev/null")):
        for args in _writers(target, bad):
            result = register(*args, "--skriv-över")
            assert result.exit_code == 1, (args, result.stderr)
            assert "ingen vanlig fil" in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    result = cli(path, "demo", timeout=300)
    assert result.returncode == 0, result.stderr
    _checkpoint(path)
    return path


def test_a_full_disk_leaves_no_half_file_under_the_name(demo_db: Path, tmp_path: Path) -> None:
    """Probe: a backup stopped by a full disk left a broken file under the backup's name.
    The process may write no file larger than half the register (RLIMIT_FSIZE): the copy
    fails part way, as on a full disk."""
    size = demo_db.stat().st_size
    exported = len(cli(demo_db, "export").stdout.encode())
    assert size > 200_000 and exported > 100_000
    before = demo_db.read_bytes()
    for args, limit in (
        (("backup", str(tmp_path / "kopia.db")), size // 2),
        (("export", str(tmp_path / "export.csv")), exported // 2),
    ):
        result = cli(demo_db, *args, limit=limit)
        assert not Path(args[1]).exists(), (args, result.stderr)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert "Kan inte skriva" in result.stderr, result.stderr
    _checkpoint(demo_db)
    assert demo_db.read_bytes() == before  # no audit row for a copy that was not made
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]
    # Without the limit the same backup is whole, with its audit row.
    assert cli(demo_db, "backup", str(tmp_path / "kopia.db")).returncode == 0
    copy = sqlite3.connect(tmp_path / "kopia.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()


# --- 7. Erasure is physical ------------------------------------------------------------


@pytest.fixture
def upstream_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite as built upstream: `secure_delete` off unless a connection turns it on (this
    machine's build has it on by default, which would hide a missing PRAGMA)."""
    original = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        conn = original(*args, **kwargs)  # type: ignore[arg-type]
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)


def _forms(pnr: str) -> list[bytes]:
    """Every way a personnummer could be stored: 12 and 10 digits, with and without the
    dash, in UTF-8 (the register's text encoding) and UTF-16."""
    texts = [pnr, pnr[2:], f"{pnr[:8]}-{pnr[8:]}", f"{pnr[2:8]}-{pnr[8:]}"]
    return [t.encode(enc) for t in texts for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def _found(data: bytes, pnr: str) -> bool:
    return any(form in data for form in _forms(pnr))


def test_erased_personnummer_leave_no_bytes_in_file_wal_or_backup(
    upstream_sqlite: None, register: Invoke, db: Path, tmp_path: Path
) -> None:
    """Probe: with `secure_delete` off, 256 of 282 gallrade personnummer were still readable
    in the file or its WAL."""
    other = sqlite3.connect(db)  # another terminal keeps the -wal file in place
    try:
        other.execute("SELECT count(*) FROM staff").fetchone()
        erased = [
            make_pnr(f"1970{m:02d}{d:02d}", f"{100 + d}") for m in (1, 2) for d in range(1, 9)
        ]
        for pnr in erased:
            nr = enrolled_case(register, pnr, intake="2014-03-03", consent="2014-03-04")
            result = register(
                "close",
                nr,
                "--slutorsak",
                "arbete",
                "--försörjning",
                "lon",
                "--ingen-enkät",
                "--datum",
                "2015-01-10",
            )
            assert result.exit_code == 0, result.stderr
        # A consent without statistik anonymises the case at once.
        withdrawn = make_pnr("19850505", "321")
        result = register(
            "intake", "--personnummer", withdrawn, "--remittent", "af",
            "--datum", "2024-03-03", "--ansvarig", "as",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        nr = result.stdout.strip()
        result = register(
            "consent", nr, "--omfattning", "samverkan", "--datum", "2024-03-05", "--ja"
        )
        assert result.exit_code == 0, result.stderr
        kept = make_pnr("19900101", "345")
        enrolled_case(register, kept, intake="2024-03-03", consent="2024-03-04")
        wal = db.with_name(db.name + "-wal")
        assert wal.exists()
        assert _found(db.read_bytes() + wal.read_bytes(), erased[0])  # the scan finds them
        result = register("gallra", "--ja")
        assert result.exit_code == 0, result.stderr
        assert rows(db, "SELECT count(*) FROM identitet WHERE personnummer IS NULL") == [(17,)]
        data = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        for pnr in [*erased, withdrawn]:
            assert not _found(data, pnr), pnr
        assert _found(data, kept)  # what is not erased is still there: the scan works
        copy = tmp_path / "efteråt.db"
        assert register("backup", str(copy)).exit_code == 0
        backup = copy.read_bytes()
        for pnr in [*erased, withdrawn]:
            assert not _found(backup, pnr), pnr
        assert _found(backup, kept)
        # The audit log holds no personnummer at all.
        audit = "".join(str(r) for r in rows(db, "SELECT * FROM granskning"))
        for pnr in [*erased, withdrawn, kept]:
            assert pnr not in audit and pnr[2:] not in audit
    finally:
        other.close()


def test_every_connection_sets_secure_delete(upstream_sqlite: None, tmp_path: Path) -> None:
    from envagin_cli.store import db as dbmod

    path = tmp_path / "r.db"
    conn, _ = dbmod.open_db(dbmod.DbPath(path, True), create=True)
    try:
        assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    finally:
        conn.close()
    unit = dbmod.connect_readonly(path)
    try:
        assert unit.execute("PRAGMA secure_delete").fetchone()[0] == 1
    finally:
        unit.close()


# --- 8. Files: empty, a folder, a pipe, a device ---------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_init_makes_an_existing_empty_file_private(
    open_umask: None, invoke: Invoke, tmp_path: Path
) -> None:
    """Probe: `touch reg.db; envagin --db reg.db init` left 0644 (under umask 000: 0666)."""
    import grp

    plain = tmp_path / "reg.db"
    plain.touch()
    assert (plain.stat().st_mode & 0o777) == 0o666
    result = invoke("--db", str(plain), "init", use_db=False)
    assert result.exit_code == 0, result.stderr
    assert (plain.stat().st_mode & 0o777) == 0o600
    assert rows(plain, "PRAGMA user_version") == [(migrations.SCHEMA_VERSION,)]
    shared = tmp_path / "delad.db"
    shared.touch()
    group = grp.getgrgid(os.getgid()).gr_name
    result = invoke("--db", str(shared), "init", "--grupp", group, use_db=False)
    assert result.exit_code == 0, result.stderr
    assert (shared.stat().st_mode & 0o777) == 0o660
    # An empty SQLite database (no table, version 0) is an empty register too.
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).execute("VACUUM").connection.close()
    os.chmod(blank, 0o666)
    result = invoke("--db", str(blank), "init", use_db=False)
    assert result.exit_code == 0, result.stderr
    assert (blank.stat().st_mode & 0o777) == 0o600
    assert "finns redan" not in result.stderr
    assert not list(tmp_path.glob("*.bak"))  # an empty file has nothing to back up


def test_an_empty_file_or_an_empty_database_is_refused_by_other_commands(
    invoke: Invoke, tmp_path: Path
) -> None:
    empty = tmp_path / "tom.db"
    empty.touch()
    os.chmod(empty, 0o640)
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).execute("VACUUM").connection.close()
    blank_bytes = blank.read_bytes()
    for path in (empty, blank):
        for args in (("cases",), ("report", "--år", "2014"), ("backup", str(tmp_path / "k.db"))):
            result = invoke("--db", str(path), *args, use_db=False)
            assert result.exit_code == 1, (path, args, result.stderr)
            assert "tom" in result.stderr and "envagin init" in result.stderr
    assert empty.stat().st_size == 0 and (empty.stat().st_mode & 0o777) == 0o640
    assert blank.read_bytes() == blank_bytes
    assert not [p for p in tmp_path.iterdir() if p.name not in ("blank.db", "tom.db", "xdg")]


def test_a_pipe_a_device_or_a_folder_as_register_is_refused_at_once(tmp_path: Path) -> None:
    """Probe: a FIFO given as `--db` or `--enhet` hung for ever."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    folder = tmp_path / "mapp.db"
    folder.mkdir()
    dev_before = set(os.listdir("/dev"))
    for path, words in (
        (fifo, "ingen vanlig fil"),
        ("/dev/null", "ingen vanlig fil"),
        (folder, "mapp"),
    ):
        for args in (("cases",), ("report", "--år", "2014", "--json")):
            start = time.monotonic()
            try:
                result = cli(path, *args, timeout=20)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{path} {args}: hänger")
            assert time.monotonic() - start < 20
            assert result.returncode == 1, (path, args, result.stderr)
            assert words in result.stderr and "Traceback" not in result.stderr
        unit = tmp_path / "enhet.db"
        if not unit.exists():
            assert cli(unit, "init").returncode == 0
        try:
            result = cli(unit, "report", "--år", "2014", "--enhet", str(path), timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"--enhet {path}: hänger")
        assert result.returncode == 1 and words in result.stderr, result.stderr
        assert "enhet:" in result.stderr
    new_in_dev = set(os.listdir("/dev")) - dev_before
    assert not [n for n in new_in_dev if n.endswith(".bak")], new_in_dev
    assert stat.S_ISFIFO(fifo.stat().st_mode) and not list(folder.iterdir())
    assert not list(tmp_path.glob("*.bak"))


# --- 11. backup audited, concurrent upgrades, no stray .bak ---------------------------


def test_backup_writes_an_audit_row(register: Invoke, db: Path, tmp_path: Path) -> None:
    """Probe: `backup` wrote no audit row."""
    copy = tmp_path / "kopia.db"
    result = register("backup", str(copy), som="as")
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT handlaggare, atgard, detaljer FROM granskning") == [
        ("as", "säkerhetskopia", f"till {copy}")
    ]
    listed = register("audit")
    assert listed.exit_code == 0 and "säkerhetskopia" in listed.stdout
    refused = register("backup", str(tmp_path / "annan.db"), som="okänd")
    assert refused.exit_code == 1 and "som" in refused.stderr
    assert not (tmp_path / "annan.db").exists()
    assert len(rows(db, "SELECT * FROM granskning")) == 1
    assert register("verify").exit_code == 0


def test_two_processes_opening_an_old_register_at_once_both_succeed(tmp_path: Path) -> None:
    """Probe: two processes opening an old register at once: one failed with "…bak finns
    redan". Each round starts two processes on a new schema-5 register at the same moment."""
    environ = {**os.environ, "ENVAGIN_IDAG": TODAY, "ENVAGIN_USER": "ls"}
    environ.pop("ENVAGIN_DB", None)
    for round_ in range(6):
        folder = tmp_path / f"runda{round_}"
        folder.mkdir()
        path = folder / "gammal.db"
        older_register(path, 5).close()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "envagin_cli", "--db", str(path), "cases"],
                env=environ,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, (round_, err)
            assert "Traceback" not in err
        assert rows(path, "PRAGMA user_version") == [(migrations.SCHEMA_VERSION,)]
        backups = list(folder.glob("gammal.db.v5-*.bak"))
        assert len(backups) == 1, backups
        assert rows(backups[0], "PRAGMA user_version") == [(5,)]
        assert not list(folder.glob(".*.tmp"))


def test_no_bak_beside_a_file_that_is_not_a_register(invoke: Invoke, tmp_path: Path) -> None:
    """Probe: stray .bak files appeared beside non-envagin files (and in /dev)."""
    text = tmp_path / "anteckningar.txt"
    text.write_text("inget register\n")
    foreign = tmp_path / "annat.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    empty = tmp_path / "tom.db"
    empty.touch()
    for path in (text, foreign, empty):
        result = invoke("--db", str(path), "cases", use_db=False)
        assert result.exit_code == 1, (path, result.stderr)
    assert not list(tmp_path.rglob("*.bak"))
    # A register reached through a symbolic link is backed up beside its real file.
    real = tmp_path / "riktig"
    real.mkdir()
    older_register(real / "gammal.db", 5).close()
    links = tmp_path / "länkar"
    links.mkdir()
    (links / "gammal.db").symlink_to(real / "gammal.db")
    result = invoke("--db", str(links / "gammal.db"), "cases", use_db=False)
    assert result.exit_code == 0, result.stderr
    assert len(list(real.glob("gammal.db.v5-*.bak"))) == 1
    assert not list(links.glob("*.bak"))
