"""Swedish throughout: help, usage errors, placeholders, questions, Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_docs import COMMANDS

from conftest import Invoke, enrolled_case, make_pnr

ENGLISH = (
    "Usage:",
    "Options:",
    "Arguments:",
    "Commands:",
    "Show this message",
    "[required]",
    "[default:",
    "[env var:",
    "<str>",
    "<int>",
    "list[",
    "[OPTIONS]",
    "COMMAND [ARGS]",
)

CASE_COMMANDS = [
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
]


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_help_is_swedish(invoke: Invoke, name: str) -> None:
    result = invoke(*name.split(), "--help", use_db=False)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Användning: envagin")
    assert "Visa den här hjälpen och avsluta." in out
    assert "Flaggor:" in out
    for word in ENGLISH:
        assert word not in out, (name, word)


@pytest.mark.parametrize("name", CASE_COMMANDS)
def test_case_commands_have_examples_and_placeholders(invoke: Invoke, name: str) -> None:
    out = invoke(name, "--help", use_db=False).stdout
    assert "Exempel:" in out and f"envagin {name} " in out.split("Exempel:")[1]
    if name not in ("cases",):
        assert "--datum DATUM" in out or name == "show"
    if name not in ("intake", "cases"):
        assert ("ÄRENDE" in out) or ("HÄNDELSE-ID" in out)


def test_placeholders_say_what_is_wanted(invoke: Invoke) -> None:
    out = invoke("close", "--help", use_db=False).stdout
    for piece in ("--slutorsak KOD", "--försörjning KODER", "--som ID", "--db FIL", "[krävs]"):
        assert piece in out
    assert "[standard: idag]" in out and "[miljövariabel: ENVAGIN_USER]" in out
    assert "--antal ANTAL" in invoke("demo", "--help", use_db=False).stdout


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (["close", "X"], "flaggan --slutorsak saknas (KOD krävs)."),
        (["close", "X", "--slutorsak"], "flaggan --slutorsak kräver ett värde."),
        (["close", "X", "--slutorsk", "arbete"], "Menade du '--slutorsak'?"),
        (["closs"], "okänt kommando 'closs'. Menade du 'close'"),
        (["staff", "lst"], "Menade du 'list'?"),
        (["show"], "argumentet ÄRENDE saknas."),
        (["show", "A", "B"], "oväntat argument"),
    ],
)
def test_usage_errors_are_swedish_and_exit_2(invoke: Invoke, args: list[str], wanted: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Fel i kommandoraden: ")
    assert wanted in result.stderr
    for word in ("Error", "Usage", "Try ", "Missing", "No such", "Possible"):
        assert word not in result.stderr


def test_usage_error_shows_usage_and_help_in_swedish(invoke: Invoke) -> None:
    err = invoke("close", "X").stderr
    assert "Användning: envagin close [FLAGGOR] ÄRENDE" in err
    assert "Se 'envagin close --help' för hjälp." in err


def test_missing_file_is_said_in_swedish(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("init").exit_code == 0
    result = invoke("import", str(tmp_path / "saknas.csv"))
    assert result.exit_code == 1
    assert "filen finns inte" in result.stderr and "No such file" not in result.stderr


def test_a_question_takes_j_ja_n_nej(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from envagin_cli.cli.common import confirm

    for answer, expected in (
        ("j\n", True),
        ("ja\n", True),
        ("JA\n", True),
        ("n\n", False),
        ("nej\n", False),
        ("\n", False),
        ("", False),
        ("kanske\nja\n", True),
    ):
        monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
        err = io.StringIO()
        monkeypatch.setattr(sys, "stderr", err)
        assert confirm("Gallra nu?") is expected, answer
        assert "[j/N]" in err.getvalue()


def test_ctrl_c_says_avbrutet_and_exits_130(tmp_path: Path, invoke: Invoke) -> None:
    db = tmp_path / "register.db"
    assert invoke("init").exit_code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "envagin_cli", "--db", str(db), "import", "-", "--format", "jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"ENVAGIN_USER": "ls", "PATH": "/usr/bin:/bin"},
    )
    # wait until it reads stdin (then the command runs), not while it imports
    wchan = Path(f"/proc/{proc.pid}/wchan")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if wchan.exists() and wchan.read_text().endswith("pipe_read"):
            break
        time.sleep(0.1)
    else:
        time.sleep(5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Avbrutet." in err and "Traceback" not in err


def test_counts_in_words(register: Invoke) -> None:
    enrolled_case(register, make_pnr("19811218", "987"))
    assert "1 ärende\n" in register("cases").stdout


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (
            ["close", "{nr}", "--slutorsak", "arbet", "--ingen-enkät", "--försörjning", "lon"],
            "slutorsak: okänd kod 'arbet'; menade du 'arbete'",
        ),
        (
            ["intake", "--remittent", "fss", "--anonym", "--kön", "man", "--födelseår", "1980"],
            "remittent: okänd kod 'fss'; menade du 'fs'?",
        ),
        (
            ["assign", "{nr}", "--insats", "arbetstränng"],
            "insats: 'arbetstränng' är ingen insats i katalogen; menade du 'arbetstraning'",
        ),
        (["cases", "--handläggare", "mkk"], "menade du 'mk'?"),
        (["show", "EVI-2014-001"], "ärende: 'EVI-2014-001' finns inte; menade du 'EVI-2014-0001'?"),
        (
            [
                "close",
                "{nr}",
                "--slutorsak",
                "arbete",
                "--försörjning",
                "forsorjningsstd",
                "--ingen-enkät",
            ],
            "menade du 'forsorjningsstod'?",
        ),
    ],
)
def test_typos_get_a_hint(register: Invoke, args: list[str], wanted: str) -> None:
    nr = enrolled_case(register, make_pnr("19811218", "987"))
    result = register(*[a.replace("{nr}", nr) for a in args])
    assert result.exit_code == 1
    assert wanted in result.stderr, result.stderr


def test_no_hint_for_what_is_far_off(register: Invoke) -> None:
    nr = enrolled_case(register, make_pnr("19811218", "987"))
    result = register("close", nr, "--slutorsak", "xyz", "--ingen-enkät")
    assert "menade du" not in result.stderr and "Tillåtna: arbete" in result.stderr


@pytest.mark.parametrize("argv", [["--help"], ["show", "--help"], ["consent", "--help"]])
def test_help_imports_none_of_the_heavy_modules(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from envagin_cli.cli.app import app\n"
        "try:\n"
        f"    app({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlite_utils', 'dateutil', 'stdnum', 'rich.table', 'xlsxwriter', 'rich')\n"
        "print(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_root_builds_only_the_command_that_runs() -> None:
    import typer

    from envagin_cli.cli.app import app
    from envagin_cli.cli.root import Lazy

    root = typer.main.get_command(app)
    lazy = root.commands  # type: ignore[attr-defined]
    assert isinstance(lazy, Lazy) and not lazy.built
    assert "show" in lazy and "staff" in lazy and not lazy.built
    assert lazy["show"].name == "show" and set(lazy.built) == {"show"}


def test_a_command_added_with_add_typer_still_works() -> None:
    """After a merge, a module registered the usual way (`app.add_typer`) is listed and runs."""
    code = (
        "import typer\n"
        "from envagin_cli.cli.app import app\n"
        "extra = typer.Typer()\n"
        "@extra.command('kontroll')\n"
        "def verify() -> None:\n"
        "    '''Kontrollera registret.'''\n"
        "    print('verifierat')\n"
        "app.add_typer(extra)\n"
        "import sys\n"
        "app(sys.argv[1:])\n"
    )
    listed = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True, text=True)
    assert "kontroll" in listed.stdout and "Kontrollera registret." in listed.stdout
    ran = subprocess.run([sys.executable, "-c", code, "kontroll"], capture_output=True, text=True)
    assert ran.returncode == 0 and ran.stdout.strip() == "verifierat"
