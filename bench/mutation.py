"""A small mutation tester: how many deliberate slips in a module do the tests catch?

    .venv/bin/python bench/mutation.py envagin_cli/rules/lifecycle.py \
        --tests tests/test_rules.py tests/test_state_machine.py

Each mutant is one change to the module's syntax tree (`ast`), made in a copy of the
checkout (the working tree is never touched):

- a comparison flipped at its boundary or negated (`<` ↔ `<=`, `>` ↔ `>=`, `==` ↔ `!=`,
  `in` ↔ `not in`, `is` ↔ `is not`);
- `and` ↔ `or`; `+` ↔ `-`;
- an integer constant one more and one less;
- one member dropped from a set literal (`{"a", "b"}`, `frozenset({...})`);
- a condition negated (`if`, `while`, `… if … else …`, `assert` excepted), `not x` → `x`.

For each, `pytest -x -q` runs the given test files against the copy; a failing run (or one
over `--timeout` seconds) kills the mutant. A surviving mutant that no test could kill
(the same behaviour written differently) is listed in `--equivalent FILE` (lines
`path:line:operator`, `#` comments) and left out of the score:
killed / (mutants − equivalent). `--list` prints the mutants without running them;
`--only N,M` runs those. The survivors are printed for a person to read.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_SYMBOL = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}


@dataclass(frozen=True)
class Mutant:
    number: int
    line: int
    operator: str

    def key(self, path: str) -> str:
        return f"{path}:{self.line}:{self.operator}"


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of docstring constants (never mutated)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _skipped(tree: ast.AST) -> set[int]:
    """Nodes inside f-strings, annotations and docstrings: not mutated."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        inner: list[ast.AST] = []
        if isinstance(node, ast.JoinedStr):
            inner = [node]
        elif isinstance(node, ast.AnnAssign):
            inner = [node.annotation]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = [a.annotation for a in node.args.args if a.annotation]
            inner += [a.annotation for a in node.args.kwonlyargs if a.annotation]
            if node.returns:
                inner.append(node.returns)
        elif isinstance(node, ast.arg) and node.annotation:
            inner = [node.annotation]
        for part in inner:
            skip.update(id(n) for n in ast.walk(part))
    return skip


def _sites(tree: ast.AST) -> list[tuple[ast.AST, str, int]]:
    """Every (node, operator, variant) that can be mutated, in a stable order."""
    skip = _skipped(tree)
    sites: list[tuple[ast.AST, str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _FLIP:
                    flipped = _SYMBOL[_FLIP[type(op)]]
                    sites.append((node, f"{_SYMBOL[type(op)]}→{flipped}", i))
        elif isinstance(node, ast.BoolOp):
            sites.append((node, "and→or" if isinstance(node.op, ast.And) else "or→and", 0))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            sites.append((node, "+→-" if isinstance(node.op, ast.Add) else "-→+", 0))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int)
            and not isinstance(node.value, bool)
        ):
            sites.append((node, f"{node.value}→{node.value + 1}", 1))
            sites.append((node, f"{node.value}→{node.value - 1}", -1))
        elif isinstance(node, ast.Set):
            for i, element in enumerate(node.elts):
                shown = ast.unparse(element)
                sites.append((node, f"utan {shown[:30]}", i))
        elif isinstance(node, ast.If | ast.While | ast.IfExp):
            sites.append((node, "villkor negerat", 0))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            sites.append((node, "not bort", 0))
    return sites


class _Apply(ast.NodeTransformer):
    def __init__(self, target: ast.AST, operator: str, variant: int) -> None:
        self.target, self.operator, self.variant = target, operator, variant

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        if node is not self.target:
            return node
        op, v = self.operator, self.variant
        if isinstance(node, ast.Compare):
            node.ops[v] = _FLIP[type(node.ops[v])]()
        elif isinstance(node, ast.BoolOp):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif isinstance(node, ast.BinOp):
            node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        elif isinstance(node, ast.Constant):
            node.value = node.value + v
        elif isinstance(node, ast.Set):
            rest = [e for i, e in enumerate(node.elts) if i != v]
            if not rest:
                return ast.Call(ast.Name("set", ast.Load()), [], [])
            node.elts = rest
        elif isinstance(node, ast.If | ast.While | ast.IfExp):
            node.test = ast.UnaryOp(ast.Not(), node.test)
        elif isinstance(node, ast.UnaryOp) and op == "not bort":
            return node.operand
        return node


def mutants(source: str) -> list[tuple[Mutant, str]]:
    """Every mutant of `source`: (what and where, the mutated module's text)."""
    tree = ast.parse(source)
    out: list[tuple[Mutant, str]] = []
    for number, (node, operator, variant) in enumerate(_sites(tree), 1):
        line = getattr(node, "lineno", 0)
        # Mutate a copy: the same site found again by its position in the walk.
        fresh = copy.deepcopy(tree)
        target, _op, _v = _sites(fresh)[number - 1]
        mutated = _Apply(target, operator, variant).visit(fresh)
        ast.fix_missing_locations(mutated)
        out.append((Mutant(number, line, operator), ast.unparse(mutated)))
    return out


def _copy_checkout(into: Path) -> None:
    for name in ("envagin_cli", "tests"):
        shutil.copytree(
            ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    shutil.copy2(ROOT / "pyproject.toml", into / "pyproject.toml")


def _run_tests(work: Path, tests: list[str], timeout: float) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(work),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HYPOTHESIS_PROFILE": "ci",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=work,
            env=env,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "killed (timeout)"
    return "survived" if done.returncode == 0 else "killed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", help="the module to mutate, e.g. envagin_cli/rules/codes.py")
    parser.add_argument("--tests", nargs="+", required=True, help="test files to run")
    parser.add_argument("--equivalent", type=Path, help="file of known equivalent mutants")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--only", help="mutant numbers to run, comma-separated")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)

    path = args.module
    source = (ROOT / path).read_text(encoding="utf-8")
    every = mutants(source)
    equivalent: set[str] = set()
    if args.equivalent and args.equivalent.exists():
        for raw in args.equivalent.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if line:
                equivalent.add(line)
    if args.list:
        for m, _text in every:
            mark = "  (ekvivalent)" if m.key(path) in equivalent else ""
            print(f"{m.number:4d}  {m.key(path)}{mark}")
        return 0
    chosen = {int(n) for n in args.only.split(",")} if args.only else None

    began = time.perf_counter()
    counts = {"killed": 0, "survived": 0, "equivalent": 0}
    survivors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="envagin-mutation-") as tmp:
        work = Path(tmp)
        _copy_checkout(work)
        target = work / path
        baseline = _run_tests(work, args.tests, args.timeout)
        if baseline != "survived":
            print("Testerna går inte igenom utan mutanter; inget mätt.", file=sys.stderr)
            return 2
        for m, text in every:
            if chosen is not None and m.number not in chosen:
                continue
            if m.key(path) in equivalent:
                counts["equivalent"] += 1
                continue
            target.write_text(text, encoding="utf-8")
            try:
                outcome = _run_tests(work, args.tests, args.timeout)
            finally:
                target.write_text(source, encoding="utf-8")
            if outcome == "survived":
                counts["survived"] += 1
                survivors.append(m.key(path))
            else:
                counts["killed"] += 1
            print(f"{m.number:4d}  {outcome:18s} {m.key(path)}", flush=True)
    scored = counts["killed"] + counts["survived"]
    score = 100.0 * counts["killed"] / scored if scored else 100.0
    print()
    print(
        f"{path}: {counts['killed']} dödade, {counts['survived']} överlevde, "
        f"{counts['equivalent']} ekvivalenta; poäng {score:.1f} % "
        f"({time.perf_counter() - began:.0f} s)"
    )
    for key in survivors:
        print(f"  överlevde: {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
