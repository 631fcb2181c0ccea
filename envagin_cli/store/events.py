"""How an event is stored: its registration time, the OS user, its data as JSON.

Events are written only by the register's unit of work (`domain.register.Register`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any


@functools.cache
def os_user() -> str:
    """The operating-system login of the process's real user id, for the log and for
    who may act (`Register.actor`). Not `getpass.getuser()`, which trusts the environment
    (`LOGNAME=someone envagin ...`); a user id with no name is given as its number."""
    import os
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, OSError):
        return str(os.getuid())


def now() -> str:
    """The registration time of an event (UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# Compact, as SQLite writes JSON itself (json_remove in gallring): less to store and index.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The standard library's C encoder, made once with the same settings (`JSONEncoder.encode`
# makes a new one for every call, which is a third of its time for an event's small dict;
# no cycle check, as an event's data is plain values built by the domain).
_make = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODER: Callable[[Any, int], tuple[str, ...]] | None = (
    None
    if _make is None
    else _make(
        None, _JSON.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
)


def encode(data: dict[str, Any]) -> str:
    """An event's data as stored: JSON (one encoder, reused: imports encode 100k of them)."""
    if _C_ENCODER is None:
        return _JSON.encode(data)
    return "".join(_C_ENCODER(data, 0))
