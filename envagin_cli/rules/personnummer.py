"""Personnummer: validation, normalisation to 12 digits, kön, födelseår and masking.

python-stdnum checks the Luhn digit and the birth date. Samordningsnummer (day + 60) are
accepted although stdnum refuses them: the day minus 60 is validated as the birth date,
while the check digit is computed over the number as given. Fullwidth digits are
normalised (NFKC); every other non-ASCII digit is refused. A 10-digit number gets its
century from the reference date (the event's date): under 100 years old with `-` or no
separator, 100 or older with `+`.

No message here ever repeats the number. `redact` (kept in `errors`, which every message
passes through) takes anything shaped like one out of a message; `refuse_in` refuses a free
text, a case number or an id that holds a valid one, so it never reaches a table, an
export or a report, nor survives gallring.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from envagin_cli.rules.errors import DOLT as DOLT
from envagin_cli.rules.errors import PERSONNUMMER_FORM, Valideringsfel
from envagin_cli.rules.errors import redact as redact

_SHAPE = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")


@dataclass(frozen=True)
class Personnummer:
    """A validated number: 12 ASCII digits, birth date, kön."""

    nummer: str
    fodd: date
    kon: str
    samordningsnummer: bool

    @property
    def fodelsear(self) -> int:
        return self.fodd.year


def _fel(why: str) -> Valideringsfel:
    return Valideringsfel(f"personnummer: {why}.")


def parse(raw: str, referensdatum: date) -> Personnummer:
    """Validate and normalise; the birth date may not be after `referensdatum`."""
    from stdnum import luhn
    from stdnum.exceptions import ValidationError
    from stdnum.se import personnummer as stdnum_pnr

    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    if not text.isascii():
        raise _fel("får bara innehålla siffrorna 0–9 och '-' eller '+'")
    match = _SHAPE.match(text)
    if not match:
        raise _fel("ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN)")
    birth, sep, tail = match.groups()
    if len(birth) == 6:
        yy = int(birth[:2])
        century = referensdatum.year // 100
        if yy > referensdatum.year % 100:
            century -= 1
        if sep == "+":
            century -= 1
        birth = f"{century:02d}{birth}"
    elif sep == "+":
        raise _fel("'+' används bara i den tiosiffriga formen")
    digits = birth + tail
    if digits[8:11] == "000":
        # Skatteverket never issues serial number 000 (födelsenummer 001–999).
        raise _fel(
            "födelsenumret (de tre siffrorna före kontrollsiffran) får inte vara 000; "
            "det delas aldrig ut"
        )
    day = int(digits[6:8])
    samordning = day > 60
    birth_day = day - 60 if samordning else day
    try:
        luhn.validate(digits[2:])
    except ValidationError as exc:
        raise _fel("kontrollsiffran stämmer inte") from exc
    try:
        fodd = stdnum_pnr.get_birth_date(f"{digits[:6]}{birth_day:02d}-{digits[8:]}")
    except ValidationError as exc:
        raise _fel("födelsedatumet finns inte i kalendern") from exc
    if fodd > referensdatum:
        raise _fel(f"födelsedatumet ligger efter {referensdatum.isoformat()}")
    kon = "man" if int(digits[10]) % 2 else "kvinna"
    return Personnummer(digits, fodd, kon, samordning)


def holds_one(text: str, referensdatum: date | None = None) -> bool:
    """True if `text` holds a valid personnummer or samordningsnummer (check digit and
    birth date) anywhere inside it, e.g. `P198112189876` or `ring 811218-9876`."""
    if len(text) < 10:
        return False
    day = referensdatum or date.today()
    for match in PERSONNUMMER_FORM.finditer(text):
        birth, sep, tail = match.groups()
        plus = "+" if sep and sep in "+\ufe62\uff0b" else "-"
        try:
            parse(f"{birth}{plus}{tail}", day)
        except Valideringsfel:
            continue
        return True
    return False


def refuse_in(text: str, field: str, referensdatum: date | None = None) -> None:
    """Refuse a free text, case number or id holding a valid personnummer (naming the
    field, never the number)."""
    if holds_one(text, referensdatum):
        raise Valideringsfel(
            f"{field}: får inte innehålla ett personnummer eller samordningsnummer; "
            "personnummer anges bara i fältet personnummer."
        )


def looks_like(text: str) -> bool:
    """True if `text` has no letters, so it cannot be a case number and may be a personnummer."""
    normalized = unicodedata.normalize("NFKC", text)
    return not any(ch.isalpha() for ch in normalized) and any(ch.isdigit() for ch in normalized)


def mask(nummer: str | None) -> str:
    """`19811218-****` for a stored 12-digit number; '' when there is none."""
    if not nummer:
        return ""
    return f"{nummer[:8]}-****"
