"""A terminal a handläggare can live in: 80 columns, natural width when piped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Invoke, enrolled_case, make_pnr

#: What must never be cut: case numbers, dates, masked personnummer, staff ids, codes.
IDENTIFIER = re.compile(r"EVI-\d{4}-\d{4}|\d{4}-\d{2}-\d{2}|\d{8}-\*{4}")


@pytest.fixture
def demo(invoke: Invoke) -> Invoke:
    assert invoke("demo", "--datum", "2026-11-22", som=None).exit_code == 0
    return invoke


def _commands(invoke: Invoke) -> list[list[str]]:
    nr = invoke("cases", "--json").stdout.split('"arende": "')[1].split('"')[0]
    return [
        ["cases"],
        ["cases", "--alla"],
        ["cases", "--per-handläggare"],
        ["staff", "list", "--alla"],
        ["insats", "list", "--alla"],
        ["show", nr],
        ["report", "--halvår", "2026H1"],
        ["report", "--halvår", "2026H1", "--maskera", "3"],
        ["report", "--sedan-start"],
        ["report", "--caseload"],
        ["mål", "list"],
        ["idag", "--alla", "--dagar", "30"],
        ["cases", "--uppföljning"],
        ["cases", "--fas", "kartlaggning"],
        ["sök", "EVI-2026"],
    ]


def test_every_table_fits_80_columns_and_cuts_nothing(demo: Invoke) -> None:
    wide = {}
    for args in _commands(demo):
        result = demo(*args, env={"COLUMNS": "250"})
        assert result.exit_code == 0, (args, result.stderr)
        wide[tuple(args)] = set(IDENTIFIER.findall(result.stdout))
    for args in _commands(demo):
        result = demo(*args, env={"COLUMNS": "80"})
        assert result.exit_code == 0, (args, result.stderr)
        lines = result.stdout.splitlines()
        too_long = [line for line in lines if len(line) > 80]
        assert not too_long, (args, too_long)
        assert "…" not in result.stdout, args
        # every identifier shown in a wide layout is shown whole at 80 columns too
        assert set(IDENTIFIER.findall(result.stdout)) == wide[tuple(args)], args


def test_report_labels_are_whole_at_80_columns(demo: Invoke) -> None:
    out = demo("report", "--halvår", "2026H1", env={"COLUMNS": "80"}).stdout
    for label in (
        "Fördjupad kartläggning och vägledning",
        "Arbetsträning hos Arbetscentrum",
        "Arbetsträning i socialt företag",
        "Aktivitetsstöd/utvecklingsersättning",
        "Sjukpenning/rehabiliteringspenning",
        "Kartläggning påbörjad → klar",
    ):
        assert label in out
    # Issue 26: the insatser table is one table at 80 columns, K/M/T under each measure
    # (it was one stacked block per measure).
    heading = next(line for line in out.splitlines() if "I insats" in line)
    assert "Startade" in heading and "Avslutade" in heading
    assert "Insatser under perioden (antal deltagare): i insats" not in out


def test_piped_output_takes_its_natural_width(invoke: Invoke, register: Invoke) -> None:
    enrolled_case(invoke, make_pnr("19811218", "987"))
    result = invoke("cases", env={"COLUMNS": ""})
    lines = result.stdout.splitlines()
    assert all(line == line.rstrip() for line in lines)
    assert max(len(line) for line in lines) < 150
    assert "EVI-2014-0001" in result.stdout and "19811218-****" in result.stdout


def test_an_empty_table_says_so_in_one_line(register: Invoke) -> None:
    result = register("cases")
    assert result.stdout.strip().endswith("inga ärenden.")
    assert len(result.stdout.strip().splitlines()) == 1


def test_counts_in_swedish(register: Invoke, db: Path) -> None:
    enrolled_case(register, make_pnr("19811218", "987"))
    assert "1 ärende\n" in register("cases").stdout
    enrolled_case(register, make_pnr("19850101", "123"))
    assert "2 ärenden\n" in register("cases").stdout
    per = register("cases", "--per-handläggare").stdout
    assert "2,0" in per and "2.0" not in per


def test_long_output_at_a_terminal_goes_through_the_pager(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import io
    import sys

    from envagin_cli.output.console import paged

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    target = tmp_path / "bladdrat.txt"
    reader = f"import sys; open(r'{target}', 'w').write(sys.stdin.read())"
    monkeypatch.setenv("PAGER", f'{sys.executable} -c "{reader}"')
    monkeypatch.setenv("LINES", "10")
    with paged():
        print("\n".join(str(i) for i in range(50)))
    assert target.read_text().startswith("0\n1\n2\n") and screen.getvalue() == ""
    with paged():
        print("kort")
    assert screen.getvalue() == "kort\n"
    with paged(False):
        print("\n".join(str(i) for i in range(50)))
    assert screen.getvalue().endswith("49\n")
    monkeypatch.setenv("PAGER", "cat")
    with paged():
        print("\n".join(str(i) for i in range(20)))
    assert screen.getvalue().endswith("19\n")


def test_no_pager_is_accepted_before_and_after_the_command(register: Invoke) -> None:
    assert register("--no-pager", "cases").exit_code == 0
    assert register("cases", "--no-pager").exit_code == 0


def _complete(db: Path, words: str, cword: int) -> list[str]:
    import subprocess
    import sys

    script = Path(sys.executable).with_name("envagin")
    if not script.exists():
        pytest.skip("the console script is not installed next to this Python")
    env = {
        "PATH": "/usr/bin:/bin",
        "ENVAGIN_DB": str(db),
        "_ENVAGIN_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    out = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_completion_of_commands_options_codes_and_the_register(register: Invoke, db: Path) -> None:
    nr = enrolled_case(register, make_pnr("19811218", "987"))
    assert _complete(db, "envagin clo", 1) == ["close"]
    assert "--slutorsak" in _complete(db, "envagin close X --slu", 3)
    assert _complete(db, "envagin close X --slutorsak arb", 4) == [
        "arbete",
        "arbetsrehabilitering",
    ]
    assert _complete(db, "envagin close X --försörjning lon,fo", 4) == ["lon,forsorjningsstod"]
    assert _complete(db, "envagin assign X --ansvarig ", 4) == ["ls", "as", "mk", "jb"]
    assert "arbetstraning" in _complete(db, "envagin assign X --insats arb", 4)
    assert _complete(db, "envagin close EVI", 2) == [nr]
    assert _complete(db, "envagin komplettering ", 2) == ["bash", "zsh", "fish"]


def test_completion_script_and_installation(invoke: Invoke, tmp_path: Path) -> None:
    for shell in ("bash", "zsh", "fish"):
        result = invoke("komplettering", shell, use_db=False)
        assert result.exit_code == 0 and "_ENVAGIN_COMPLETE" in result.stdout
    result = invoke(
        "komplettering", "fish", "--installera", use_db=False, env={"HOME": str(tmp_path)}
    )
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / ".config/fish/completions/envagin.fish").is_file()
    bad = invoke("komplettering", "tcsh", use_db=False)
    assert bad.exit_code == 1 and "Tillåtna: bash, zsh, fish" in bad.stderr


def test_a_piped_timeline_drawn_without_rich_is_richs_own(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Piped at natural width `show` draws its framed timeline itself (start-up); the
    characters are the ones Rich draws, voided events and flags included."""
    from envagin_cli.output import tables

    event = {
        "id": 7,
        "datum": "2026-02-04",
        "handelse": "samtycke",
        "beskrivning": "samverkan, statistik – ”med” citat",
        "som": "mk",
        "makulerad": 0,
        "makulerad_av": None,
        "makuleringsorsak": None,
    }
    view = {
        "arende": "EVI-2026-0001",
        "person": "19731111-****",
        "kon": "kvinna",
        "fodelsear": 1973,
        "remittent": "fk",
        "ansvarig": None,
        "fas": "avslutad",
        "intag": "2026-01-29",
        "inskriven": None,
        "avslutad": "2026-05-22",
        "slutorsak": "annat",
        "flaggor": ["skyddad"],
        "handelser": [
            event,
            {**event, "id": 1234, "beskrivning": "", "som": "eh"},
            {**event, "id": 8, "makulerad": 1, "makulerad_av": 9, "makuleringsorsak": "fel"},
        ],
    }
    monkeypatch.delenv("COLUMNS", raising=False)
    printed = []
    for forced in ("", "0"):  # TTY_COMPATIBLE=0: the same, but through Rich
        monkeypatch.setenv("TTY_COMPATIBLE", forced)
        tables.timeline(view)
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1]
    assert "┏━" in printed[0] and "MAKULERAD av 9: fel" in printed[0]
