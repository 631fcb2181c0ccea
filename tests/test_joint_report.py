"""Several units in one report (`report --enhet`), unit identity (`enhet`), rows per period
(`--perioder`) and the net income figures, on three small registers worked out by hand.

Three units, as in the förbund's half-year report (seed 003). Haninge and Nynäshamn share
one Arbetsförmedlingen office ("AF Haninge/Nynäshamn"); Tyresö keeps the default labels
("Tyresö kommun", "Arbetsförmedlingen Tyresö"). Every case number is generated, so
EVI-2014-0001 exists in all three files: three different cases. The man P (a personnummer)
has a case in Haninge (H2) and one in Nynäshamn (N1): two cases.

Haninge (H)
H1 K fs    intake 01-10 fs             enrolled 01-12 arbetstraning 02-01 closed 05-20 arbete, lon
H2 M af  P intake 02-01 sjukpenning    enrolled 02-03 mobilisering 02-15  closed 06-10 studier,
                                                                            studiemedel
H3 K ac    intake 03-01                enrolled 03-02                     open
Nynäshamn (N)
N1 M af  P intake 01-15 a-kassa        enrolled 01-16 praktik 02-01       closed 04-30 vard,
                                                                            sjukpenning
N2 K fk    intake 02-10 fs             enrolled 02-11 se 03-01            closed 06-01
                                                              sjukersattning, sjukpenning + fs
N3 M fs    intake 03-05                enrolled 03-06 (no insats)         closed 04-01 arbete, lon
Tyresö (T)
T1 K af    intake 01-20 fs             enrolled 01-21 syv 02-10           closed 06-15 arbete, lon
T2 M psyk  intake 02-20                enrolled 02-21                     open
T3 K vc    intake 03-20                never enrolled                     closed 03-25 ej-malgrupp

"Resultat per enhet", --sedan-start --till 2014-06-30 (H, N, T, Totalt):
inskrivna      3, 3, 2, 8     (T3 was never enrolled)
avslutade      2, 3, 1, 6
med_insats     2, 2, 1, 5     (N3 closed without insats)
arbete_studier 2, 0, 1, 3     (of those with insats: H1, H2, T1; N3's arbete had no insats)
procent      100, 0, 100, 60  (3/5 = 60 %)
lamnat_fs      1, 0, 1, 2     (with insats: fs at intake minus fs at closing:
                               H: H1 1-0; N: N2 1-1, N1 0-0; T: T1 1-0)
lamnat_sp      1, -2, 0, -1   (H: H2 1-0; N: N1 0-1 and N2 0-1 = -2, the seed's "-2"; T: 0)

Inremitterande part, all enrolled up to 2014-06-30 (K, M, T, andel of 8):
Haninge kommun        2 0 2 25 %  (H1 fs and H3 ac: one label, one row)
Nynäshamns kommun     0 1 1 13 %  (N3 fs; 12.5 % rounds half up)
AF Haninge/Nynäshamn  0 2 2 25 %  (H2 and N1: two units, one office, one row)
Arbetsförmedlingen Tyresö 1 0 1 13 %
Försäkringskassan     1 0 1 13 %  (N2)
Öppen psykiatri       0 1 1 13 %  (T2)
Totalt                4 4 8 100 %

Deltagare och avslut, over all units, 2014H1: deltagare 4 K + 4 M = 8; remitterade 9 (T3
too); avslutade K 3 (H1 N2 T1), M 3 (H2 N1 N3); arbete K 2 (H1 T1), M 1 (N3); studier M 1
(H2); arbete/studier 4 of 6 = 67 %.

Försörjning (all closed, 2014H1): per case "lämnat försörjningsstöd" K 2 (H1, T1); per case
"lämnat sjukpenning" M 1 (H2). Net, closed with insats: försörjningsstöd K 2, M 0, T 2;
sjukpenning K -1 (N2), M 0 (H2 +1, N1 -1), T -1.

Utveckling per period (--perioder 2014T1,2014H1, all units):
2014T1 (Jan–Apr): deltagare 8 (all enrolled by 03-21, none closed before January);
  avslutade 2 (N1 04-30, N3 04-01); arbete 1 (N3); studier 0; arbete/studier 1; 50 %.
2014H1: deltagare 8, avslutade 6, arbete 3, studier 1, arbete/studier 4, 67 %; by kön:
  deltagare 4/4, avslutade 3/3, arbete 2/1, studier 0/1, arbete/studier 2/2, 67 %/67 %.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from envagin_cli.cli.app import app

from conftest import make_pnr

P = make_pnr("19800101", "013")  # a man (odd second-to-last digit)
HN_AF = "AF Haninge/Nynäshamn"
ENV = {"ENVAGIN_USER": "ls", "ENVAGIN_IDAG": "2026-11-22"}


def _run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args], env=ENV)


def _ok(db: Path, *args: str) -> str:
    result = _run(db, *args)
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout.strip()


def _unit(path: Path, *enhet: str) -> Path:
    _ok(path, "init")
    _ok(
        path,
        "staff",
        "add",
        "ls",
        "--namn",
        "Lena",
        "--part",
        "sf",
        "--roll",
        "projektledare",
        "--datum",
        "2014-01-01",
    )
    _ok(
        path,
        "staff",
        "add",
        "as",
        "--namn",
        "Amir",
        "--part",
        "fs",
        "--roll",
        "socialsekreterare",
        "--datum",
        "2014-01-01",
    )
    if enhet:
        _ok(path, "enhet", "set", *enhet, "--datum", "2014-01-02")
    return path


def _case(
    db: Path,
    kon: str,
    remittent: str,
    intake: str,
    *,
    fs: str | None = None,
    consent: str | None = None,
    insats: tuple[str, str] | None = None,
    close: tuple[str, str, str] | None = None,
    pnr: str | None = None,
) -> str:
    who = ["--personnummer", pnr] if pnr else ["--anonym", "--kön", kon, "--födelseår", "1980"]
    args = ["intake", *who, "--remittent", remittent, "--datum", intake, "--ansvarig", "as"]
    if fs:
        args += ["--försörjning", fs]
    nr = _ok(db, *args)
    if consent:
        _ok(db, "consent", nr, "--omfattning", "samverkan,statistik", "--datum", consent)
    if insats:
        _ok(db, "assign", nr, "--insats", insats[0], "--datum", insats[1])
    if close:
        slutorsak, day, sources = close
        _ok(
            db,
            "close",
            nr,
            "--slutorsak",
            slutorsak,
            "--försörjning",
            sources,
            "--ingen-enkät",
            "--datum",
            day,
        )
    return nr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The three registers, built once (the tests only read them, or copy them)."""
    tmp_path = tmp_path_factory.mktemp("enheter")
    h = _unit(tmp_path / "haninge.db", "--namn", "Haninge", "--af-kontor", HN_AF)
    _case(
        h,
        "kvinna",
        "fs",
        "2014-01-10",
        fs="forsorjningsstod",
        consent="2014-01-12",
        insats=("arbetstraning", "2014-02-01"),
        close=("arbete", "2014-05-20", "lon"),
    )
    _case(
        h,
        "man",
        "af",
        "2014-02-01",
        fs="sjukpenning",
        consent="2014-02-03",
        insats=("mobilisering", "2014-02-15"),
        close=("studier", "2014-06-10", "studiemedel"),
        pnr=P,
    )
    _case(h, "kvinna", "ac", "2014-03-01", consent="2014-03-02")
    n = _unit(tmp_path / "nynashamn.db", "--namn", "Nynäshamn", "--af-kontor", HN_AF)
    _case(
        n,
        "man",
        "af",
        "2014-01-15",
        fs="a-kassa",
        consent="2014-01-16",
        insats=("praktik", "2014-02-01"),
        close=("vard", "2014-04-30", "sjukpenning"),
        pnr=P,
    )
    _case(
        n,
        "kvinna",
        "fk",
        "2014-02-10",
        fs="forsorjningsstod",
        consent="2014-02-11",
        insats=("se", "2014-03-01"),
        close=("sjukersattning", "2014-06-01", "sjukpenning,forsorjningsstod"),
    )
    _case(n, "man", "fs", "2014-03-05", consent="2014-03-06", close=("arbete", "2014-04-01", "lon"))
    t = _unit(tmp_path / "tyreso.db", "--namn", "Tyresö")
    _case(
        t,
        "kvinna",
        "af",
        "2014-01-20",
        fs="forsorjningsstod",
        consent="2014-01-21",
        insats=("syv", "2014-02-10"),
        close=("arbete", "2014-06-15", "lon"),
    )
    _case(t, "man", "psyk", "2014-02-20", consent="2014-02-21")
    _case(t, "kvinna", "vc", "2014-03-20", close=("ej-malgrupp", "2014-03-25", "ingen"))
    for db in (h, n, t):
        sqlite3.connect(db).close()  # the last connection closes: no -wal file is left
    return [h, n, t]


@pytest.fixture
def units(built: list[Path], tmp_path: Path) -> list[Path]:
    """A copy of the three registers for one test, in a folder of their own."""
    folder = tmp_path / "enheter"
    folder.mkdir()
    copies = [folder / u.name for u in built]
    for source, copy in zip(built, copies, strict=True):
        copy.write_bytes(source.read_bytes())
        copy.chmod(0o600)
    return copies


def _joint(units: list[Path], *args: str) -> Result:
    enheter = [x for u in units for x in ("--enhet", str(u))]
    return CliRunner().invoke(app, ["report", *enheter, *args], env=ENV)


def _json(units: list[Path], *args: str) -> dict[str, Any]:
    result = _joint(units, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _row(table: dict[str, Any], key: str, cols: list[str]) -> list[Any]:
    return [table["rader"][key][c] for c in cols]


UNITS = ["Haninge", "Nynäshamn", "Tyresö", "totalt"]


def test_result_per_unit_since_start(units: list[Path]) -> None:
    rep = _json(units, "--sedan-start", "--till", "2014-06-30")
    t = rep["tabeller"]["per_enhet"]
    assert [k["nyckel"] for k in t["kolumner"]] == UNITS
    assert [k["rubrik"] for k in t["kolumner"]] == ["Haninge", "Nynäshamn", "Tyresö", "Totalt"]
    assert _row(t, "inskrivna", UNITS) == [3, 3, 2, 8]
    assert t["rader"]["inskrivna"]["etikett"] == "Totalt inskrivna"
    assert _row(t, "avslutade", UNITS) == [2, 3, 1, 6]
    assert _row(t, "med_insats", UNITS) == [2, 2, 1, 5]
    assert _row(t, "arbete_studier", UNITS) == [2, 0, 1, 3]
    assert _row(t, "procent", UNITS) == [100, 0, 100, 60]
    assert _row(t, "lamnat_fs", UNITS) == [1, 0, 1, 2]
    assert _row(t, "lamnat_sp", UNITS) == [1, -2, 0, -1]  # a negative net figure
    assert [e["namn"] for e in rep["enheter"]] == ["Haninge", "Nynäshamn", "Tyresö"]


def test_referring_parties_by_unit_and_merged(units: list[Path]) -> None:
    rep = _json(units, "--sedan-start", "--till", "2014-06-30")
    t = rep["tabeller"]["remittent"]
    got = [
        (r["etikett"], r["kvinnor"], r["män"], r["totalt"], r["andel"]) for r in t["rader"].values()
    ]
    assert got == [
        ("Haninge kommun", 2, 0, 2, 25),
        ("Nynäshamns kommun", 0, 1, 1, 13),
        (HN_AF, 0, 2, 2, 25),  # two units sharing one AF office: one row
        ("Arbetsförmedlingen Tyresö", 1, 0, 1, 13),
        ("Försäkringskassan", 1, 0, 1, 13),
        ("Öppen psykiatri", 0, 1, 1, 13),
        ("Totalt", 4, 4, 8, 100),
    ]
    assert list(t["rader"])[:4] == [
        "haninge-kommun",
        "nynashamns-kommun",
        "af-haninge-nynashamn",
        "arbetsformedlingen-tyreso",
    ]


def test_every_table_over_all_units(units: list[Path]) -> None:
    rep = _json(units, "--halvår", "2014H1")
    period = rep["tabeller"]["period"]["rader"]
    kmt = ["kvinnor", "män", "totalt"]
    assert [period["deltagare"][c] for c in kmt] == [4, 4, 8]
    assert period["remitterade"]["totalt"] == 9
    assert [period["avslutade"][c] for c in kmt] == [3, 3, 6]
    assert [period["arbete"][c] for c in kmt] == [2, 1, 3]
    assert [period["studier"][c] for c in kmt] == [0, 1, 1]
    assert period["procent"]["totalt"] == 67
    assert period["med_insats"]["totalt"] == 5 and period["med_insats_procent"]["totalt"] == 60
    per = rep["tabeller"]["per_enhet"]
    assert per["rader"]["inskrivna"]["etikett"].startswith("Deltagare")
    assert _row(per, "inskrivna", UNITS) == [3, 3, 2, 8]
    f = rep["tabeller"]["forsorjning"]["rader"]
    avslut = ["avslut_kvinnor", "avslut_män", "avslut_totalt"]
    assert [f["lamnat_fs"][c] for c in avslut] == [2, 0, 2]
    assert [f["lamnat_sp"][c] for c in avslut] == [0, 1, 1]
    assert [f["netto_lamnat_fs"][c] for c in avslut] == [2, 0, 2]
    assert [f["netto_lamnat_sp"][c] for c in avslut] == [-1, 0, -1]
    # Insatser from all three catalogues, counted per unit's cases.
    ins = rep["tabeller"]["insatser"]["rader"]
    assert ins["arbetstraning"]["i_totalt"] == 1 and ins["praktik"]["i_totalt"] == 1
    slut = rep["tabeller"]["slutorsak"]["rader"]
    assert slut["arbete"]["totalt"] == 3 and slut["ej-malgrupp"]["totalt"] == 1


def test_rows_per_period(units: list[Path]) -> None:
    rep = _json(units, "--halvår", "2014H1", "--perioder", "2014T1,2014H1")
    t = rep["tabeller"]["perioder"]
    cols = ["deltagare", "avslutade", "arbete", "studier", "arbete_studier", "procent"]
    assert [r["etikett"] for r in t["rader"].values()] == ["2014T1", "2014H1"]
    assert _row(t, "2014T1", cols) == [8, 2, 1, 0, 1, 50]
    assert _row(t, "2014H1", cols) == [8, 6, 3, 1, 4, 67]
    rep = _json(units, "--halvår", "2014H1", "--perioder", "2014H1", "--kon")  # å/ä/ö as a/a/o
    row = rep["tabeller"]["perioder"]["rader"]["2014H1"]
    assert [row[f"{c}_kvinnor"] for c in cols] == [4, 3, 2, 0, 2, 67]
    assert [row[f"{c}_män"] for c in cols] == [4, 3, 1, 1, 2, 67]
    assert [row[c] for c in cols] == [8, 6, 3, 1, 4, 67]


def test_rows_per_period_single_register(units: list[Path]) -> None:
    result = _run(units[1], "report", "--perioder", "2013, 2014T1,2014H1", "--json")
    assert result.exit_code == 0, result.stderr
    t = json.loads(result.stdout)["tabeller"]["perioder"]
    cols = ["deltagare", "avslutade", "arbete", "studier", "arbete_studier", "procent"]
    # Nynäshamn alone: 2013 nothing; T1 N1 and N3 closed (N3 arbete); H1 also N2.
    assert _row(t, "2013", cols) == [0, 0, 0, 0, 0, None]
    assert _row(t, "2014T1", cols) == [3, 2, 1, 0, 1, 50]
    assert _row(t, "2014H1", cols) == [3, 3, 1, 0, 1, 33]
    assert "per_enhet" not in json.loads(result.stdout)["tabeller"]


def test_net_rows_in_a_single_report(units: list[Path]) -> None:
    result = _run(units[1], "report", "--halvår", "2014H1", "--json")
    f = json.loads(result.stdout)["tabeller"]["forsorjning"]["rader"]
    avslut = ["avslut_kvinnor", "avslut_män", "avslut_totalt"]
    # Nynäshamn: per case nobody left sjukpenning; net N1 -1 (M), N2 -1 (K).
    assert [f["lamnat_sp"][c] for c in avslut] == [0, 0, 0]
    assert [f["netto_lamnat_sp"][c] for c in avslut] == [-1, -1, -2]
    assert f["netto_lamnat_sp"]["etikett"] != f["lamnat_sp"]["etikett"]
    assert "netto" in f["netto_lamnat_sp"]["etikett"]
    assert "per ärende" in f["lamnat_sp"]["etikett"]


def _snapshot(units: list[Path]) -> tuple[list[str], list[str]]:
    folder = units[0].parent
    listing = sorted(p.name for p in folder.iterdir())
    digests = [hashlib.sha256(u.read_bytes()).hexdigest() for u in units]
    return listing, digests


def test_every_format_writes_nothing_into_the_units(units: list[Path], tmp_path: Path) -> None:
    before = _snapshot(units)
    period = ["--sedan-start", "--till", "2014-06-30"]
    outputs = []
    for fmt in ([], ["--json"], ["--csv"], ["--markdown"]):
        result = _joint(units, *period, *fmt)
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
    xlsx = tmp_path / "ut" / "rapport.xlsx"
    xlsx.parent.mkdir()
    assert _joint(units, *period, "--xlsx", str(xlsx)).exit_code == 0
    masked = _joint(units, *period, "--maskera", "3", "--json")
    assert masked.exit_code == 0, masked.stderr
    assert _snapshot(units) == before  # no byte, no -wal/-shm file, no audit row
    text = "\n".join(outputs) + xlsx.read_bytes().decode("latin-1")
    # No personnummer leaves a unit's file, in any form.
    for form in (P, P[2:], P[:8] + "-" + P[8:], P[2:8] + "-" + P[8:], P[8:]):
        assert form not in text
    assert "Resultat per enhet" in outputs[0] and "Resultat per enhet" in outputs[3]
    rows = list(csv.reader(io.StringIO(outputs[2].lstrip("\ufeff")), delimiter=";"))
    assert ["Totalt inskrivna", "3", "3", "2", "8"] in rows
    assert ["Lämnat sjukpenning, netto (vid intag − vid avslut)", "1", "-2", "0", "-1"] in rows


def test_masking_the_unit_table(units: list[Path]) -> None:
    rep = _json(units, "--sedan-start", "--till", "2014-06-30", "--maskera", "3")
    t = rep["tabeller"]["per_enhet"]["rader"]
    # Counts 1-2 are hidden, and the totals column cannot give them back.
    assert t["inskrivna"]["Tyresö"] == "<3"
    hidden = [
        c
        for c in ("Haninge", "Nynäshamn", "Tyresö", "totalt")
        if isinstance(t["avslutade"][c], str)
    ]
    assert len(hidden) >= 2
    # A net row with a small figure is hidden whole.
    assert all(t["lamnat_sp"][c] == "*" for c in UNITS)


def test_refusals_name_the_file(units: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "saknas.db"
    foreign = tmp_path / "annan.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE x (a)")
    conn.close()
    text = tmp_path / "text.db"
    text.write_text("hej")
    newer = tmp_path / "nyare.db"
    newer.write_bytes(units[2].read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    unnamed = _unit(tmp_path / "utan.db")
    sqlite3.connect(unnamed).close()
    for bad, words in (
        (missing, "finns inte"),
        (foreign, "inget envagin-register"),
        (text, "ingen SQLite-databas"),
        (newer, "schemaversion 999"),
        (unnamed, "inget enhetsnamn"),
    ):
        before = bad.read_bytes() if bad.exists() else None
        result = _joint([units[0], bad])
        assert result.exit_code != 0
        assert str(bad) in result.stderr and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert (bad.read_bytes() if bad.exists() else None) == before
    twice = _joint([units[0], units[0]])
    assert twice.exit_code != 0 and "två gånger" in twice.stderr
    same = tmp_path / "kopia.db"
    same.write_bytes(units[0].read_bytes())
    result = _joint([units[0], same])
    assert result.exit_code != 0 and "Haninge" in result.stderr and "eget namn" in result.stderr


def test_unit_with_changes_left_in_its_wal_is_refused(units: list[Path]) -> None:
    wal = units[2].with_name(units[2].name + "-wal")
    wal.write_bytes(b"x" * 100)
    result = _joint(units)
    assert result.exit_code != 0 and str(units[2]) in result.stderr and "-wal" in result.stderr


def test_bad_period_list(units: list[Path]) -> None:
    for value, words in (("2014X", "ingen period"), ("2014H3", "halvår"), ("2014H1,2014:1", "två")):
        result = _run(units[0], "report", "--perioder", value)
        assert result.exit_code == 1 and words in result.stderr, result.stderr
    result = _run(units[0], "report", "--kön")
    assert result.exit_code == 2
    result = _run(units[0], "report", "--caseload", "--enhet", str(units[1]))
    assert result.exit_code == 2 and "--caseload" in result.stderr


def test_unit_identity_is_dated_audited_and_kept(tmp_path: Path) -> None:
    db = _unit(tmp_path / "u.db")
    assert json.loads(_ok(db, "enhet", "show", "--json"))["namn"] is None
    _ok(db, "enhet", "set", "--namn", "Ung i Tyresö", "--datum", "2014-01-05")
    shown = json.loads(_ok(db, "enhet", "show", "--json"))
    assert (shown["namn"], shown["kommun"], shown["af_kontor"]) == (
        "Ung i Tyresö",
        "Ung i Tyresö kommun",
        "Arbetsförmedlingen Ung i Tyresö",
    )
    again = _run(db, "enhet", "set", "--namn", "Ung i Tyresö")
    assert again.exit_code == 0 and "finns redan" in again.stderr
    _ok(
        db,
        "enhet",
        "set",
        "--namn",
        "Ung i Tyresö",
        "--kommun",
        "Tyresö kommun",
        "--af-kontor",
        "AF Tyresö",
        "--datum",
        "2014-02-01",
    )
    shown = json.loads(_ok(db, "enhet", "show", "--json"))
    assert shown["kommun"] == "Tyresö kommun" and shown["af_kontor"] == "AF Tyresö"
    assert [h["datum"] for h in shown["historik"]] == ["2014-01-05", "2014-02-01"]
    conn = sqlite3.connect(db)
    try:
        kinds = [r[0] for r in conn.execute("SELECT typ FROM handelse WHERE typ = 'unit'")]
        audit = conn.execute(
            "SELECT count(*) FROM granskning WHERE atgard = 'ändrat enhetens uppgifter'"
        ).fetchone()[0]
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute("UPDATE enhet SET namn = 'x'")
    finally:
        conn.close()
    assert kinds == ["unit", "unit"] and audit == 2
    # Only a projektledare or teamledare; bad text is refused naming the field.
    _ok(db, "staff", "add", "mk", "--namn", "Maria", "--part", "ac", "--roll", "ovrig")
    refused = CliRunner().invoke(
        app, ["--db", str(db), "enhet", "set", "--namn", "X"], env={**ENV, "ENVAGIN_USER": "mk"}
    )
    assert refused.exit_code != 0 and "projektledare" in refused.stderr
    refused = _run(db, "enhet", "set", "--namn", " ", "--af-kontor", "a\nb")
    assert refused.exit_code == 1
    assert "namn:" in refused.stderr and "af-kontor:" in refused.stderr


def test_unit_identity_travels_in_the_interchange_format(tmp_path: Path) -> None:
    db = _unit(tmp_path / "u.db", "--namn", "Haninge", "--af-kontor", HN_AF)
    out = tmp_path / "ut.csv"
    _ok(db, "export", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert "unit" in text and HN_AF in text
    copy = _unit(tmp_path / "kopia.db")
    result = _run(copy, "import", str(out))
    assert result.exit_code == 0, result.stderr
    shown = json.loads(_ok(copy, "enhet", "show", "--json"))
    assert (shown["namn"], shown["af_kontor"]) == ("Haninge", HN_AF)
    again = _run(copy, "import", str(out))
    assert again.exit_code == 0, again.stderr
    assert len(json.loads(_ok(copy, "enhet", "show", "--json"))["historik"]) == 1


def test_each_unit_is_read_in_one_read_transaction(
    units: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 30: every unit's queries for one joint report run inside one read
    transaction per file."""
    from envagin_cli.report import figures

    seen: list[bool] = []
    original = figures.build

    def build(source: Any, *args: Any, **kwargs: Any) -> Any:
        seen.extend(unit.conn.in_transaction for unit in source)
        return original(source, *args, **kwargs)

    monkeypatch.setattr(figures, "build", build)
    args = [a for u in units for a in ("--enhet", str(u))]
    _ok(units[0], "report", *args, "--sedan-start", "--json")
    assert seen == [True] * len(units)
