"""The report's charts as plain data: which table, which rows and columns, title and n.

A `Diagram` reads its values from a `Tabell`, so a masked cell is masked in the chart too
(it is left out and named in the chart's note). The charts' own tables (new participants
per month, development per half-year) are built here from the same queries as the report
and masked like every other table. Drawing is `output/diagram.py` (matplotlib); the HTML
document and the xlsx charts read the same `Diagram` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from envagin_cli.report import figures
from envagin_cli.report.tables import PAJSUMMA, Kolumn, Rad, Tabell
from envagin_cli.rules import codes
from envagin_cli.rules.periods import Period

MANADER = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


@dataclass
class Diagram:
    """One chart: bars, a pie or horizontal bars over rows (`kategorier`) of a table."""

    nyckel: str  # the stable file name (without .png/.svg)
    titel: str  # Swedish, with n
    typ: str  # "paj", "staplar" (bars, optional line) or "liggande" (horizontal bars)
    tabell: Tabell
    kategorier: list[str]  # row keys, in order
    serier: list[tuple[str, str]]  # (column key, legend label), drawn as bars or slices
    n: Any  # the number of cases the chart is about (or a mask text)
    xetikett: str = ""
    yetikett: str = ""
    linje: tuple[str, str] | None = None  # (column key, label) drawn as a line
    linje_procent: bool = False  # the line is a share (right-hand axis, 0–100 %)
    blad: str = ""  # the table whose xlsx sheet holds the chart
    noter: list[str] = field(default_factory=list)

    def etikett(self, rad: str) -> str:
        return self.tabell.rad(rad).etikett

    def varde(self, rad: str, kolumn: str) -> Any:
        """The cell's number, None, or its mask text ("<5", "*")."""
        kol = next(k for k in self.tabell.kolumner if k.nyckel == kolumn)
        return self.tabell.varde(self.tabell.rad(rad), kol)

    def dold_rest(self) -> int | None:
        """A pie's masked slices together (the true count of its "Maskerat" slice), or
        None when the pie's total is masked too (the pie is then left out)."""
        kolumn = self.serier[0][0]
        if (PAJSUMMA, kolumn) in self.tabell.dolda:
            return None
        return sum(
            self.tabell.rad(r).varden.get(kolumn) or 0
            for r in self.kategorier
            if (r, kolumn) in self.tabell.dolda
        )

    def maskerade(self) -> list[str]:
        """The bars or slices that are masked, as "label (<5)", for the chart's note."""
        found = []
        for rad in self.kategorier:
            for kolumn, namn in self.serier:
                value = self.varde(rad, kolumn)
                if isinstance(value, str):
                    who = (
                        self.etikett(rad)
                        if len(self.serier) == 1
                        else f"{self.etikett(rad)}, {namn}"
                    )
                    found.append(f"{who} ({value})")
        return found


def n_text(n: Any) -> str:
    return f"n={n}" if n is not None else "n=–"


# --- the charts' own tables --------------------------------------------------------------


def per_manad(source: figures.Kallor, period: Period) -> Tabell:
    """New participants (enrolled) per calendar month of P, with the pro-rata inflow goal
    (over every unit of a joint report, with their inflow targets added up)."""
    p = {"start": period.start.isoformat(), "slut": period.slut.isoformat()}
    units = figures._units(source)
    counts = figures._by_kon(
        figures._rows(
            units,
            f"SELECT substr(a.inskriven, 1, 7), a.kon, count(*) FROM arende a "
            f"WHERE {figures.BASE} AND a.inskriven BETWEEN :start AND :slut GROUP BY 1, 2",
            p,
        )
    )
    arsmal: float | None = figures._targets(units, period.slut).get("inflode")
    whole = period.hela_manader is not None
    rows = []
    first = period.start.replace(day=1)
    while first <= period.slut:
        nxt = (first + timedelta(days=32)).replace(day=1)
        days = (min(nxt - timedelta(days=1), period.slut) - max(first, period.start)).days + 1
        key = first.isoformat()[:7]
        goal = None if arsmal is None else (arsmal / 12 if whole else arsmal * days / 365)
        label = f"{MANADER[first.month - 1]} {first.year}"
        rows.append(Rad(key, label, {**figures._kmt(counts.get(key, {})), "mal": goal}))
        first = nxt
    total = {c: sum(r.varden[c] for r in rows) for c in figures.TRIPLETT}
    goal_total = None if arsmal is None else figures.visat_mal(figures.inflode_mal(arsmal, period))
    rows.append(Rad("totalt", "Totalt", {**total, "mal": goal_total}, summa=True))
    t = Tabell(
        "nya_per_manad",
        "Nya deltagare per månad",
        [*figures.KMT, Kolumn("mal", "Mål (pro rata)", "tal")],
        rows,
        tripletter=[figures.TRIPLETT],
        summagrupper=[([r.nyckel for r in rows[:-1]], "totalt")],
    )
    t.noter.append(
        "Nya: inskrivna (samtycke till samverkan) under månaden. Mål: inflödesmålet per år "
        + ("delat på tolv." if whole else "fördelat på periodens dagar (365 per år).")
        if arsmal is not None
        else "Nya: inskrivna (samtycke till samverkan) under månaden. Inget inflödesmål satt."
    )
    return t


def _half_years(start: date, slut: date) -> list[tuple[str, date, date]]:
    result: list[tuple[str, date, date]] = []
    year, half = start.year, 1 if start.month <= 6 else 2
    while True:
        first = date(year, 1 if half == 1 else 7, 1)
        if first > slut:
            return result
        last = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        result.append((f"{year}H{half}", max(first, start), min(last, slut)))
        year, half = (year, 2) if half == 1 else (year + 1, 1)


def utveckling(source: figures.Kallor, period: Period) -> Tabell:
    """Participants, closed and the share to work/studies per half-year of P."""
    units = figures._units(source)
    rows = []
    for label, start, slut in _half_years(period.start, period.slut):
        p = {"start": start.isoformat(), "slut": slut.isoformat()}
        t = figures._period_table(figures._merged(figures._period_counts(u.conn, p) for u in units))
        rows.append(
            Rad(
                label,
                label,
                {
                    "deltagare": t.rad("deltagare").varden["totalt"],
                    "avslutade": t.rad("avslutade").varden["totalt"],
                    "arbete_studier": t.rad("arbete_studier").varden["totalt"],
                    "procent": t.rad("procent").varden["totalt"],
                },
            )
        )
    t = Tabell(
        "utveckling",
        "Utveckling per halvår",
        [
            Kolumn("deltagare", "Deltagare"),
            Kolumn("avslutade", "Avslutade"),
            Kolumn("arbete_studier", "Arbete/studier"),
            Kolumn("procent", "Procent arbete/studier", "procent"),
        ],
        rows,
        summagrupper=[],
    )
    for r in rows:
        t.harledda[(r.nyckel, "procent")] = [(r.nyckel, "arbete_studier"), (r.nyckel, "avslutade")]
    t.noter.append("Halvåren avgränsade till rapportperioden; första och sista kan vara delar.")
    return t


def chart_tables(source: figures.Kallor, period: Period) -> list[Tabell]:
    """The tables only the charts need: per month, and per half-year since start."""
    tables = [per_manad(source, period)]
    if period.typ == "sedan start":
        tables.append(utveckling(source, period))
    return tables


# --- the charts ---------------------------------------------------------------------------


def diagram(tables: list[Tabell]) -> list[Diagram]:
    """The charts of a report, from its tables (and the charts' own tables among them)."""
    tab = {t.nyckel: t for t in tables}
    result: list[Diagram] = []
    f = tab.get("forsorjning")
    if f is not None:
        for when, name in (("intag", "intag"), ("avslut", "avslut")):
            n = f.varde(f.rad("antal"), _kolumn(f, f"{when}_totalt"))
            result.append(
                Diagram(
                    f"forsorjning-{when}",
                    f"Försörjning vid {name} ({n_text(n)})",
                    "paj",
                    f,
                    list(codes.FORSORJNING),
                    [(f"{when}_totalt", "Totalt")],
                    n,
                    blad="forsorjning",
                    noter=[
                        "Andel av angivna försörjningskällor; en person kan ha flera. "
                        "n = avslutade deltagare med uppgift."
                    ],
                )
            )
    m = tab.get("nya_per_manad")
    if m is not None:
        n = m.varde(m.rad("totalt"), _kolumn(m, "totalt"))
        has_goal = m.rad("totalt").varden.get("mal") is not None
        result.append(
            Diagram(
                "nya-per-manad",
                f"Nya deltagare per månad ({n_text(n)})",
                "staplar",
                m,
                [r.nyckel for r in m.rader if not r.summa],
                [("totalt", "Nya deltagare")],
                n,
                xetikett="Månad",
                yetikett="Antal nya deltagare",
                linje=("mal", "Mål pro rata (inflödesmål per år)") if has_goal else None,
                blad="nya_per_manad",
            )
        )
    s = tab.get("slutorsak")
    if s is not None:
        total = s.rad("totalt")
        shown = [
            r.nyckel
            for r in s.rader
            if not r.summa and (r.varden.get("totalt") or 0) > 0 and r.nyckel != "felregistrering"
        ]
        n = s.varde(total, _kolumn(s, "totalt"))
        result.append(
            Diagram(
                "slutorsak",
                f"Slutorsak för avslutade, per kön ({n_text(n)})",
                "liggande",
                s,
                shown,
                [("kvinnor", "Kvinnor"), ("män", "Män")],
                n,
                xetikett="Antal avslutade",
                yetikett="Slutorsak",
                blad="slutorsak",
            )
        )
    u = tab.get("perioder") or tab.get("utveckling")
    if u is not None and {"deltagare", "avslutade", "procent"} <= {k.nyckel for k in u.kolumner}:
        rows = [r.nyckel for r in u.rader if not r.summa]
        p = tab.get("period")
        n = p.varde(p.rad("deltagare"), _kolumn(p, "totalt")) if p is not None else None
        result.append(
            Diagram(
                "utveckling",
                f"Deltagare, avslutade och andel till arbete/studier över tid ({n_text(n)})",
                "staplar",
                u,
                rows,
                [("deltagare", "Deltagare"), ("avslutade", "Avslutade")],
                n,
                xetikett="Period",
                yetikett="Antal",
                linje=("procent", "Andel avslutade till arbete/studier (%)"),
                linje_procent=True,
                blad=u.nyckel,
                noter=["n = deltagare under hela rapportperioden."],
            )
        )
    return [d for d in result if says_something(d)]


#: No chart is drawn of fewer cases than this (nor below the masking threshold).
MINST = 5


def says_something(d: Diagram) -> bool:
    """Whether the chart carries anything: not a pie of fewer than `MINST` cases (or
    fewer than the masking threshold), not a trend of one period, not a chart whose every
    value is masked."""
    values = [d.varde(r, k) for r in d.kategorier for k, _ in d.serier]
    shown = [v for v in values if isinstance(v, str) or v]
    if shown and all(isinstance(v, str) for v in shown):
        return False  # every value there is masked
    if d.typ == "paj":
        if isinstance(d.n, int) and d.n < max(MINST, d.tabell.maskgrans or 0):
            return False
        if isinstance(d.n, str) and d.n.startswith("<"):
            return False  # n itself is below the masking threshold
    return not (d.nyckel == "utveckling" and len(d.kategorier) < 2)


def _kolumn(t: Tabell, key: str) -> Kolumn:
    return next(k for k in t.kolumner if k.nyckel == key)
