"""The hash chain over the event log and the audit log: tamper evidence.

Every row of `handelse` and of `granskning` carries `kedja`: SHA-256 (hex) over the
previous row's `kedja` and the row's own content, written in the same transaction as the
row by the one write path (`Register.flush`). The first row's previous hash is 64 zeros.

- An event's content is its columns but the data, as ASCII JSON
  `[id, arende, typ, datum, registrerad, som, os_anvandare, makulerar]`, followed by the
  digest of its data (`data_digests`). Data that names none of the free-text fields
  gallring may remove (`FRITEXT`) is hashed as stored, in one SHA-256. Data that does is
  hashed in two parts: SHA-256 of the data without those fields, then SHA-256 of those
  fields alone. Gallring removes the free text and records, in its audit row (itself
  chained), the second digest of each event it changed (`underlag`: `{"kedja": 2,
  "handelser": {id: digest}}`); `verify` computes the first from the data as it now is.
  So a row anyone can append (a forged gallring row) can explain only that free text is
  gone, never a change of anything else: the rest of the data is still hashed as written.
  (Schema 9 recomputed older chains this way; `domain.verify` and migration
  `0009_sigill_kedja`.)
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


def _json(values: Any) -> bytes:
    if _C_ENCODER is None:
        return _JSON.encode(values).encode("ascii")
    return "".join(_C_ENCODER(values, 0)).encode("ascii")


#: The free-text fields of an event's data that gallring removes (and nothing else): the
#: event log's trigger allows exactly `json_remove` of these (migrations).
FRITEXT = ("remittent_handlaggare", "orsak")
_MARKS = tuple(f'"{key}":' for key in FRITEXT)


def data_digest(data: str) -> bytes:
    """The SHA-256 digest of an event's data as stored."""
    return hashlib.sha256(data.encode("utf-8")).digest()


def has_free_text(data: str) -> bool:
    """Whether the data (as stored) may name a free-text field: then it is hashed in two
    parts (a key inside a string value is escaped, `\\"orsak\\":`, and does not match)."""
    return any(mark in data for mark in _MARKS)


def split_digests(data: str) -> tuple[bytes, bytes]:
    """SHA-256 of the data without the free-text fields, and of those fields alone (each
    as compact ASCII JSON, in the data's own order)."""
    try:
        value = json.loads(data)
    except ValueError:  # not JSON (edited with plain SQL): a digest no valid data has
        return data_digest(data), b""
    free = {k: value.pop(k) for k in FRITEXT if isinstance(value, dict) and k in value}
    return hashlib.sha256(_json(value)).digest(), hashlib.sha256(_json(free)).digest()


def data_digests(data: str, free: bytes | None = None) -> bytes:
    """What an event's link hashes of its data: its SHA-256 as stored, or (data naming a
    free-text field, or `free` given: its free text's digest, recorded by gallring) the
    two digests of `split_digests`."""
    if free is None and not has_free_text(data):
        return data_digest(data)
    rest, own = split_digests(data)
    return rest + (own if free is None else free)


def event_link(prev: str, row: tuple[Any, ...], free: bytes | None = None) -> str:
    """The `kedja` of an event row `(id, arende, typ, datum, registrerad, som,
    os_anvandare, data, makulerar)` after `prev`; `free`: the digest of its free text,
    when gallring removed it."""
    meta = _json([row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[8]])
    return hashlib.sha256(prev.encode("ascii") + meta + data_digests(row[7], free)).hexdigest()


def event_link_v1(prev: str, row: tuple[Any, ...], digest: bytes | None = None) -> str:
    """The link of schema 6 to 8 (the data's digest as stored, or `digest`: the one a
    gallring recorded), for checking an older chain before it is recomputed."""
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
        data = row[7]
        digest = split_digests(data) if has_free_text(data) else None
        own = sha(data.encode("utf-8")).digest() if digest is None else digest[0] + digest[1]
        prev = sha(prev.encode("ascii") + meta + own).hexdigest()
        out.append((*row, prev))
    return out


def chain_audit(prev: str, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Audit rows with their `kedja` appended, chained from `prev`."""
    out = []
    for row in rows:
        prev = audit_link(prev, row)
        out.append((*row, prev))
    return out
