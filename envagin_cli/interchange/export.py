"""The interchange format (DOMAIN.md): one row per event, field names = option names.

Field names are matched case-insensitively with `_` = `-` and å/ä/ö = a/a/o; this module
knows them in that folded form (`handelse`, `arende`, `forsorjning`) and writes them
with their Swedish spelling. Export writes the events in effect: the register's rows (staff,
then the catalogue and goals, then goals' statuses and values) first, in the order they
were registered, then the case rows, oldest first, then deactivations (`Kind.group`), so
that the file can be read into an empty register; by default
no personnummer leaves: each person gets a keyed pseudonym (HMAC-SHA256 with a key kept
in the register and never exported), with kön and födelseår.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

from envagin_cli.output import csvfile, jsonout
from envagin_cli.rules import codes, event_kinds
from envagin_cli.rules.event_kinds import event_row

#: Folded field name -> the Swedish spelling written in exports (from the table of kinds).
FIELDS: dict[str, str] = event_kinds.FIELD_NAMES
COMMON = event_kinds.COMMON
#: Event -> the fields its row may give besides the common ones.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {k.code: k.field_names() for k in event_kinds.KINDS}
#: Field order in exported files.
ORDER = [*COMMON] + [f for f in FIELDS if f not in COMMON]

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "_": "-"})


def fold_field(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower().translate(_FOLD)


def _flag(value: bool) -> str:
    return "ja" if value else "nej"


def _join(values: list[str] | None) -> str:
    return ",".join(values or [])


def pseudonym_key(conn: sqlite3.Connection) -> bytes:
    """The register's pseudonym key, made on first use (in the caller's transaction)."""
    row = conn.execute("SELECT varde FROM installning WHERE nyckel = 'pseudonymnyckel'").fetchone()
    if row:
        return bytes.fromhex(row[0])
    key = secrets.token_bytes(32)
    conn.execute(
        "INSERT INTO installning (nyckel, varde) VALUES ('pseudonymnyckel', ?)", (key.hex(),)
    )
    return key


def pseudonym(key: bytes, personnummer: str) -> str:
    """A stable pseudonym for a person: HMAC-SHA256(key, personnummer), 20 hex digits."""
    return hmac.new(key, personnummer.encode(), hashlib.sha256).hexdigest()[:20]


def intake_row(
    data: dict[str, Any],
    ident: sqlite3.Row | dict[str, Any],
    key: bytes | None,
    med_personnummer: bool,
) -> dict[str, str]:
    row = {
        "remittent": data["remittent"],
        "forsorjning": _join(data.get("forsorjning")),
        "ansvarig": data.get("ansvarig") or "",
        "kon": ident["kon"],
        "fodelsear": str(ident["fodelsear"]),
    }
    if data.get("sysselsattning"):
        row["sysselsattning"] = _join(data["sysselsattning"])
    for data_key, name in (("utbildning", "utbildning"), ("tid_offentlig", "tid-offentlig")):
        if data.get(data_key):
            row[name] = data[data_key]
    if ident["skyddad"]:
        row["skyddad"] = "ja"
    number = ident["personnummer"]
    if number and med_personnummer:
        row["personnummer"] = number
    elif number and key is not None:
        row["pseudonym"] = pseudonym(key, number)
    elif ident["pseudonym"]:
        row["pseudonym"] = ident["pseudonym"]
    else:
        row["anonym"] = "ja"
    return row


def _goal_days(conn: sqlite3.Connection) -> dict[int, str]:
    """Goal event id -> the day its target applies from, for the events whose target is in
    the history of targets. A target a register had before targets were dated applies from
    the first day (`fran` NULL); its row carries the register's first day. A standard value
    that was set again before then is left out (a new register starts with it)."""
    first = conn.execute("SELECT min(datum) FROM handelse").fetchone()[0]
    days: dict[int, str] = {}
    for event_id, nyckel, varde, day in conn.execute(
        "SELECT handelse_id, nyckel, varde, fran FROM mal_historik WHERE handelse_id IS NOT NULL"
    ):
        if day is None and varde == codes.MALNYCKLAR[nyckel].standard:
            continue
        days[event_id] = day or first
    return days


def export_rows(
    conn: sqlite3.Connection,
    *,
    fran: date | None = None,
    till: date | None = None,
    med_personnummer: bool = False,
    key: bytes | None = None,
) -> Iterator[dict[str, str]]:
    """The events in effect as interchange rows (folded field names): register rows, case
    rows, deactivations, each part oldest first."""
    where = [
        "h.typ <> 'void'",
        "NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id)",
        "(h.arende IS NULL OR a.makulerad = 0)",
    ]
    params: list[Any] = []
    # A goal row's date is the day its target applies from, filtered below.
    if fran is not None:
        where.append("(h.typ = 'goal' OR h.datum >= ?)")
        params.append(fran.isoformat())
    if till is not None:
        where.append("(h.typ = 'goal' OR h.datum <= ?)")
        params.append(till.isoformat())
    goal_days = _goal_days(conn)
    rows = conn.execute(
        "SELECT h.id, h.arende, h.typ, h.datum, h.som, h.data, i.personnummer, i.kon, "
        "i.fodelsear, i.skyddad, i.pseudonym FROM handelse h "
        "LEFT JOIN arende a ON a.nr = h.arende LEFT JOIN identitet i ON i.id = a.identitet_id "
        f"WHERE {' AND '.join(where)}",
        params,
    ).fetchall()

    def order(r: sqlite3.Row) -> tuple[int, str, int, int]:
        kind = event_kinds.BY_CODE[r["typ"]]
        if not kind.case:
            # Register rows in the order they were registered: each names only what was
            # there then (a goal dated 2014 may have been added by a handläggare who was
            # registered today), which their dates do not tell.
            return (kind.group, "", 0, r["id"])
        return (kind.group, r["datum"], kind.rank, r["id"])

    for r in sorted(rows, key=order):
        data = json.loads(r["data"])
        typ = r["typ"]
        datum = r["datum"]
        if typ == "goal":
            if r["id"] not in goal_days:
                continue  # set before dated targets and replaced: it never applied
            datum = goal_days[r["id"]]
            if (fran and datum < fran.isoformat()) or (till and datum > till.isoformat()):
                continue
        out: dict[str, str] = {
            "handelse": typ,
            "arende": r["arende"] or "",
            "datum": datum,
            "som": r["som"],
        }
        if typ == "intake":
            out.update(intake_row(data, r, key, med_personnummer))
        else:
            out.update(event_row(typ, data))
        yield out


def write_csv(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    """`;`-separated UTF-8 with BOM (Swedish Excel), Swedish field names, no formulas."""
    return csvfile.encode(
        [[FIELDS[c] for c in columns], *([row.get(c, "") for c in columns] for row in rows)]
    )


def write_jsonl(rows: list[dict[str, str]]) -> bytes:
    lines = [jsonout.line({FIELDS[k]: v for k, v in row.items() if v != ""}) for row in rows]
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def export(
    conn: sqlite3.Connection,
    *,
    som: str | None,
    fran: date | None,
    till: date | None,
    med_personnummer: bool,
    fmt: str,
    target: str,
) -> tuple[bytes, int]:
    """The file's bytes and its number of rows; audited when it holds personnummer."""
    from envagin_cli.domain.register import unit

    with unit(conn) as reg:
        if med_personnummer:
            actor = reg.leader(som, "exportera personnummer")
            reg.audit(actor, "export med personnummer", detaljer=f"till {target}")
            key = None
        else:
            key = pseudonym_key(conn)
        rows = list(
            export_rows(conn, fran=fran, till=till, med_personnummer=med_personnummer, key=key)
        )
    if fmt == "jsonl":
        return write_jsonl(rows), len(rows)
    # A void's fields never leave (the events in effect do); an absence's reason does.
    hidden = {"handelse-id"} | (set() if med_personnummer else {"personnummer"})
    if not any(row.get("orsak") for row in rows):
        hidden.add("orsak")
    columns = [c for c in ORDER if c not in hidden]
    return write_csv(rows, columns), len(rows)
