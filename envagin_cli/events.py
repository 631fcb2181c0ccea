"""Appending to the event log (`handelse`), the only way history is written."""

from __future__ import annotations

import getpass
import json
import sqlite3
from datetime import UTC, date, datetime
from typing import Any


def os_user() -> str:
    """The operating-system user, for the log; '' where it cannot be found."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def now() -> str:
    """The registration time of an event (UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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
            json.dumps(data, ensure_ascii=False, sort_keys=True),
            makulerar,
        ),
    )
    return int(cursor.lastrowid or 0)
