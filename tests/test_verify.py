"""Tamper evidence: `envagin verify` checks the hash chains of the event log and the audit
log, the projection against a replay of the events, and `PRAGMA integrity_check`.

Every attack here is what the owner of the file can do with the `sqlite3` shell: drop the
triggers that keep history append-only, then edit, delete or insert rows with plain SQL.
`verify` names the first broken row of each check and exits 3; 0 only when all hold.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import Invoke, enrolled_case, make_pnr, older_register, rows

TRIGGERS = (
    "DROP TRIGGER IF EXISTS handelse_ingen_andring; "
    "DROP TRIGGER IF EXISTS handelse_ingen_radering; "
    "DROP TRIGGER IF EXISTS granskning_ingen_andring; "
    "DROP TRIGGER IF EXISTS granskning_ingen_radering;"
)


def _attack(db: Path, sql: str) -> None:
    """Plain SQL with the chains' append-only triggers dropped, and the seals' triggers
    (a plain client cannot write a sealed table while they exist: `store.sigill`)."""
    conn = sqlite3.connect(db)
    try:
        seals = "".join(
            f'DROP TRIGGER "{r[0]}"; '
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sigill%'"
            )
        )
        conn.executescript(TRIGGERS + seals + sql)
    finally:
        conn.close()


@pytest.fixture
def history(register: Invoke, db: Path) -> Invoke:
    """Cases with events, a void, audit rows and a gallring of the oldest case."""
    old = enrolled_case(register, make_pnr("19811218", "987"))
    assert (
        register(
            "tripartite",
            old,
            "--handläggare",
            "as",
            "--remittent-handläggare",
            "Karin Ek",
            "--datum",
            "2014-03-20",
        ).exit_code
        == 0
    )
    assert (
        register(
            "close",
            old,
            "--slutorsak",
            "arbete",
            "--försörjning",
            "lon",
            "--ingen-enkät",
            "--datum",
            "2014-06-01",
        ).exit_code
        == 0
    )
    nr = enrolled_case(
        register, make_pnr("19900101", "123"), intake="2020-01-10", consent="2020-01-12"
    )
    assert (
        register("assign", nr, "--insats", "arbetstraning", "--datum", "2020-02-01").exit_code == 0
    )
    mapped = register("map", nr, "--start", "--handläggare", "as", "--datum", "2020-01-15")
    assert mapped.exit_code == 0
    map_id = rows(db, "SELECT max(id) FROM handelse")[0][0]
    assert register("makulera", str(map_id), "--orsak", "Fel ärende").exit_code == 0
    assert register("show", nr).exit_code == 0  # an audit row
    assert register("gallra", "--före", "2015-01-01", "--ja").exit_code == 0
    return register


def _verify(invoke: Invoke) -> tuple[int, dict[str, object], str]:
    result = invoke("verify", "--json")
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_verify_holds_for_a_register_used_as_usual_gallrad_and_backed_up(
    history: Invoke, db: Path
) -> None:
    code, found, _ = _verify(history)
    assert code == 0 and found["ok"] is True and found["fel"] == []
    # Every event and audit row has its hash, and gallring kept the chain verifiable.
    assert rows(db, "SELECT count(*) FROM handelse WHERE kedja IS NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM granskning WHERE kedja IS NULL") == [(0,)]
    (underlag,) = rows(db, "SELECT underlag FROM granskning WHERE atgard = 'gallring'")[0]
    gallrade = json.loads(underlag)["handelser"]
    assert len(gallrade) == 1  # the tripartite meeting's referring handläggare's name
    assert rows(db, "SELECT count(*) FROM handelse WHERE data LIKE '%Karin Ek%'") == [(0,)]
    text = history("verify")
    assert text.exit_code == 0 and "Allt stämmer" in text.stdout
    newest = rows(db, "SELECT kedja FROM handelse ORDER BY id DESC LIMIT 1")[0][0]
    assert found["senaste_kedja"] == {
        "handelse": newest,
        "granskning": rows(db, "SELECT kedja FROM granskning ORDER BY id DESC LIMIT 1")[0][0],
    }
    # A backup is the same chain: verify holds for the copy, ending in the same hash.
    copy = db.with_name("kopia.db")
    assert history("backup", str(copy)).exit_code == 0
    copied = history("--db", str(copy), "verify", "--json", use_db=False)
    assert copied.exit_code == 0, copied.stderr
    assert json.loads(copied.stdout)["senaste_kedja"] == found["senaste_kedja"]


# (attack, the check that must fail, the row it must name); ids are of the `history`
# register: 4 staff events (1–4), then the first case's events from 5 on.
ATTACKS = [
    (
        "UPDATE handelse SET data = replace(data, 'af', 'fk') WHERE id = 5",
        "händelsekedja",
        "händelse 5",
    ),
    ("UPDATE handelse SET som = 'as' WHERE id = 6", "händelsekedja", "händelse 6"),
    ("UPDATE handelse SET datum = '2014-03-05' WHERE id = 6", "händelsekedja", "händelse 6"),
    ("DELETE FROM handelse WHERE id = 7", "händelsekedja", "händelse 7"),
    ("DELETE FROM handelse WHERE id = (SELECT max(id) FROM handelse)", "händelsekedja", ""),
    (
        "INSERT INTO handelse (arende, typ, datum, registrerad, som, os_anvandare, data) "
        "VALUES (NULL, 'staff-deactivate', '2020-01-01', '2020-01-01T00:00:00+00:00', 'ls', "
        "'', '{\"id\":\"as\"}')",
        "händelsekedja",
        "",
    ),
    ("UPDATE granskning SET handlaggare = 'mk' WHERE id = 1", "granskningskedja", "granskning 1"),
    ("DELETE FROM granskning WHERE id = 1", "granskningskedja", "granskning 1"),
    (
        "INSERT INTO granskning (tid, handlaggare, os_anvandare, atgard) "
        "VALUES ('2020-01-01T00:00:00', 'ls', '', 'visa ärende')",
        "granskningskedja",
        "",
    ),
    ("UPDATE arende SET slutorsak = 'studier' WHERE slutorsak = 'arbete'", "projektion", "ärende"),
    ("DELETE FROM arende_insats", "projektion", "ärende"),
    ("UPDATE staff SET roll = 'projektledare' WHERE id = 'as'", "projektion", "handläggare as"),
    # The event gallring changed, changed again: its digest is not the one recorded.
    (
        "UPDATE handelse SET data = replace(data, 'as', 'mk') WHERE arende = "
        "(SELECT min(nr) FROM arende) AND typ = 'tripartite'",
        "händelsekedja",
        "händelse",
    ),
]


@pytest.mark.parametrize(("sql", "check", "named"), ATTACKS)
def test_plain_sql_edits_deletes_and_inserts_are_caught(
    history: Invoke, db: Path, sql: str, check: str, named: str
) -> None:
    _attack(db, sql)
    code, found, stderr = _verify(history)
    assert code == 3 and found["ok"] is False
    failures = found["fel"]
    assert isinstance(failures, list)
    assert check in [f["kontroll"] for f in failures], failures
    first = next(f for f in failures if f["kontroll"] == check)
    assert named in first["rad"], first
    assert f"Fel ({check})" in history("verify").stderr
    assert "Traceback" not in stderr


def test_integrity_check_failure_is_caught(history: Invoke, db: Path) -> None:
    # An index whose definition no longer matches its entries, as a damaged file would be.
    conn = sqlite3.connect(db)
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX handelse_arende ON handelse (typ)' "
        "WHERE name = 'handelse_arende'"
    )
    conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.commit()
    conn.close()
    code, found, _ = _verify(history)
    assert code == 3
    assert "integritet" in [f["kontroll"] for f in found["fel"]]  # type: ignore[union-attr]


def test_migrating_an_old_register_computes_its_chain(tmp_path: Path, invoke: Invoke) -> None:
    """A register of schema 4 with history gets the chain for the rows it has."""
    path = tmp_path / "gammal.db"
    conn = older_register(path, 4)
    conn.execute(
        "INSERT INTO staff (id, namn, part, roll, tjanstgoringsgrad) "
        "VALUES ('ls', 'Lena Sundberg', 'sf', 'projektledare', 100)"
    )
    conn.execute(
        "INSERT INTO handelse (arende, typ, datum, registrerad, som, os_anvandare, data) "
        "VALUES (NULL, 'staff', '2014-01-01', '2014-01-01T08:00:00+00:00', 'ls', 'ls', "
        '\'{"id":"ls","namn":"Lena Sundberg","part":"sf","roll":"projektledare",'
        '"tjanstgoringsgrad":100}\')'
    )
    conn.execute(
        "INSERT INTO granskning (tid, handlaggare, os_anvandare, atgard) "
        "VALUES ('2014-01-02T08:00:00+00:00', 'ls', 'ls', 'visa ärende')"
    )
    conn.commit()
    conn.close()
    result = invoke("--db", str(path), "verify", "--json", use_db=False)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["handelser"] == 1
    assert rows(path, "SELECT count(*) FROM handelse WHERE kedja IS NULL") == [(0,)]
    assert rows(path, "SELECT count(*) FROM granskning WHERE kedja IS NULL") == [(0,)]
    # New rows continue the chain.
    assert (
        invoke(
            "--db",
            str(path),
            "staff",
            "add",
            "as",
            "--namn",
            "Amir Said",
            "--part",
            "fs",
            "--roll",
            "socialsekreterare",
            "--datum",
            "2014-01-02",
            use_db=False,
        ).exit_code
        == 0
    )
    assert invoke("--db", str(path), "verify", use_db=False).exit_code == 0


def test_the_chain_cannot_be_changed_through_the_triggers(history: Invoke, db: Path) -> None:
    conn = sqlite3.connect(db)
    for sql in (
        "UPDATE handelse SET kedja = 'x' WHERE id = 1",
        "UPDATE granskning SET kedja = 'x' WHERE id = 1",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(sql)
    conn.close()
