"""Free text typed by users (names, comments, reasons): stored exactly as given, or refused.

Refused: control characters (Unicode category Cc, e.g. a line break or NUL), text that is
empty or only white space where a value is required, and text over the field's limit.
"""

from __future__ import annotations

import re

from envagin_cli.rules.errors import Valideringsfel

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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
    return value
