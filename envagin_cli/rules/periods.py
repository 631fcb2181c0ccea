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
    #: The period has not ended: it is reported up to today (`slut`), see `up_to_today`.
    pagar: bool = False

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

    def i_ord(self) -> str:
        """The period in words, as a report's title: "Halvårsrapport januari–juni 2014",
        "Tertial 2 2014", "År 2014"."""
        year = self.start.year
        if self.typ == "halvår":
            months = "januari–juni" if self.start.month == 1 else "juli–december"
            return f"Halvårsrapport {months} {year}"
        if self.typ == "tertial":
            return f"Tertial {(self.start.month - 1) // 4 + 1} {year}"
        if self.typ == "år":
            return f"År {year}"
        if self.typ == "sedan start":
            return f"Sedan start, t.o.m. {self.slut.isoformat()}"
        return f"Perioden {self.start.isoformat()} – {self.slut.isoformat()}"

    def datum(self) -> str:
        """The exact dates under the title, with "pågår" for a period not yet ended."""
        if self.pagar:
            base = self.etikett.removesuffix(" (t.o.m. idag)")
            return (
                f"{base} (pågår, t.o.m. {self.slut.isoformat()}): {self.start.isoformat()} – "
                f"{self.slut.isoformat()} ({self.dagar} dagar)"
            )
        return f"{self.rubrik()} ({self.dagar} dagar)"


def up_to_today(period: Period, idag: date) -> Period:
    """A period that ends after today is reported up to today ("pågår"); one that starts
    after today is refused: a report counts what has happened."""
    if period.start > idag:
        raise Valideringsfel(
            f"period: {period.etikett} börjar {period.start.isoformat()}, efter idag "
            f"({idag.isoformat()}); en rapport räknar det som har hänt. Välj en period som "
            "har börjat."
        )
    if period.slut <= idag:
        return period
    label = (
        period.etikett if "(t.o.m. idag)" in period.etikett else f"{period.etikett} (t.o.m. idag)"
    )
    return Period(period.typ, label, period.start, idag, pagar=True)


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
        end = _month_end(idag.year, 6 if half == 1 else 12)
        return Period("halvår", f"{idag.year}H{half} (t.o.m. idag)", start, idag, idag < end)
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
        end = _month_end(idag.year, 4 * part)
        return Period("tertial", f"{idag.year}T{part} (t.o.m. idag)", start, idag, idag < end)
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
