"""Plain report tables, percentages rounded half up, and small-count masking.

A `Tabell` is what every renderer (terminal, JSON, CSV, Markdown, xlsx) draws. A cell's
kind comes from its row if the row says so, else from its column: `antal` (a count),
`procent` (whole percent, None = zero denominator, shown "–"), `median` (days), `netto`
(a difference of two counts, which may be negative) or `text`.

Masking (`maskera`) hides counts from 1 to N-1 as "<N" (zeros stay), then hides further
non-zero cells ("*") until no hidden value can be recomputed from a row's Kvinnor + Män =
Totalt (or another group of columns and their total) or from a column's parts = total,
reasoning as a reader would: a "<N" cell is 1..N-1, a "*" cell any count from 1. Every
percentage or median computed from a hidden count is hidden too. A net row is shown whole
or hidden whole ("*"): hidden when any of its cells is 1 to N-1 either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Cell = tuple[str, str]  # (row key, column key)

PRIMAR = "primär"
#: The kind of a net figure (a count at intake minus a count at closing).
NETTOTYP = "netto"
SEKUNDAR = "sekundär"


def procent(taljare: int, namnare: int) -> int | None:
    """Whole percent rounded half up (2.5 % -> 3 %); None for a zero denominator."""
    if namnare == 0:
        return None
    return (200 * taljare + namnare) // (2 * namnare)


@dataclass
class Kolumn:
    nyckel: str
    rubrik: str
    typ: str = "antal"


@dataclass
class Rad:
    nyckel: str
    etikett: str
    varden: dict[str, Any]
    typ: str | None = None
    summa: bool = False
    #: per-column kinds that override the row's and the column's.
    kolumntyp: dict[str, str] = field(default_factory=dict)


@dataclass
class Tabell:
    nyckel: str
    rubrik: str
    kolumner: list[Kolumn]
    rader: list[Rad]
    noter: list[str] = field(default_factory=list)
    #: (K, M, T) column keys whose counts add up in every count row.
    tripletter: list[tuple[str, str, str]] = field(default_factory=list)
    #: (part row keys, total row key): the parts add up to the total in every count column.
    summagrupper: list[tuple[list[str], str]] = field(default_factory=list)
    #: (part column keys, total column key): the parts add up to the total in every count
    #: row (like `tripletter`, for any number of parts: the units of a joint report).
    kolumngrupper: list[tuple[list[str], str]] = field(default_factory=list)
    #: derived cell -> the count cells it is computed from.
    harledda: dict[Cell, list[Cell]] = field(default_factory=dict)
    #: hidden cells and why (PRIMAR or SEKUNDAR), filled by `maskera`.
    dolda: dict[Cell, str] = field(default_factory=dict)
    maskgrans: int | None = None

    def rad(self, nyckel: str) -> Rad:
        return next(r for r in self.rader if r.nyckel == nyckel)

    def typ(self, rad: Rad, kolumn: Kolumn) -> str:
        return rad.kolumntyp.get(kolumn.nyckel) or rad.typ or kolumn.typ

    def text(self, rad: Rad, kolumn: Kolumn) -> str:
        """The cell as shown to a person (Swedish decimal comma)."""
        cell = (rad.nyckel, kolumn.nyckel)
        if cell in self.dolda:
            return f"<{self.maskgrans}" if self.dolda[cell] == PRIMAR else "*"
        value = rad.varden.get(kolumn.nyckel)
        kind = self.typ(rad, kolumn)
        if value is None:
            return "–" if kind in ("procent", "median", "tal") else ""
        if kind == "procent":
            return f"{value} %"
        if kind in ("median", "tal"):
            return format_tal(value)
        return str(value)

    def varde(self, rad: Rad, kolumn: Kolumn) -> Any:
        """The cell for machines: the number, None, or the mask text."""
        cell = (rad.nyckel, kolumn.nyckel)
        if cell in self.dolda:
            return self.text(rad, kolumn)
        return rad.varden.get(kolumn.nyckel)


def format_tal(value: float | int) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def maskera(tabell: Tabell, grans: int) -> None:
    """Hide small counts and enough other cells that none can be recomputed."""
    tabell.maskgrans = grans
    kolumner = {k.nyckel: k for k in tabell.kolumner}

    def count(cell: Cell) -> int | None:
        rad = tabell.rad(cell[0])
        kol = kolumner[cell[1]]
        value = rad.varden.get(cell[1])
        if tabell.typ(rad, kol) != "antal" or not isinstance(value, int):
            return None
        return value

    for rad in tabell.rader:
        for kol in tabell.kolumner:
            value = count((rad.nyckel, kol.nyckel))
            if value is not None and 1 <= value < grans:
                tabell.dolda[(rad.nyckel, kol.nyckel)] = PRIMAR
    relationer: list[list[Cell]] = []
    for rad in tabell.rader:
        for k, m, t in tabell.tripletter:
            cells = [(rad.nyckel, k), (rad.nyckel, m), (rad.nyckel, t)]
            if all(count(c) is not None for c in cells):
                relationer.append(cells)
    for delar, total in tabell.summagrupper:
        for kol in tabell.kolumner:
            cells = [(d, kol.nyckel) for d in delar] + [(total, kol.nyckel)]
            if all(count(c) is not None for c in cells):
                relationer.append(cells)
    for delar, total in tabell.kolumngrupper:
        for rad in tabell.rader:
            cells = [(rad.nyckel, d) for d in delar] + [(rad.nyckel, total)]
            if all(count(c) is not None for c in cells):
                relationer.append(cells)
    for _ in range(10_000):  # each round hides or relabels one cell, so this ends
        bounds = bounds_of(relationer, tabell.dolda, count, grans)
        pinned = [c for c, (low, high) in bounds.items() if low >= high]
        if not pinned or not _hide_more(pinned[0], relationer, tabell.dolda, count):
            break
    for cell, kallor in tabell.harledda.items():
        if any(k in tabell.dolda for k in kallor):
            tabell.dolda[cell] = SEKUNDAR
    for rad in tabell.rader:
        if rad.typ != NETTOTYP:
            continue
        values = [v for v in rad.varden.values() if isinstance(v, int)]
        if any(1 <= abs(v) < grans for v in values):
            for k in rad.varden:
                tabell.dolda[(rad.nyckel, k)] = SEKUNDAR


def _hide_more(
    cell: Cell, relationer: list[list[Cell]], dolda: dict[Cell, str], count: Any
) -> bool:
    """Hide one more cell in a relation of the pinned `cell`; False if nothing can be done."""
    # Relations of the pinned cell first, then any relation that holds a hidden cell: the
    # pin may come from a sum further away (a small visible grand total).
    near = [r for r in relationer if cell in r]
    far = [r for r in relationer if r not in near and any(c in dolda for c in r)]
    for cells in near + far:
        candidates = [c for c in cells if c not in dolda and count(c)]
        if candidates:
            # The smallest part hides least; the total (last) only when no part is left.
            parts = [c for c in candidates if c != cells[-1]]
            chosen = min(parts, key=lambda c: count(c) or 0) if parts else candidates[0]
            dolda[chosen] = SEKUNDAR
            return True
    # Only small hidden counts are left (e.g. 1 + 1 = 2 under "<3"): showing one of them
    # as "*" hides that it is small, so the sum no longer pins them.
    for cells in (r for r in relationer if cell in r):
        for c in reversed(cells):
            if dolda.get(c) == PRIMAR:
                dolda[c] = SEKUNDAR
                return True
    return False


def bounds_of(
    relationer: list[list[Cell]], dolda: dict[Cell, str], count: Any, grans: int
) -> dict[Cell, tuple[float, float]]:
    """What a reader can know of each hidden cell, from the visible cells and the sums.

    A "<N" cell lies in 1..N-1 and a "*" cell is any count from 1 up (zeros are never
    hidden). Every relation says parts = total (the last cell); the ranges are narrowed
    through all relations until nothing changes. A range of one value is a disclosure.
    """
    inf = float("inf")
    lo: dict[Cell, float] = dict.fromkeys(dolda, 1.0)
    hi: dict[Cell, float] = {c: (grans - 1.0 if k == PRIMAR else inf) for c, k in dolda.items()}
    active = [r for r in relationer if any(c in dolda for c in r)]
    changed = True
    while changed:
        changed = False
        for cells in active:
            sign = {c: (-1 if c == cells[-1] else 1) for c in cells}
            known = sum(sign[c] * (count(c) or 0) for c in cells if c not in dolda)
            hidden = [c for c in cells if c in dolda]
            for cell in hidden:
                others = [o for o in hidden if o != cell]
                low_sum = sum(sign[o] * (lo[o] if sign[o] > 0 else hi[o]) for o in others)
                high_sum = sum(sign[o] * (hi[o] if sign[o] > 0 else lo[o]) for o in others)
                a, b = -known - high_sum, -known - low_sum
                if sign[cell] < 0:
                    a, b = -b, -a
                if a > lo[cell]:
                    lo[cell], changed = a, True
                if b < hi[cell]:
                    hi[cell], changed = b, True
    return {c: (lo[c], hi[c]) for c in dolda}
