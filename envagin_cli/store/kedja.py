"""The hash chain over the event log and the audit log: tamper evidence.

Every row of `handelse` and of `granskning` carries `kedja`: SHA-256 (hex) over the
previous row's `kedja` and the row's own content, written in the same transaction as the
row by the one write path (`Register.flush`). The first row's previous hash is 64 zeros.

- An event's content is its columns but the data, as ASCII JSON
  `[id, arende, typ, datum, registrerad, som, os_anvandare, makulerar]`, followed by the
  SHA-256 digest of its data (the JSON text as stored). Hashing the data's digest rather
  than the data lets gallring remove free text from an event and still keep the chain
  verifiable: the gallring's audit row (itself chained) records, for each event it
  changed, the digest of the data before and after (`underlag`), so `verify` accepts the
  new data only when its digest is the one recorded, and then hashes the old digest.
- An audit row's content is `[id, tid, handlaggare, os_anvandare, atgard, arende,
  detaljer, underlag]` as ASCII JSON.

Editing, deleting or inserting a row with plain SQL breaks the chain at that row (or at
the next one). A chain is no secret: someone who rewrites every later hash too is caught
only by comparing the newest hash (`envagin verify` prints it) with one noted elsewhere.

This module imports nothing else of the store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

START = "0" * 64

_make = getattr(json.encoder, "c_make_encoder", None)
_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
# The C encoder made once (JSONEncoder.encode makes a new one for every call).
_C_ENCODER: Callable[[Any, int], tuple[str, ...]] | None = (
    None
    if _make is None
    else _make(
        None,
        _JSON.default,
        json.encoder.encode_basestring_ascii,
        None,
        ":",
        ",",
        False,
        False,
        True,
    )
)


def _json(values: list[Any]) -> bytes:
    if _C_ENCODER is None:
        return _JSON.encode(values).encode("ascii")
    return "".join(_C_ENCODER(values, 0)).encode("ascii")


def data_digest(data: str) -> bytes:
    """The SHA-256 digest of an event's data as stored."""
    return hashlib.sha256(data.encode("utf-8")).digest()


def event_link(prev: str, row: tuple[Any, ...], digest: bytes | None = None) -> str:
    """The `kedja` of an event row `(id, arende, typ, datum, registrerad, som,
    os_anvandare, data, makulerar)` after `prev`; `digest`: its data's digest, if known."""
    meta = _json([row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[8]])
    if digest is None:
        digest = data_digest(row[7])
    return hashlib.sha256(prev.encode("ascii") + meta + digest).hexdigest()


def audit_link(prev: str, row: tuple[Any, ...]) -> str:
    """The `kedja` of an audit row `(id, tid, handlaggare, os_anvandare, atgard, arende,
    detaljer, underlag)` after `prev`."""
    return hashlib.sha256(prev.encode("ascii") + _json(list(row))).hexdigest()


def chain_events(prev: str, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with their `kedja` appended, chained from `prev`."""
    out = []
    sha = hashlib.sha256
    for row in rows:
        meta = _json([row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[8]])
        prev = sha(prev.encode("ascii") + meta + sha(row[7].encode("utf-8")).digest()).hexdigest()
        out.append((*row, prev))
    return out


def chain_audit(prev: str, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Audit rows with their `kedja` appended, chained from `prev`."""
    out = []
    for row in rows:
        prev = audit_link(prev, row)
        out.append((*row, prev))
    return out
