"""Batch import and export in the interchange format (DOMAIN.md), through the CLI."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import Invoke, dump, make_pnr, rows

HEADER = [
    "händelse",
    "ärende",
    "datum",
    "som",
    "id",
    "namn",
    "part",
    "roll",
    "personnummer",
    "anonym",
    "kön",
    "födelseår",
    "remittent",
    "försörjning",
    "ansvarig",
    "omfattning",
    "handläggare",
    "insats",
    "slutorsak",
    "nöjd-bemötande",
    "nöjd-insats",
    "ingen-enkät",
]

STAFF_ROWS = [
    {
        "händelse": "staff",
        "datum": "2014-01-01",
        "som": "ls",
        "id": "ls",
        "namn": "Lena Sundberg",
        "part": "sf",
        "roll": "projektledare",
    },
    {
        "händelse": "staff",
        "datum": "2014-01-01",
        "som": "ls",
        "id": "as",
        "namn": "Amir Said",
        "part": "fs",
        "roll": "socialsekreterare",
    },
]


def case_rows(nr: str, pnr: str | None, intake: str = "2014-03-03") -> list[dict[str, str]]:
    who = {"personnummer": pnr} if pnr else {"anonym": "ja", "kön": "kvinna", "födelseår": "1985"}
    return [
        {
            "händelse": "intake",
            "ärende": nr,
            "datum": intake,
            "remittent": "af",
            "försörjning": "forsorjningsstod",
            "ansvarig": "as",
            **who,
        },
        {"händelse": "consent", "ärende": nr, "datum": intake, "omfattning": "samverkan,statistik"},
        {"händelse": "map-start", "ärende": nr, "datum": "2014-03-05", "handläggare": "as"},
        {"händelse": "map-done", "ärende": nr, "datum": "2014-03-15"},
        {"händelse": "assign", "ärende": nr, "datum": "2014-04-01", "insats": "arbetstraning"},
        {
            "händelse": "close",
            "ärende": nr,
            "datum": "2014-09-01",
            "slutorsak": "arbete",
            "försörjning": "lon",
            "nöjd-bemötande": "5",
            "nöjd-insats": "4",
        },
    ]


def write_csv(
    path: Path,
    data: list[dict[str, str]],
    *,
    sep: str = ";",
    encoding: str = "utf-8",
    header: list[str] | None = None,
) -> Path:
    out = io.StringIO()
    columns = header or HEADER
    writer = csv.DictWriter(
        out, fieldnames=columns, delimiter=sep, lineterminator="\r\n", extrasaction="raise"
    )
    writer.writeheader()
    for row in data:
        writer.writerow(row)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def sample(n_cases: int = 3) -> list[dict[str, str]]:
    data = list(STAFF_ROWS)
    for i in range(n_cases):
        data += case_rows(
            f"IMP-{i:04d}", make_pnr(f"198{i % 10}0{1 + i % 9}1{i % 10}", f"{100 + i:03d}"[-3:])
        )
    return data


@pytest.fixture
def empty(invoke: Invoke) -> Invoke:
    assert invoke("init").exit_code == 0
    return invoke


@pytest.mark.parametrize(
    ("sep", "encoding"), [(";", "utf-8"), (",", "utf-8"), (";", "utf-8-sig"), (",", "cp1252")]
)
def test_csv_encodings_and_separators(
    empty: Invoke, db: Path, tmp_path: Path, sep: str, encoding: str
) -> None:
    data = sample(2)
    data[1]["namn"] = "Åsa Öberg-Ärlig"
    path = write_csv(tmp_path / "in.csv", data, sep=sep, encoding=encoding)
    result = empty("import", str(path), som="ls")
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT namn FROM staff WHERE id = 'as'") == [("Åsa Öberg-Ärlig",)]
    assert rows(db, "SELECT count(*), count(avslutad) FROM arende") == [(2, 2)]


def test_encoding_given_explicitly(empty: Invoke, db: Path, tmp_path: Path) -> None:
    data = sample(1)
    data[0]["namn"] = "Lena Sjöström"
    path = write_csv(tmp_path / "in.csv", data, encoding="cp1252")
    assert empty("import", str(path), "--encoding", "windows-1252", som="ls").exit_code == 0
    assert rows(db, "SELECT namn FROM staff WHERE id = 'ls'") == [("Lena Sjöström",)]


def test_json_lines_file_and_stdin(empty: Invoke, db: Path, tmp_path: Path) -> None:
    data = sample(1)
    lines = [json.dumps({k: v for k, v in r.items()}, ensure_ascii=False) for r in data]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert empty("import", str(path), som="ls").exit_code == 0
    more = [json.dumps(r, ensure_ascii=False) for r in case_rows("IMP-JSON", None)]
    usage = empty("import", "-", input="\n".join(more))
    assert usage.exit_code == 2 and "--format" in usage.stderr
    result = empty("import", "-", "--format", "jsonl", input="\n".join(more), som="ls")
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT count(*) FROM arende") == [(2,)]


def test_headers_are_matched_loosely(empty: Invoke, db: Path, tmp_path: Path) -> None:
    loose = {
        h: h.upper()
        .replace("-", "_")
        .replace("ä", "a")
        .replace("ö", "o")
        .replace("Ä", "A")
        .replace("Ö", "O")
        .replace("å", "a")
        for h in HEADER
    }
    data = [{loose[k]: v for k, v in r.items()} for r in sample(1)]
    path = write_csv(tmp_path / "in.csv", data, header=[loose[h] for h in HEADER])
    result = empty("import", str(path), som="ls")
    assert result.exit_code == 0, result.stderr
    assert rows(db, "SELECT count(*) FROM handelse") == [(8,)]


def test_unknown_columns_and_missing_handelse_refused(
    empty: Invoke, db: Path, tmp_path: Path
) -> None:
    before = dump(db)
    data = [{**r, "hemligt": ""} for r in sample(1)]
    path = write_csv(tmp_path / "in.csv", data, header=[*HEADER, "hemligt"])
    result = empty("import", str(path), som="ls")
    assert result.exit_code == 1 and "Okända kolumner: 'hemligt'" in result.stderr
    no_kind = tmp_path / "ingen.csv"
    no_kind.write_text("ärende;datum\nX-1;2014-01-01\n", encoding="utf-8")
    result = empty("import", str(no_kind), som="ls")
    assert result.exit_code == 1 and "saknar kolumnen 'händelse'" in result.stderr
    assert dump(db) == before


def test_bad_rows_in_a_large_file_write_nothing(empty: Invoke, db: Path, tmp_path: Path) -> None:
    data = sample(400)
    assert len(data) > 2400
    middle = len(data) // 2
    data[middle] = {**data[middle], "datum": "2014-02-30"}
    data[middle + 7] = (
        {**data[middle + 7], "slutorsak": "pension"}
        if "slutorsak" in data[middle + 7]
        else {**data[middle + 7], "händelse": "fika"}
    )
    path = write_csv(tmp_path / "stor.csv", data)
    before = dump(db)
    result = empty("import", str(path), som="ls")
    assert result.exit_code == 1
    assert dump(db) == before
    assert f"rad {middle + 2}, fält datum" in result.stderr
    assert f"rad {middle + 9}" in result.stderr
    assert "Inget har skrivits" in result.stderr
    summary = json.loads(empty("import", str(path), "--json", som="ls").stdout)
    lines = {f["rad"] for f in summary["fel"]}
    assert {middle + 2, middle + 9} <= lines
    assert summary["skrivet"] is False


def test_rows_get_the_commands_validation(empty: Invoke, db: Path, tmp_path: Path) -> None:
    data = sample(1)
    data.append(
        {"händelse": "map-start", "ärende": "IMP-0000", "datum": "2014-03-06", "handläggare": "as"}
    )
    data.append(
        {
            "händelse": "intake",
            "ärende": "IMP-0001",
            "datum": "2030-01-01",
            "anonym": "ja",
            "kön": "man",
            "födelseår": "1970",
            "remittent": "af",
        }
    )
    path = write_csv(tmp_path / "in.csv", data)
    result = empty("import", str(path), som="ls")
    assert result.exit_code == 1
    assert "redan påbörjad kartläggning" in result.stderr
    assert "efter dagens datum" in result.stderr


def test_dry_run(empty: Invoke, db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", sample(3))
    before = dump(db)
    result = empty("import", str(path), "--dry-run", som="ls")
    assert result.exit_code == 0, result.stderr
    assert "Provkörning" in result.stderr and "20 nya händelser" in result.stderr
    assert dump(db) == before


def test_skip_errors_with_rejects_file(empty: Invoke, db: Path, tmp_path: Path) -> None:
    data = sample(3)
    data[3] = {**data[3], "omfattning": "allt"}  # the first case's consent (line 5)
    path = write_csv(tmp_path / "in.csv", data)
    rejects = tmp_path / "avvisade.csv"
    usage = empty("import", str(path), "--hoppa-över-fel", som="ls")
    assert usage.exit_code == 2
    result = empty("import", str(path), "--hoppa-över-fel", "--avvisade", str(rejects), som="ls")
    assert result.exit_code == 0, result.stderr
    assert "felaktiga rader skrevs till" in result.stderr
    bad = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig")), delimiter=";"))
    # The bad consent, and the first case's later rows that needed it.
    assert bad[0]["rad"] == "5" and "omfattning" in bad[0]["fel"]
    assert [r["händelse"] for r in bad] == ["consent", "map-start", "map-done", "assign", "close"]
    assert rows(db, "SELECT count(*) FROM arende WHERE inskriven IS NOT NULL") == [(2,)]
    # The rejects file can be corrected and read back: its rad and fel columns are ignored.
    fixed = rejects.read_text(encoding="utf-8-sig").replace(";allt;", ";samverkan,statistik;")
    rejects.write_text(fixed, encoding="utf-8")
    again = empty("import", str(rejects), som="ls")
    assert again.exit_code == 0, again.stderr
    assert rows(db, "SELECT count(*) FROM arende WHERE inskriven IS NOT NULL") == [(3,)]


def test_idempotent_and_continuing_files(empty: Invoke, db: Path, tmp_path: Path) -> None:
    data = sample(3)
    first = write_csv(tmp_path / "a.csv", data[:12])
    assert empty("import", str(first), som="ls").exit_code == 0
    after_first = dump(db)
    again = empty("import", str(first), som="ls")
    assert again.exit_code == 0 and "inget nytt har skrivits" in again.stderr
    assert dump(db) == after_first
    whole = write_csv(tmp_path / "b.csv", data)
    result = empty("import", str(whole), "--json", som="as")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["fanns_redan"] == 12
    assert sum(summary["nya_handelser"].values()) == len(data) - 12
    assert rows(db, "SELECT count(*) FROM handelse") == [(len(data),)]


def test_staff_rows_set_up_an_empty_register(empty: Invoke, db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", STAFF_ROWS)
    assert empty("import", str(path), som=None).exit_code == 0
    assert rows(db, "SELECT id FROM staff ORDER BY id") == [("as",), ("ls",)]
    same = empty("import", str(path), som=None)
    assert same.exit_code == 0 and "2 fanns redan" in same.stderr
    other = [{**STAFF_ROWS[1], "namn": "Någon Annan"}]
    clash = empty("import", str(write_csv(tmp_path / "t.csv", other)), som="ls")
    assert clash.exit_code == 1 and "finns redan" in clash.stderr


def test_round_trip_without_personnummer_gives_the_same_report(
    register: Invoke, tmp_path: Path
) -> None:
    built = tmp_path / "src.db"
    src = register
    assert src("--db", str(built), "demo", "--datum", "2026-11-22", use_db=False).exit_code == 0
    out = tmp_path / "ut.csv"
    exported = src("--db", str(built), "export", str(out), use_db=False)
    assert exported.exit_code == 0, exported.stderr
    text = out.read_text(encoding="utf-8-sig")
    conn = sqlite3.connect(built)
    numbers = [
        r[0]
        for r in conn.execute("SELECT personnummer FROM identitet WHERE personnummer IS NOT NULL")
    ]
    conn.close()
    assert numbers and not any(n in text or n[2:] in text for n in numbers)
    assert "personnummer" not in text.splitlines()[0]
    target = tmp_path / "mål.db"
    assert src("--db", str(target), "init", use_db=False).exit_code == 0
    imported = src("--db", str(target), "import", str(out), use_db=False)
    assert imported.exit_code == 0, imported.stderr
    for period in (["--halvår", "2015H1"], ["--år", "2020"], ["--sedan-start"]):
        a = json.loads(src("--db", str(built), "report", *period, "--json", use_db=False).stdout)
        b = json.loads(src("--db", str(target), "report", *period, "--json", use_db=False).stdout)
        assert a["tabeller"] == b["tabeller"] and a["mål"] == b["mål"], period
    conn = sqlite3.connect(target)
    assert (
        conn.execute("SELECT count(*) FROM identitet WHERE personnummer IS NOT NULL").fetchone()[0]
        == 0
    )
    conn.close()
    # Importing the same export again adds nothing: the pseudonyms were kept.
    again = src("--db", str(target), "import", str(out), use_db=False)
    assert again.exit_code == 0 and "inget nytt" in again.stderr


def test_round_trip_with_personnummer(register: Invoke, db: Path, tmp_path: Path) -> None:
    from conftest import enrolled_case

    nr = enrolled_case(register, make_pnr("19811218", "987"))
    register("map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05")
    register("assign", nr, "--insats", "vux", "--datum", "2014-03-20")
    register("assign", nr, "--insats", "syv", "--datum", "2014-03-21")
    wrong = register("assign", nr, "--ansvarig", "mk", "--datum", "2014-03-22")
    assert wrong.exit_code == 0
    view = json.loads(register("show", nr, "--json").stdout)
    register("makulera", str(view["handelser"][-1]["id"]), "--orsak", "fel")
    other = enrolled_case(register, None, intake="2014-05-01", consent="2014-05-02")
    register(
        "close",
        other,
        "--slutorsak",
        "flyttat",
        "--försörjning",
        "ingen",
        "--ingen-enkät",
        "--datum",
        "2014-06-01",
    )
    refused = register("export", str(tmp_path / "x.csv"), "--med-personnummer", som="as")
    assert refused.exit_code == 1 and "projektledare eller teamledare" in refused.stderr
    out = tmp_path / "full.jsonl"
    result = register("export", str(out), "--med-personnummer")
    assert result.exit_code == 0, result.stderr
    assert "19811218987" in out.read_text(encoding="utf-8")
    assert rows(db, "SELECT handlaggare, atgard FROM granskning WHERE atgard LIKE 'export%'") == [
        ("ls", "export med personnummer")
    ]
    target = tmp_path / "kopia.db"
    assert register("--db", str(target), "init", use_db=False).exit_code == 0
    imported = register("--db", str(target), "import", str(out), use_db=False)
    assert imported.exit_code == 0, imported.stderr
    for case in (nr, other):
        view = json.loads(register("show", case, "--json").stdout)
        kept = [
            (e["datum"], e["typ"], e["beskrivning"])
            for e in view["handelser"]
            if not e["makulerad"] and e["typ"] != "void"
        ]
        assert kept
        copy = json.loads(
            register("--db", str(target), "show", case, "--json", use_db=False).stdout
        )
        assert [(e["datum"], e["typ"], e["beskrivning"]) for e in copy["handelser"]] == kept
        for key in (
            "person",
            "kon",
            "fodelsear",
            "remittent",
            "ansvarig",
            "intag",
            "inskriven",
            "fas",
            "avslutad",
            "slutorsak",
            "insatser",
        ):
            assert copy[key] == view[key], key


def test_pseudonyms_stable_and_keyed(register: Invoke, db: Path, tmp_path: Path) -> None:
    from conftest import enrolled_case

    pnr = make_pnr("19811218", "987")
    enrolled_case(register, pnr)

    def pseudonyms(path: Path) -> list[str]:
        lines = list(
            csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";")
        )
        return [r["pseudonym"] for r in lines if r["pseudonym"]]

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert register("export", str(a)).exit_code == 0
    assert register("export", str(b)).exit_code == 0
    assert pseudonyms(a) == pseudonyms(b) and len(pseudonyms(a)) == 1
    value = pseudonyms(a)[0]
    # Not a plain hash of the number: without the register's key it cannot be linked.
    for digest in (
        hashlib.sha256(pnr.encode()).hexdigest(),
        hashlib.md5(pnr.encode()).hexdigest(),
        hashlib.sha1(pnr.encode()).hexdigest(),
    ):
        assert value not in digest
    key = rows(db, "SELECT varde FROM installning WHERE nyckel = 'pseudonymnyckel'")[0][0]
    assert key not in a.read_text(encoding="utf-8-sig")
    other_db = tmp_path / "annan.db"
    register("--db", str(other_db), "init", use_db=False)
    register(
        "--db",
        str(other_db),
        "staff",
        "add",
        "ls",
        "--namn",
        "L",
        "--part",
        "sf",
        "--roll",
        "projektledare",
        use_db=False,
    )
    register(
        "--db",
        str(other_db),
        "staff",
        "add",
        "as",
        "--namn",
        "A",
        "--part",
        "fs",
        "--roll",
        "socialsekreterare",
        use_db=False,
    )
    register(
        "--db",
        str(other_db),
        "intake",
        "--personnummer",
        pnr,
        "--remittent",
        "af",
        "--datum",
        "2014-03-03",
        use_db=False,
    )
    c = tmp_path / "c.csv"
    assert register("--db", str(other_db), "export", str(c), use_db=False).exit_code == 0
    assert pseudonyms(c) != pseudonyms(a)


def test_export_period_and_formula_neutralising(register: Invoke, tmp_path: Path) -> None:
    from conftest import enrolled_case

    nr = enrolled_case(register)
    register(
        "tripartite",
        nr,
        "--handläggare",
        "as",
        "--remittent-handläggare",
        "=HYPERLINK(1)",
        "--datum",
        "2014-03-10",
    )
    out = tmp_path / "p.csv"
    assert (
        register("export", str(out), "--från", "2014-03-04", "--till", "2014-03-31").exit_code == 0
    )
    lines = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r["händelse"] for r in lines] == ["consent", "tripartite"]
    assert lines[1]["remittent-handläggare"] == "'=HYPERLINK(1)"
    stdout = register("export", "--format", "jsonl")
    rows_ = [json.loads(x) for x in stdout.stdout.splitlines()]
    assert rows_[0]["händelse"] == "staff"
    assert any(r.get("remittent-handläggare") == "=HYPERLINK(1)" for r in rows_)
