"""Time one ordinary write (an intake through the domain API, in-process) on registers of
1 000, 10 000 and 100 000 cases: the seals (`store.sigill`) must not make a write's cost
grow with the register.

    python bench/seal_bench.py [--cases 1000 10000 100000] [--runs 7]

Builds bench/out/seal-N.db with bench/national.py when missing (deterministic), opens it
as a command does, makes one write first (the first write after the generator's raw rows
and its ANALYZE is not an ordinary one), then reports the best of `--runs` intakes, each
one transaction (the unit of work, the event, the projection, the seals, the commit):
with a case number given (`--ärende`), so that nothing but the seals could grow with the
register, and with a generated one (the ordinary intake; `next_number` reads the year's
case numbers, a cost of its own).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from time import perf_counter as clock
from time import time as wall

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from national import generate  # noqa: E402

from envagin_cli.domain import cases  # noqa: E402
from envagin_cli.store import db as dbmod  # noqa: E402


def register(n: int) -> Path:
    path = HERE / "out" / f"seal-{n}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        began = clock()
        generate(path, n)
        print(f"  {n} ärenden genererade på {clock() - began:.0f} s", flush=True)
    return path


def intake(conn: object, nr: str | None = None) -> None:
    cases.intake(
        conn,  # type: ignore[arg-type]
        datum=date(2026, 11, 20),
        som="as",
        remittent="af",
        anonym=True,
        kon="kvinna",
        fodelsear=1990,
        idag=date(2026, 11, 22),
        arende=nr,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for n in args.cases:
        measure(n, args.runs)


def measure(n: int, runs: int) -> None:
    conn, _ = dbmod.open_db(dbmod.DbPath(register(n), True))
    run = int(wall())  # case numbers of their own in every run of the bench
    try:
        began = clock()
        intake(conn)
        first = clock() - began
        given = timed(lambda k: intake(conn, f"SB{run}-{k}"), runs)
        generated = timed(lambda k: intake(conn), runs)
    finally:
        conn.close()
    print(
        f"{n:>7} ärenden: en intake, bäst av {runs} (median): med givet ärendenummer "
        f"{given[0] * 1000:.1f} ms ({given[1] * 1000:.1f}), med genererat "
        f"{generated[0] * 1000:.1f} ms ({generated[1] * 1000:.1f}); första skrivningen "
        f"{first * 1000:.0f} ms",
        flush=True,
    )


def timed(fn: Callable[[int], None], runs: int) -> tuple[float, float]:
    """(best, median) seconds of `runs` calls."""
    times = []
    for k in range(runs):
        began = clock()
        fn(k)
        times.append(clock() - began)
    return min(times), sorted(times)[len(times) // 2]


if __name__ == "__main__":
    main()
