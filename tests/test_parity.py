"""One write path: every event kind through the command and through an import row.

Each case starts from the same register (a copy of one file), applies the same change once
as a command and once as a row of an import file, and then compares: the exit code, the
refusal message (the import only puts the row number and field in front of it), and the
register left behind: the events (through `export --med-personnummer`), the staff,
catalogue and goal tables, and the audit log.
"""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from envagin_cli.cli.app import app
from envagin_cli.rules import event_kinds

from conftest import TODAY, make_pnr

PNR = make_pnr("19811218", "987")
NEW_PNR = make_pnr("19900101", "234")


def _setup(db: Path) -> None:
    """Staff as in conftest's register, and cases in every phase: A has come far, B is only
    an intake, C is enrolled, D is mapping; jb has been deactivated."""

    # fmt: off
    def ok(*args: str) -> str:
        result = _run(db, list(args))
        assert result.exit_code == 0, (args, result.stderr)
        return str(result.stdout.strip())

    ok("init")
    ok("staff", "add", "ls", "--namn", "Lena Sundberg", "--part", "sf", "--roll",
       "projektledare", "--datum", "2014-01-01")
    ok("staff", "add", "as", "--namn", "Amir Said", "--part", "fs", "--roll",
       "socialsekreterare", "--datum", "2014-01-01")
    ok("staff", "add", "mk", "--namn", "Maria Karlsson", "--part", "ac", "--roll",
       "arbetsmarknadssekreterare", "--datum", "2014-01-01")
    ok("staff", "add", "jb", "--namn", "Johan Berg", "--part", "af", "--roll",
       "arbetsformedlare", "--tjänstgöringsgrad", "50", "--datum", "2014-01-01")

    a = ok("intake", "--personnummer", PNR, "--remittent", "af", "--försörjning",
           "forsorjningsstod", "--ansvarig", "as", "--ärende", "A-1", "--datum", "2014-03-03")
    ok("consent", a, "--omfattning", "samverkan,statistik", "--datum", "2014-03-04")
    ok("map", a, "--start", "--handläggare", "as", "--datum", "2014-03-05")
    ok("map", a, "--klar", "--datum", "2014-03-17")
    ok("tripartite", a, "--handläggare", "as", "--remittent-handläggare", "Karin Ek",
       "--datum", "2014-03-20")
    ok("assign", a, "--insats", "arbetstraning", "--datum", "2014-04-01")
    ok("intake", "--anonym", "--kön", "kvinna", "--födelseår", "1985", "--remittent", "fk",
       "--ärende", "B-1", "--datum", "2014-05-01")
    ok("intake", "--anonym", "--kön", "man", "--födelseår", "1977", "--remittent", "fs",
       "--ärende", "C-1", "--datum", "2014-05-02")
    ok("consent", "C-1", "--omfattning", "samverkan,statistik", "--datum", "2014-05-03")
    ok("intake", "--anonym", "--kön", "man", "--födelseår", "1970", "--remittent", "ac",
       "--ärende", "D-1", "--datum", "2014-05-02")
    ok("consent", "D-1", "--omfattning", "samverkan", "--datum", "2014-05-03")
    ok("map", "D-1", "--start", "--handläggare", "mk", "--datum", "2014-05-04")
    ok("staff", "deactivate", "jb", "--datum", "2014-06-01", "--ja")
    ok("mål", "add", "m1", "--text", "Rutiner klara", "--nivå", "organisation", "--deadline",
       "2014-12-31", "--datum", "2014-01-02")
    ok("mål", "add", "i1", "--text", "Andel i arbete", "--nivå", "befolkning", "--riktning",
       "öka", "--basår", "2013", "--datum", "2014-01-02")
    # fmt: on


# (kind, command arguments, import row, valid): the same change said both ways.
# fmt: off
CASES: list[tuple[str, list[str], dict[str, str], bool]] = [
    ("staff", ["staff", "add", "nf", "--namn", "Nora Fors", "--part", "fs", "--roll",
               "socialsekreterare", "--tjänstgöringsgrad", "75", "--datum", "2014-07-01"],
     {"id": "nf", "namn": "Nora Fors", "part": "fs", "roll": "socialsekreterare",
      "tjänstgöringsgrad": "75", "datum": "2014-07-01"}, True),
    ("staff", ["staff", "add", "nf", "--namn", "Nora Fors", "--part", "xx", "--roll",
               "socialsekreterare", "--datum", "2014-07-01"],
     {"id": "nf", "namn": "Nora Fors", "part": "xx", "roll": "socialsekreterare",
      "datum": "2014-07-01"}, False),
    # A deactivated handläggare added again with the same values: already there, both ways.
    ("staff", ["staff", "add", "jb", "--namn", "Johan Berg", "--part", "af", "--roll",
               "arbetsformedlare", "--tjänstgöringsgrad", "50", "--datum", "2014-07-01"],
     {"id": "jb", "namn": "Johan Berg", "part": "af", "roll": "arbetsformedlare",
      "tjänstgöringsgrad": "50", "datum": "2014-07-01"}, True),
    ("staff", ["staff", "add", "as", "--namn", "Annan Person", "--part", "fs", "--roll",
               "socialsekreterare", "--datum", "2014-07-01"],
     {"id": "as", "namn": "Annan Person", "part": "fs", "roll": "socialsekreterare",
      "datum": "2014-07-01"}, False),
    ("staff-deactivate", ["staff", "deactivate", "mk", "--datum", "2014-07-01", "--ja"],
     {"id": "mk", "datum": "2014-07-01"}, True),
    ("staff-deactivate", ["staff", "deactivate", "qq", "--datum", "2014-07-01"],
     {"id": "qq", "datum": "2014-07-01"}, False),
    ("staff-set", ["staff", "set", "mk", "--roll", "teamledare", "--tjänstgöringsgrad", "80",
                   "--datum", "2014-07-01"],
     {"id": "mk", "roll": "teamledare", "tjänstgöringsgrad": "80", "datum": "2014-07-01"}, True),
    ("staff-set", ["staff", "set", "ls", "--roll", "ovrig", "--datum", "2014-07-01"],
     {"id": "ls", "roll": "ovrig", "datum": "2014-07-01"}, False),  # the last leader
    ("staff-set", ["staff", "set", "mk", "--part", "xx", "--datum", "2014-07-01"],
     {"id": "mk", "part": "xx", "datum": "2014-07-01"}, False),
    ("staff-reactivate", ["staff", "reactivate", "jb", "--datum", "2014-07-01"],
     {"id": "jb", "datum": "2014-07-01"}, True),
    ("staff-reactivate", ["staff", "reactivate", "qq", "--datum", "2014-07-01"],
     {"id": "qq", "datum": "2014-07-01"}, False),
    ("staff-deactivate", ["staff", "deactivate", "ls", "--datum", "2014-07-01", "--ja"],
     {"id": "ls", "datum": "2014-07-01"}, False),  # the last leader
    ("insats-add", ["insats", "add", "testkurs", "--namn", "Testkurs", "--part", "ac",
                    "--datum", "2014-07-01"],
     {"kod": "testkurs", "namn": "Testkurs", "part": "ac", "datum": "2014-07-01"}, True),
    ("insats-add", ["insats", "add", "testkurs", "--namn", "Testkurs", "--part", "xyz",
                    "--datum", "2014-07-01"],
     {"kod": "testkurs", "namn": "Testkurs", "part": "xyz", "datum": "2014-07-01"}, False),
    ("insats-deactivate", ["insats", "deactivate", "art", "--datum", "2014-07-01"],
     {"kod": "art", "datum": "2014-07-01"}, True),
    ("insats-deactivate", ["insats", "deactivate", "finnsej", "--datum", "2014-07-01"],
     {"kod": "finnsej", "datum": "2014-07-01"}, False),
    ("goal", ["mål", "set", "inflode", "150", "--datum", "2014-07-01"],
     {"mål": "inflode", "värde": "150", "datum": "2014-07-01"}, True),
    ("goal", ["mål", "set", "inflode", "många", "--datum", "2014-07-01"],
     {"mål": "inflode", "värde": "många", "datum": "2014-07-01"}, False),
    ("goal-add", ["mål", "add", "m2", "--text", "Ny rutin", "--nivå", "organisation",
                  "--deadline", "2014-12-31", "--följs-upp-av", "Styrgruppen",
                  "--datum", "2014-07-01"],
     {"kod": "m2", "text": "Ny rutin", "nivå": "organisation", "deadline": "2014-12-31",
      "följs-upp-av": "Styrgruppen", "datum": "2014-07-01"}, True),
    ("goal-add", ["mål", "add", "m2", "--text", "Ny rutin", "--nivå", "kommun",
                  "--datum", "2014-07-01"],
     {"kod": "m2", "text": "Ny rutin", "nivå": "kommun", "datum": "2014-07-01"}, False),
    ("goal-status", ["mål", "status", "m1", "pågår", "--kommentar", "Igång",
                     "--datum", "2014-07-01"],
     {"kod": "m1", "status": "pågår", "kommentar": "Igång", "datum": "2014-07-01"}, True),
    ("goal-status", ["mål", "status", "m1", "klar", "--kommentar", "Igång",
                     "--datum", "2014-07-01"],
     {"kod": "m1", "status": "klar", "kommentar": "Igång", "datum": "2014-07-01"}, False),
    ("goal-value", ["mål", "värde", "i1", "2014", "12,5", "--källa", "SCB",
                    "--datum", "2014-07-01"],
     {"kod": "i1", "period": "2014", "värde": "12,5", "källa": "SCB", "datum": "2014-07-01"},
     True),
    ("goal-value", ["mål", "värde", "i1", "2014H3", "12,5", "--datum", "2014-07-01"],
     {"kod": "i1", "period": "2014H3", "värde": "12,5", "datum": "2014-07-01"}, False),
    ("unit", ["enhet", "set", "--namn", "Haninge", "--af-kontor", "AF Haninge/Nynäshamn",
              "--datum", "2014-07-01"],
     {"namn": "Haninge", "af-kontor": "AF Haninge/Nynäshamn", "datum": "2014-07-01"}, True),
    ("unit", ["enhet", "set", "--namn", " ", "--kommun", "x" * 101, "--datum", "2014-07-01"],
     {"namn": " ", "kommun": "x" * 101, "datum": "2014-07-01"}, False),
    ("intake", ["intake", "--personnummer", NEW_PNR, "--remittent", "af", "--försörjning",
                "a-kassa", "--ansvarig", "mk", "--ärende", "E-1", "--datum", "2014-07-01"],
     {"ärende": "E-1", "personnummer": NEW_PNR, "remittent": "af", "försörjning": "a-kassa",
      "ansvarig": "mk", "datum": "2014-07-01"}, True),
    # The SUS instrument at intake and closing (issue 28), both ways.
    ("intake", ["intake", "--anonym", "--kön", "man", "--födelseår", "1990", "--remittent",
                "af", "--sysselsättning", "arbetssökande,övrigt", "--utbildning", "gymnasial",
                "--tid-offentlig", "2-5-år", "--ärende", "F-1", "--datum", "2014-07-01"],
     {"ärende": "F-1", "anonym": "ja", "kön": "man", "födelseår": "1990", "remittent": "af",
      "sysselsättning": "arbetssökande,övrigt", "utbildning": "gymnasial",
      "tid-offentlig": "2-5-år", "datum": "2014-07-01"}, True),
    ("intake", ["intake", "--anonym", "--kön", "man", "--födelseår", "1990", "--remittent",
                "af", "--utbildning", "universitet", "--ärende", "F-1", "--datum", "2014-07-01"],
     {"ärende": "F-1", "anonym": "ja", "kön": "man", "födelseår": "1990", "remittent": "af",
      "utbildning": "universitet", "datum": "2014-07-01"}, False),
    ("close", ["close", "D-1", "--slutorsak", "studier", "--försörjning", "studiemedel",
               "--ingen-enkät", "--sysselsättning", "studier,arbete", "--datum", "2014-12-01"],
     {"ärende": "D-1", "slutorsak": "studier", "försörjning": "studiemedel",
      "ingen-enkät": "ja", "sysselsättning": "studier,arbete", "datum": "2014-12-01"}, True),
    ("close", ["close", "D-1", "--slutorsak", "studier", "--försörjning", "studiemedel",
               "--ingen-enkät", "--sysselsättning", "heltid", "--datum", "2014-12-01"],
     {"ärende": "D-1", "slutorsak": "studier", "försörjning": "studiemedel",
      "ingen-enkät": "ja", "sysselsättning": "heltid", "datum": "2014-12-01"}, False),
    # Attendance (issue 28): hours, an absence, and a day outside the insats.
    ("narvaro", ["närvaro", "A-1", "--insats", "arbetstraning", "--datum", "2014-07-01",
                 "--timmar", "4,5"],
     {"ärende": "A-1", "insats": "arbetstraning", "timmar": "4,5", "datum": "2014-07-01"},
     True),
    ("narvaro", ["närvaro", "A-1", "--insats", "arbetstraning", "--datum", "2014-07-01",
                 "--frånvaro", "sjuk", "--förväntat", "4", "--orsak", "Feber"],
     {"ärende": "A-1", "insats": "arbetstraning", "frånvaro": "sjuk", "förväntat": "4",
      "orsak": "Feber", "datum": "2014-07-01"}, True),
    ("narvaro", ["närvaro", "A-1", "--insats", "arbetstraning", "--datum", "2014-03-01",
                 "--timmar", "4"],
     {"ärende": "A-1", "insats": "arbetstraning", "timmar": "4", "datum": "2014-03-01"},
     False),
    ("finsam", ["enhet", "finsam", "add", "Resursrådet", "--insatser", "resursradet,se",
                "--datum", "2014-07-01"],
     {"namn": "Resursrådet", "insatser": "resursradet,se", "datum": "2014-07-01"}, True),
    ("finsam", ["enhet", "finsam", "add", "En väg in", "--datum", "2014-07-01"],
     {"namn": "En väg in", "datum": "2014-07-01"}, True),
    ("finsam", ["enhet", "finsam", "add", "Resursrådet", "--insatser", "jobbklubb",
                "--datum", "2014-07-01"],
     {"namn": "Resursrådet", "insatser": "jobbklubb", "datum": "2014-07-01"}, False),
    ("intake", ["intake", "--personnummer", NEW_PNR, "--remittent", "fss", "--ärende", "E-1",
                "--datum", "2014-07-01"],
     {"ärende": "E-1", "personnummer": NEW_PNR, "remittent": "fss", "datum": "2014-07-01"},
     False),
    ("intake", ["intake", "--personnummer", PNR, "--remittent", "af", "--ärende", "E-1",
                "--datum", "2014-07-01"],
     {"ärende": "E-1", "personnummer": PNR, "remittent": "af", "datum": "2014-07-01"}, False),
    ("consent", ["consent", "B-1", "--omfattning", "samverkan", "--datum", "2014-07-01"],
     {"ärende": "B-1", "omfattning": "samverkan", "datum": "2014-07-01"}, True),
    ("consent", ["consent", "B-1", "--omfattning", "allt", "--datum", "2014-07-01"],
     {"ärende": "B-1", "omfattning": "allt", "datum": "2014-07-01"}, False),
    # By personnummer: the look-up is in the audit log both ways.
    ("consent-withdrawn", ["consent", PNR, "--återkalla", "--datum", "2014-07-01"],
     {"ärende": PNR, "datum": "2014-07-01"}, True),
    ("consent-withdrawn", ["consent", "B-1", "--återkalla", "--datum", "2014-04-01"],
     {"ärende": "B-1", "datum": "2014-04-01"}, False),
    ("map-start", ["map", "C-1", "--start", "--handläggare", "as", "--handläggare", "mk",
                   "--datum", "2014-07-01"],
     {"ärende": "C-1", "handläggare": "as,mk", "datum": "2014-07-01"}, True),
    ("map-start", ["map", "C-1", "--start", "--handläggare", "jb", "--datum", "2014-07-01"],
     {"ärende": "C-1", "handläggare": "jb", "datum": "2014-07-01"}, False),
    ("map-done", ["map", "D-1", "--klar", "--datum", "2014-07-01"],
     {"ärende": "D-1", "datum": "2014-07-01"}, True),
    ("map-done", ["map", "C-1", "--klar", "--datum", "2014-07-01"],
     {"ärende": "C-1", "datum": "2014-07-01"}, False),
    ("tripartite", ["tripartite", "C-1", "--handläggare", "as", "--remittent-handläggare",
                    "Per Holm", "--avslutande", "--datum", "2014-07-01"],
     {"ärende": "C-1", "handläggare": "as", "remittent-handläggare": "Per Holm",
      "avslutande": "ja", "datum": "2014-07-01"}, True),
    ("tripartite", ["tripartite", "B-1", "--handläggare", "as", "--remittent-handläggare",
                    "Per Holm", "--datum", "2014-07-01"],
     {"ärende": "B-1", "handläggare": "as", "remittent-handläggare": "Per Holm",
      "datum": "2014-07-01"}, False),
    # The insats named by its label works both ways.
    ("assign", ["assign", "C-1", "--insats", "Mobiliseringskurs", "--datum", "2014-07-01"],
     {"ärende": "C-1", "insats": "Mobiliseringskurs", "datum": "2014-07-01"}, True),
    ("assign", ["assign", "A-1", "--insats", "se", "--utförare", "af", "--byt",
                "--datum", "2014-07-01"],
     {"ärende": "A-1", "insats": "se", "utförare": "af", "byt": "ja", "datum": "2014-07-01"},
     True),
    ("assign", ["assign", "C-1", "--insats", "arbetstränng", "--datum", "2014-07-01"],
     {"ärende": "C-1", "insats": "arbetstränng", "datum": "2014-07-01"}, False),
    ("assign-end", ["assign", "A-1", "--avsluta", "arbetstraning", "--datum", "2014-07-01"],
     {"ärende": "A-1", "insats": "arbetstraning", "datum": "2014-07-01"}, True),
    ("assign-end", ["assign", "A-1", "--avsluta", "arbetstraning", "--datum", "2014-03-01"],
     {"ärende": "A-1", "insats": "arbetstraning", "datum": "2014-03-01"}, False),
    ("responsible", ["assign", "A-1", "--ansvarig", "mk", "--datum", "2014-07-01"],
     {"ärende": "A-1", "ansvarig": "mk", "datum": "2014-07-01"}, True),
    ("responsible", ["assign", "A-1", "--ansvarig", "jb", "--datum", "2014-07-01"],
     {"ärende": "A-1", "ansvarig": "jb", "datum": "2014-07-01"}, False),
    ("close", ["close", "A-1", "--slutorsak", "arbete", "--försörjning", "lon",
               "--nöjd-bemötande", "5", "--nöjd-insats", "4", "--datum", "2014-12-01"],
     {"ärende": "A-1", "slutorsak": "arbete", "försörjning": "lon", "nöjd-bemötande": "5",
      "nöjd-insats": "4", "datum": "2014-12-01"}, True),
    ("close", ["close", "B-1", "--slutorsak", "avbojt", "--datum", "2014-07-01"],
     {"ärende": "B-1", "slutorsak": "avbojt", "datum": "2014-07-01"}, True),
    ("close", ["close", "A-1", "--slutorsak", "arbet", "--försörjning", "lon",
               "--ingen-enkät", "--datum", "2014-12-01"],
     {"ärende": "A-1", "slutorsak": "arbet", "försörjning": "lon", "ingen-enkät": "ja",
      "datum": "2014-12-01"}, False),
    ("followup", ["followup", "A-1", "--sysselsättning", "arbete", "--försörjning", "lon",
                  "--datum", "2015-04-01"],
     {"ärende": "A-1", "sysselsättning": "arbete", "försörjning": "lon",
      "datum": "2015-04-01"}, True),
    ("followup", ["followup", "A-1", "--sysselsättning", "arbete", "--försörjning", "lon",
                  "--datum", "2014-12-01"],
     {"ärende": "A-1", "sysselsättning": "arbete", "försörjning": "lon",
      "datum": "2014-12-01"}, False),
]

# fmt: on

VOIDS = [("map-done", "Fel ärende", True), ("intake", "Fel ärende", False)]


def _run(db: Path, args: list[str]) -> Any:
    env = {"ENVAGIN_USER": "ls", "ENVAGIN_IDAG": TODAY}
    return CliRunner().invoke(app, ["--db", str(db), *args], env=env)


def _import(db: Path, row: dict[str, str], tmp: Path) -> Any:
    path = tmp / "rad.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row), delimiter=";")
        writer.writeheader()
        writer.writerow(row)
    return _run(db, ["import", str(path)])


def _state(db: Path, tmp: Path) -> dict[str, Any]:
    """What the register holds: its events as exported, and its register tables."""
    out = tmp / f"{db.stem}-export.csv"
    assert _run(db, ["export", str(out), "--med-personnummer", "--skriv-över"]).exit_code == 0
    conn = sqlite3.connect(db)
    try:
        return {
            "export": out.read_bytes(),
            "staff": conn.execute("SELECT * FROM staff ORDER BY id").fetchall(),
            "insats": conn.execute("SELECT * FROM insats ORDER BY kod").fetchall(),
            "mal": conn.execute("SELECT * FROM mal ORDER BY nyckel").fetchall(),
            "identitet": conn.execute("SELECT * FROM identitet ORDER BY id").fetchall(),
            "arende": conn.execute("SELECT * FROM arende ORDER BY nr").fetchall(),
            "arende_insats": conn.execute("SELECT * FROM arende_insats").fetchall(),
            "granskning": conn.execute(
                "SELECT handlaggare, atgard, arende, detaljer FROM granskning "
                "WHERE atgard <> 'export med personnummer' ORDER BY id"
            ).fetchall(),
        }
    finally:
        conn.close()


def _message(stderr: str, *, imported: bool) -> str:
    if imported:
        found = re.search(r"^rad 2(?:, fält [^:]+)?: (.*)$", stderr, re.M)
    else:
        found = re.search(r"^Fel: (.*)$", stderr, re.M)
    assert found, stderr
    return found.group(1)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("paritet") / "register.db"
    _setup(db)
    return db


def _both(base: Path, tmp_path: Path) -> tuple[Path, Path]:
    by_command, by_import = tmp_path / "kommando.db", tmp_path / "import.db"
    shutil.copy(base, by_command)
    shutil.copy(base, by_import)
    return by_command, by_import


def _compare(
    by_command: Path, by_import: Path, command: Any, imported: Any, valid: bool, tmp_path: Path
) -> None:
    if valid:
        assert command.exit_code == 0, command.stderr
        assert imported.exit_code == 0, imported.stderr
    else:
        assert command.exit_code == 1, command.stderr
        assert imported.exit_code == 1, imported.stderr
        assert _message(imported.stderr, imported=True) == _message(command.stderr, imported=False)
    assert _state(by_command, tmp_path) == _state(by_import, tmp_path)


@pytest.mark.parametrize(("kind", "args", "row", "valid"), CASES)
def test_command_and_import_row_are_one_write(
    base: Path, tmp_path: Path, kind: str, args: list[str], row: dict[str, str], valid: bool
) -> None:
    by_command, by_import = _both(base, tmp_path)
    before = _state(by_command, tmp_path)
    command = _run(by_command, args)
    imported = _import(by_import, {"händelse": kind, **row}, tmp_path)
    _compare(by_command, by_import, command, imported, valid, tmp_path)
    changed = _state(by_command, tmp_path) != before
    # A valid change was written (except what was already there); a refusal wrote nothing.
    assert changed == (valid and "1 fanns redan" not in imported.stderr)


@pytest.mark.parametrize(("target", "reason", "valid"), VOIDS)
def test_a_void_is_one_write(
    base: Path, tmp_path: Path, target: str, reason: str, valid: bool
) -> None:
    by_command, by_import = _both(base, tmp_path)
    conn = sqlite3.connect(by_command)
    event_id = conn.execute(
        "SELECT id FROM handelse WHERE typ = ? AND arende = 'A-1'", (target,)
    ).fetchone()[0]
    conn.close()
    command = _run(by_command, ["makulera", str(event_id), "--orsak", reason])
    imported = _import(
        by_import, {"händelse": "void", "händelse-id": str(event_id), "orsak": reason}, tmp_path
    )
    _compare(by_command, by_import, command, imported, valid, tmp_path)


def test_every_kind_is_driven_both_ways() -> None:
    driven = {kind for kind, *_ in CASES} | {"void"}
    assert driven == set(event_kinds.BY_CODE)
    for kind in event_kinds.BY_CODE:
        if kind == "void":
            continue
        outcomes = {valid for k, _, _, valid in CASES if k == kind}
        assert outcomes == {True, False}, kind


def test_a_goal_row_is_audited_like_the_command(base: Path, tmp_path: Path) -> None:
    by_command, by_import = _both(base, tmp_path)
    assert _run(by_command, ["mål", "set", "nojda", "85"]).exit_code == 0
    row = {"händelse": "goal", "mål": "nojda", "värde": "85"}
    assert _import(by_import, row, tmp_path).exit_code == 0
    for db in (by_command, by_import):
        conn = sqlite3.connect(db)
        audit = conn.execute("SELECT atgard, detaljer FROM granskning").fetchall()
        conn.close()
        assert ("ändrat mål", "målvärde nojda") in audit
