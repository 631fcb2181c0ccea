"""Time the styrgrupp's document for the demo register: the whole process, start to exit.

    python bench/document_bench.py [--runs 5] [--period 2026H1]

Builds bench/out/demo.db with `envagin demo --datum 2026-12-01` first if it is missing.
Each run is a fresh process (`envagin report --halvår P --html FIL --skriv-över`), so it
counts start-up, the imports (matplotlib included), the figures, the four charts and the
write. The same command with `--json` runs in the same loop, turn about, for comparison.
Target: the document in under 3 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
DEMO_DAY = "2026-12-01"


def envagin(*args: str) -> list[str]:
    return [sys.executable, "-m", "envagin_cli", *args]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--period", default="2026H1")
    args = parser.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    db = out / "demo.db"
    env = {**os.environ, "ENVAGIN_IDAG": DEMO_DAY, "ENVAGIN_USER": "ls"}
    if not db.exists():
        subprocess.run(envagin("--db", str(db), "demo", "--datum", DEMO_DAY), check=True, env=env)
    html = out / "rapport.html"
    charts = out / "diagram"
    doc = envagin("--db", str(db), "report", "--halvår", args.period)
    commands = {
        "--html": [*doc, "--html", str(html), "--skriv-över"],
        "--html --diagram": [
            *doc,
            "--html",
            str(html),
            "--diagram",
            str(charts),
            "--skriv-över",
        ],
        "--json": [*doc, "--json"],
    }
    timed(commands["--html"], env)  # a first run fills matplotlib's font cache
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(timed(cmd, env))
    print(f"demo register {db} ({db.stat().st_size / 2**20:.1f} MiB), period {args.period}")
    for name, values in times.items():
        wall = [w for w, _ in values]
        cpu = [c for _, c in values]
        print(
            f"report {name:17} wall best {min(wall):.2f} s, median {statistics.median(wall):.2f}"
            f" s; CPU best {min(cpu):.2f} s, median {statistics.median(cpu):.2f} s"
            f" ({args.runs} runs)"
        )
    print(f"document: {html.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
