"""The interchange format (DOMAIN.md): one row per event, field names = option names.

Field names are matched case-insensitively with `_` = `-` and å/ä/ö = a/a/o; this module
knows them in that folded form (`handelse`, `arende`, `forsorjning`) and writes them
with their Swedish spelling. Export writes the events in effect, oldest first; by default
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

from envagin_cli.domain import lifecycle

#: Folded field name -> the Swedish spelling written in exports.
FIELDS: dict[str, str] = {
    "handelse": "händelse",
    "arende": "ärende",
    "datum": "datum",
    "som": "som",
    "id": "id",
    "namn": "namn",
    "part": "part",
    "roll": "roll",
    "tjanstgoringsgrad": "tjänstgöringsgrad",
    "kod": "kod",
    "mal": "mål",
    "varde": "värde",
    "personnummer": "personnummer",
    "pseudonym": "pseudonym",
    "anonym": "anonym",
    "kon": "kön",
    "fodelsear": "födelseår",
    "skyddad": "skyddad",
    "remittent": "remittent",
    "forsorjning": "försörjning",
    "ansvarig": "ansvarig",
    "omfattning": "omfattning",
    "handlaggare": "handläggare",
    "remittent-handlaggare": "remittent-handläggare",
    "avslutande": "avslutande",
    "insats": "insats",
    "utforare": "utförare",
    "byt": "byt",
    "slutorsak": "slutorsak",
    "nojd-bemotande": "nöjd-bemötande",
    "nojd-insats": "nöjd-insats",
    "ingen-enkat": "ingen-enkät",
    "sysselsattning": "sysselsättning",
    "handelse-id": "händelse-id",
    "orsak": "orsak",
}

COMMON = ("handelse", "arende", "datum", "som")

#: Event -> the fields its row may give besides the common ones.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "staff": ("id", "namn", "part", "roll", "tjanstgoringsgrad"),
    "staff-deactivate": ("id",),
    "insats-add": ("kod", "namn", "part"),
    "insats-deactivate": ("kod",),
    "goal": ("mal", "varde"),
    "intake": (
        "personnummer",
        "pseudonym",
        "anonym",
        "kon",
        "fodelsear",
        "skyddad",
        "remittent",
        "forsorjning",
        "ansvarig",
    ),
    "consent": ("omfattning",),
    "consent-withdrawn": ("omfattning",),
    "map-start": ("handlaggare",),
    "map-done": (),
    "tripartite": ("handlaggare", "remittent-handlaggare", "avslutande"),
    "assign": ("insats", "utforare", "byt"),
    "assign-end": ("insats",),
    "responsible": ("ansvarig",),
    "close": ("slutorsak", "forsorjning", "nojd-bemotande", "nojd-insats", "ingen-enkat"),
    "followup": ("sysselsattning", "forsorjning"),
    "void": ("handelse-id", "orsak"),
}
CASE_EVENTS = frozenset(
    {
        "intake",
        "consent",
        "consent-withdrawn",
        "map-start",
        "map-done",
        "tripartite",
        "assign",
        "assign-end",
        "responsible",
        "close",
        "followup",
        "void",
    }
)
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


def case_row(typ: str, data: dict[str, Any]) -> dict[str, str]:
    """The fields of a case event (besides händelse, ärende, datum, som) as strings."""
    if typ in ("consent", "consent-withdrawn"):
        return {"omfattning": _join(data.get("omfattning"))}
    if typ == "map-start":
        return {"handlaggare": _join(data.get("handlaggare"))}
    if typ == "map-done":
        return {}
    if typ == "tripartite":
        return {
            "handlaggare": _join(data.get("handlaggare")),
            "remittent-handlaggare": data.get("remittent_handlaggare") or "",
            "avslutande": _flag(bool(data.get("avslutande"))),
        }
    if typ == "assign":
        return {
            "insats": data["insats"],
            "utforare": data["utforare"],
            "byt": _flag(bool(data.get("byt"))),
        }
    if typ == "assign-end":
        return {"insats": data["insats"]}
    if typ == "responsible":
        return {"ansvarig": data["ansvarig"]}
    if typ == "close":
        row = {"slutorsak": data["slutorsak"], "forsorjning": _join(data.get("forsorjning"))}
        if data.get("nojd_bemotande") is not None:
            row["nojd-bemotande"] = str(data["nojd_bemotande"])
            row["nojd-insats"] = str(data["nojd_insats"])
        row["ingen-enkat"] = _flag(bool(data.get("ingen_enkat")))
        return row
    if typ == "followup":
        return {
            "sysselsattning": data["sysselsattning"],
            "forsorjning": _join(data.get("forsorjning")),
        }
    raise ValueError(typ)


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


_RANK = {"staff": -4, "insats-add": -3, "goal": -2, "staff-deactivate": 10, "insats-deactivate": 10}


def export_rows(
    conn: sqlite3.Connection,
    *,
    fran: date | None = None,
    till: date | None = None,
    med_personnummer: bool = False,
    key: bytes | None = None,
) -> Iterator[dict[str, str]]:
    """The events in effect, oldest first, as interchange rows (folded field names)."""
    where = [
        "h.typ <> 'void'",
        "NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id)",
        "(h.arende IS NULL OR a.makulerad = 0)",
    ]
    params: list[Any] = []
    if fran is not None:
        where.append("h.datum >= ?")
        params.append(fran.isoformat())
    if till is not None:
        where.append("h.datum <= ?")
        params.append(till.isoformat())
    rows = conn.execute(
        "SELECT h.id, h.arende, h.typ, h.datum, h.som, h.data, i.personnummer, i.kon, "
        "i.fodelsear, i.skyddad, i.pseudonym FROM handelse h "
        "LEFT JOIN arende a ON a.nr = h.arende LEFT JOIN identitet i ON i.id = a.identitet_id "
        f"WHERE {' AND '.join(where)}",
        params,
    ).fetchall()

    def order(r: sqlite3.Row) -> tuple[str, int, int]:
        rank = _RANK.get(r["typ"])
        if rank is None:
            rank = lifecycle._RANK.get(r["typ"], 5)
        return (r["datum"], rank, r["id"])

    for r in sorted(rows, key=order):
        data = json.loads(r["data"])
        typ = r["typ"]
        out: dict[str, str] = {
            "handelse": typ,
            "arende": r["arende"] or "",
            "datum": r["datum"],
            "som": r["som"],
        }
        if typ == "intake":
            out.update(intake_row(data, r, key, med_personnummer))
        elif typ in CASE_EVENTS:
            out.update(case_row(typ, data))
        elif typ == "staff":
            out.update(
                {
                    "id": data["id"],
                    "namn": data["namn"],
                    "part": data["part"],
                    "roll": data["roll"],
                    "tjanstgoringsgrad": str(data["tjanstgoringsgrad"]),
                }
            )
        elif typ == "staff-deactivate":
            out["id"] = data["id"]
        elif typ == "insats-add":
            out.update({"kod": data["kod"], "namn": data["namn"], "part": data["part"]})
        elif typ == "insats-deactivate":
            out["kod"] = data["kod"]
        elif typ == "goal":
            if "atgard" in data:
                continue  # milestones and indicators are not part of the interchange format
            value = data.get("varde")
            out.update({"mal": data["mal"], "varde": "ingen" if value is None else f"{value:g}"})
        yield out


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: prefix it with '."""
    return "'" + value if value.startswith(_FORMULA) else value


def unneutralise(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def write_csv(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    """`;`-separated UTF-8 with BOM (Swedish Excel), Swedish field names, no formulas."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([FIELDS[c] for c in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(c, "")) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_jsonl(rows: list[dict[str, str]]) -> bytes:
    lines = [
        json.dumps({FIELDS[k]: v for k, v in row.items() if v != ""}, ensure_ascii=False)
        for row in rows
    ]
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
    from envagin_cli.domain import audit as granskning
    from envagin_cli.domain import staff
    from envagin_cli.store.db import write

    with write(conn):
        if med_personnummer:
            actor = staff.require_ledning(conn, som, "exportera personnummer")
            granskning.log(
                conn, handlaggare=actor, atgard="export med personnummer", detaljer=f"till {target}"
            )
            key = None
        else:
            key = pseudonym_key(conn)
        rows = list(
            export_rows(conn, fran=fran, till=till, med_personnummer=med_personnummer, key=key)
        )
    if fmt == "jsonl":
        return write_jsonl(rows), len(rows)
    hidden = {"handelse-id", "orsak"} | (set() if med_personnummer else {"personnummer"})
    columns = [c for c in ORDER if c not in hidden]
    return write_csv(rows, columns), len(rows)
