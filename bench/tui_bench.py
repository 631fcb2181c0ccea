"""`envagin tui`: start-up of the whole process, and open / save / refresh in-process.

    python bench/tui_bench.py [--runs 5] [--arenden 10000]

- Start-up: `envagin tui --db DEMO` in a pseudo-terminal of 80×24, from the start of the
  process until the first screen (Att göra, with its footer) is drawn, and until the
  process has exited after `q`. The demo register: `envagin demo --datum 2026-12-01`.
- In-process, on a register of 10 000 cases (`bench/national.py --cases 10000`, about
  85 000 events, the demo's handläggare): opening a case (`Session.open_case`, as `show`,
  audited), saving an event through a form (`Session.save`: a change of ansvarig, one
  transaction) and refreshing the due list (the Att göra screen's two lists: `idag` and
  the open cases), each as the model does it and as the headless program does it (the
  screen's `load()`, tables included).

Best and median of the runs are printed. Targets: start-up under 1 s; each in-process
step under 100 ms. The figures in docs/prestanda.md come from here.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ENVAGIN = shutil.which("envagin") or str(Path(sys.executable).with_name("envagin"))
SOM = "mk"


def build(path: Path, antal: str) -> None:
    """The demo register (`envagin demo`), `antal` intakes a year."""
    env = {**os.environ, "ENVAGIN_USER": "ls"}
    subprocess.run(
        [ENVAGIN, "demo", "--db", str(path), "--datum", "2026-12-01", "--antal", antal],
        check=True,
        env=env,
        capture_output=True,
    )


def startup(db: Path) -> tuple[float, float, float]:
    """Seconds until the first screen is drawn, until the process has exited, and the
    process's CPU time (user + system; a busy shared machine disturbs it less)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "ENVAGIN_USER": SOM, "TERM": "xterm-256color", "ENVAGIN_IDAG": ""}
    env.pop("ENVAGIN_IDAG")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [ENVAGIN, "tui", "--db", str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    drawn = None
    while proc.poll() is None:
        ready, _, _ = select.select([master], [], [], 5)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        seen += chunk
        if drawn is None and "Hjälp".encode() in seen and b"EVI-" in seen:
            drawn = time.perf_counter() - start
            os.write(master, b"q")
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    total = time.perf_counter() - start
    os.close(master)
    if drawn is None:
        raise SystemExit("the first screen was never drawn:\n" + seen.decode(errors="replace"))
    return drawn, total, usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def show(label: str, times: list[float], unit: str = "ms") -> None:
    scale = 1000 if unit == "ms" else 1
    print(
        f"{label:<55} best {min(times) * scale:8.1f} {unit}   "
        f"median {statistics.median(times) * scale:8.1f} {unit}"
    )


def in_process(db: Path, runs: int) -> None:
    os.environ["ENVAGIN_USER"] = SOM
    from envagin_cli.tui import model
    from envagin_cli.tui.app import Arendevy, EnvaginTui, Huvudvy

    session = model.Session(str(db), SOM)
    cases = session.my_cases()
    total = session.conn.execute("SELECT count(*) FROM arende").fetchone()[0]
    print(f"register: {total} ärenden; {SOM} har {len(cases)} öppna")
    nr = cases[0]["arende"]
    show("model: öppna ett ärende (open_case)", timed(lambda: session.open_case(nr), runs))
    staff = ["as", "mk"]
    n = [0]

    def save() -> None:  # a new event each time: another day (the rule of sameness)
        n[0] += 1
        form = session.form("responsible", nr)
        day = (date.today() - timedelta(days=n[0])).isoformat()
        result = session.save(form, {"ansvarig": staff[n[0] % 2], "datum": day})
        assert result.ny, result

    show("model: spara en händelse (save, byt ansvarig)", timed(save, runs))
    show(
        "model: uppdatera Att göra (due + my_cases)",
        timed(lambda: (session.due(), session.my_cases()), runs),
    )

    async def app_runs() -> None:
        app = EnvaginTui(model.Session(str(db), SOM))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            main = app.screen
            assert isinstance(main, Huvudvy)
            show("program: uppdatera Att göra (F5: load med tabeller)", timed(main.load, runs))
            view = Arendevy(nr)
            await app.push_screen(view)
            await pilot.pause()
            show("program: öppna ärendet (load med tidslinje)", timed(view.load, runs))

    asyncio.run(app_runs())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--arenden", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "demo.db", Path(tmp) / "stor.db"
        build(small, "60")
        startups = [startup(small) for _ in range(args.runs)]
        show("start: första skärmen ritad (hela processen)", [s[0] for s in startups], "s")
        show("start: till och med avslut med q", [s[1] for s in startups], "s")
        show("start: CPU-tid för hela processen (till avslut)", [s[2] for s in startups], "s")
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, str(Path(__file__).parent / "national.py"), "--cases",
             str(args.arenden), "--out", str(big)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        print(f"(registret med {args.arenden} ärenden byggt på {time.perf_counter() - t:.0f} s)")
        in_process(big, max(args.runs, 10))


if __name__ == "__main__":
    main()
