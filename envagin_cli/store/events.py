"""Appending to the event log (`handelse`), the only way history is written."""

from __future__ import annotations

import functools
import getpass
import json
import sqlite3
from datetime import UTC, date, datetime
from typing import Any


@functools.cache
def os_user() -> str:
    """The operating-system user, for the log; '' where it cannot be found."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def now() -> str:
    """The registration time of an event (UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


_JSON = json.JSONEncoder(ensure_ascii=False)


def encode(data: dict[str, Any]) -> str:
    """An event's data as stored: JSON (one encoder, reused: imports encode 100k of them)."""
    return _JSON.encode(data)


def append(
    conn: sqlite3.Connection,
    *,
    typ: str,
    datum: date,
    som: str,
    data: dict[str, Any],
    arende: str | None = None,
    makulerar: int | None = None,
) -> int:
    """Append one event in the caller's transaction and return its id."""
    cursor = conn.execute(
        "INSERT INTO handelse (arende, typ, datum, registrerad, som, os_anvandare, data, "
        "makulerar) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            arende,
            typ,
            datum.isoformat(),
            now(),
            som,
            os_user(),
            encode(data),
            makulerar,
        ),
    )
    return int(cursor.lastrowid or 0)
