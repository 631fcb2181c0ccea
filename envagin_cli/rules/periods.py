"""Report periods (DOMAIN.md "Periods").

`halvår` H1 = Jan–Jun, H2 = Jul–Dec (`2014H1`, `2014:1`, `2014-H1`); `tertial` T1 = Jan–Apr,
T2 = May–Aug, T3 = Sep–Dec (`2014T2`, `2014:2`, `2014-T2`); `år` (`2014`); an explicit
`från`/`till` range; `sedan start` (cumulative from the first intake up to a date). A bare
`halvår` or `tertial` is the current one up to today. Every period knows its exact dates
and whether it is made of whole calendar months (for pro-rata goals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from envagin_cli.rules.errors import Valideringsfel

#: The value a bare `--halvår`/`--tertial` gets on the command line.
AKTUELL = "aktuell"

_HALF = re.compile(r"^(\d{4})\s*(?:[-:]?\s*[hH]|:)\s*([12])$")
_TERTIAL = re.compile(r"^(\d{4})\s*(?:[-:]?\s*[tT]|:)\s*([123])$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Period:
    typ: str
    etikett: str
    start: date
    slut: date

    @property
    def dagar(self) -> int:
        return (self.slut - self.start).days + 1

    @property
    def hela_manader(self) -> int | None:
        """The number of whole calendar months, or None if the period is not made of them."""
        if self.start.day != 1 or (self.slut + timedelta(days=1)).day != 1:
            return None
        return (self.slut.year - self.start.year) * 12 + self.slut.month - self.start.month + 1

    def rubrik(self) -> str:
        return f"{self.etikett}: {self.start.isoformat()} – {self.slut.isoformat()}"


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _check_year(year: int, field: str) -> None:
    if not 2000 <= year <= 2100:
        raise Valideringsfel(f"{field}: året {year} ligger utanför 2000–2100.")


def halvar(value: str, idag: date) -> Period:
    if value == AKTUELL:
        half = 1 if idag.month <= 6 else 2
        start = date(idag.year, 1 if half == 1 else 7, 1)
        return Period("halvår", f"{idag.year}H{half} (t.o.m. idag)", start, idag)
    match = _HALF.match(value.strip())
    if not match:
        raise Valideringsfel(
            f"halvår: '{value[:20]}' är inget halvår; skriv t.ex. 2014H1, 2014:1 eller 2014-H2."
        )
    year, half = int(match.group(1)), int(match.group(2))
    _check_year(year, "halvår")
    start = date(year, 1 if half == 1 else 7, 1)
    return Period("halvår", f"{year}H{half}", start, _month_end(year, 6 if half == 1 else 12))


def tertial(value: str, idag: date) -> Period:
    if value == AKTUELL:
        part = (idag.month - 1) // 4 + 1
        start = date(idag.year, 4 * (part - 1) + 1, 1)
        return Period("tertial", f"{idag.year}T{part} (t.o.m. idag)", start, idag)
    match = _TERTIAL.match(value.strip())
    if not match:
        raise Valideringsfel(
            f"tertial: '{value[:20]}' är inget tertial; skriv t.ex. 2014T2, 2014:2 eller 2014-T3."
        )
    year, part = int(match.group(1)), int(match.group(2))
    _check_year(year, "tertial")
    start = date(year, 4 * (part - 1) + 1, 1)
    return Period("tertial", f"{year}T{part}", start, _month_end(year, 4 * part))


def ar(value: str) -> Period:
    text = value.strip()
    if not _YEAR.match(text):
        raise Valideringsfel(f"år: '{value[:20]}' är inget år; skriv fyra siffror, t.ex. 2014.")
    year = int(text)
    _check_year(year, "år")
    return Period("år", text, date(year, 1, 1), date(year, 12, 31))


def intervall(fran: date, till: date) -> Period:
    if till < fran:
        raise Valideringsfel(
            f"till: {till.isoformat()} ligger före från-datumet {fran.isoformat()}."
        )
    return Period("intervall", f"{fran.isoformat()}–{till.isoformat()}", fran, till)


def sedan_start(forsta: date, till: date) -> Period:
    start = min(forsta, till)
    return Period("sedan start", f"Ackumulerat t.o.m. {till.isoformat()}", start, till)
