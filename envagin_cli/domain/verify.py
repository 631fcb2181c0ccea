"""`envagin verify`: is the register what its history says it is?

Four checks, each naming the first row that fails:
- `PRAGMA integrity_check` (the file itself);
- the hash chain of the audit log (`granskning`), row by row (`store.kedja`);
- the hash chain of the event log (`handelse`); an event whose free text gallring removed
  is accepted only with the data digest the gallring's (chained) audit row recorded;
- the projection: every case row (`arende`), its insats spans (`arende_insats`) and the
  staff register and insats catalogue against a replay of the events, by the same state
  machine and projection the register writes with.

A chain has no secret: the newest hash (`senaste`) is given so it can be noted elsewhere;
a rewritten chain then no longer ends in it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from envagin_cli.domain.register import PROJECT_COLUMNS, projection
from envagin_cli.rules import codes, lifecycle
from envagin_cli.rules.errors import Regelfel
from envagin_cli.store import kedja

#: The exit code of `verify` when a check fails (0 when all hold).
FEL_EXIT = 3


@dataclass(frozen=True)
class Fynd:
    kontroll: str
    rad: str
    text: str


@dataclass
class Kontroll:
    handelser: int = 0
    granskningsrader: int = 0
    arenden: int = 0
    senaste_handelse: str | None = None
    senaste_granskning: str | None = None
    fel: list[Fynd] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.fel

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "handelser": self.handelser,
            "granskningsrader": self.granskningsrader,
            "arenden": self.arenden,
            "senaste_kedja": {
                "handelse": self.senaste_handelse,
                "granskning": self.senaste_granskning,
            },
            "fel": [{"kontroll": f.kontroll, "rad": f.rad, "text": f.text} for f in self.fel],
        }


def run(conn: sqlite3.Connection) -> Kontroll:
    """Every check; `fel` lists the first failure of each."""
    result = Kontroll()
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        result.fel.append(Fynd("integritet", "", "; ".join(problems[:5])))
    gallrade = _audit_chain(conn, result)
    _event_chain(conn, result, gallrade)
    _projection(conn, result)
    _registers(conn, result)
    return result


def _audit_chain(conn: sqlite3.Connection, result: Kontroll) -> dict[str, list[str]]:
    """Checks the audit chain; returns gallring's recorded digests (event id → before,
    after)."""
    gallrade: dict[str, list[str]] = {}
    prev, expected_id = kedja.START, 1
    broken = False
    for r in conn.execute(
        "SELECT id, tid, handlaggare, os_anvandare, atgard, arende, detaljer, underlag, kedja "
        "FROM granskning ORDER BY id"
    ):
        result.granskningsrader += 1
        row = tuple(r)
        if not broken:
            if row[0] != expected_id:
                result.fel.append(
                    Fynd(
                        "granskningskedja",
                        f"granskning {expected_id}",
                        f"granskningsrad {expected_id} saknas (raderad).",
                    )
                )
                broken = True
            elif kedja.audit_link(prev, row[:8]) != row[8]:
                result.fel.append(
                    Fynd(
                        "granskningskedja",
                        f"granskning {row[0]}",
                        f"granskningsrad {row[0]} stämmer inte med kedjan (ändrad eller "
                        "infogad, eller raden före raderad).",
                    )
                )
                broken = True
        expected_id = row[0] + 1
        prev = row[8] or ""
        if row[4] == "gallring" and row[7]:
            with contextlib.suppress(ValueError, AttributeError):
                gallrade.update(json.loads(row[7]).get("handelser", {}))
    result.senaste_granskning = prev if result.granskningsrader else None
    return gallrade


def _event_chain(
    conn: sqlite3.Connection, result: Kontroll, gallrade: dict[str, list[str]]
) -> None:
    prev, expected_id = kedja.START, 1
    broken = False
    for r in conn.execute(
        "SELECT id, arende, typ, datum, registrerad, som, os_anvandare, data, makulerar, kedja "
        "FROM handelse ORDER BY id"
    ):
        result.handelser += 1
        row = tuple(r)
        if not broken:
            digest = kedja.data_digest(row[7])
            recorded = gallrade.get(str(row[0]))
            if recorded is not None and digest.hex() == recorded[1]:
                digest = bytes.fromhex(recorded[0])
            if row[0] != expected_id:
                result.fel.append(
                    Fynd(
                        "händelsekedja",
                        f"händelse {expected_id}",
                        f"händelse {expected_id} saknas (raderad).",
                    )
                )
                broken = True
            elif kedja.event_link(prev, row, digest) != row[9]:
                result.fel.append(
                    Fynd(
                        "händelsekedja",
                        f"händelse {row[0]}",
                        f"händelse {row[0]} stämmer inte med kedjan (ändrad eller infogad, "
                        "eller händelsen före raderad).",
                    )
                )
                broken = True
        expected_id = row[0] + 1
        prev = row[9] or ""
    result.senaste_handelse = prev if result.handelser else None
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'handelse'").fetchone()
    if not broken and seq is not None and seq[0] >= expected_id:
        result.fel.append(
            Fynd(
                "händelsekedja",
                f"händelse {expected_id}",
                f"händelserna från {expected_id} till {seq[0]} saknas (de sista raderade).",
            )
        )


def _projection(conn: sqlite3.Connection, result: Kontroll) -> None:
    """Each case's row and spans against a replay of its events."""
    by_case: dict[str, list[lifecycle.Handelse]] = {}
    voided: set[int] = set()
    for r in conn.execute(
        "SELECT id, arende, typ, datum, data, makulerar FROM handelse "
        "WHERE arende IS NOT NULL ORDER BY id"
    ):
        if r["typ"] == "void":
            voided.add(r["makulerar"])
            continue
        try:
            data = json.loads(r["data"])
            day = date.fromisoformat(r["datum"])
        except ValueError:
            result.fel.append(Fynd("projektion", f"händelse {r['id']}", "oläsbart innehåll."))
            return
        by_case.setdefault(r["arende"], []).append(lifecycle.Handelse(r["id"], r["typ"], day, data))
    spans: dict[str, list[tuple[Any, ...]]] = {}
    for r in conn.execute(
        "SELECT arende, lopnr, insats, utforare, start, slut FROM arende_insats "
        "ORDER BY arende, lopnr"
    ):
        spans.setdefault(r[0], []).append(tuple(r))
    columns = ", ".join(PROJECT_COLUMNS)
    seen: set[str] = set()
    for r in conn.execute(f"SELECT nr, identitet_id, makulerad, {columns} FROM arende ORDER BY nr"):
        nr = r["nr"]
        seen.add(nr)
        result.arenden += 1
        events = by_case.get(nr, [])
        # the intake in effect (a corrected intake voids the first one; `rätta`), else the
        # first, voided with its case
        intakes = [e for e in events if e.typ == "intake"]
        intake = next((e for e in intakes if e.id not in voided), intakes[0] if intakes else None)
        if intake is None:
            _wrong(result, nr, "har inget intag i händelseloggen.")
            return
        if intake.data.get("identitet_id") != r["identitet_id"]:
            _wrong(result, nr, "identiteten är inte intagets.")
            return
        makulerad = intake.id in voided
        effective = sorted(
            ([intake] if makulerad else [e for e in events if e.id not in voided]),
            key=lifecycle.Handelse.sort_key,
        )
        try:
            state = lifecycle.replay(effective)
        except Regelfel as exc:
            _wrong(result, nr, f"händelserna går inte att spela upp: {exc}")
            return
        row, case_spans = projection(nr, state)
        stored = tuple(r[c] for c in PROJECT_COLUMNS)
        if stored != row[:-1] or bool(r["makulerad"]) != makulerad:
            differs = [
                c for c, a, b in zip(PROJECT_COLUMNS, stored, row[:-1], strict=True) if a != b
            ] or ["makulerad"]
            _wrong(result, nr, f"stämmer inte med händelserna ({', '.join(differs)}).")
            return
        if spans.get(nr, []) != ([] if makulerad else case_spans):
            _wrong(result, nr, "insatserna (arende_insats) stämmer inte med händelserna.")
            return
    missing = sorted(set(by_case) - seen)
    if missing:
        _wrong(result, missing[0], "har händelser men ingen rad i arende.")
    extra = sorted(set(spans) - seen)
    if extra:
        _wrong(result, extra[0], "har insatser men ingen rad i arende.")


def _wrong(result: Kontroll, nr: str, text: str) -> None:
    result.fel.append(Fynd("projektion", f"ärende {nr}", f"Ärende {nr} {text}"))


def _registers(conn: sqlite3.Connection, result: Kontroll) -> None:
    """The staff register and the insats catalogue against their events (the catalogue
    starts as the default one)."""
    staff: dict[str, tuple[Any, ...]] = {}
    catalogue: dict[str, tuple[Any, ...]] = {
        kod: (kod, namn, part, 1) for kod, (namn, part) in codes.INSATSER.items()
    }
    for r in conn.execute(
        "SELECT typ, data FROM handelse WHERE arende IS NULL AND typ IN "
        "('staff', 'staff-deactivate', 'staff-reactivate', 'staff-set', 'insats-add', "
        "'insats-deactivate') ORDER BY id"
    ):
        try:
            d = json.loads(r["data"])
            if r["typ"] == "staff":
                staff[d["id"]] = (
                    d["id"],
                    d["namn"],
                    d["part"],
                    d["roll"],
                    d["tjanstgoringsgrad"],
                    1,
                )
            elif r["typ"] in ("staff-deactivate", "staff-reactivate"):
                staff[d["id"]] = (*staff[d["id"]][:5], int(r["typ"] == "staff-reactivate"))
            elif r["typ"] == "staff-set":
                old = staff[d["id"]]
                staff[d["id"]] = (
                    d["id"],
                    d.get("namn", old[1]),
                    d.get("part", old[2]),
                    d.get("roll", old[3]),
                    d.get("tjanstgoringsgrad", old[4]),
                    old[5],
                )
            elif r["typ"] == "insats-add":
                catalogue[d["kod"]] = (d["kod"], d["namn"], d["part"], 1)
            else:
                catalogue[d["kod"]] = (*catalogue[d["kod"]][:3], 0)
        except (ValueError, KeyError, TypeError):
            result.fel.append(Fynd("projektion", "", "en registerhändelse går inte att läsa."))
            return
    stored_staff = {
        r[0]: tuple(r)
        for r in conn.execute("SELECT id, namn, part, roll, tjanstgoringsgrad, aktiv FROM staff")
    }
    for ident in sorted(set(staff) | set(stored_staff)):
        if staff.get(ident) != stored_staff.get(ident):
            result.fel.append(
                Fynd(
                    "projektion",
                    f"handläggare {ident}",
                    f"Handläggaren {ident} stämmer inte med händelserna.",
                )
            )
            break
    stored_catalogue = {
        r[0]: tuple(r) for r in conn.execute("SELECT kod, namn, part, aktiv FROM insats")
    }
    for kod in sorted(set(catalogue) | set(stored_catalogue)):
        if catalogue.get(kod) != stored_catalogue.get(kod):
            result.fel.append(
                Fynd("projektion", f"insats {kod}", f"Insatsen {kod} stämmer inte med händelserna.")
            )
            break
