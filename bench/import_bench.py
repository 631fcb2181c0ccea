"""Time `envagin import` of ~100k events against a raw executemany of the same rows.

    python bench/import_bench.py [--cases 12000] [--runs 5]

Builds a deterministic register with bench/national.py (about 8.4 events a case), exports
it (the interchange CSV), and imports that file into a new register that has only the
staff. The import is timed from reading the file to the commit, with all validation.
The baseline, in the same run: the same rows, already as event rows, inserted into the
event table of another new register with one `executemany` and a commit: the write no
import can avoid. Beside it, the stricter comparison: the same rows written many rows a
statement, as the import itself writes them (`transaction.insert_rows`). Best of `--runs` (five) for
each; on a shared machine whose speed varies from minute to minute, more runs give
steadier minima.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from envagin_cli.domain import staff
from envagin_cli.domain.demo import STAFF
from envagin_cli.domain.register import EVENT_COLUMNS
from envagin_cli.interchange import importer
from envagin_cli.interchange import read as reading
from envagin_cli.store import db as dbmod
from envagin_cli.store import kedja
from envagin_cli.store.transaction import ROWS_A_STATEMENT, insert_rows

HERE = Path(__file__).parent


def new_register(path: Path) -> sqlite3.Connection:
    conn, _ = dbmod.open_db(dbmod.DbPath(path, True), create=True)
    for ident, namn, part, roll, grad in STAFF:
        staff.add(
            conn,
            ident=ident,
            namn=namn,
            part=part,
            roll=roll,
            tjanstgoringsgrad=grad,
            som="ls",
            datum=date(2014, 1, 1),
            idag=date(2026, 11, 22),
        )
    return conn


def raw_write(
    conn: sqlite3.Connection,
    cases: list[tuple[Any, ...]],
    rows: list[tuple[Any, ...]],
    *,
    batched: bool,
) -> float:
    """Seconds to write the event rows raw, with a commit (the cases they name are there
    first, outside the timing)."""
    conn.executemany(
        "INSERT INTO identitet (id, kon, fodelsear) VALUES (?, ?, ?)",
        [(c[0], c[1], c[2]) for c in cases],
    )
    conn.executemany(
        "INSERT INTO arende (identitet_id, kon, fodelsear, remittent, intag, nr) "
        "VALUES (?, ?, ?, 'af', '2014-01-01', ?)",
        cases,
    )
    began = time.perf_counter()
    conn.execute("BEGIN")
    if batched:
        insert_rows(conn, "handelse", EVENT_COLUMNS, rows)
    else:
        conn.executemany(
            f"INSERT INTO handelse ({', '.join(EVENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
            rows,
        )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - began
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=12000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("ENVAGIN_IDAG", "2026-11-22")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = work / "source.db"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "national.py"),
                "--cases",
                str(args.cases),
                "--out",
                str(source),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        csv_file = work / "events.csv"
        subprocess.run(
            [
                str(Path(sys.executable).with_name("envagin")),
                "--db",
                str(source),
                "export",
                str(csv_file),
            ],
            check=True,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ENVAGIN_USER": "ls"},
        )
        data = csv_file.read_bytes()
        ours = []
        for attempt in range(args.runs):
            conn = new_register(work / f"import{attempt}.db")
            began = time.perf_counter()
            _, rows = reading.read(data, fmt="csv")
            result = importer.run(conn, rows, som="as", idag=date(2026, 11, 22))
            ours.append(time.perf_counter() - began)
            assert result.skrivet and not result.fel, result.fel[:3]
            conn.close()
        n = len(rows)
        src = sqlite3.connect(source)
        # The rows as the import stores them: with their link in the hash chain (worked
        # out here, outside the timing: the raw write is the write alone).
        raw_rows = kedja.chain_events(
            kedja.START,
            src.execute(
                "SELECT id + 100, arende, typ, datum, registrerad, som, os_anvandare, data, "
                "NULL FROM handelse ORDER BY id"
            ).fetchall(),
        )
        cases = src.execute("SELECT identitet_id, kon, fodelsear, nr FROM arende").fetchall()
        src.close()
        # The baseline: one `executemany`, a row a statement. Beside it, the same rows
        # written as the import writes them, many rows a statement
        # (`transaction.insert_rows`): the stricter comparison.
        raw = [
            raw_write(new_register(work / f"raw{attempt}.db"), cases, raw_rows, batched=False)
            for attempt in range(args.runs)
        ]
        batched = [
            raw_write(new_register(work / f"batched{attempt}.db"), cases, raw_rows, batched=True)
            for attempt in range(args.runs)
        ]
    best, base, strict = min(ours), min(raw), min(batched)
    print(
        json.dumps(
            {
                "rows": n,
                "import_s": round(best, 3),
                "import_rows_per_s": round(n / best),
                "raw_s": round(base, 3),
                "raw_rows_per_s": round(n / base),
                "share_of_raw_rate": round(base / best, 3),
                "raw_batched_s": round(strict, 3),
                "share_of_batched_raw_rate": round(strict / best, 3),
            },
            indent=1,
        )
    )
    print(
        f"import: {n} rows in {best:.2f} s ({n / best:,.0f} rows/s); raw executemany "
        f"{base:.2f} s ({n / base:,.0f} rows/s); import reaches 1/{best / base:.1f} of the "
        "raw rate"
    )
    print(
        f"raw, {ROWS_A_STATEMENT} rows a statement as the import writes them: {strict:.2f} s "
        f"({n / strict:,.0f} rows/s); import reaches 1/{best / strict:.1f} of that rate"
    )


if __name__ == "__main__":
    main()
