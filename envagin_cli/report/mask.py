"""Small-count masking over a whole report: one place, used by every format.

`--maskera N` hides counts from 1 to N-1 as "<N" (primary suppression; zeros stay) and
then hides further counts ("*", secondary suppression) until no hidden value can be
worked out from the rest of the report. The reader this guards against knows every figure
the report shows and every linear relation between them:

- within a table: Kvinnor + Män = Totalt, parts = total (`Tabell.tripletter`,
  `summagrupper`, `kolumngrupper`);
- between tables (`_relations`): the same count in two tables (till arbete in the period
  table and in the slutorsak table, varav nya = the referring parties' total = the
  number of lead times intake → enrolment = the months' total, a unit table's Totalt =
  the period table's), counts that bound each other (avslutade lies between the closing
  reasons that need enrolment and those plus flyttat/annat/okänd; a source of income is
  at most the number with a source, and the sources add up to at least that number;
  nöjda ≤ svarat; a sysselsättning is at most the number with one, and they add up to at
  least that number; the background table's total = varav nya …), and periods that add
  up (a year = its half-years);
- figures shown outside the tables: the goals' basis lines ("8 av 12") and the pie
  charts' totals (the shares of a pie with a "maskerat" slice), each a sum of cells.

A hidden count is known to be 1..N-1 ("<N") or at least 1 ("*"); an inequality is an
equality with an unknown slack of at least 0. A hidden value counts as disclosed unless
another assignment of all hidden values and slacks, consistent with every relation, gives
it a different value (`_Model.witness`, a search from the true values). While a hidden
cell has no such witness, one more change is made near it (`_Model.hide_more`): the least
costly that gives it a witness by itself, else the nearest of the least costly. Costs
(`_Model.cost`): a goal's basis line least (the goal is then shown as masked), then a
count by its size, a table's total after its parts, a "<N" shown as "*" (1 + 1 = 2 under
"<3" gives both away) before a headline figure of the period table (Deltagare, varav nya,
Remitterade, Avslutade; their totals last). Once the cell has a witness, what turned
out not to be needed is shown again, the most costly first. A witness stays valid when
more is hidden, so each search runs once per cell. A pie whose every slice is hidden is
left out (its total and its n hidden).

Then every percentage or median computed from a hidden count is hidden, a net row is
shown whole or hidden whole, and a goal whose outcome or basis uses a hidden figure is
shown as masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from envagin_cli.report.tables import NETTOTYP, PAJSUMMA, PRIMAR, SEKUNDAR, Tabell
from envagin_cli.rules import codes

if TYPE_CHECKING:
    from envagin_cli.report.figures import Rapport
    from envagin_cli.rules.periods import Period

Ref = tuple[str, str, str]  # (table key, row key, column key), or a virtual figure's
KMT = ("kvinnor", "män", "totalt")
#: How long a witness search may go on (steps) before the value counts as disclosed;
#: shorter when only trying which of many counts to hide.
TRY = 300
GOAL = "§mål"  # a goal's basis line, a figure outside the tables
INF = float("inf")
#: The cases that may close before enrolment with a reason that also closes enrolled ones.
_EITHER = (
    codes.SLUTORSAKER_EJ_INSKRIVEN - codes.SLUTORSAKER_FORE_INSKRIVNING - {codes.FELREGISTRERING}
)


class _Model:
    """The report's counts as variables, its relations, and what a reader can know."""

    def __init__(self, tables: Sequence[Tabell], grans: int) -> None:
        self.grans = grans
        self.tables = {t.nyckel: t for t in tables}
        self.value: dict[Ref, int] = {}
        self.virtual: set[Ref] = set()
        self.relations: list[dict[Ref, int]] = []
        self.gap: list[int | None] = []
        self.totals: set[Ref] = set()
        self.of: dict[Ref, list[int]] = {}
        #: a hidden value -> the witness that gives it another value.
        self.proof: dict[Ref, dict[Ref, int]] = {}
        self.nodes = 0
        self.budget = 0
        #: what hiding a figure costs beyond its value (`cost`): 1 for most counts.
        self.headline: dict[Ref, int] = {}
        for t in tables:
            for rad in t.rader:
                for kol in t.kolumner:
                    v = rad.varden.get(kol.nyckel)
                    kind = t.typ(rad, kol)
                    if kind == "antal" and isinstance(v, int) and not isinstance(v, bool):
                        self.value[(t.nyckel, rad.nyckel, kol.nyckel)] = v
        self.cells = set(self.value)

    # --- building ---------------------------------------------------------------------

    def count(self, ref: Ref) -> int | None:
        """A count cell's or a figure's value (None when it is no count or does not exist)."""
        if ref in self.cells or ref in self.virtual:
            return self.value[ref]
        return None

    def relate(
        self, terms: dict[Ref, int], total: Ref | None = None, inequality: bool = False
    ) -> None:
        """Σ coef × value = 0 (or ≤ 0) over count cells; left out when a cell is missing or
        the relation does not hold (a figure whose definition changed: never a wrong proof)."""
        values = {}
        for ref in terms:
            v = self.count(ref)
            if v is None:
                return
            values[ref] = v
        level = sum(c * values[r] for r, c in terms.items())
        if level > 0 or (level and not inequality):
            return
        index = len(self.relations)
        self.relations.append(dict(terms))
        # The slack of an inequality: how far its sum may still rise (None: an equality).
        self.gap.append(-level if inequality else None)
        for ref in terms:
            self.of.setdefault(ref, []).append(index)
        if total is not None:
            self.totals.add(total)

    def total(self, parts: Sequence[Ref], total: Ref) -> None:
        terms: dict[Ref, int] = {}
        for p in parts:
            terms[p] = terms.get(p, 0) + 1
        terms[total] = terms.get(total, 0) - 1
        self.relate(terms, total)

    def equal(self, a: Ref, b: Ref) -> None:
        if a != b:
            self.relate({a: 1, b: -1})

    def at_most(self, small: Sequence[Ref], large: Sequence[Ref]) -> None:
        """Σ small ≤ Σ large."""
        terms: dict[Ref, int] = {}
        for r in small:
            terms[r] = terms.get(r, 0) + 1
        for r in large:
            terms[r] = terms.get(r, 0) - 1
        self.relate({r: c for r, c in terms.items() if c}, inequality=True)

    def figure(self, ref: Ref, parts: Sequence[Ref]) -> None:
        """A figure shown outside the tables, the sum of `parts`."""
        values = [self.count(p) for p in parts]
        if any(v is None for v in values):
            return
        self.virtual.add(ref)
        self.value[ref] = sum(v or 0 for v in values)
        self.total(parts, ref)

    # --- what a reader can know -------------------------------------------------------

    def bounds(self, ref: Ref, dolda: dict[Ref, str]) -> tuple[float, float]:
        v = self.value[ref]
        if ref not in dolda:
            return v, v
        if ref in self.virtual:
            return 0, INF
        return (1, self.grans - 1) if dolda[ref] == PRIMAR else (1, INF)

    def witness(
        self, cell: Ref, dolda: dict[Ref, str], budget: int = 3000
    ) -> dict[Ref, int] | None:
        """Changes to hidden values and slacks, consistent with every relation, that give
        `cell` another value; None when the search finds none within `budget` steps (the
        cell is then taken as disclosed)."""
        self.budget = budget
        low, high = self.bounds(cell, dolda)
        for step in (1, -1, 2, -2, 3, -3):
            if not low <= self.value[cell] + step <= high:
                continue
            delta: dict[Ref, int] = {}
            sums: dict[int, int] = {}  # relation -> Σ coef × change, kept as changes are made
            self.nodes = 0
            self._change(delta, sums, cell, step)
            if self._repair(delta, sums, dolda, 0):
                return delta
        return None

    def _change(self, delta: dict[Ref, int], sums: dict[int, int], ref: Ref, step: int) -> None:
        if step:
            delta[ref] = step
        else:
            step = -delta.pop(ref)
        for i in self.of.get(ref, ()):
            total = sums.get(i, 0) + self.relations[i][ref] * step
            if total:
                sums[i] = total
            else:
                sums.pop(i, None)

    def _repair(
        self, delta: dict[Ref, int], sums: dict[int, int], dolda: dict[Ref, str], depth: int
    ) -> bool:
        self.nodes += 1
        if self.nodes > self.budget or depth > 30:
            return False
        worst: tuple[int, int, list[Ref]] | None = None
        for i, total in sums.items():
            need = -total
            gap = self.gap[i]
            if gap is not None:
                if need >= -gap:
                    continue  # an inequality: its slack takes the change
                need += gap  # the least change that makes it hold again
            rel = self.relations[i]
            free = [r for r in rel if r not in delta and r in dolda and need % rel[r] == 0]
            if worst is None or len(free) < len(worst[2]):
                worst = (i, need, free)
                if not free:
                    return False
        if worst is None:
            return True
        i, need, free = worst
        rel = self.relations[i]
        free.sort(key=lambda r: len(self.of.get(r, ())))
        for ref in free:
            step = need // rel[ref]
            low, high = self.bounds(ref, dolda)
            if not low <= self.value[ref] + step <= high:
                continue
            self._change(delta, sums, ref, step)
            if self._repair(delta, sums, dolda, depth + 1):
                return True
            self._change(delta, sums, ref, 0)
        return False

    def _total(self, ref: Ref) -> bool:
        return ref in self.totals and ref not in self.virtual

    def prove(self, delta: dict[Ref, int]) -> None:
        for ref, step in delta.items():
            if step:
                self.proof[ref] = delta

    def cost(self, ref: Ref) -> tuple[int, int]:
        """What hiding `ref` costs the reader: a goal's basis line least (the goal is shown
        as masked), then small counts before large ones (a pie's total leaves the pie
        out), a headline figure last."""
        if ref[0] == GOAL:
            return 0, self.value[ref]
        if self.value[ref] < 2 * self.grans:
            return 1, self.value[ref]  # too small a headline to keep at others' cost
        return self.headline.get(ref, 1), self.value[ref]

    def protect(self, cell: Ref, dolda: dict[Ref, str]) -> None:
        """Hide more until the disclosed `cell` has a witness, then show again, the most
        costly first, what turned out not to be needed (while every hidden value keeps
        one). Shown "*" rather than "<N" counts as hiding more: it widens what the reader
        knows of a small count to "at least 1"."""
        before = dict(dolda)
        added: list[Ref] = []
        found = None
        for _ in range(1000):
            found = self.witness(cell, dolda)
            if found is not None:
                break
            more = self.hide_more(cell, dolda)
            if more is None:
                break
            added.append(more)
        if found is None:
            self.proof[cell] = {}  # nothing left to hide (cannot happen with counts)
            return
        self.prove(found)
        for ref in sorted(added, key=lambda r: (self.cost(r), r), reverse=True):
            why = dolda[ref]
            if ref in before:
                dolda[ref] = before[ref]  # "<N" again
            else:
                del dolda[ref]
            kept = self.proof.pop(ref, None)
            affected = {c: p for c, p in self.proof.items() if p.get(ref)}
            for c in affected:
                del self.proof[c]
            renewed = []
            for c in [*affected, *([ref] if ref in dolda and ref not in self.proof else [])]:
                again = self.witness(c, dolda)
                if again is None:
                    break
                renewed.append(again)
            else:
                for again in renewed:
                    self.prove(again)
                continue
            dolda[ref] = why  # needed after all
            self.proof.update(affected)
            if kept is not None:
                self.proof[ref] = kept

    def hide_more(self, cell: Ref, dolda: dict[Ref, str]) -> Ref | None:
        """Hide one more count for the disclosed `cell`, or show a hidden "<N" as "*"
        (1 + 1 = 2 under "<3" gives both away). Among the counts near the cell: the least
        costly that gives it a witness by itself, else the nearest of the least costly;
        a "<N" shown as "*" before a headline figure is hidden. Returns the cell changed;
        None if nothing can be done."""
        seen_rel: set[int] = set()
        frontier = {cell}
        reached = {cell}
        levels: list[list[Ref]] = []
        relabel: list[Ref] = [cell] if dolda.get(cell) == PRIMAR else []
        direct = 0
        while frontier and len(levels) < 4:
            rels = {i for r in frontier for i in self.of.get(r, ())} - seen_rel
            seen_rel |= rels
            near = {r for i in rels for r in self.relations[i]}
            found = {r for r in near if r not in dolda and self.value[r] > 0}
            levels.append(sorted(found - {c for lv in levels for c in lv}, key=self._order))
            relabel += sorted(
                {r for r in near if dolda.get(r) == PRIMAR} - set(relabel), key=self._order
            )
            direct = direct or len(relabel)
            frontier = {r for r in near if r in dolda} - reached
            reached |= frontier
        hides = sorted({r for lv in levels for r in lv}, key=self._order)
        common = [r for r in hides if self.cost(r)[0] < HEADLINE_KIND]
        headline = [r for r in hides if self.cost(r)[0] >= HEADLINE_KIND]
        for chosen in [*common[:40], *relabel[:20], *headline]:
            old = dolda.get(chosen)
            dolda[chosen] = SEKUNDAR
            if self.witness(cell, dolda, TRY) is not None:
                return chosen
            if old is None:
                del dolda[chosen]
            else:
                dolda[chosen] = old
        # None alone: the nearest of the least costly kind (a headline only if need be).
        nearest = [(self.cost(r)[0], i, self._order(r)) for i, lv in enumerate(levels) for r in lv]
        nearest = [n for n in nearest if n[0] < HEADLINE_KIND] or nearest
        if nearest and (nearest[0][0] < HEADLINE_KIND or not relabel[:direct]):
            chosen = min(nearest)[2][-1]
        elif relabel[:direct]:
            chosen = relabel[0]  # the cell's own relations only: one at a time
        else:
            return None
        dolda[chosen] = SEKUNDAR
        return chosen

    def _order(self, ref: Ref) -> tuple[int, int, Ref]:
        """By cost; a table's total after its parts (a total hidden takes the table's sums
        with it)."""
        kind, value = self.cost(ref)
        return kind, value + (1000 if self._total(ref) else 0), ref


def _cells(t: Tabell) -> list[Ref]:
    return [(t.nyckel, r.nyckel, k.nyckel) for r in t.rader for k in t.kolumner]


def _within(m: _Model, t: Tabell) -> None:
    """A table's own relations: K + M = T, parts = total by rows and by columns."""
    n = t.nyckel
    for rad in t.rader:
        for k, mm, tt in t.tripletter:
            m.total([(n, rad.nyckel, k), (n, rad.nyckel, mm)], (n, rad.nyckel, tt))
        for delar, total in t.kolumngrupper:
            m.total([(n, rad.nyckel, d) for d in delar], (n, rad.nyckel, total))
    for delar, total in t.summagrupper:
        for kol in t.kolumner:
            m.total([(n, d, kol.nyckel) for d in delar], (n, total, kol.nyckel))


def _additive(
    m: _Model, shown: list[tuple[Period, dict[str, Ref]]], measures: Sequence[str]
) -> None:
    """Counts of events in a period add up over periods that join end to end: every
    cycle of periods (as edges between their first day and the day after their last)
    is a relation, and a period shown twice is the same count twice."""
    from datetime import timedelta

    for measure in measures:
        edges = [
            (p.start, p.slut + timedelta(days=1), refs[measure])
            for p, refs in shown
            if measure in refs
        ]
        parent: dict[Any, Any] = {}
        tree: dict[Any, list[tuple[Any, Ref, int]]] = {}
        for a, b, ref in edges:
            ra, rb = _root(parent, a), _root(parent, b)
            if ra != rb:
                parent[ra] = rb
                tree.setdefault(a, []).append((b, ref, 1))
                tree.setdefault(b, []).append((a, ref, -1))
                continue
            path = _path(tree, b, a)  # from b back to a in the tree; with the edge a cycle
            if path is None:
                continue
            terms: dict[Ref, int] = {ref: 1}
            for r, sign in path:
                terms[r] = terms.get(r, 0) + sign
            m.relate({r: c for r, c in terms.items() if c})


def _root(parent: dict[Any, Any], x: Any) -> Any:
    while parent.setdefault(x, x) != x:
        x = parent[x]
    return x


def _path(tree: dict[Any, list[tuple[Any, Ref, int]]], start: Any, goal: Any) -> Any:
    stack: list[tuple[Any, list[tuple[Ref, int]]]] = [(start, [])]
    seen = {start}
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        for nxt, ref, sign in tree.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, (ref, sign)]))
    return None


def _relations(
    m: _Model,
    period: Period | None,
    perioder: Sequence[tuple[str, Period]],
) -> dict[Ref, list[Ref]]:
    """The relations between tables (see the module's docstring); returns the derived
    cells whose sources lie in another table."""
    tab = m.tables
    derived: dict[Ref, list[Ref]] = {}
    cumulative = period is not None and period.typ == "sedan start"
    if "period" in tab:
        P = "period"
        for c in KMT:
            m.at_most([(P, "nya", c)], [(P, "deltagare", c)])
            m.at_most([(P, "avslutade", c)], [(P, "deltagare", c)])
            m.at_most([(P, "med_insats", c)], [(P, "avslutade", c)])
            m.at_most([(P, "med_insats_as", c)], [(P, "med_insats", c)])
            m.at_most([(P, "med_insats_as", c)], [(P, "arbete_studier", c)])
            m.at_most([(P, "arbete_studier", c)], [(P, "avslutade", c)])
            m.at_most(
                [(P, "arbete_studier", c), (P, "med_insats", c)],
                [(P, "avslutade", c), (P, "med_insats_as", c)],
            )
            if "slutorsak" in tab:
                S = "slutorsak"
                for s in codes.ARBETE_STUDIER:
                    m.equal((P, s, c), (S, s, c))
                need = [
                    (S, s, c) for s in codes.SLUTORSAKER if s not in codes.SLUTORSAKER_EJ_INSKRIVEN
                ]
                m.at_most(need, [(P, "avslutade", c)])
                m.at_most([(P, "avslutade", c)], [*need, *((S, s, c) for s in sorted(_EITHER))])
            if "remittent" in tab:
                m.equal(("remittent", "totalt", c), (P, "deltagare" if cumulative else "nya", c))
            if "ledtider" in tab:
                m.equal(("ledtider", "intag_inskrivning", f"n_{c}"), (P, "nya", c))
            if "nya_per_manad" in tab:
                m.equal(("nya_per_manad", "totalt", c), (P, "nya", c))
            if "nojdhet" in tab:
                m.at_most(
                    [("nojdhet", "svarat", c), ("nojdhet", "avbojt", c)], [(P, "avslutade", c)]
                )
            if "forsorjning" in tab:
                for x in ("intag", "avslut"):
                    m.at_most([("forsorjning", "antal", f"{x}_{c}")], [(P, "avslutade", c)])
                for key in ("lamnat_fs", "lamnat_sp"):
                    derived[("forsorjning", f"{key}_procent", f"avslut_{c}")] = [
                        ("forsorjning", key, f"avslut_{c}"),
                        (P, "avslutade", c),
                    ]
    if "forsorjning" in tab:
        F = "forsorjning"
        off = [s for s in codes.FORSORJNING if s in codes.OFFENTLIG]
        for c in KMT:
            for x in ("intag", "avslut"):
                col = f"{x}_{c}"
                parts = [(F, s, col) for s in codes.FORSORJNING]
                for part in parts:
                    m.at_most([part], [(F, "antal", col)])
                m.at_most([(F, "antal", col)], parts)
                m.at_most([(F, "offentlig", col)], [(F, "antal", col)])
                m.at_most([(F, "offentlig", col)], [(F, s, col) for s in off])
                for s in off:
                    m.at_most([(F, s, col)], [(F, "offentlig", col)])
            for key, source in (("lamnat_fs", "forsorjningsstod"), ("lamnat_sp", "sjukpenning")):
                m.at_most([(F, key, f"avslut_{c}")], [(F, source, f"intag_{c}")])
                m.at_most(
                    [(F, source, f"intag_{c}")],
                    [(F, key, f"avslut_{c}"), (F, source, f"avslut_{c}")],
                )
        for x in ("intag", "avslut"):
            m.figure(
                (F, PAJSUMMA, f"{x}_totalt"), [(F, s, f"{x}_totalt") for s in codes.FORSORJNING]
            )
    if "sysselsattning" in tab:
        Y = "sysselsattning"
        for c in KMT:
            for x in ("intag", "avslut"):
                col = f"{x}_{c}"
                parts = [(Y, s, col) for s in codes.SYSSELSATTNING]
                for part in parts:
                    m.at_most([part], [(Y, "antal", col)])
                m.at_most([(Y, "antal", col)], parts)
                if "period" in tab:
                    m.at_most([(Y, "antal", col)], [("period", "avslutade", c)])
    if "bakgrund" in tab and "period" in tab:
        for c in KMT:
            m.equal(("bakgrund", "totalt", c), ("period", "nya", c))
    if "nojdhet" in tab:
        N = "nojdhet"
        for c in KMT:
            for row in ("bemotande_antal", "insats_antal"):
                m.at_most([(N, "bada_antal", c)], [(N, row, c)])
                m.at_most([(N, row, c)], [(N, "svarat", c)])
            m.at_most(
                [(N, "bemotande_antal", c), (N, "insats_antal", c)],
                [(N, "svarat", c), (N, "bada_antal", c)],
            )
    if "uppfoljning" in tab:
        for c in KMT:
            m.at_most([("uppfoljning", "any", c)], [("uppfoljning", "done", c)])
    if "ledtider" in tab:
        for c in KMT:
            m.at_most([("ledtider", "inom_14", f"n_{c}")], [("ledtider", "kartlaggning", f"n_{c}")])
    if "insatser" in tab:
        for rad in tab["insatser"].rader:
            for c in KMT:
                for x in ("start", "slut"):
                    m.at_most(
                        [("insatser", rad.nyckel, f"{x}_{c}")], [("insatser", rad.nyckel, f"i_{c}")]
                    )
    if "per_enhet" in tab and "period" in tab:
        E = "per_enhet"
        for row, same in (
            ("inskrivna", "deltagare"),
            ("avslutade", "avslutade"),
            ("med_insats", "med_insats"),
            ("arbete_studier", "med_insats_as"),
        ):
            m.equal((E, row, "totalt"), ("period", same, "totalt"))
        for kol in tab[E].kolumner:
            k = kol.nyckel
            m.at_most([(E, "arbete_studier", k)], [(E, "med_insats", k)])
            m.at_most([(E, "med_insats", k)], [(E, "avslutade", k)])
            m.at_most([(E, "avslutade", k)], [(E, "inskrivna", k)])
    if period is not None:
        _periods(m, period, perioder)
    return derived


def _periods(m: _Model, period: Period, perioder: Sequence[tuple[str, Period]]) -> None:
    """The periods shown side by side: the report's, "Utveckling per period" and the
    half-years of the chart over time."""
    from envagin_cli.report.diagram import _half_years
    from envagin_cli.rules.periods import Period as P

    shown: list[tuple[Period, dict[str, Ref]]] = []
    measures = ["avslutade", "arbete", "studier", "arbete_studier"]
    if "period" in m.tables:
        for c in KMT:
            shown.append((period, {f"{k}/{c}": ("period", k, c) for k in ["deltagare", *measures]}))
    if "perioder" in m.tables:
        t = m.tables["perioder"]
        keys = {k.nyckel for k in t.kolumner}
        for _label, q in perioder:
            for c in KMT:
                refs = {}
                for k in ["deltagare", *measures]:
                    col = k if c == "totalt" else f"{k}_{c}"
                    if col in keys:
                        refs[f"{k}/{c}"] = ("perioder", q.etikett, col)
                shown.append((q, refs))
    if "utveckling" in m.tables:
        for label, start, slut in _half_years(period.start, period.slut):
            q = P("halvår", label, start, slut)
            shown.append(
                (
                    q,
                    {
                        f"{k}/totalt": ("utveckling", label, k)
                        for k in ("deltagare", "avslutade", "arbete_studier")
                    },
                )
            )
    _additive(m, shown, [f"{k}/{c}" for k in measures for c in KMT])
    # Participants do not add up over periods, but the same period is the same count.
    for i, (p, refs) in enumerate(shown):
        for q, other in shown[i + 1 :]:
            if (p.start, p.slut) == (q.start, q.slut):
                for key in set(refs) & set(other):
                    if key.startswith("deltagare/"):
                        m.equal(refs[key], other[key])


#: The figures each goal shows (outcome, status and basis), each the sum of cells.
def _goal_figures(key: str) -> list[list[Ref]]:
    if key == "inflode":
        return [[("period", "nya", "totalt")]]
    if key == "ettar":
        u = "uppfoljning"
        return [[(u, r, "totalt")] for r in ("procent", "any", "done", "ej_uppfoljda")]
    if key == "nojda":
        return [[("nojdhet", r, "totalt")] for r in ("bada", "bada_antal", "svarat")]
    if key == "ratt-stod":
        others = [
            s
            for s in codes.SLUTORSAKER
            if s not in codes.SLUTORSAKER_FORE_INSKRIVNING | codes.ARBETE_STUDIER
            and s != codes.FELREGISTRERING
        ]
        return [
            [("slutorsak", s, "totalt") for s in sorted(codes.RATT_STOD)],
            [("slutorsak", s, "totalt") for s in others],
        ]
    if key == "offentlig":
        f = "forsorjning"
        return [
            [(f, "offentlig_procent", "intag_totalt")],
            [(f, "offentlig_procent", "avslut_totalt")],
        ]
    return []


#: The period table's headline rows, hidden only when nothing smaller will do (their
#: totals last), and the rows that come next.
HEADLINE = {"deltagare": 3, "nya": 3, "remitterade": 3, "avslutade": 3, "med_insats": 2}
HEADLINE_KIND = 3


def _headlines(m: _Model) -> None:
    """A headline figure costs more to hide, and so does the same count in another table
    (hiding one copy of it alone would not help)."""
    for row, kind in HEADLINE.items():
        for c in KMT:
            m.headline[("period", row, c)] = kind + (c == "totalt")
    for rel in m.relations:
        if len(rel) == 2 and sorted(rel.values()) == [-1, 1]:
            a, b = rel
            kind = max(m.headline.get(a, 1), m.headline.get(b, 1))
            if kind > 1:
                m.headline[a] = m.headline[b] = kind


def maskera(tabell: Tabell, grans: int) -> None:
    """One table on its own (a report is masked as a whole by `maskera_tabeller`)."""
    maskera_tabeller([tabell], grans)


def maskera_tabeller(
    tables: Sequence[Tabell],
    grans: int,
    rapport: Rapport | None = None,
    perioder: Sequence[tuple[str, Period]] = (),
) -> None:
    """Mask `tables` (a report's and its charts' own, or a single table) as one whole:
    fills each table's `dolda` and, with `rapport`, the goals shown as masked."""
    m = _Model(tables, grans)
    for t in tables:
        t.maskgrans = grans
        t.dolda.clear()
        _within(m, t)
    derived = _relations(m, rapport.period if rapport else None, perioder)
    goal_refs: dict[str, list[Ref]] = {}
    for g in rapport.mal if rapport else []:
        refs = []
        for i, parts in enumerate(_goal_figures(g.nyckel)):
            if len(parts) == 1:
                refs.append(parts[0])
            else:
                ref = (GOAL, g.nyckel, str(i))
                m.figure(ref, parts)
                refs.append(ref)
        goal_refs[g.nyckel] = refs
    _headlines(m)
    dolda: dict[Ref, str] = {}
    for ref in [*(c for t in tables for c in _cells(t)), *sorted(m.virtual)]:
        v = m.count(ref)
        if v is not None and 1 <= v < grans:
            dolda[ref] = PRIMAR
    # A pie whose every slice is hidden would be one "Maskerat" slice: it is left out
    # (its total hidden) and so is its n, which would only bound the hidden slices.
    for ref in sorted(m.virtual):
        if ref[1] == PAJSUMMA and ref not in dolda:
            parts = [p for p in m.relations[m.of[ref][0]] if p != ref]
            if all(p in dolda or not m.value[p] for p in parts):
                for figure in (ref, (ref[0], "antal", ref[2])):
                    if m.count(figure):
                        dolda[figure] = SEKUNDAR
    # Secondary suppression until every hidden count has a witness.
    for _ in range(100_000):
        pending = [r for r in dolda if r not in m.proof]
        if not pending:
            break
        for cell in pending:
            found = m.witness(cell, dolda)
            if found is None:
                m.protect(cell, dolda)
                break
            m.prove(found)
    for t in tables:
        t.dolda.update({(r, c): why for (n, r, c), why in dolda.items() if n == t.nyckel})
    # Derived cells: percentages and medians of a hidden count.
    inputs: dict[Ref, list[Ref]] = {ref: list(kallor) for ref, kallor in derived.items()}
    for t in tables:
        for (r, c), fran in t.harledda.items():
            inputs.setdefault((t.nyckel, r, c), []).extend((t.nyckel, *k) for k in fran)
    for (n, r, c), kallor in inputs.items():
        if any(k in dolda for k in kallor) and n in m.tables:
            dolda[(n, r, c)] = SEKUNDAR
            m.tables[n].dolda[(r, c)] = SEKUNDAR
    _net_rows(m, grans)
    if rapport is not None:
        rapport.maskerade_mal = {
            key
            for key, refs in goal_refs.items()
            if any(
                r in dolda or (r[0] in m.tables and (r[1], r[2]) in m.tables[r[0]].dolda)
                for r in refs
            )
        }
        # A count in a basis line that is none of the figures above (a goal whose
        # definition changed without this list): the goal is masked rather than trusted.
        for g in rapport.mal:
            known = {m.value.get(r) for r in goal_refs.get(g.nyckel, [])}
            stated = re.findall(r"(\d+) av (\d+)|(\d+) ej uppföljda", g.underlag)
            if any(int(n) not in known for found in stated for n in found if n):
                rapport.maskerade_mal.add(g.nyckel)


def _net_rows(m: _Model, grans: int) -> None:
    """A net row is shown whole or hidden whole ("*"): hidden when any of its cells is 1
    to N-1 either way; a unit table's net row and the försörjning table's are one figure."""
    hidden: set[str] = set()
    for t in m.tables.values():
        for rad in t.rader:
            if rad.typ != NETTOTYP:
                continue
            values = [v for v in rad.varden.values() if isinstance(v, int)]
            if any(1 <= abs(v) < grans for v in values):
                hidden.add(rad.nyckel.removeprefix("netto_"))
    for t in m.tables.values():
        for rad in t.rader:
            if rad.typ == NETTOTYP and rad.nyckel.removeprefix("netto_") in hidden:
                for k in rad.varden:
                    t.dolda[(rad.nyckel, k)] = SEKUNDAR
