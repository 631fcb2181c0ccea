"""Start-up: whole processes, paired, in one go.

    python bench/startup.py [--runs 15]

Pairs, each run alternately so that both sides see the same machine:

- `envagin --help` against `python -c "import typer"`;
- `envagin show ÄRENDE` and `envagin consent ÄRENDE …` (on a small demo register) against
  a no-op Typer command with the same options (the same Typer, the same coercion of
  every option, nothing done).

For each side the best and the median wall time and CPU time (user + system, which a
busy shared machine disturbs less) are printed, with the ratio of the medians. The
figures in docs/prestanda.md come from here.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOOP = """
from typing import Annotated
import typer

app = typer.Typer(add_completion=False)


@app.callback()
def root(db: Annotated[str | None, typer.Option("--db")] = None) -> None:
    pass


@app.command()
def show(
    arende: str,
    json_: Annotated[bool, typer.Option("--json")] = False,
    som: Annotated[str | None, typer.Option("--som", envvar="ENVAGIN_USER")] = None,
    db: Annotated[str | None, typer.Option("--db")] = None,
) -> None:
    pass


@app.command()
def consent(
    arende: str,
    omfattning: Annotated[list[str] | None, typer.Option("--omfattning")] = None,
    aterkalla: Annotated[bool, typer.Option("--återkalla")] = False,
    datum: Annotated[str, typer.Option("--datum")] = "idag",
    som: Annotated[str | None, typer.Option("--som", envvar="ENVAGIN_USER")] = None,
    ja: Annotated[bool, typer.Option("--ja")] = False,
    db: Annotated[str | None, typer.Option("--db")] = None,
) -> None:
    pass


app()
"""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def pair(
    name: str, ours: list[str], base: list[str], env: dict[str, str], runs: int
) -> dict[str, float]:
    times: dict[str, list[tuple[float, float]]] = {"ours": [], "base": []}
    for argv in (ours, base):  # warm the file cache and .pyc files
        run(argv, env)
    for _ in range(runs):
        times["ours"].append(run(ours, env))
        times["base"].append(run(base, env))
    out: dict[str, float] = {}
    for side in ("ours", "base"):
        walls = [w for w, _ in times[side]]
        cpus = [c for _, c in times[side]]
        out[f"{side}_wall_min"] = min(walls)
        out[f"{side}_wall_med"] = statistics.median(walls)
        out[f"{side}_cpu_min"] = min(cpus)
        out[f"{side}_cpu_med"] = statistics.median(cpus)
    out["ratio_wall"] = out["ours_wall_med"] / out["base_wall_med"]
    out["ratio_cpu"] = out["ours_cpu_med"] / out["base_cpu_med"]
    print(
        f"{name:<32} ours {out['ours_wall_med']:.3f} s (cpu {out['ours_cpu_med']:.3f}) · "
        f"base {out['base_wall_med']:.3f} s (cpu {out['base_cpu_med']:.3f}) · "
        f"ratio {out['ratio_wall']:.2f} × (cpu {out['ratio_cpu']:.2f} ×)"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    envagin = shutil.which("envagin") or str(Path(python).with_name("envagin"))
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "demo.db")
        noop = Path(tmp) / "noop.py"
        noop.write_text(NOOP, encoding="utf-8")
        env = {**os.environ, "ENVAGIN_USER": "ls", "ENVAGIN_IDAG": "2026-11-22"}
        # as after `pip install`: compiled modules are written once and read after that
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [envagin, "--db", db, "demo", "--datum", "2026-11-22"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        nr = "EVI-2026-0001"
        pair("envagin --help", [envagin, "--help"], [python, "-c", "import typer"], env, args.runs)
        pair(
            "envagin show",
            [envagin, "--db", db, "show", nr],
            [python, str(noop), "--db", db, "show", nr],
            env,
            args.runs,
        )
        consent = ["consent", nr, "--omfattning", "samverkan,statistik", "--ja"]
        pair(
            "envagin consent (redan gjort)",
            [envagin, "--db", db, *consent],
            [python, str(noop), "--db", db, *consent],
            env,
            args.runs,
        )


if __name__ == "__main__":
    main()
