"""Dates as users type them, and today's date.

Every date the user sees or filters on is in one stated time zone: `Europe/Stockholm`,
or the zone `ENVAGIN_TZ` names (an IANA name such as `Europe/Helsinki`). "Today" is the
date there, whatever zone the process runs in; registration times are stored in UTC and
shown, and filtered by date, in that zone (`local_time`, `utc_bounds`).

Accepted on the command line: ISO `2014-03-05`, `20140305`, `5 mars 2014` (Swedish month
names, dateutil with a Swedish parserinfo), `idag`, `igår`. Anything partial or ambiguous
(`2014`, `mars 2014`, `05/03/2014`) is refused. Files use `YYYY-MM-DD` only.

Every date lies in the years 1900–2100 (`FORSTA`–`SISTA`): the register's events, goals
and periods do, and the date arithmetic of the figures (a year back, a day on) then
never leaves the calendar Python can count (year 1 to 9999).
"""

from __future__ import annotations

import functools
import os
import re
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as clock
from typing import TYPE_CHECKING, Any

from envagin_cli.rules.errors import Valideringsfel

if TYPE_CHECKING:
    from dateutil.parser import parserinfo

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COMPACT = re.compile(r"^\d{8}$")
_TEXT = re.compile(r"^\d{1,2}\.?\s+[^\W\d_]+\.?\s+\d{4}$")

_SV_MONTHS: list[tuple[str, str] | tuple[str, str, str]] = [
    ("jan", "januari"),
    ("feb", "februari"),
    ("mar", "mars"),
    ("apr", "april"),
    ("maj", "maj"),
    ("jun", "juni"),
    ("jul", "juli"),
    ("aug", "augusti"),
    ("sep", "sept", "september"),
    ("okt", "oktober"),
    ("nov", "november"),
    ("dec", "december"),
]

FORMS = "ÅÅÅÅ-MM-DD, ÅÅÅÅMMDD, '5 mars 2014', idag eller igår"
FORSTA = date(1900, 1, 1)
SISTA = date(2100, 12, 31)


def _within(day: date, field: str) -> date:
    if not FORSTA <= day <= SISTA:
        raise Valideringsfel(
            f"{field}: {day.isoformat()} ligger utanför de datum registret tar "
            f"({FORSTA.year}–{SISTA.year})."
        )
    return day


#: The zone of every date shown or filtered on, unless `ENVAGIN_TZ` names another.
ZONE = "Europe/Stockholm"


def zone() -> tzinfo:
    """The stated time zone: `ENVAGIN_TZ`, or Europe/Stockholm."""
    return _zone(os.environ.get("ENVAGIN_TZ", "").strip() or ZONE)


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Valideringsfel(
            f"ENVAGIN_TZ: '{name[:40]}' är ingen känd tidszon; ange ett namn som "
            f"{ZONE} eller Europe/Helsinki (eller ta bort variabeln)."
        ) from None


def real_today() -> date:
    """The computer's date in the stated zone: no setting moves it. (Read again at most
    once a minute: an import checks it for every row.)"""
    return _real_today(int(time.time()) // 60, zone())


@functools.lru_cache(maxsize=1)
def _real_today(minute: int, where: tzinfo) -> date:
    return datetime.now(where).date()


def local_time(stamp: str) -> str:
    """A stored UTC time (ISO 8601) in the stated zone, ISO with its offset, to the second
    (`2026-11-22T15:03:05+01:00`); a text that is no time is given back as it is."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone()).isoformat(timespec="seconds")


def utc_bounds(first: date | None, last: date | None) -> tuple[str | None, str | None]:
    """The stored-UTC times (ISO, as `events.now` writes them) from the start of `first`
    up to (not including) the end of `last`, both days in the stated zone."""

    def start_of(day: date) -> str:
        local = datetime.combine(day, clock.min, zone())
        return local.astimezone(UTC).isoformat(timespec="seconds")

    return (
        start_of(first) if first else None,
        start_of(last + timedelta(days=1)) if last else None,
    )


def today() -> date:
    """Today's date in the stated zone. `ENVAGIN_IDAG` (YYYY-MM-DD) may set it back: a hook
    for tests and demonstrations only, never after the real date, so no setting lets a
    date after today be recorded."""
    fixed = os.environ.get("ENVAGIN_IDAG")
    if fixed:
        day = parse_file_date(fixed, "ENVAGIN_IDAG")
        real = real_today()
        if day > real:
            raise Valideringsfel(
                f"ENVAGIN_IDAG: {day.isoformat()} ligger efter dagens datum {real.isoformat()}; "
                "den kan bara sätta idag till ett tidigare datum (för demonstrationer och "
                "tester)."
            )
        return day
    return real_today()


@functools.lru_cache(maxsize=4096)
def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months (dateutil: 31 March + 1 month = 30 April)."""
    result: date = day + _months(months)
    return result


@functools.cache
def _months(months: int) -> Any:
    """One `relativedelta` per number of months: making one costs as much as adding it."""
    from dateutil.relativedelta import relativedelta

    return relativedelta(months=months)


def _bad(field: str, value: str, why: str = "") -> Valideringsfel:
    shown = value if len(value) <= 30 else value[:30] + "…"
    extra = f" ({why})" if why else ""
    return Valideringsfel(f"{field}: '{shown}' är inget giltigt datum{extra}. Ange {FORMS}.")


def parse_date(value: str, field: str = "datum", *, idag: date | None = None) -> date:
    """Parse a date typed on the command line, refusing partial and ambiguous forms."""
    text = " ".join(value.strip().lower().split())
    ref = idag or today()
    if text in ("idag", "i dag"):
        return ref
    if text in ("igår", "i går", "igar", "i gar"):
        return ref - timedelta(days=1)
    from dateutil import parser

    try:
        if _ISO.match(text) or _COMPACT.match(text):
            parsed: date = parser.isoparse(text).date()
            return _within(parsed, field)
        if _TEXT.match(text):
            parsed = parser.parse(text, parserinfo=_sv_parserinfo()).date()
            return _within(parsed, field)
    except (ValueError, OverflowError) as exc:
        raise _bad(field, value, "finns inte i kalendern") from exc
    raise _bad(field, value)


def parse_file_date(value: str, field: str = "datum") -> date:
    """A date in a file: YYYY-MM-DD only."""
    text = value.strip()
    if not _ISO.match(text):
        shown = text if len(text) <= 30 else text[:30] + "…"
        raise Valideringsfel(f"{field}: '{shown}' är inget datum på formen ÅÅÅÅ-MM-DD.")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise Valideringsfel(f"{field}: '{text}' finns inte i kalendern.") from exc
    return _within(day, field)


def not_after_today(day: date, field: str = "datum", *, idag: date | None = None) -> None:
    """Refuse a date after today (`idag`, which is itself never after the real date)."""
    ref = min(idag or today(), real_today())
    if day > ref:
        raise Valideringsfel(f"{field}: {day.isoformat()} ligger efter dagens datum {ref}.")


@functools.cache
def _sv_parserinfo() -> parserinfo:
    """Swedish month names for dateutil; built on first use to keep imports cheap."""
    from dateutil import parser

    class SvParserInfo(parser.parserinfo):
        MONTHS = _SV_MONTHS
        JUMP = [" ", ".", ",", "den"]  # noqa: RUF012 - dateutil's own class attribute

    return SvParserInfo(dayfirst=True)
