"""An attacker's try at undoing `report --maskera N` from the report's own JSON.

The attacker knows every figure the JSON shows and the relations the README documents:
Kvinnor + Män = Totalt, parts = total, the same count in two tables, the goals' basis lines
("8 av 12"), counts that bound each other, and that a "<N" cell is 1..N-1 and a "*" cell
at least 1. For every masked cell the test looks for a second assignment of all masked
values, consistent with all of it, that gives the cell another value (the true values,
from the same report without masking, are the first). A cell without one is disclosed.
This was written against issue 23: before the whole-report masking, `report --tertial
2026T1 --maskera 5` on the demo gave Arbete/studier away as Avslutade 16 minus "8 av 12".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_joint_report import _joint, built, units  # noqa: F401  (three units' registers)
from test_report import data  # noqa: F401  (the hand-made register, as a fixture)

from conftest import Invoke

Ref = tuple[str, str, str]
KMT = ("kvinnor", "män", "totalt")
#: Rows of percentages or net figures (not counts) in tables whose columns are counts.
NOT_COUNTS = {
    "period": {"procent", "med_insats_procent"},
    "forsorjning": {
        "offentlig_procent",
        "lamnat_fs_procent",
        "lamnat_sp_procent",
        "netto_lamnat_fs",
        "netto_lamnat_sp",
    },
    "nojdhet": {"bemotande", "insats", "bada"},
    "uppfoljning": {"procent"},
    "per_enhet": {"procent", "lamnat_fs", "lamnat_sp"},
    "ledtider": {"*"},
}
RATT_STOD = ("arbetsrehabilitering", "praktik", "af-insats", "vard", "sjukersattning", "sol", "lss")
NOT_ENROLLED_ONLY = ("ej-malgrupp", "avbojt")
EITHER = ("flyttat", "annat", "okand")
FORSORJNING = (
    "lon",
    "studiemedel",
    "forsorjningsstod",
    "aktivitetsstod",
    "a-kassa",
    "etablering",
    "sjukpenning",
    "sjukersattning",
    "aktivitetsersattning",
    "annan",
    "ingen",
)


class Attack:
    """The relations a reader of the JSON can write down, and a search over them."""

    def __init__(self, masked: dict[str, Any], true: dict[str, Any]) -> None:
        self.grans = masked["maskering"]
        self.shown: dict[Ref, Any] = {}
        self.true: dict[Ref, int] = {}
        for name, t in masked["tabeller"].items():
            types = {k["nyckel"]: k["typ"] for k in t["kolumner"]}
            for row, cells in t["rader"].items():
                if row in NOT_COUNTS.get(name, ()):
                    continue
                for col, value in cells.items():
                    if types.get(col) != "antal" or (
                        name == "ledtider" and not col.startswith("n_")
                    ):
                        continue
                    truth = true["tabeller"][name]["rader"][row][col]
                    if isinstance(truth, int):
                        self.shown[(name, row, col)] = value
                        self.true[(name, row, col)] = truth
        self.relations: list[tuple[dict[Ref, int], bool]] = []

    def hidden(self, ref: Ref) -> bool:
        return isinstance(self.shown.get(ref), str)

    def rel(self, terms: dict[Ref, int], inequality: bool = False) -> None:
        """Σ coef × x = 0 (or ≤ 0); skipped when a cell is not in the report."""
        if all(r in self.true or r[0] == "§" for r in terms):
            level = sum(c * self.true[r] for r, c in terms.items())
            assert level <= 0 if inequality else level == 0, (terms, level)  # model is true
            self.relations.append((terms, inequality))

    def total(self, parts: list[Ref], total: Ref) -> None:
        terms: dict[Ref, int] = {}
        for p in parts:
            terms[p] = terms.get(p, 0) + 1
        terms[total] = terms.get(total, 0) - 1
        self.rel(terms)

    def le(self, small: list[Ref], large: list[Ref]) -> None:
        terms: dict[Ref, int] = {}
        for r in small:
            terms[r] = terms.get(r, 0) + 1
        for r in large:
            terms[r] = terms.get(r, 0) - 1
        self.rel({r: c for r, c in terms.items() if c}, inequality=True)

    def number(self, ref: Ref, value: int) -> None:
        """A figure the report states elsewhere (a goal's basis line)."""
        self.true[("§", ref[0] + ref[1], ref[2])] = value
        self.shown[("§", ref[0] + ref[1], ref[2])] = value
        self.rel({ref: 1, ("§", ref[0] + ref[1], ref[2]): -1})

    # --- the search ---------------------------------------------------------------------

    def bounds(self, ref: Ref) -> tuple[float, float]:
        v = self.shown[ref]
        if not isinstance(v, str):
            return v, v
        return (1, self.grans - 1) if v.startswith("<") else (1, float("inf"))

    def other_value(self, cell: Ref) -> bool:
        of: dict[Ref, list[int]] = {}
        for i, (terms, _) in enumerate(self.relations):
            for r in terms:
                of.setdefault(r, []).append(i)
        gaps = [
            -sum(c * self.true[r] for r, c in terms.items()) if ineq else None
            for terms, ineq in self.relations
        ]
        nodes = [0]

        def repair(delta: dict[Ref, int]) -> bool:
            nodes[0] += 1
            if nodes[0] > 20_000:
                return False
            best = None
            for i in {i for r in delta for i in of.get(r, ())}:
                terms = self.relations[i][0]
                need = -sum(c * delta.get(r, 0) for r, c in terms.items())
                gap = gaps[i]
                if need == 0 or (gap is not None and need >= -gap):
                    continue
                if gap is not None:
                    need += gap
                free = [
                    r for r in terms if r not in delta and self.hidden(r) and need % terms[r] == 0
                ]
                if best is None or len(free) < len(best[2]):
                    best = (i, need, free)
            if best is None:
                return True
            i, need, free = best
            for r in free:
                step = need // self.relations[i][0][r]
                low, high = self.bounds(r)
                if low <= self.true[r] + step <= high:
                    delta[r] = step
                    if repair(delta):
                        return True
                    del delta[r]
            return False

        low, high = self.bounds(cell)
        for step in (1, -1, 2, -2, 3, -3):
            if low <= self.true[cell] + step <= high:
                nodes[0] = 0
                if repair({cell: step}):
                    return True
        return False


def _relations(a: Attack, masked: dict[str, Any], true: dict[str, Any]) -> None:
    tabs = masked["tabeller"]
    for name, t in tabs.items():
        cols = [k["nyckel"] for k in t["kolumner"]]
        for row in t["rader"]:
            for prefix in ("", "i_", "start_", "slut_", "intag_", "avslut_", "n_"):
                if f"{prefix}kvinnor" in cols:
                    a.total(
                        [(name, row, f"{prefix}kvinnor"), (name, row, f"{prefix}män")],
                        (name, row, f"{prefix}totalt"),
                    )
            if name == "per_enhet":
                a.total([(name, row, c) for c in cols if c != "totalt"], (name, row, "totalt"))
        if name in ("slutorsak", "remittent"):
            parts = [r for r in t["rader"] if r != "totalt"]
            for c in cols:
                a.total([(name, r, c) for r in parts], (name, "totalt", c))
    for c in KMT:
        a.total(
            [("period", "arbete", c), ("period", "studier", c)], ("period", "arbete_studier", c)
        )
        a.total(
            [("uppfoljning", "done", c), ("uppfoljning", "ej_uppfoljda", c)],
            ("uppfoljning", "due", c),
        )
        a.total(
            [("uppfoljning", r, c) for r in ("arbete", "studier", "egen")],
            ("uppfoljning", "any", c),
        )
        # The same count in two tables.
        for s in ("arbete", "studier"):
            a.rel({("period", s, c): 1, ("slutorsak", s, c): -1})
        same = "deltagare" if masked["period"]["typ"] == "sedan start" else "nya"
        a.rel({("remittent", "totalt", c): 1, ("period", same, c): -1})
        a.rel({("ledtider", "intag_inskrivning", f"n_{c}"): 1, ("period", "nya", c): -1})
        # Closing reasons that need enrolment ≤ avslutade ≤ those and flyttat/annat/okänd.
        need = [
            ("slutorsak", r, c)
            for r in tabs["slutorsak"]["rader"]
            if r not in (*NOT_ENROLLED_ONLY, *EITHER, "totalt")
        ]
        a.le(need, [("period", "avslutade", c)])
        a.le([("period", "avslutade", c)], [*need, *(("slutorsak", r, c) for r in EITHER)])
        a.le([("period", "nya", c)], [("period", "deltagare", c)])
        a.le([("period", "med_insats", c)], [("period", "avslutade", c)])
        a.le([("period", "med_insats_as", c)], [("period", "arbete_studier", c)])
        a.le([("nojdhet", "svarat", c), ("nojdhet", "avbojt", c)], [("period", "avslutade", c)])
        for r in ("bemotande_antal", "insats_antal"):
            a.le([("nojdhet", "bada_antal", c)], [("nojdhet", r, c)])
            a.le([("nojdhet", r, c)], [("nojdhet", "svarat", c)])
        a.le([("uppfoljning", "any", c)], [("uppfoljning", "done", c)])
        for x in ("intag", "avslut"):
            col = f"{x}_{c}"
            sources = [("forsorjning", s, col) for s in FORSORJNING]
            for s in sources:
                a.le([s], [("forsorjning", "antal", col)])
            a.le([("forsorjning", "antal", col)], sources)
            a.le([("forsorjning", "antal", col)], [("period", "avslutade", c)])
    if "per_enhet" in tabs:
        for row, same in (
            ("avslutade", "avslutade"),
            ("med_insats", "med_insats"),
            ("arbete_studier", "med_insats_as"),
        ):
            a.rel({("per_enhet", row, "totalt"): 1, ("period", same, "totalt"): -1})
    if "perioder" in tabs:
        rows = tabs["perioder"]["rader"]
        for row in rows:
            a.total(
                [("perioder", row, "arbete"), ("perioder", row, "studier")],
                ("perioder", row, "arbete_studier"),
            )
        label = masked["period"]["etikett"]
        events = ("avslutade", "arbete", "studier", "arbete_studier")
        if label in rows:  # the report's own period, as a row
            for k in ("deltagare", *events):
                a.rel({("perioder", label, k): 1, ("period", k, "totalt"): -1})
        if f"{label}H1" in rows and f"{label}H2" in rows:  # a year is its two halves
            for k in events:
                a.total(
                    [("perioder", f"{label}H1", k), ("perioder", f"{label}H2", k)],
                    ("period", k, "totalt"),
                )
    # The goals' basis lines.
    for g in masked["mål"]:
        numbers = [int(n) for n in re.findall(r"(\d+) av (\d+)", g["underlag"]) for n in n]
        if g["nyckel"] == "ettar" and numbers:
            missing = int(re.search(r"(\d+) ej uppföljda", g["underlag"]).group(1))
            a.number(("uppfoljning", "any", "totalt"), numbers[0])
            a.number(("uppfoljning", "done", "totalt"), numbers[1])
            a.number(("uppfoljning", "ej_uppfoljda", "totalt"), missing)
        elif g["nyckel"] == "nojda" and numbers:
            a.number(("nojdhet", "bada_antal", "totalt"), numbers[0])
            a.number(("nojdhet", "svarat", "totalt"), numbers[1])
        elif g["nyckel"] == "ratt-stod" and numbers:
            others = [
                r
                for r in tabs["slutorsak"]["rader"]
                if r not in (*NOT_ENROLLED_ONLY, "arbete", "studier", "totalt")
            ]
            for key, rows, value in (("r", RATT_STOD, numbers[0]), ("o", others, numbers[1])):
                ref = ("§", "ratt-stod", key)
                a.true[ref] = a.shown[ref] = value
                a.rel({**{("slutorsak", r, "totalt"): 1 for r in rows}, ref: -1})
        elif g["nyckel"] == "inflode" and g["utfall"] != "*":
            assert g["utfall"] == true["tabeller"]["period"]["rader"]["nya"]["totalt"]


def _percentages_need_visible_counts(masked: dict[str, Any]) -> None:
    """A percentage shown beside a masked count would give it back: none is."""
    t = masked["tabeller"]
    pairs = [
        ("period", "procent", "period", "arbete_studier"),
        ("period", "med_insats_procent", "period", "med_insats_as"),
        ("nojdhet", "bada", "nojdhet", "bada_antal"),
        ("nojdhet", "bemotande", "nojdhet", "svarat"),
        ("uppfoljning", "procent", "uppfoljning", "done"),
    ]
    for name, row, source_table, source in pairs:
        for c in KMT:
            if isinstance(t[source_table]["rader"][source][c], str):
                assert isinstance(t[name]["rader"][row][c], str), (name, row, c)
    for c in KMT:
        if isinstance(t["period"]["rader"]["avslutade"][c], str):
            for row in ("lamnat_fs_procent", "lamnat_sp_procent"):
                share = t["forsorjning"]["rader"][row][f"avslut_{c}"]
                assert isinstance(share, str) or not share, (row, c)  # 0 % tells nothing


def _attack(run: Invoke, *args: str) -> int:
    masked = json.loads(run("report", *args, "--json").stdout)
    cut = list(args)
    i = cut.index("--maskera")
    del cut[i : i + 2]
    true = json.loads(run("report", *cut, "--json").stdout)
    a = Attack(masked, true)
    _relations(a, masked, true)
    hidden = [r for r in a.shown if a.hidden(r)]
    disclosed = [r for r in hidden if not a.other_value(r)]
    assert not disclosed, [(r, a.shown[r], a.true[r]) for r in disclosed]
    _percentages_need_visible_counts(masked)
    return len(hidden)


@pytest.fixture
def demo(invoke: Invoke) -> Invoke:
    result = invoke("demo", "--datum", "2026-11-22")
    assert result.exit_code == 0, result.stderr
    return invoke


@pytest.mark.parametrize(
    "args",
    [
        ("--tertial", "2026T1", "--maskera", "5"),
        ("--halvår", "2025H2", "--maskera", "3"),
        ("--år", "2024", "--maskera", "5", "--perioder", "2024H1,2024H2"),
    ],
)
def test_no_masked_cell_of_the_demo_can_be_recomputed(demo: Invoke, args: tuple[str, ...]) -> None:
    assert _attack(demo, *args) > 10
    if args[:2] == ("--tertial", "2026T1"):
        # Issue 23: Arbete/studier was Avslutade 16 minus the 12 of "8 av 12" (rätt stöd).
        rep = json.loads(demo("report", *args, "--json").stdout)
        period = rep["tabeller"]["period"]["rader"]
        goal = next(g for g in rep["mål"] if g["nyckel"] == "ratt-stod")
        assert isinstance(period["arbete_studier"]["totalt"], str)
        assert not (isinstance(period["avslutade"]["totalt"], int) and " av " in goal["underlag"])


@pytest.mark.parametrize(
    "args",
    [
        ("--halvår", "2014H1", "--maskera", "3"),
        ("--halvår", "2014H1", "--maskera", "2"),
        ("--sedan-start", "--till", "2014-06-30", "--maskera", "4"),
    ],
)
def test_no_masked_cell_of_a_small_register_can_be_recomputed(
    data: Invoke,  # noqa: F811
    args: tuple[str, ...],
) -> None:
    assert _attack(data, *args) > 0


@pytest.mark.parametrize(
    "args",
    [
        ("--sedan-start", "--till", "2014-06-30", "--maskera", "3"),
        ("--halvår", "2014H1", "--maskera", "2", "--perioder", "2013,2014H1"),
    ],
)
def test_no_masked_cell_of_a_joint_report_can_be_recomputed(
    units: list[Path],  # noqa: F811
    args: tuple[str, ...],
) -> None:
    def run(command: str, *rest: str) -> Any:
        return _joint(units, *rest)

    assert _attack(run, *args) > 0


def test_caseload_per_full_time_is_masked_with_the_cases(data: Invoke) -> None:  # noqa: F811
    """Per heltid = aktiva ärenden ÷ tjänstgöringsgrad gave a masked count back."""
    result = data("report", "--caseload", "--maskera", "10", "--json")
    rows = json.loads(result.stdout)["arbetsbelastning"]["rader"]
    masked = [r for k, r in rows.items() if k != "totalt" and isinstance(r["aktiva_arenden"], str)]
    assert masked
    assert all(isinstance(r["arenden_per_heltid"], str) for r in masked)


HEADLINE = ("deltagare", "nya", "remitterade", "avslutade")


def _hidden(rep: dict[str, Any]) -> tuple[int, int]:
    """The report's "<N" cells and its "*" cells, over every table."""
    texts = [v for t in rep["tabeller"].values() for r in t["rader"].values() for v in r.values()]
    primary = sum(isinstance(v, str) and v.startswith("<") for v in texts)
    return primary, sum(v == "*" for v in texts)


def test_the_headline_figures_stay_shown(demo: Invoke) -> None:
    """The secondary suppression hides few and small counts: on the demo, masking took
    Deltagare, varav nya and Avslutade with it (60, 24, 22) and 171 cells as "*"; a
    headline figure is hidden only when nothing smaller gives the hidden counts a
    second possible value."""
    rep = json.loads(demo("report", "--halvår", "2026H1", "--maskera", "3", "--json").stdout)
    rows = rep["tabeller"]["period"]["rader"]
    for row in HEADLINE:
        assert all(isinstance(rows[row][c], int) for c in KMT), rows[row]
    assert [rows["deltagare"]["totalt"], rows["avslutade"]["totalt"]] == [60, 22]
    primary, secondary = _hidden(rep)
    assert secondary <= 80, (primary, secondary)  # 171 before (99 cells are "<3")
    assert _attack(demo, "--halvår", "2026H1", "--maskera", "3") > 10

    args = ("--tertial", "2026T1", "--maskera", "5")
    rep = json.loads(demo("report", *args, "--json").stdout)
    rows = rep["tabeller"]["period"]["rader"]
    for row in ("deltagare", "nya", "remitterade"):
        assert all(isinstance(rows[row][c], int) for c in KMT), rows[row]
    assert rows["avslutade"]["kvinnor"] == 11
    # Avslutade män must go: the men's five closing reasons that need enrolment are 1
    # each ("<5", so at least 1), and they are at most Avslutade män, 5.
    true = json.loads(demo("report", "--tertial", "2026T1", "--json").stdout)
    reasons = true["tabeller"]["slutorsak"]["rader"]
    men = [r["män"] for k, r in reasons.items() if k not in ("totalt", *EITHER, *NOT_ENROLLED_ONLY)]
    assert sum(1 <= v < 5 for v in men) == true["tabeller"]["period"]["rader"]["avslutade"]["män"]
    assert rows["avslutade"]["män"] == "*"
    primary, secondary = _hidden(rep)
    assert secondary <= 60, (primary, secondary)
