"""Plain report tables, percentages rounded half up, and small-count masking.

A `Tabell` is what every renderer (terminal, JSON, CSV, Markdown, xlsx) draws. A cell's
kind comes from its row if the row says so, else from its column: `antal` (a count),
`procent` (whole percent, None = zero denominator, shown "–"), `median` (days), `netto`
(a difference of two counts, which may be negative) or `text`.

Masking (`maskera`) hides counts from 1 to N-1 as "<N" (zeros stay), then hides further
non-zero cells ("*") until no hidden value can be recomputed; a table, or a report as one
whole across its tables, goals and charts, is masked in `report/mask.py`. `bounds_of` is a
reader's quick check of one table's sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Cell = tuple[str, str]  # (row key, column key)

PRIMAR = "primär"
#: The row under which a pie chart's total (the sum of its slices, a figure the masking
#: protects like a cell) is kept in `Tabell.dolda`.
PAJSUMMA = "§summa"
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
            return f"{format_tal(value)} %"
        if kind in ("median", "tal"):
            return format_tal(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format_tal(value)
        return str(value)

    def varde(self, rad: Rad, kolumn: Kolumn) -> Any:
        """The cell for machines: the number, None, or the mask text."""
        cell = (rad.nyckel, kolumn.nyckel)
        if cell in self.dolda:
            return self.text(rad, kolumn)
        return rad.varden.get(kolumn.nyckel)


#: The sexes of a column heading's last word: "I insats K" is "I insats" for women.
KMT = {"K": "Kvinnor", "M": "Män", "T": "Totalt"}


def grupper(kolumner: list[Kolumn]) -> list[tuple[str, list[Kolumn]]]:
    """The columns grouped by measure for a two-level heading: "I insats K", "I insats M",
    "I insats T" are one group "I insats"; any other column is a group of its own ("")."""
    groups: list[tuple[str, list[Kolumn]]] = []
    for k in kolumner:
        measure, _, sex = k.rubrik.rpartition(" ")
        if sex in KMT and measure and groups and groups[-1][0] == measure:
            groups[-1][1].append(k)
        elif sex in KMT and measure:
            groups.append((measure, [k]))
        else:
            groups.append(("", [k]))
    return [(m, ks) if len(ks) > 1 else ("", ks) for m, ks in groups]


def indrag(etikett: str) -> bool:
    """A sub-row ("varav nya", "till arbete", "i studier"): its label starts in lower case
    and every format indents it under the row above."""
    return etikett[:1].islower()


#: The minus sign people read (U+2212); CSV writes a plain "-" (`output.report`).
MINUS = "\u2212"


def format_tal(value: float | int) -> str:
    """A number as shown to people: one decimal at most, decimal comma, a true minus sign
    (−0,3, never "-0,3" nor a sign lost on a value between −1 and 0)."""
    if float(value).is_integer():
        text = str(abs(int(value)))
    else:
        text = f"{abs(value):.1f}".replace(".", ",")
    return (MINUS + text) if value < 0 and text.strip("0,") else text


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
