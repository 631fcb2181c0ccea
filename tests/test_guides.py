"""The README and the guides in docs/ say what is true: their commands run, their links resolve.

Every fenced ```console block is a terminal session: a line `$ COMMAND` is run, and the
lines after it, up to the next `$ `, are what it prints (stdout and stderr together). The
blocks of one file are one session, in order, on a new register in a temporary home
(`~` = `/home/ls`), with today fixed at 2026-11-22 (ENVAGIN_IDAG) and an 80-column
terminal. A line `…` alone in the output stands for any number of lines, and `…` in a
line for any text (a time of day, a hash). Blocks that
cannot be run (a cron line, a systemd unit, a shell loop) use another fence (```sh,
```ini, ```text) and are not run.

`envagin …`, `VAR=$(envagin …)`, `export A=B …` and `mkdir [-m MODE] DIR` run in this
process (fast); any other command (or one with a redirection or a pipe) runs in `bash -c`
in the session's folder, with the `envagin` installed beside this Python on PATH.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from envagin_cli.cli.app import app

from conftest import needs_clock

ROOT = Path(__file__).resolve().parent.parent
pytestmark = needs_clock  # the guides' commands run as processes on TODAY
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
HOME = "/home/ls"
TODAY = "2026-11-22"


@dataclass
class Step:
    command: str
    expected: list[str]
    line: int


def _steps(path: Path) -> list[Step]:
    """The commands of every ```console block in `path`, in order, with their output."""
    steps: list[Step] = []
    inside = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            inside = line.strip() == "```console" if not inside else False
            continue
        if not inside:
            continue
        if line.startswith("$ "):
            steps.append(Step(line[2:], [], number))
        elif steps:
            steps[-1].expected.append(line)
        else:
            raise AssertionError(f"{path.name}:{number}: output before any command")
    return steps


@dataclass
class Session:
    folder: Path
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    vars: dict[str, str] = field(default_factory=dict)

    def expand(self, word: str) -> str:
        word = re.sub(
            r"\$\{?([A-Za-z_]\w*)\}?", lambda m: self.vars.get(m[1], self.env.get(m[1], "")), word
        )
        return str(self.home) + word[1:] if word == "~" or word.startswith("~/") else word

    def words(self, command: str) -> list[str]:
        return [self.expand(w) for w in shlex.split(command)]

    def envagin(self, argv: list[str]) -> tuple[str, str]:
        """stdout and stdout+stderr of `envagin ARGV` run in this process."""
        result = CliRunner().invoke(app, argv, env=self.env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.stdout, result.output

    def run(self, command: str) -> str:
        assign = re.fullmatch(r"([A-Za-z_]\w*)=\$\((envagin .*)\)", command)
        if assign:
            stdout, output = self.envagin(self.words(assign[2])[1:])
            self.vars[assign[1]] = stdout.strip()
            return output[len(stdout) :] if output.startswith(stdout) else output
        words = self.words(command)
        shell = any(c in command for c in "<>|;&`")
        if words[0] == "envagin" and not shell:
            return self.envagin(words[1:])[1]
        if words[0] == "export":
            for word in words[1:]:
                name, _, value = word.partition("=")
                self.env[name] = value
            return ""
        if words[0] == "mkdir" and len(words) in (2, 4):
            Path(words[-1]).mkdir(mode=int(words[2], 8) if len(words) == 4 else 0o777)
            return ""
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.folder,
            env={
                **os.environ,
                **self.env,
                "HOME": str(self.home),
                # the `envagin` installed beside this Python, as in a shell with the venv on
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.stdout + done.stderr


def _line(line: str) -> str:
    """A pattern for one expected line: `…` in it stands for any text (a time, a hash)."""
    return r"[^\n]*".join(re.escape(part) for part in line.rstrip().split("…")) + r"\n"


def _matches(expected: list[str], actual: list[str]) -> bool:
    """`expected` equals `actual` line for line, a line `…` standing for any lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == "…" else _line(line) for line in expected
    )
    return re.fullmatch(pattern, "".join(line.rstrip() + "\n" for line in actual)) is not None


@pytest.mark.parametrize("path", [p for p in GUIDES if _steps(p)], ids=lambda p: p.name)
def test_console_blocks_show_real_output(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home" / "ls"
    home.mkdir(parents=True)
    monkeypatch.chdir(home)
    monkeypatch.setenv("HOME", str(home))
    session = Session(
        folder=home,
        home=home,
        env={"ENVAGIN_IDAG": TODAY, "COLUMNS": "80", "ENVAGIN_DB": str(home / "register.db")},
    )
    for step in _steps(path):
        output = session.run(step.command).replace(str(home.parent), "/home")
        actual = output.splitlines()
        assert _matches(step.expected, actual), (
            f"{path.name}:{step.line}: $ {step.command}\n"
            + "--- i guiden\n"
            + "\n".join(step.expected)
            + "\n--- i verkligheten\n"
            + "\n".join(actual)
        )


def test_every_guide_has_a_session_that_runs() -> None:
    names = {p.name for p in GUIDES if _steps(p)}
    assert {"README.md", "handlaggare.md", "projektledare.md", "drift.md"} <= names


#: [text](target) outside code; the target's #anchor is checked against the headings.
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of `path`."""
    found: set[str] = set()
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside
        elif not inside and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            anchor, n = slug, 1
            while anchor in found:
                anchor, n = f"{slug}-{n}", n + 1
            found.add(anchor)
    return found


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return LINK.findall(text)


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.name)
def test_every_relative_link_resolves_in_a_clone(path: Path) -> None:
    tracked = set(
        subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    )
    broken = []
    for target in _links(path):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        goal = (path.parent / file).resolve() if file else path
        inside = goal.relative_to(ROOT).as_posix() if goal.is_relative_to(ROOT) else None
        missing = inside is None or not (inside in tracked or goal.is_dir()) or not goal.exists()
        if missing or (anchor and anchor not in _anchors(goal)):
            broken.append(target)
    assert broken == [], f"{path.name}: {broken}"


def test_the_readme_is_for_users() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    assert "../shared" not in text and "DOMAIN.md" not in text


def _refreshed(expected: list[str], actual: list[str]) -> list[str]:
    """The output to write for a step: `expected` while it still matches; otherwise
    `actual`, cut where `expected` had a line `…`, keeping `expected`'s lines with `…` in
    them where they still match."""
    if _matches(expected, actual):
        return expected
    if "…" in [line.strip() for line in expected]:
        cut = [line.strip() for line in expected].index("…")
        return [*_refreshed(expected[:cut], actual[:cut]), "…"]
    if len(expected) == len(actual):
        return [e if _matches([e], [a]) else a for e, a in zip(expected, actual, strict=True)]
    return actual


def refresh(path: Path, folder: Path) -> None:
    """Run the console blocks of `path` in `folder` and write their real output back."""
    home = folder / "home" / "ls"
    home.mkdir(parents=True)
    os.chdir(home)
    os.environ["HOME"] = str(home)
    session = Session(
        folder=home,
        home=home,
        env={"ENVAGIN_IDAG": TODAY, "COLUMNS": "80", "ENVAGIN_DB": str(home / "register.db")},
    )
    steps = iter(_steps(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    inside = False
    step: Step | None = None
    for line in lines:
        if line.startswith("```"):
            inside = line.strip() == "```console" if not inside else False
        elif inside and line.startswith("$ "):
            step = next(steps)
            actual = session.run(step.command).replace(str(home.parent), "/home").splitlines()
            out.append(line)
            out.extend(line.rstrip() for line in _refreshed(step.expected, actual))
            continue
        elif inside:
            continue  # the old output, written again above
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    # `python tests/test_guides.py README.md docs/handlaggare.md`: after a change to what a
    # command prints, write the new output into the guides (then read the diff).
    import tempfile

    for path in [Path(name).resolve() for name in sys.argv[1:]]:
        with tempfile.TemporaryDirectory() as tmp:
            refresh(path, Path(tmp))
        print(f"Skrev om {path.name}.")
