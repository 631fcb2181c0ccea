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
    # the insatser table as one block per measure, Kvinnor/Män/Totalt in each
    assert "Insatser under perioden (antal deltagare): i insats" in out
    assert "Insatser under perioden (antal deltagare): startade" in out


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
