"""Faults, concurrency, hostile files, audit and gallring (issue: trustworthy under faults).

Real subprocesses run the installed command line (`python -m envagin_cli`), so locks,
signals and file permissions are the operating system's, not a simulation.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import TODAY, Invoke, dump, enrolled_case, make_pnr, needs_clock, rows

ROOT = Path(__file__).resolve().parent.parent
# Processes get ENVAGIN_IDAG=TODAY, which a clock behind it refuses.
pytestmark = needs_clock


def cli(
    db: Path, *args: str, env: dict[str, str] | None = None, user: str | None = "ls"
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "ENVAGIN_IDAG": TODAY, **(env or {})}
    environ.pop("ENVAGIN_DB", None)
    if user:
        environ["ENVAGIN_USER"] = user
    return subprocess.run(
        [sys.executable, "-m", "envagin_cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_two_writers_at_the_same_moment_both_succeed(register: Invoke, db: Path) -> None:
    rounds = 12
    for i in range(rounds):
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "envagin_cli",
                    "--db",
                    str(db),
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
                    f"P{who}-{i}",
                ],
                env={**os.environ, "ENVAGIN_IDAG": TODAY, "ENVAGIN_USER": "ls"},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for who in ("a", "b")
        ]
        for proc in procs:
            _out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
    assert rows(db, "SELECT count(*) FROM arende") == [(2 * rounds,)]
    assert integrity(db) == "ok"


def test_lock_held_longer_than_the_timeout(register: Invoke, db: Path) -> None:
    before = dump(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = cli(
            db,
            "intake",
            "--anonym",
            "--kön",
            "man",
            "--födelseår",
            "1970",
            "--remittent",
            "af",
            env={"ENVAGIN_TIMEOUT_MS": "300"},
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 75, result.stderr
    assert "databasen är upptagen, försök igen" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert dump(db) == before


def _big_file(path: Path, cases: int) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "händelse",
            "ärende",
            "datum",
            "anonym",
            "kön",
            "födelseår",
            "remittent",
            "omfattning",
            "insats",
            "slutorsak",
            "försörjning",
            "ingen-enkät",
        ]
    )
    for i in range(cases):
        nr = f"K-{i:06d}"
        writer.writerow(
            [
                "intake",
                nr,
                "2015-01-02",
                "ja",
                "kvinna",
                "1980",
                "af",
                "",
                "",
                "",
                "forsorjningsstod",
                "",
            ]
        )
        writer.writerow(
            ["consent", nr, "2015-01-03", "", "", "", "", "samverkan,statistik", "", "", "", ""]
        )
        writer.writerow(["assign", nr, "2015-01-05", "", "", "", "", "", "vux", "", "", ""])
        writer.writerow(
            ["close", nr, "2015-06-01", "", "", "", "", "", "", "studier", "studiemedel", "ja"]
        )
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.mark.slow
def test_sigkill_in_the_middle_of_an_import_leaves_the_file_as_before(
    register: Invoke, db: Path, tmp_path: Path
) -> None:
    enrolled_case(register)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    pristine = tmp_path / "pristine.db"
    shutil.copy(db, pristine)
    data = tmp_path / "stor.csv"
    cases = 25000
    _big_file(data, cases)
    before = dump(db)
    interrupted = 0
    for delay in (0.0, 0.4, 1.0, 2.0):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copy(pristine, db)
        proc = subprocess.Popen(
            [sys.executable, "-m", "envagin_cli", "--db", str(db), "import", str(data)],
            env={**os.environ, "ENVAGIN_IDAG": TODAY, "ENVAGIN_USER": "ls"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait until the import is inside its write transaction (it holds the write lock),
        # then a while longer, and check the lock again just before the kill.
        deadline = time.monotonic() + 60
        while not _write_locked(db) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        in_write = _write_locked(db)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert integrity(db) == "ok"
        count = rows(db, "SELECT count(*) FROM arende")[0][0]
        # All or nothing: the file is exactly as before, or (if the commit came first) whole.
        if in_write and proc.returncode == -signal.SIGKILL:
            # Killed while the import held the write lock: nothing of it may remain.
            assert count == 1 and dump(db) == before, f"killed {delay} s into the write"
            interrupted += 1
        elif count == 1:
            assert dump(db) == before, f"killed after {delay} s"
        else:
            assert count == cases + 1, f"partial import after {delay} s: {count}"
    assert interrupted >= 2, "the kill never landed inside the import's write transaction"
    # And the same file imports in full afterwards.
    result = cli(db, "import", str(data))
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT count(*) FROM arende") == [(cases + 1,)]


def _write_locked(db: Path) -> bool:
    """Whether another process holds the register's write lock (a write transaction is
    open): a second connection cannot begin one without waiting."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return False


def _as_nobody_possible() -> bool:
    return (
        os.geteuid() == 0
        and shutil.which("setpriv") is not None
        and Path("/usr/bin/python3").exists()
    )


def _nobody(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run envagin as the unprivileged user nobody, so file permissions apply."""
    import sysconfig

    paths = [sysconfig.get_paths()["purelib"], str(ROOT)]
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(paths),
        "ENVAGIN_IDAG": TODAY,
        "ENVAGIN_USER": "ls",
        "HOME": "/nonexistent",
    }
    return subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "envagin_cli",
            "--db",
            str(db),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.skipif(not _as_nobody_possible(), reason="needs root, setpriv and /usr/bin/python3")
def test_read_only_file_and_folder_as_a_normal_user(register: Invoke, db: Path) -> None:
    enrolled_case(register, make_pnr("19811218", "987"))
    register(
        "close",
        "EVI-2014-0001",
        "--slutorsak",
        "avbrutet",
        "--försörjning",
        "ingen",
        "--ingen-enkät",
        "--datum",
        "2014-05-01",
    )
    folder = Path(tempfile.mkdtemp(prefix="envagin-ro-"))
    try:
        target = folder / "register.db"
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        shutil.copy(db, target)
        os.chown(folder, 65534, 65534)
        os.chown(target, 65534, 65534)
        os.chmod(target, 0o444)
        os.chmod(folder, 0o555)
        probe = _nobody(target, "--version")
        if probe.returncode != 0:
            pytest.skip(f"the test environment cannot run as nobody: {probe.stderr[-200:]}")
        before = target.read_bytes()
        report = _nobody(target, "report", "--halvår", "2014H1", "--json")
        assert report.returncode == 0, report.stderr
        assert json.loads(report.stdout)["tabeller"]["period"]["rader"]["avslutade"]["totalt"] == 1
        shown = _nobody(target, "show", "EVI-2014-0001")
        assert shown.returncode == 1 and "skrivskyddad" in shown.stderr
        assert "19811218" not in shown.stdout
        written = _nobody(
            target, "intake", "--anonym", "--kön", "man", "--födelseår", "1970", "--remittent", "af"
        )
        assert written.returncode == 1 and "skrivskyddad" in written.stderr
        for result in (report, shown, written):
            assert "Traceback" not in result.stderr
        assert target.read_bytes() == before
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def test_new_file_is_private_and_init_shares_with_a_group(invoke: Invoke, db: Path) -> None:
    import grp

    assert invoke("init").exit_code == 0
    assert (db.stat().st_mode & 0o777) == 0o600
    group = grp.getgrgid(os.getgid()).gr_name
    shared = db.with_name("delad.db")
    result = invoke("--db", str(shared), "init", "--grupp", group, use_db=False)
    assert result.exit_code == 0, result.stderr
    assert (shared.stat().st_mode & 0o777) == 0o660
    assert shared.stat().st_gid == os.getgid()
    bad = invoke(
        "--db", str(db.with_name("x.db")), "init", "--grupp", "finnsinte-grupp", use_db=False
    )
    assert bad.exit_code == 1 and "gruppen" in bad.stderr


def test_reading_personal_data_is_audited(register: Invoke, db: Path) -> None:
    pnr = make_pnr("19811218", "987")
    nr = enrolled_case(register, pnr)
    assert register("show", nr, som="as").exit_code == 0
    assert register("show", pnr, som="mk").exit_code == 0
    assert (
        register(
            "map", pnr, "--start", "--handläggare", "as", "--datum", "2014-03-05", som="as"
        ).exit_code
        == 0
    )
    logged = rows(
        db,
        "SELECT handlaggare, atgard, arende, detaljer, os_anvandare <> '' "
        "FROM granskning ORDER BY id",
    )
    assert logged == [
        ("as", "visa ärende", nr, "", 1),
        ("mk", "visa ärende", nr, "uppslag på personnummer", 1),
        ("as", "uppslag på personnummer", nr, "påbörjad kartläggning", 1),
    ]
    refused = register("audit", som="as")
    assert refused.exit_code == 1 and "projektledare eller teamledare" in refused.stderr
    listed = json.loads(register("audit", "--ärende", nr, "--json").stdout)
    assert [r["handlaggare"] for r in listed] == ["as", "mk", "as"]
    only_mk = json.loads(register("audit", "--handläggare", "mk", "--json").stdout)
    assert len(only_mk) == 1
    future = json.loads(register("audit", "--till", "2000-01-01", "--json").stdout)
    assert future == []
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="granskningsloggen"):
        conn.execute("DELETE FROM granskning")
    with pytest.raises(sqlite3.DatabaseError, match="granskningsloggen"):
        conn.execute("UPDATE granskning SET handlaggare = 'x'")
    conn.close()
    # Without a known handläggare nothing is shown.
    anonymous = register("show", nr, som=None)
    assert anonymous.exit_code == 1 and "ENVAGIN_USER" in anonymous.stderr


def test_gallring_keeps_every_figure(register: Invoke, db: Path) -> None:
    old = enrolled_case(
        register, make_pnr("19700101", "123"), intake="2014-03-03", consent="2014-03-04"
    )
    register(
        "tripartite",
        old,
        "--handläggare",
        "as",
        "--remittent-handläggare",
        "Karin Ek",
        "--datum",
        "2014-03-10",
    )
    register("assign", old, "--insats", "vux", "--datum", "2014-03-20")
    register(
        "close",
        old,
        "--slutorsak",
        "studier",
        "--försörjning",
        "studiemedel",
        "--nöjd-bemötande",
        "5",
        "--nöjd-insats",
        "5",
        "--datum",
        "2015-01-10",
    )
    recent = enrolled_case(
        register, make_pnr("19800101", "234"), intake="2024-03-03", consent="2024-03-04"
    )
    register(
        "close",
        recent,
        "--slutorsak",
        "arbete",
        "--försörjning",
        "lon",
        "--ingen-enkät",
        "--datum",
        "2025-01-10",
    )
    open_case = enrolled_case(
        register, make_pnr("19900101", "345"), intake="2015-03-03", consent="2015-03-04"
    )
    reports = {
        p: register("report", *p, "--json").stdout
        for p in (("--halvår", "2014H1"), ("--år", "2015"), ("--sedan-start",))
    }
    refused = register("gallra", "--ja", som="as")
    assert refused.exit_code == 1 and "projektledare eller teamledare" in refused.stderr
    before = dump(db)
    unconfirmed = register("gallra")
    assert unconfirmed.exit_code == 1 and "--ja" in unconfirmed.stderr
    assert dump(db) == before
    result = register("gallra", "--ja")
    assert result.exit_code == 0, result.stderr
    assert "1 ärende;" in result.stderr and "personnummer tas bort i 1" in result.stderr
    numbers = rows(
        db,
        "SELECT a.nr, i.personnummer FROM arende a JOIN identitet i "
        "ON i.id = a.identitet_id ORDER BY a.nr",
    )
    assert numbers == [
        (old, None),
        (open_case, make_pnr("19900101", "345")),
        (recent, make_pnr("19800101", "234")),
    ]
    texts = rows(db, "SELECT data FROM handelse WHERE arende = ? AND typ = 'tripartite'", old)
    assert "Karin Ek" not in texts[0][0]
    for period, text in reports.items():
        after = json.loads(register("report", *period, "--json").stdout)
        assert after["tabeller"] == json.loads(text)["tabeller"], period
    assert rows(db, "SELECT atgard FROM granskning") == [("gallring",)]
    again = register("gallra", "--ja")
    assert again.exit_code == 0  # the case is still a candidate but has nothing left to remove
    explicit = register("gallra", "--före", "2025-06-01", "--ja")
    assert explicit.exit_code == 0
    assert rows(
        db,
        "SELECT personnummer FROM identitet i JOIN arende a "
        "ON a.identitet_id = i.id WHERE a.nr = ?",
        recent,
    ) == [(None,)]


def test_a_failing_migration_or_newer_file_is_never_overwritten(register: Invoke, db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db.read_bytes()
    result = cli(db, "report")
    assert result.returncode == 1 and "schemaversion 99" in result.stderr
    assert db.read_bytes() == before
