"""Domain exceptions. The CLI maps them to a Swedish message on stderr and an exit code.

Messages never contain a personnummer.
"""


class EnvaginError(Exception):
    """Base class: a refused command. Nothing has been written."""

    exit_code = 1


class Valideringsfel(EnvaginError):
    """A value is not allowed (unknown code, bad date, bad number)."""


class Regelfel(EnvaginError):
    """The state machine refuses the event (order, consent, closed case, ...)."""


class Behorighetsfel(EnvaginError):
    """The acting handläggare may not do this."""


class Databasfel(EnvaginError):
    """The database file cannot be used (missing, not SQLite, newer version, read-only)."""


class Upptagen(EnvaginError):
    """Another process holds the write lock longer than the busy timeout."""

    exit_code = 75
