"""Domain exceptions. The CLI maps them to a Swedish message on stderr and an exit code.

Messages never contain a personnummer: a message is built from what a user typed, so
every message is passed through `redact` when the error is made (the command line passes
its own messages, and Typer's usage errors, through it too).
"""

import re
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# A personnummer inside a longer text: 6 or 8 digits, an optional separator (a hyphen or
# dash of any kind, '+', a space), 4 digits, and no digit either side. `\d` is any
# Unicode digit (fullwidth too), so the shape is wider than what `personnummer.parse`
# accepts: a message is redacted conservatively.
_SEPARATORS = "-+\ufe62\uff0b \u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
PERSONNUMMER_FORM = re.compile(rf"(?<!\d)(\d{{6}}|\d{{8}})([{_SEPARATORS}]?)(\d{{4}})(?!\d)")
#: What stands in a message where a personnummer-shaped number was.
DOLT = "[personnummer]"


def redact(text: str) -> str:
    """`text` with every number shaped like a personnummer (valid or not, 10 or 12
    digits, with or without a separator, samordningsnummer too) replaced by
    `[personnummer]`: a message may repeat what a user typed, never such a number."""
    if len(text) < 10:
        return text
    return PERSONNUMMER_FORM.sub(DOLT, text)


class EnvaginError(Exception):
    """Base class: a refused command. Nothing has been written.

    One refusal may give several reasons (`messages`), one per field, each starting with
    the field's name: a row or a command with two bad values hears of both at once.
    """

    exit_code = 1

    def __init__(self, *messages: str) -> None:
        messages = tuple(redact(m) for m in messages)
        super().__init__(*messages)
        self.messages = list(messages)

    def __str__(self) -> str:
        return " ".join(self.messages)


class Valideringsfel(EnvaginError):
    """A value is not allowed (unknown code, bad date, bad number)."""


class Regelfel(EnvaginError):
    """The state machine refuses the event (order, consent, closed case, ...)."""


class Behorighetsfel(EnvaginError):
    """The acting handläggare may not do this."""


class Databasfel(EnvaginError):
    """The database file cannot be used (missing, not SQLite, newer version, read-only)."""


class Skadad(Databasfel):
    """The register file is damaged: SQLite cannot read part of it (`verify` exits 3)."""


class Upptagen(EnvaginError):
    """Another process holds the write lock longer than the busy timeout."""

    exit_code = 75


class Checks:
    """Collects the refusals of values checked one by one, to give them all at once.

    `checks(parse, value, ...)` returns what `parse` returns, or None after noting its
    refusal; `checks.done()` raises them all as one `Valideringsfel`.
    """

    __slots__ = ("messages",)

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, check: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return check(*args, **kwargs)
        except Valideringsfel as exc:
            self.messages.extend(exc.messages)
            return None  # type: ignore[return-value]  # done() raises before it is used

    def note(self, exc: Valideringsfel) -> None:
        self.messages.extend(exc.messages)

    def done(self, *, check_only: bool = False) -> None:
        """Raise the refusals noted; with `check_only` (an import row that has refusals of
        its own), stop here even when there are none: nothing may be recorded."""
        if self.messages:
            raise Valideringsfel(*self.messages)
        if check_only:
            raise Kontrollerad


class Kontrollerad(Exception):
    """Every value was checked and none was refused; nothing was recorded (check only)."""


_OS_FEL = {
    "ENOENT": "filen finns inte",
    "EACCES": "behörighet saknas",
    "EPERM": "behörighet saknas",
    "EISDIR": "det är en mapp",
    "ENOTDIR": "en del av sökvägen är inte en mapp",
    "ENOSPC": "disken är full",
    "EROFS": "filsystemet är skrivskyddat",
    "EEXIST": "filen finns redan",
    "EDQUOT": "diskkvoten är slut",
    "ENAMETOOLONG": "sökvägen (eller ett namn i den) är för lång",
    "ELOOP": "för många symboliska länkar i sökvägen",
    "EFBIG": "filen är för stor",
    "ENXIO": "enheten eller den andra änden finns inte",
    "EINVAL": "ogiltig sökväg",
}


def kort(text: str, most: int = 80) -> str:
    """A long value (a path of 5 000 characters) shortened for a message: its start and end."""
    if len(text) <= most:
        return text
    return f"{text[: most - 21]}…{text[-20:]} ({len(text)} tecken)"


def os_fel(exc: OSError) -> str:
    """An operating-system error in Swedish ("filen finns inte"), else its own words."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_FEL.get(name) or exc.strerror or str(exc)
