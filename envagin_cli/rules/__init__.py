"""The rules: what the register's words and values mean, with no file behind them.

Holds the errors every layer raises (`errors`), the code lists (`codes`), the table of
event kinds (`event_kinds`), the case state machine (`lifecycle`), dates and periods,
the personnummer, free text and when two events are the same (`sameness`). Everything
here is pure: plain values in, plain values or an `errors.EnvaginError` out.

May import: the standard library and small pure libraries (dateutil, stdnum). Never
SQLite (sqlite3, sqlite_utils) and no other envagin_cli package: it is the lowest layer.
(An event kind names the domain function that applies it as a string, imported on use.)
Kept by the import-linter contracts in pyproject.toml (tests/test_layout.py runs them).
"""
