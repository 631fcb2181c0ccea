"""Free text typed by users (names, comments, reasons): stored exactly as given, or refused.

Refused: control characters (Unicode category Cc, e.g. a line break or NUL), a lone
surrogate (not Unicode text: invalid UTF-8 on the command line, `\\ud800` in JSON), text
that is empty or only white space where a value is required, text over the field's
limit, and text holding a valid personnummer (it would reach tables, exports and
reports, and survive gallring; a personnummer belongs in its own field only).
"""

from __future__ import annotations

import re

from envagin_cli.rules import personnummer
from envagin_cli.rules.errors import Valideringsfel

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def check(value: str | None, field: str, most: int, *, required: bool = False) -> str | None:
    """The text unchanged, None when empty and optional; else a refusal naming the field."""
    if value is None or not value.strip():
        if required:
            raise Valideringsfel(f"{field}: får inte vara tom.")
        return None
    if len(value) > most:
        raise Valideringsfel(f"{field}: högst {most} tecken ({len(value)} angavs).")
    if _CONTROL.search(value):
        raise Valideringsfel(f"{field}: styrtecken (t.ex. radbrytning) är inte tillåtna.")
    unicode_text(value, field)
    personnummer.refuse_in(value, field)
    return value


def unicode_text(value: str, field: str) -> None:
    """Refuse a lone surrogate: text that was not valid UTF-8 (or JSON's `\\ud800`)."""
    if _SURROGATE.search(value):
        raise Valideringsfel(
            f"{field}: ogiltiga tecken (ingen giltig UTF-8 eller Unicode); skriv texten igen."
        )
