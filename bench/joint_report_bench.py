"""Time a joint report (`report --enhet` × 3) against the three single reports it adds up.

    python bench/joint_report_bench.py [--period 2020H1] [--cases 300000]

Generates bench/out/enhet1.db … enhet3.db first if they are missing (bench/national.py,
one seed each, so the three registers differ), names each unit (`enhet set`: Enhet 1 …
Enhet 3, the first two sharing one AF office) and leaves them closed (no -wal file). Then,
in the same run: the best of five runs of the figures of each single report and of the
joint one (`envagin_cli.report.figures.build`, on the read-only connections the joint
report uses), and the best of three wall times of the whole commands
(`envagin --db FIL report --halvår P --json` per unit, and `envagin report --enhet …
--halvår P --json`). The target: the joint report takes no longer than the sum of the
three single ones.
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

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from national import generate  # noqa: E402
from report_bench import best  # noqa: E402

from envagin_cli.domain import enhet  # noqa: E402
from envagin_cli.report import figures  # noqa: E402
from envagin_cli.rules import periods  # noqa: E402
from envagin_cli.store import db as dbmod  # noqa: E402

IDAG = date(2026, 11, 22)


def cpu(fn: object) -> float:
    began = time.process_time()
    fn()  # type: ignore[operator]
    return time.process_time() - began


def wall(argv: list[str], runs: int = 3) -> float:
    env = {**os.environ, "ENVAGIN_IDAG": IDAG.isoformat()}
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return min(times)


def prepare(path: Path, n: int, cases: int) -> None:
    """The unit's register: generated if missing, migrated, named, closed (no -wal)."""
    if not path.exists():
        generate(path, cases, seed=1_000_000 + n)
    conn, _ = dbmod.open_db(dbmod.DbPath(path, True))
    if enhet.current(conn) is None:
        enhet.set_unit(
            conn,
            namn=f"Enhet {n}",
            af_kontor="AF Enhet 1/2" if n <= 2 else None,
            som="ls",
            datum=date(2014, 1, 1),
            idag=IDAG,
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    sqlite3.connect(path).close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--period", default="2020H1")
    parser.add_argument("--cases", type=int, default=300_000)
    args = parser.parse_args()
    paths = [HERE / "out" / f"enhet{n}.db" for n in (1, 2, 3)]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    for n, path in enumerate(paths, start=1):
        prepare(path, n, args.cases)
    period = periods.halvar(args.period, IDAG)
    units = []
    for path in paths:
        conn = dbmod.open_unit(path)
        found = enhet.current(conn)
        assert found is not None
        units.append(figures.Enhet(conn, fil=str(path), **found))
    # Interleaved rounds (each single report, then the joint one), so that a machine whose
    # speed drifts slows both sides alike; the best of each.
    rounds = [
        [
            *[best(lambda u=u: figures.build(u.conn, period, IDAG), runs=1) for u in units],
            best(lambda: figures.build(units, period, IDAG), runs=1),
        ]
        for _ in range(5)
    ]
    singles = [min(r[i] for r in rounds) for i in range(len(units))]
    joint = min(r[-1] for r in rounds)
    # CPU time of the process as well: on a shared machine it varies less than wall time.
    cpu_rounds = [
        [
            *[cpu(lambda u=u: figures.build(u.conn, period, IDAG)) for u in units],
            cpu(lambda: figures.build(units, period, IDAG)),
        ]
        for _ in range(5)
    ]
    cpu_singles = [min(r[i] for r in cpu_rounds) for i in range(len(units))]
    cpu_joint = min(r[-1] for r in cpu_rounds)
    exe = str(Path(sys.executable).with_name("envagin"))
    single_walls = [
        wall([exe, "--db", str(p), "report", "--halvår", args.period, "--json"]) for p in paths
    ]
    joint_wall = wall(
        [
            exe,
            "report",
            *[x for p in paths for x in ("--enhet", str(p))],
            "--halvår",
            args.period,
            "--json",
        ]
    )
    for unit, path in zip(units, paths, strict=True):
        cases = unit.conn.execute("SELECT count(*) FROM arende").fetchone()[0]
        print(f"{unit.namn}: {cases} ärenden ({path.stat().st_size / 2**20:.0f} MiB)")
    print(
        f"figures --halvår {args.period}: single reports "
        + " + ".join(f"{s:.3f}" for s in singles)
        + f" = {sum(singles):.3f} s; joint {joint:.3f} s "
        f"(ratio {joint / sum(singles):.2f}, best of 5)"
    )
    print(
        "figures, CPU time of the process: single reports "
        + " + ".join(f"{s:.3f}" for s in cpu_singles)
        + f" = {sum(cpu_singles):.3f} s; joint {cpu_joint:.3f} s "
        f"(ratio {cpu_joint / sum(cpu_singles):.2f}, best of 5)"
    )
    print(
        "whole commands: single "
        + " + ".join(f"{s:.3f}" for s in single_walls)
        + f" = {sum(single_walls):.3f} s; joint {joint_wall:.3f} s "
        f"(ratio {joint_wall / sum(single_walls):.2f}, best of 3; "
        f"median single {statistics.median(single_walls):.3f} s)"
    )


if __name__ == "__main__":
    main()
