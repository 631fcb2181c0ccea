"""`envagin verify`: is the register what its history says it is?

Every table is covered (`store.sigill` tells how; a test enumerates the tables),
and each check names the first row or table that fails:
- `PRAGMA integrity_check` (the file itself); a file SQLite finds damaged while it is read
  is a finding too (`integritet`), never an error of the command;
- the hash chain of the audit log (`granskning`), row by row (`store.kedja`);
- the hash chain of the event log (`handelse`); an event whose free text gallring removed
  is accepted with the digest of that free text a chained audit row recorded, while the
  rest of its data is hashed as it is now (so no row, forged or not, explains another
  change);
- the projection: every case row (`arende`: its projected columns, identity, kön and
  födelseår), its insats spans (`arende_insats`) and the staff register and insats
  catalogue against a replay of the events, by the same state machine and projection the
  register writes with;
- the seals (`sigill`, each recomputed from its whole table) of every other table:
  identities (personnummer, kön, födelseår, skyddad, pseudonym), logins and the login
  mode's history, goals and milestones, the unit, settings and the pseudonym key, staff,
  catalogue, and any table a later migration adds;
- every trigger the migrations make exists unchanged, and no other trigger does.

A chain or a seal has no secret: the newest hashes (`senaste`) are given so they can be
noted elsewhere; a rewritten chain then no longer ends in them.
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
from envagin_cli.store import kedja, sigill

#: The exit code of `verify` when a check fails (0 when all hold), also when the file is
#: damaged.
FEL_EXIT = 3
#: The audit rows whose `underlag` (`{"kedja": 2, "handelser": {id: digest}}`) records the
#: digest of free text removed from events.
FRITEXTRADER = ("gallring", "kedjan omräknad")


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
    tabeller: int = 0
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
            "forseglade_tabeller": self.tabeller,
            "senaste_kedja": {
                "handelse": self.senaste_handelse,
                "granskning": self.senaste_granskning,
            },
            "fel": [{"kontroll": f.kontroll, "rad": f.rad, "text": f.text} for f in self.fel],
        }


def damaged(exc: sqlite3.DatabaseError) -> Fynd:
    """The finding for a file SQLite found damaged while it was read."""
    return Fynd(
        "integritet",
        "",
        "filen är skadad (SQLite: "
        + ("ogiltig text" if isinstance(exc, sqlite3.OperationalError) else str(exc)[:80])
        + "); återställ den senaste säkerhetskopian.",
    )


def run(conn: sqlite3.Connection) -> Kontroll:
    """Every check; `fel` lists the first failure of each. A file SQLite finds damaged
    on the way is a finding (`integritet`), and the checks stop there."""
    result = Kontroll()
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            result.fel.append(Fynd("integritet", "", "; ".join(problems[:5])))
        gallrade = _audit_chain(conn, result)
        _event_chain(conn, result, gallrade)
        _projection(conn, result)
        _registers(conn, result)
        _seals(conn, result)
        _triggers(conn, result)
    except sqlite3.DatabaseError as exc:
        from envagin_cli.store.transaction import is_damage

        if not is_damage(exc):
            raise
        result.fel.append(damaged(exc))
    except UnicodeDecodeError:  # SQLite's message quoting damaged bytes
        result.fel.append(damaged(sqlite3.OperationalError("ogiltig text")))
    return result


def _audit_chain(conn: sqlite3.Connection, result: Kontroll) -> dict[str, list[bytes]]:
    """Checks the audit chain; returns the free-text digests its rows recorded (event id
    → digests)."""
    gallrade: dict[str, list[bytes]] = {}
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
        if row[4] in FRITEXTRADER and row[7]:
            with contextlib.suppress(ValueError, AttributeError, TypeError):
                underlag = json.loads(row[7])
                if underlag.get("kedja") == 2:
                    for event_id, digest in underlag.get("handelser", {}).items():
                        gallrade.setdefault(str(event_id), []).append(bytes.fromhex(digest))
                if underlag.get("holl") is False:
                    result.fel.append(
                        Fynd(
                            "händelsekedja",
                            str(underlag.get("fel") or ""),
                            "kedjan höll inte när den räknades om vid uppgraderingen till "
                            f"schema 9: första fel vid {underlag.get('fel')}.",
                        )
                    )
    result.senaste_granskning = prev if result.granskningsrader else None
    return gallrade


def _event_chain(
    conn: sqlite3.Connection, result: Kontroll, gallrade: dict[str, list[bytes]]
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
            if row[0] != expected_id:
                result.fel.append(
                    Fynd(
                        "händelsekedja",
                        f"händelse {expected_id}",
                        f"händelse {expected_id} saknas (raderad).",
                    )
                )
                broken = True
            elif kedja.event_link(prev, row) != row[9] and all(
                kedja.event_link(prev, row, free) != row[9]
                for free in gallrade.get(str(row[0]), ())
            ):
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
    seen: set[str] = set()
    for r in conn.execute(
        f"SELECT nr, identitet_id, makulerad, a.kon, a.fodelsear, i.kon AS i_kon, "
        f"i.fodelsear AS i_fodelsear, {', '.join('a.' + c for c in PROJECT_COLUMNS)} "
        "FROM arende a LEFT JOIN identitet i ON i.id = a.identitet_id ORDER BY nr"
    ):
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
        if (r["kon"], r["fodelsear"]) != (r["i_kon"], r["i_fodelsear"]):
            _wrong(result, nr, "kön eller födelseår är inte identitetens.")
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


def _seals(conn: sqlite3.Connection, result: Kontroll) -> None:
    """Every other table against its seal (`store.sigill`)."""
    if not sigill.exists(conn):
        result.fel.append(Fynd("sigill", "sigill", "Tabellen sigill saknas (borttagen)."))
        return
    result.tabeller = len(sigill.sealed_tables(conn))
    for table, what in sigill.differences(conn):
        result.fel.append(Fynd("sigill", f"tabell {table}", f"Tabellen {table} {what}."))


def _triggers(conn: sqlite3.Connection, result: Kontroll) -> None:
    """Every trigger the migrations make, unchanged, and no other."""
    from envagin_cli.store import migrations

    expected = migrations.expected_triggers()
    found = {
        r[0]: " ".join((r[1] or "").split())
        for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            what = (
                "en tabell kan ändras utan att dess sigill följer med"
                if name.startswith("sigill_")
                else "historiken kan ändras"
            )
            text = f"Triggern {name} saknas (borttagen): {what}."
        elif name not in expected:
            text = f"Triggern {name} hör inte till envagin (tillagd utanför envagin)."
        elif found[name] != expected[name]:
            text = f"Triggern {name} är ändrad."
        else:
            continue
        result.fel.append(Fynd("trigger", f"trigger {name}", text))
