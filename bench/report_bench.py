"""Time the half-year report on the national-scale register against hand-written SQL.

    python bench/report_bench.py [--period 2020H1] [--cases 1000000]

Generates bench/out/national.db first if it is missing (bench/national.py). Reports the
best of five runs of the report's figures (`envagin_cli.report.build`), the wall time of
the whole command (`envagin report --halvår … --json`, a fresh process), and the best of
five runs of the fastest hand-written SQL we know for the same figures, in the same run.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from envagin_cli.report import figures as report
from envagin_cli.rules import periods
from envagin_cli.store import db as dbmod

HERE = Path(__file__).parent


def best(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return min(times)


def hand_sql(conn: sqlite3.Connection, start: str, end: str, f_start: str, f_end: str) -> None:
    """The same figures as plain SQL with no Python in between (medians in SQL too)."""
    p = {"s": start, "e": end, "fs": f_start, "fe": f_end}
    base = "makulerad = 0 AND (slutorsak IS NULL OR slutorsak <> 'felregistrering')"
    conn.execute(
        f"""SELECT kon,
        sum(inskriven <= :e AND (avslutad IS NULL OR avslutad >= :s)),
        sum(inskriven BETWEEN :s AND :e), sum(intag BETWEEN :s AND :e),
        sum(inskriven IS NOT NULL AND avslutad BETWEEN :s AND :e),
        sum(inskriven IS NOT NULL AND avslutad BETWEEN :s AND :e AND slutorsak = 'arbete'),
        sum(inskriven IS NOT NULL AND avslutad BETWEEN :s AND :e AND slutorsak = 'studier'),
        sum(inskriven IS NOT NULL AND avslutad BETWEEN :s AND :e AND forsta_insats IS NOT NULL),
        sum(inskriven IS NOT NULL AND avslutad BETWEEN :s AND :e AND nojd_bemotande >= 4
            AND nojd_insats >= 4)
        FROM arende WHERE {base} AND intag <= :e GROUP BY kon""",
        p,
    ).fetchall()
    conn.execute(
        f"SELECT slutorsak, kon, count(*) FROM arende WHERE {base} "
        "AND avslutad BETWEEN :s AND :e GROUP BY 1, 2",
        p,
    ).fetchall()
    conn.execute(
        f"SELECT remittent, kon, count(*) FROM arende WHERE {base} "
        "AND inskriven BETWEEN :s AND :e GROUP BY 1, 2",
        p,
    ).fetchall()
    conn.execute(
        "SELECT i.insats, a.kon, count(DISTINCT i.arende) FROM arende_insats i "
        "JOIN arende a ON a.nr = i.arende WHERE i.start <= :e AND "
        "(i.slut IS NULL OR i.slut >= :s) GROUP BY 1, 2",
        p,
    ).fetchall()
    conn.execute(
        f"SELECT kon, forsorjning_intag, forsorjning_avslut, count(*) FROM arende WHERE {base} "
        "AND inskriven IS NOT NULL AND avslutad BETWEEN :s AND :e GROUP BY 1, 2, 3",
        p,
    ).fetchall()
    for fran, till in (
        ("intag", "inskriven"),
        ("intag", "kartlaggning_start"),
        ("kartlaggning_start", "kartlaggning_klar"),
        ("intag", "trepart"),
        ("trepart", "forsta_insats"),
    ):
        conn.execute(
            f"""WITH d AS (SELECT kon, julianday({till}) - julianday({fran}) AS x
            FROM arende WHERE {base} AND {till} BETWEEN :s AND :e AND {fran} <= {till}),
            o AS (SELECT kon, x, row_number() OVER (PARTITION BY kon ORDER BY x) AS r,
                  count(*) OVER (PARTITION BY kon) AS n FROM d)
            SELECT kon, avg(x) FROM o WHERE r IN ((n + 1) / 2, (n + 2) / 2) GROUP BY kon""",
            p,
        ).fetchall()
    conn.execute(
        f"SELECT kon, count(*), sum(uppfoljd IS NOT NULL), "
        "sum(sysselsattning IN ('arbete', 'studier')) FROM arende "
        f"WHERE {base} AND forsta_insats BETWEEN :fs AND :fe GROUP BY kon",
        p,
    ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--period", default="2020H1")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default=str(HERE / "out" / "national.db"))
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "national.py"),
                "--cases",
                str(args.cases),
                "--out",
                str(path),
            ],
            check=True,
        )
    idag = date(2026, 11, 22)
    period = periods.halvar(args.period, idag)
    conn, _ = dbmod.open_db(dbmod.DbPath(path, True))
    cases, events = conn.execute(
        "SELECT (SELECT count(*) FROM arende), (SELECT max(id) FROM handelse)"
    ).fetchone()
    from dateutil.relativedelta import relativedelta

    f_start = (period.start - relativedelta(years=1)).isoformat()
    f_end = (period.slut - relativedelta(years=1)).isoformat()
    ours = best(lambda: report.build(conn, period, idag))
    theirs = best(
        lambda: hand_sql(conn, period.start.isoformat(), period.slut.isoformat(), f_start, f_end)
    )
    env = {**os.environ, "ENVAGIN_IDAG": idag.isoformat()}
    walls = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).with_name("envagin")),
                "--db",
                str(path),
                "report",
                "--halvår",
                args.period,
                "--json",
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        walls.append(time.perf_counter() - began)
    print(f"register: {cases} ärenden, {events} händelser ({path.stat().st_size / 2**20:.0f} MiB)")
    print(
        f"report --halvår {args.period}: figures {ours:.3f} s (best of 5); "
        f"whole command {min(walls):.3f} s (best of 3, median {statistics.median(walls):.3f})"
    )
    print(
        f"hand-written SQL for the same figures: {theirs:.3f} s (best of 5); "
        f"ratio {ours / theirs:.2f}×"
    )


if __name__ == "__main__":
    main()
