"""The domain: the register's use cases (a case's events, staff, insatser, goals,
settings, gallring, verify, the demo) over the register unit of work (`register`).

Nothing here knows it runs in a terminal: modules take a connection (or the register
unit of work) and plain values, and raise `rules.errors.EnvaginError` subclasses.

May import: `envagin_cli.store` and `envagin_cli.rules`. Never the report, the
interchange, the output or the command line.
"""
