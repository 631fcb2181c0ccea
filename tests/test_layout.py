"""The layout shows the architecture, and a test keeps it so.

- the packages are layers, each importing only those below it (cli > interchange >
  output > report > domain > store > rules), and the rules import no SQLite: the
  import-linter contracts in pyproject.toml, run here as `.ci/run` runs `lint-imports`;
- the domain imports nothing from the command line, the output, the report or the
  interchange;
- the store imports the rules (code lists, the table of event kinds, value formats,
  errors) and nothing of the domain;
- no module imports another that (directly or not) imports it back, counting imports
  inside functions too;
- nothing imports click (Typer ships its own);
- the event kinds have one table: the schema's CHECK list, the interchange fields and the
  state machine's order all come from it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from envagin_cli.interchange import export
from envagin_cli.rules import event_kinds, lifecycle
from envagin_cli.store import migrations

PACKAGE = Path(__file__).resolve().parent.parent / "envagin_cli"
VOCABULARY = {
    "envagin_cli.rules.codes",
    "envagin_cli.rules.event_kinds",
    "envagin_cli.rules.errors",
    "envagin_cli.rules.personnummer",
    "envagin_cli.rules.dates",
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every envagin_cli module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from envagin_cli.domain import cases` imports the module envagin_cli.domain.cases
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {
    name: {m for m in _imports(path) if m in MODULES and m != name}
    for name, path in MODULES.items()
}
RAW = {name: _imports(path) for name, path in MODULES.items()}


def test_import_linter_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(PACKAGE.parent / "pyproject.toml"), no_cache=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 kept, 0 broken" in out


@pytest.mark.parametrize(
    "name", sorted(m for m in MODULES if m.startswith(("envagin_cli.domain", "envagin_cli.rules")))
)
def test_the_domain_knows_nothing_of_terminals_or_files(name: str) -> None:
    banned = (
        "envagin_cli.cli",
        "envagin_cli.output",
        "envagin_cli.report",
        "envagin_cli.interchange",
    )
    assert not [m for m in GRAPH[name] if m.startswith(banned)]
    assert not [m for m in RAW[name] if m.split(".")[0] in ("typer", "rich", "click")]


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith("envagin_cli.store")))
def test_the_store_reads_only_the_rules_vocabulary(name: str) -> None:
    domain = {m for m in GRAPH[name] if m.startswith("envagin_cli.domain")}
    assert domain == set(), domain
    rules = {m for m in GRAPH[name] if m.startswith("envagin_cli.rules.")}
    assert rules <= VOCABULARY, rules - VOCABULARY
    assert not [m for m in GRAPH[name] if m.startswith(("envagin_cli.cli", "envagin_cli.output"))]


def test_no_import_cycle() -> None:
    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(GRAPH[start])
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo.extend(GRAPH[m])
        return seen

    cycles = [m for m in MODULES if not m.endswith("__init__") and m in reach(m)]
    # Packages' __init__ modules import nothing, so any cycle is between real modules.
    assert cycles == []


def test_nothing_imports_click() -> None:
    assert not [n for n, raw in RAW.items() if any(m.split(".")[0] == "click" for m in raw)]


def test_one_table_of_event_kinds() -> None:
    kinds = set(event_kinds.BY_CODE)
    assert set(migrations.HANDELSETYPER) == kinds
    schema = (PACKAGE.parent / "schema.sql").read_text(encoding="utf-8")
    assert all(f"'{k}'" in schema for k in kinds)
    assert set(export.EVENT_FIELDS) == kinds
    assert set(lifecycle.TYPNAMN) == kinds
    for kind in event_kinds.KINDS:
        assert export.EVENT_FIELDS[kind.code] == kind.field_names()
        if kind.case and kind.code != "void":
            assert lifecycle._RANK[kind.code] == kind.rank
        kind.function()  # every kind names a domain function that exists


def test_each_kind_is_spelled_out_in_one_place() -> None:
    """Apart from the table, a kind's code appears only where its rule or use is."""
    homes = {
        "envagin_cli.rules.event_kinds",  # the table
        "envagin_cli.rules.lifecycle",  # the rules of the state machine
        "envagin_cli.domain.cases",  # the command that records it
        "envagin_cli.domain.demo",  # the demo's stories
    }
    for code in ("map-start", "assign-end", "consent-withdrawn", "tripartite", "followup"):
        spelled = {n for n, p in MODULES.items() if f'"{code}"' in p.read_text(encoding="utf-8")}
        assert spelled <= homes, (code, spelled - homes)
