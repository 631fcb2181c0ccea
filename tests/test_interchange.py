"""Interchange that never loses anything: round trips in any order, goals in the format,
every error of a row, repeated commands, and the Finsam export (issue 12)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import (
    Invoke,
    build_template,
    copy_register,
    dump,
    enrolled_case,
    make_pnr,
    older_register,
    rows,
)

PNR_A = make_pnr("19811218", "987")
PNR_B = make_pnr("19900215", "123")
PNR_C = make_pnr("19751030", "456")


def ok(result: object) -> str:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return str(result.stdout)  # type: ignore[attr-defined]


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))


def report(invoke: Invoke, *period: str) -> dict[str, object]:
    data = json.loads(ok(invoke("report", *period, "--json")))
    data.pop("framtagen")
    return data


@pytest.fixture(scope="session")
def late_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory, "sent", _build_late)


@pytest.fixture
def late(invoke: Invoke, db: Path, late_template: Path) -> Invoke:
    """A register whose staff, catalogue and goals were entered today (2026-11-22) and whose
    cases were entered afterwards with their real, earlier dates: late registration."""
    copy_register(late_template, db)
    return invoke


def _build_late(invoke: Invoke) -> None:
    ok(invoke("init"))
    ok(invoke("staff", "add", "ls", "--namn", "Lena S", "--part", "sf", "--roll", "projektledare"))
    ok(
        invoke(
            "staff", "add", "as", "--namn", "Amir S", "--part", "fs", "--roll", "socialsekreterare"
        )
    )
    ok(
        invoke(
            "staff", "add", "jb", "--namn", "Johan B", "--part", "af", "--roll", "arbetsformedlare"
        )
    )
    ok(invoke("insats", "add", "jobbklubb", "--namn", "Jobbklubb", "--part", "ac"))
    ok(invoke("mål", "mall", "en-vag-in-2014"))
    ok(invoke("mål", "set", "inflode", "150"))
    ok(
        invoke(
            "mål",
            "status",
            "mottagning",
            "pågår",
            "--kommentar",
            "Utkast klart",
            "--datum",
            "2014-02-10",
        )
    )
    ok(
        invoke(
            "mål",
            "status",
            "mottagning",
            "uppnått",
            "--kommentar",
            "Antagna",
            "--datum",
            "2014-03-20",
        )
    )
    ok(invoke("mål", "värde", "sociala-foretag", "2014", "4", "--källa", "Egen räkning"))
    a = enrolled_case(invoke, PNR_A, intake="2014-02-03", consent="2014-02-05")
    ok(
        invoke(
            "map",
            a,
            "--start",
            "--handläggare",
            "as",
            "--handläggare",
            "jb",
            "--datum",
            "2014-02-06",
        )
    )
    ok(invoke("map", a, "--klar", "--datum", "2014-02-14"))
    ok(invoke("assign", a, "--insats", "jobbklubb", "--datum", "2014-02-20"))
    ok(invoke("assign", a, "--ansvarig", "jb", "--datum", "2014-03-01"))
    ok(
        invoke(
            "close", a, "--slutorsak", "arbete", "--försörjning", "lon",
            "--nöjd-bemötande", "5", "--nöjd-insats", "4", "--datum", "2014-05-28",
        )
    )  # fmt: skip
    b = enrolled_case(invoke, PNR_B, intake="2014-03-10", consent="2014-03-12")
    ok(invoke("assign", b, "--insats", "arbetstraning", "--datum", "2014-04-01"))
    # Registered late: a consent dated before the mapping entered after it.
    c = enrolled_case(invoke, None, intake="2014-04-02", consent="2014-06-10")
    ok(invoke("map", c, "--start", "--handläggare", "jb", "--datum", "2014-06-12"))
    ok(invoke("staff", "deactivate", "jb", "--ja"))


def test_round_trip_in_any_order_keeps_every_figure_and_goal(
    late: Invoke, invoke: Invoke, db: Path, tmp_path: Path
) -> None:
    before = {p: report(late, *p) for p in [("--halvår", "2014H1"), ("--sedan-start",)]}
    goals = json.loads(ok(late("mål", "list", "--json")))
    history = json.loads(ok(late("mål", "show", "mottagning", "--json")))
    out = tmp_path / "ex.csv"
    ok(late("export", str(out)))
    exported = read_csv(out)
    kinds = [r["händelse"] for r in exported]
    # Register rows first (staff, catalogue, goals), then the cases, deactivations last.
    first_case = kinds.index("intake")
    assert set(kinds[:first_case]) == {
        "staff", "insats-add", "goal", "goal-add", "goal-status", "goal-value"
    }  # fmt: skip
    assert "staff" not in kinds[first_case:] and kinds[-1] == "staff-deactivate"
    new = tmp_path / "new.db"
    ok(invoke("--db", str(new), "init", use_db=False))
    result = invoke("--db", str(new), "import", str(out), "--json", use_db=False)
    summary = json.loads(ok(result))
    assert summary["felaktiga_rader"] == 0 and summary["nya_handelser"]["goal-add"] == 8
    again = {p: report(lambda *a: invoke("--db", str(new), *a, use_db=False), *p) for p in before}
    assert again == before
    assert json.loads(ok(invoke("--db", str(new), "mål", "list", "--json", use_db=False))) == goals
    shown = json.loads(
        ok(invoke("--db", str(new), "mål", "show", "mottagning", "--json", use_db=False))
    )
    assert shown == history
    # And the same file a second time adds nothing.
    twice = invoke("--db", str(new), "import", str(out), use_db=False)
    assert twice.exit_code == 0 and "inget nytt har skrivits" in twice.stderr


def test_goal_rows_carry_the_option_names(late: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "ex.csv"
    ok(late("export", str(out)))
    exported = read_csv(out)
    add = next(r for r in exported if r["händelse"] == "goal-add" and r["kod"] == "mottagning")
    assert add["nivå"] == "organisation" and add["deadline"] == "2014-03-31"
    assert add["text"] and add["följs-upp-av"]
    statuses = [
        (r["datum"], r["kod"], r["status"], r["kommentar"])
        for r in exported
        if r["händelse"] == "goal-status"
    ]
    assert statuses == [
        ("2014-02-10", "mottagning", "pagar", "Utkast klart"),
        ("2014-03-20", "mottagning", "uppnatt", "Antagna"),
    ]
    value = [r for r in exported if r["händelse"] == "goal-value" and r["period"] == "2014"]
    assert [(r["kod"], r["värde"], r["källa"]) for r in value] == [
        ("sociala-foretag", "4", "Egen räkning")
    ]
    target = [(r["mål"], r["värde"]) for r in exported if r["händelse"] == "goal"]
    assert target == [("inflode", "150")]


def test_a_staff_row_after_the_case_rows_that_name_it(
    invoke: Invoke, db: Path, tmp_path: Path
) -> None:
    ok(invoke("init"))
    path = tmp_path / "in.csv"
    path.write_text(
        "händelse;ärende;datum;som;personnummer;remittent;ansvarig;omfattning;id;namn;part;roll\r\n"
        f"intake;K-1;2014-03-03;as;{PNR_A};af;as;;;;;\r\n"
        "consent;K-1;2014-03-04;as;;;;samverkan,statistik;;;;\r\n"
        # Amir, added by Lena, is listed before Lena (added by herself, the first).
        "staff;;2026-11-22;ls;;;;;as;Amir S;fs;socialsekreterare\r\n"
        "staff;;2026-11-22;ls;;;;;ls;Lena S;sf;projektledare\r\n",
        encoding="utf-8",
    )
    ok(invoke("import", str(path), som="ls"))
    assert rows(db, "SELECT nr, ansvarig, inskriven FROM arende") == [("K-1", "as", "2014-03-04")]
    assert rows(
        db, "SELECT json_extract(data, '$.id'), som FROM handelse WHERE typ = 'staff' ORDER BY id"
    ) == [
        ("ls", "ls"),
        ("as", "ls"),
    ]


def test_backdated_goals_and_catalogue_travel_with_staff_added_today(
    invoke: Invoke, db: Path, tmp_path: Path
) -> None:
    """Staff added today; a milestone, an indicator and an insats entered with earlier
    dates. The export writes the handläggare first (the other register rows name them), and
    an import also takes the file with the goal rows before the staff rows."""
    ok(invoke("init"))
    ok(invoke("staff", "add", "ls", "--namn", "Lena S", "--part", "sf", "--roll", "projektledare"))
    ok(invoke("staff", "add", "as", "--namn", "Amir S", "--part", "fs",
              "--roll", "socialsekreterare"))  # fmt: skip
    ok(invoke("insats", "add", "jobbklubb", "--namn", "Jobbklubb", "--part", "ac",
              "--datum", "2014-01-05"))  # fmt: skip
    ok(invoke("mål", "add", "rutiner", "--text", "Rutiner klara", "--nivå", "organisation",
              "--deadline", "2014-06-30", "--datum", "2014-01-10"))  # fmt: skip
    ok(invoke("mål", "status", "rutiner", "pågår", "--kommentar", "Igång", "--datum", "2014-02-01"))
    ok(invoke("mål", "add", "arbetslosa", "--text", "Färre arbetslösa", "--nivå", "befolkning",
              "--riktning", "minska", "--basår", "2013", "--enhet", "procent",
              "--datum", "2014-01-10"))  # fmt: skip
    ok(
        invoke(
            "mål", "värde", "arbetslosa", "2014", "7,5", "--källa", "SCB", "--datum", "2014-03-01"
        )
    )
    enrolled_case(invoke, PNR_A, intake="2014-02-03", consent="2014-02-05")
    goals = json.loads(ok(invoke("mål", "list", "--json")))
    before = report(invoke, "--halvår", "2014H1")
    out = tmp_path / "ex.csv"
    ok(invoke("export", str(out)))
    kinds = [r["händelse"] for r in read_csv(out)]
    assert kinds == [
        "staff", "staff", "insats-add", "goal-add", "goal-add", "goal-status", "goal-value",
        "intake", "consent",
    ]  # fmt: skip
    # The same rows with the staff rows after the goal rows (an older export's order).
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("\n".join([lines[0], *lines[3:8], *lines[1:3], *lines[8:]]) + "\n", "utf-8")
    for n, path in enumerate((out, shuffled)):
        new = str(tmp_path / f"new{n}.db")

        def again(*args: str, new: str = new) -> object:
            return invoke("--db", new, *args, use_db=False)

        ok(again("init"))
        summary = json.loads(ok(again("import", str(path), "--json")))
        assert summary["felaktiga_rader"] == 0 and summary["nya_handelser"]["goal-add"] == 2
        assert json.loads(ok(again("mål", "list", "--json"))) == goals
        assert report(again, "--halvår", "2014H1") == before


def test_every_error_of_a_row_is_listed_and_nothing_counted(
    late: Invoke, db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "händelse;ärende;datum;slutorsak;försörjning;nöjd-bemötande;nöjd-insats;byt\r\n"
        "close;EVI-2014-0002;2014-13-01;arbet;lon;9;4;\r\n"
        "consent;EVI-2014-0002;2014-05-01;;;;;ja\r\n",
        encoding="utf-8",
    )
    before = dump(db)
    result = late("import", str(path), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    fields = [(f["rad"], f["fält"]) for f in summary["fel"]]
    assert (2, "datum") in fields and (2, "slutorsak") in fields and (2, "nöjd-bemötande") in fields
    assert (3, "byt") in fields and (3, "omfattning") in fields
    assert summary["felaktiga_rader"] == 2
    assert summary["nya_handelser"] == {} and summary["arenden"] == 0
    assert "0 nya händelser skrivna" in result.stderr
    assert "rad 2, fält slutorsak: slutorsak: okänd kod 'arbet'" in result.stderr
    assert dump(db) == before


def test_an_import_that_fails_counts_nothing_written(late: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "half.csv"
    path.write_text(
        "händelse;ärende;datum;personnummer;remittent;omfattning\r\n"
        f"intake;NY-1;2014-08-01;{PNR_C};af;\r\n"
        "consent;NY-1;2014-08-02;;;allt\r\n",
        encoding="utf-8",
    )
    result = late("import", str(path))
    assert result.exit_code == 1
    assert "0 ärenden, 0 nya händelser skrivna (inga)" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["consent", "{a}", "--omfattning", "samverkan,statistik", "--datum", "2014-02-05"],
        ["map", "{a}", "--start", "--handläggare", "jb,as", "--datum", "2014-02-06"],
        ["map", "{a}", "--klar", "--datum", "2014-02-14"],
        ["assign", "{a}", "--insats", "Arbetsträning hos Arbetscentrum", "--datum", "2014-02-20"],
        ["assign", "{a}", "--ansvarig", "jb", "--datum", "2014-03-01"],
        [
            "close", "{a}", "--slutorsak", "arbete", "--försörjning", "lön",
            "--nöjd-bemötande", "5", "--nöjd-insats", "4", "--datum", "2014-05-28",
        ],
    ],
)  # fmt: skip
def test_a_repeated_command_adds_nothing(register: Invoke, db: Path, command: list[str]) -> None:
    a = enrolled_case(register, PNR_A, intake="2014-02-03", consent="2014-02-05")
    for args in [
        ["map", a, "--start", "--handläggare", "as,jb", "--datum", "2014-02-06"],
        ["map", a, "--klar", "--datum", "2014-02-14"],
        ["assign", a, "--insats", "arbetstraning", "--datum", "2014-02-20"],
        ["assign", a, "--ansvarig", "jb", "--datum", "2014-03-01"],
        ["close", a, "--slutorsak", "arbete", "--försörjning", "lon", "--nöjd-bemötande", "5",
         "--nöjd-insats", "4", "--datum", "2014-05-28"],
    ]:  # fmt: skip
        ok(register(*args))
    before = dump(db)
    argv = [x.replace("{a}", a) for x in command]
    result = register(*argv)
    assert result.exit_code == 0, result.stderr
    assert "Händelsen finns redan (händelse " in result.stderr
    assert "inget har lagts till." in result.stderr
    assert dump(db) == before


def test_repeated_intake_consent_and_void(register: Invoke, db: Path) -> None:
    args = ["intake", "--personnummer", PNR_A, "--remittent", "af", "--ansvarig", "as",
            "--datum", "2014-03-03"]  # fmt: skip
    first = ok(register(*args)).strip()
    count = rows(db, "SELECT count(*) FROM handelse")
    again = register(*args)
    assert again.exit_code == 0 and again.stdout.strip() == first
    assert "Händelsen finns redan (händelse 5); inget har lagts till." in again.stderr
    assert rows(db, "SELECT count(*) FROM handelse") == count
    # A different intake for the same open case is still refused.
    other = register(*args[:-1], "2014-03-04")
    assert other.exit_code == 1 and "redan ett öppet ärende" in other.stderr
    consent = ["consent", first, "--omfattning", "samverkan,statistik", "--datum", "2014-03-04"]
    ok(register(*consent))
    twice = register(*consent)
    assert twice.exit_code == 0 and "finns redan (händelse 6)" in twice.stderr
    ok(register("makulera", "6", "--orsak", "Fel datum"))
    void_twice = register("makulera", "6", "--orsak", "Fel  datum")
    assert void_twice.exit_code == 0 and "finns redan (händelse 7)" in void_twice.stderr
    other_reason = register("makulera", "6", "--orsak", "Annat")
    assert other_reason.exit_code == 1 and "redan makulerad (händelse 7)" in other_reason.stderr
    assert rows(db, "SELECT count(*) FROM handelse WHERE typ = 'void'") == [(1,)]


def test_repeated_goal_status_and_value_add_nothing(late: Invoke, db: Path) -> None:
    before = dump(db)
    status = late(
        "mål", "status", "mottagning", "uppnått", "--kommentar", "Antagna", "--datum", "2014-03-20"
    )
    assert status.exit_code == 0 and "Händelsen finns redan (händelse " in status.stderr
    value = late("mål", "värde", "sociala-foretag", "2014", "4", "--källa", "Egen räkning")
    assert value.exit_code == 0 and "Händelsen finns redan (händelse " in value.stderr
    assert dump(db) == before


def test_a_register_of_schema_3_gets_its_goal_events_as_kinds(
    invoke: Invoke, db: Path, tmp_path: Path
) -> None:
    """Schema 3 stored milestones, statuses and values as `goal` events with an `atgard`."""
    from envagin_cli.store import migrations

    conn = older_register(db, 3)
    conn.execute(
        "INSERT INTO staff (id, namn, part, roll, tjanstgoringsgrad, aktiv) "
        "VALUES ('ls', 'Lena', 'sf', 'projektledare', 100, 1)"
    )
    goal = {"atgard": "nytt-mal", "kod": "m1", "typ": "milstolpe", "niva": "organisation",
            "text": "Rutiner", "deadline": "2014-03-31", "uppfoljs_av": None, "rytm": "",
            "riktning": None, "basar": None, "enhet": None, "kalla": None}  # fmt: skip
    conn.execute(
        "INSERT INTO malpost (id, kod, typ, niva, text, deadline, rytm) "
        "VALUES (1, 'm1', 'milstolpe', 'organisation', 'Rutiner', '2014-03-31', '')"
    )
    for data in (
        goal,
        {"atgard": "status", "kod": "m1", "status": "pagar", "kommentar": "Igång"},
    ):
        conn.execute(
            "INSERT INTO handelse (typ, datum, registrerad, som, data) "
            "VALUES ('goal', '2014-02-01', '2014-02-01T10:00:00+00:00', 'ls', ?)",
            (json.dumps(data),),
        )
    conn.execute(
        "INSERT INTO malstatus (malpost_id, datum, status, kommentar, som, handelse_id) "
        "VALUES (1, '2014-02-01', 'pagar', 'Igång', 'ls', 2)"
    )
    conn.commit()
    conn.close()
    out = tmp_path / "ex.csv"
    ok(invoke("export", str(out)))
    assert [r["händelse"] for r in read_csv(out)] == ["goal-add", "goal-status"]
    assert rows(db, "SELECT typ, json_extract(data, '$.atgard') FROM handelse ORDER BY id") == [
        ("goal-add", None),
        ("goal-status", None),
    ]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "PRAGMA user_version") == [(migrations.SCHEMA_VERSION,)]
    # History is still append-only after the migration.
    with pytest.raises(sqlite3.IntegrityError):
        conn = sqlite3.connect(db)
        try:
            conn.execute("UPDATE handelse SET datum = '2015-01-01' WHERE id = 1")
        finally:
            conn.close()


@pytest.fixture
def placed(register: Invoke) -> Invoke:
    """Hand-worked Finsam data: who is in which insats when.

    A kvinna: arbetstraning 2014-02-01–2014-05-31.      B man: arbetstraning from 2014-06-15,
    se from 2014-06-20.     C kvinna: se 2013-12-01–2013-12-31 (before 2014).
    D man: arbetstraning from 2014-07-01, closed as felregistrering (counts nowhere).
    E kvinna: arbetstraning from 2014-08-01.
    """
    inv = register
    a = enrolled_case(inv, None, intake="2014-01-10", consent="2014-01-12")
    ok(inv("assign", a, "--insats", "arbetstraning", "--datum", "2014-02-01"))
    ok(inv("assign", a, "--avsluta", "arbetstraning", "--datum", "2014-05-31"))
    b = enrolled_case(inv, PNR_A, intake="2014-03-03", consent="2014-03-04")
    ok(inv("assign", b, "--insats", "arbetstraning", "--datum", "2014-06-15"))
    ok(inv("assign", b, "--insats", "se", "--datum", "2014-06-20"))
    c = enrolled_case(inv, make_pnr("19800101", "222"), intake="2013-11-01", consent="2013-11-02")
    ok(inv("assign", c, "--insats", "se", "--datum", "2013-12-01"))
    ok(inv("assign", c, "--avsluta", "se", "--datum", "2013-12-31"))
    d = enrolled_case(inv, PNR_B, intake="2014-06-01", consent="2014-06-02")
    ok(inv("assign", d, "--insats", "arbetstraning", "--datum", "2014-07-01"))
    ok(inv("close", d, "--slutorsak", "felregistrering", "--ingen-enkät", "--datum", "2014-09-01"))
    e = enrolled_case(inv, PNR_C, intake="2014-07-10", consent="2014-07-11")
    ok(inv("assign", e, "--insats", "arbetstraning", "--datum", "2014-08-01"))
    return inv


def finsam_rows(path: Path) -> dict[str, tuple[str, str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    found = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert found[0] == ["Kod", "Insats", "Kvinnor", "Män", "Totalt"]
    return {r[0]: (r[2], r[3], r[4]) for r in found[1:]}


@pytest.mark.parametrize(
    ("period", "arbetstraning", "se", "totalt"),
    [
        (["--år", "2014"], ("2", "1", "3"), ("0", "1", "1"), ("2", "1", "3")),
        (["--halvår", "2014H1"], ("1", "1", "2"), ("0", "1", "1"), ("1", "1", "2")),
        (["--från", "2014-06-01", "--till", "2014-06-16"], ("0", "1", "1"), ("0", "0", "0"),
         ("0", "1", "1")),
        (["--år", "2013"], ("0", "0", "0"), ("1", "0", "1"), ("1", "0", "1")),
    ],
)  # fmt: skip
def test_finsam_counts_participants_per_insats(
    placed: Invoke,
    tmp_path: Path,
    period: list[str],
    arbetstraning: tuple[str, ...],
    se: tuple[str, ...],
    totalt: tuple[str, ...],
) -> None:
    out = tmp_path / "finsam.csv"
    result = placed("export", "--finsam", *period, str(out))
    assert result.exit_code == 0, result.stderr
    found = finsam_rows(out)
    assert found["arbetstraning"] == arbetstraning
    assert found["se"] == se
    assert found["totalt"] == totalt
    assert out.stat().st_mode & 0o777 == 0o600


def test_finsam_as_json(placed: Invoke) -> None:
    result = placed("export", "--finsam", "--år", "2014", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["period"]["från"] == "2014-01-01" and data["period"]["till"] == "2014-12-31"
    rows_ = data["finsam"]["rader"]
    assert {k: rows_["arbetstraning"][k] for k in ("kvinnor", "män", "totalt")} == {
        "kvinnor": 2, "män": 1, "totalt": 3
    }  # fmt: skip
    assert rows_["totalt"]["etikett"] == "Deltagare i någon insats"


def test_finsam_needs_a_period(placed: Invoke) -> None:
    result = placed("export", "--finsam")
    assert result.exit_code == 2 and "period" in result.stderr
    assert placed("export", "--år", "2014").exit_code == 2


def test_repeated_register_commands_name_the_event_already_there(register: Invoke) -> None:
    ok(register("insats", "add", "jobbklubb", "--namn", "Jobbklubb", "--part", "ac"))
    again = register("insats", "add", "jobbklubb", "--namn", "Jobbklubb", "--part", "ac")
    assert again.exit_code == 0 and "Händelsen finns redan (händelse 5)" in again.stderr
    staff = register(
        "staff", "add", "as", "--namn", "Amir Said", "--part", "fs", "--roll",
        "socialsekreterare", "--datum", "2014-01-01",
    )  # fmt: skip
    assert staff.exit_code == 0 and "Händelsen finns redan (händelse 2)" in staff.stderr
    ok(register("staff", "deactivate", "mk", "--ja"))
    twice = register("staff", "deactivate", "mk")
    assert twice.exit_code == 0 and "Händelsen finns redan (händelse 6)" in twice.stderr
    ok(register("mål", "set", "inflode", "150"))
    same = register("mål", "set", "inflode", "150")
    assert same.exit_code == 0 and "Händelsen finns redan (händelse 7)" in same.stderr
