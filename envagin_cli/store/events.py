"""How an event is stored: its registration time, the OS user, its data as JSON.

Events are written only by the register's unit of work (`domain.register.Register`).
"""

from __future__ import annotations

import functools
import getpass
import json
from datetime import UTC, datetime
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


# Compact, as SQLite writes JSON itself (json_remove in gallring): less to store and index.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode(data: dict[str, Any]) -> str:
    """An event's data as stored: JSON (one encoder, reused: imports encode 100k of them)."""
    return _JSON.encode(data)
