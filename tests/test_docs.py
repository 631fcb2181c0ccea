"""Docs that cannot drift: every command has help and is in the README; --help is cheap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from envagin_cli.cli.app import app

from conftest import Invoke

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[tuple[str, object]]:
    root = typer.main.get_command(app)
    found: list[tuple[str, object]] = []

    def walk(prefix: str, command: object) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            # a Swedish name (`intag`) is the same command as its own (test_dag checks them)
            aliases = getattr(subs, "aliases", {})
            for name, sub in subs.items():
                if not getattr(sub, "hidden", False) and name not in aliases:
                    # `mal` is the ASCII alias of `mål`
                    walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, command))

    walk("", root)
    return found


COMMANDS = [name for name, _ in _commands()]


def test_all_expected_commands_exist() -> None:
    for name in (
        "init",
        "demo",
        "backup",
        "staff add",
        "staff list",
        "staff deactivate",
        "insats list",
        "insats add",
        "insats deactivate",
        "intake",
        "consent",
        "map",
        "tripartite",
        "assign",
        "close",
        "followup",
        "makulera",
        "cases",
        "show",
    ):
        assert name in COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_and_is_in_readme(invoke: Invoke, name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"envagin {name}" in readme
    result = invoke(*name.split(), "--help", use_db=False)
    assert result.exit_code == 0
    first_line = result.stdout.split("\n\n")[1].strip()
    assert first_line and not first_line.startswith("Options")


def test_help_imports_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from envagin_cli.cli.app import app\n"
        "try:\n"
        "    app(['intake', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'rich', 'sqlite_utils', 'dateutil', 'stdnum'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_nothing_imports_click_directly() -> None:
    import ast

    read = []
    for path in sorted((ROOT / "envagin_cli").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "click" or n.startswith("click.") for n in names), path
        read.append(path.relative_to(ROOT / "envagin_cli").as_posix())
    # Every package, the command modules among them, was read (not only the top level).
    assert {"cli/cases.py", "cli/report.py", "cli/app.py", "domain/register.py"} <= set(read)
    assert {p.split("/")[0] for p in read if "/" in p} >= {
        "cli", "domain", "interchange", "output", "report", "rules", "store"
    }  # fmt: skip


def test_installed_console_script_runs_without_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("envagin")
    if not script.exists():
        pytest.skip("the console script is not installed next to this Python")
    missing = tmp_path / "saknas.db"
    out = subprocess.run(
        [str(script), "--db", str(missing), "cases"], capture_output=True, text=True
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "finns inte" in out.stderr
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("envagin ")
