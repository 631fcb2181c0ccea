"""Batch import of interchange files: all or nothing, idempotent, fast.

Every row is one command call: it goes through the same domain function as the command
(`arenden.intake`, `arenden.close`, ...) and so through the same validation and state
machine, but against `MinnesYta`, which keeps the register's state for the import in
memory: staff, the insats catalogue, the cases touched (their effective events and state),
and the rows to write. Nothing is written until every row has been checked; then all rows
go to the database in one transaction with `executemany`.

A row that is already in the register adds nothing: two rows are the same event when every
field they both give is equal (DOMAIN.md). By default one bad row means nothing is written;
`skip_errors` writes the good rows and returns the bad ones.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from envagin_cli.domain import cases as arenden
from envagin_cli.domain import codes, lifecycle, staff
from envagin_cli.domain import insats as katalog
from envagin_cli.domain import personnummer as pnr
from envagin_cli.domain import targets as mal
from envagin_cli.domain.dates import parse_file_date, today
from envagin_cli.domain.errors import Behorighetsfel, EnvaginError, Regelfel, Valideringsfel
from envagin_cli.interchange import export as utbyte
from envagin_cli.store import events
from envagin_cli.store.db import write

IGNORED = frozenset({"rad", "fel"})  # columns of a rejects file, so it can be fixed and re-read
_TRUE = {"ja", "j", "yes", "true", "1", "x"}
_FALSE = {"nej", "n", "no", "false", "0", ""}


@dataclass
class Rad:
    """One row of the file: its line number, its fields (folded names, text values), and the
    row as written (for a rejects file)."""

    rad: int
    falt: dict[str, str]
    kolumner: list[str]
    varden: list[str]

    @property
    def original(self) -> dict[str, str]:
        return dict(zip(self.kolumner, self.varden, strict=False))


@dataclass
class Fel:
    rad: int
    falt: str
    orsak: str


@dataclass
class Resultat:
    rader: int = 0
    nya: Counter[str] = field(default_factory=Counter)
    fanns: int = 0
    arenden: set[str] = field(default_factory=set)
    fel: list[Fel] = field(default_factory=list)
    sekunder: float = 0.0
    skrivet: bool = False


# --- reading files ------------------------------------------------------------------------


def decode(data: bytes, encoding: str | None) -> str:
    """UTF-8 (with or without BOM) or Windows-1252, detected unless given."""
    if encoding:
        name = encoding.strip().lower().replace("_", "-")
        aliases = {"windows-1252": "cp1252", "ansi": "cp1252", "latin1": "latin-1", "utf8": "utf-8"}
        name = aliases.get(name, name)
        try:
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError) as exc:
            raise Valideringsfel(
                f"encoding: filen kan inte läsas som {encoding} ({exc.__class__.__name__}). "
                "Tillåtna: utf-8, utf-8-sig, windows-1252."
            ) from None
        return text.lstrip("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_cell(v) for v in value)
    return str(value)


def read(data: bytes, *, fmt: str, encoding: str | None = None) -> tuple[list[str], list[Rad]]:
    """Parse CSV (`,` or `;`, detected) or JSON Lines into rows; check the columns first."""
    with without_gc():
        return _read(data, fmt=fmt, encoding=encoding)


def _read(data: bytes, *, fmt: str, encoding: str | None) -> tuple[list[str], list[Rad]]:
    text = decode(data, encoding)
    rows: list[Rad] = []
    if fmt == "jsonl":
        parsed: list[tuple[int, dict[str, str]]] = []
        columns: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise Valideringsfel(f"rad {number}: ingen giltig JSON ({exc.msg}).") from None
            if not isinstance(obj, dict):
                raise Valideringsfel(f"rad {number}: varje rad ska vara ett JSON-objekt.")
            for key in obj:
                if key not in columns:
                    columns.append(key)
            parsed.append((number, {str(k): _cell(v) for k, v in obj.items()}))
        mapping = check_columns(columns)
        for number, obj in parsed:
            keys = list(obj)
            fields = {mapping[k]: v.strip() for k, v in obj.items() if mapping[k] and v.strip()}
            rows.append(Rad(number, fields, keys, [obj[k] for k in keys]))
        return columns, rows
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise Valideringsfel("Filen är tom; den ska börja med en rubrikrad.") from None
    mapping = check_columns(header)
    wanted = [(i, mapping[c]) for i, c in enumerate(header) if mapping[c]]
    width = len(header)
    for values in reader:
        if len(values) > width:
            raise Valideringsfel(
                f"rad {reader.line_num}: {len(values)} fält men rubrikraden har {width}."
            )
        falt: dict[str, str] = {}
        if len(values) == width:
            for i, name in wanted:
                value = values[i]
                if value and (value := value.strip()):
                    falt[name] = utbyte.unneutralise(value) if value[0] == "'" else value
        else:
            for i, name in wanted:
                if i < len(values) and (value := values[i].strip()):
                    falt[name] = utbyte.unneutralise(value) if value[0] == "'" else value
        if falt or any(v.strip() for v in values):
            rows.append(Rad(reader.line_num, falt, header, values))
    return header, rows


def check_columns(columns: list[str]) -> dict[str, str]:
    """Original column -> folded field; refuses unknown columns and a file without händelse."""
    mapping: dict[str, str] = {}
    unknown = []
    for column in columns:
        folded = utbyte.fold_field(column)
        if folded in utbyte.FIELDS:
            mapping[column] = folded
        elif folded in IGNORED:
            mapping[column] = ""
        else:
            unknown.append(column)
    if unknown:
        raise Valideringsfel(
            "Okända kolumner: "
            + ", ".join(f"'{c[:40]}'" for c in unknown)
            + ". Tillåtna: "
            + ", ".join(utbyte.FIELDS.values())
            + "."
        )
    if "handelse" not in mapping.values():
        raise Valideringsfel("Filen saknar kolumnen 'händelse'; inget har lästs in.")
    return mapping


# --- the register in memory ---------------------------------------------------------------


@dataclass
class _Arende:
    nr: str
    ident_id: int
    personnummer: str | None
    pseudonym: str | None
    kon: str
    fodelsear: int
    skyddad: bool
    events: list[lifecycle.Handelse]
    state: lifecycle.Arendelage
    data_by_id: dict[int, str] = field(default_factory=dict)
    makulerad: bool = False
    intake: lifecycle.Handelse | None = None
    ny: bool = False
    andrad: bool = False
    anonymisera: bool = False
    voided_ids: set[int] = field(default_factory=set)


class MinnesYta(arenden.Arbetsyta):
    """The register as the import sees it: read once, changed in memory, written at the end."""

    def __init__(self, conn: sqlite3.Connection, idag: date) -> None:
        self.conn = conn
        self.idag = idag
        self.staff: dict[str, staff.Handlaggare] = {
            r["id"]: staff.Handlaggare(
                r["id"], r["namn"], r["part"], r["roll"], r["tjanstgoringsgrad"], bool(r["aktiv"])
            )
            for r in conn.execute("SELECT * FROM staff")
        }
        self.insatser: dict[str, tuple[str, str, bool]] = {
            r["kod"]: (r["namn"], r["part"], bool(r["aktiv"]))
            for r in conn.execute("SELECT kod, namn, part, aktiv FROM insats ORDER BY rowid")
        }
        self.mal: dict[str, float | None] = {
            r[0]: r[1] for r in conn.execute("SELECT nyckel, varde FROM mal")
        }
        self.next_event = (conn.execute("SELECT max(id) FROM handelse").fetchone()[0] or 0) + 1
        self.next_ident = (conn.execute("SELECT max(id) FROM identitet").fetchone()[0] or 0) + 1
        # Loading a new, empty register (the common bulk case): no case can be in the file's
        # way, so the per-row look-ups in the database are skipped.
        self.db_has_cases = conn.execute("SELECT 1 FROM arende LIMIT 1").fetchone() is not None
        self.cases: dict[str, _Arende] = {}
        self.upper: dict[str, str] = {}
        self.by_person: dict[str, list[str]] = {}
        self.numbers: dict[int, int] = {}
        self.register_ops: list[tuple[str, tuple[Any, ...]]] = []
        self.event_rows: list[tuple[Any, ...]] = []
        self.ident_rows: list[tuple[Any, ...]] = []
        self.now = events.now()  # one registration time for the whole import
        self.dates: dict[str, date] = {}
        self.event_case: dict[int, str] = {}

    # lookups

    def transaktion(self) -> AbstractContextManager[object]:
        return nullcontext()

    def _active(self, value: str, field: str) -> str:
        person = self.staff.get(value)
        if person is not None and person.aktiv:
            return value
        ident = value.strip().lower()
        person = self.staff.get(ident)
        if person is None or not person.aktiv:
            active = sorted(k for k, v in self.staff.items() if v.aktiv)
            raise staff.not_active(value, field, known=person is not None, active=active)
        return ident

    def aktor(self, som: str | None) -> str:
        if not som:
            raise Valideringsfel(
                "som: ange vem som registrerar i kolumnen som, med --som eller ENVAGIN_USER."
            )
        return self._active(som, "som")

    def handlaggare(self, value: str, field: str) -> str:
        return self._active(value, field)

    def ledning(self, som: str | None, what: str) -> str:
        actor = self.aktor(som)
        if self.staff[actor].roll not in codes.LEDNINGSROLLER:
            raise Behorighetsfel(f"Bara en projektledare eller teamledare får {what}.")
        return actor

    def insats_aktiv(self, value: str) -> tuple[str, str]:
        kod = codes.fold(value)
        entry = self.insatser.get(kod)
        if entry is None or not entry[2]:
            active = [k for k, v in self.insatser.items() if v[2]]
            raise katalog.not_active(value, "insats", known=entry is not None, active=active)
        return kod, entry[1]

    def insats_finns(self, value: str) -> str:
        kod = codes.fold(value)
        if kod not in self.insatser:
            raise Valideringsfel(f"insats: '{value[:40]}' finns inte i katalogen.")
        return kod

    # cases

    def case(self, nr: str) -> _Arende | None:
        """A case by its exact number (or any case) from memory or the database."""
        found = self.cases.get(nr) or self.cases.get(self.upper.get(nr.upper(), ""))
        if found is not None or not self.db_has_cases:
            return found
        row = self.conn.execute(
            "SELECT a.nr, a.makulerad, i.id, i.personnummer, i.pseudonym, i.kon, i.fodelsear, "
            "i.skyddad FROM arende a JOIN identitet i ON i.id = a.identitet_id "
            "WHERE upper(a.nr) = upper(?)",
            (nr,),
        ).fetchone()
        if row is None:
            return None
        effective = sorted(
            arenden.effective_events(self.conn, row["nr"]), key=lifecycle.Handelse.sort_key
        )
        voided = {
            r[0]
            for r in self.conn.execute(
                "SELECT makulerar FROM handelse WHERE arende = ? AND makulerar IS NOT NULL",
                (row["nr"],),
            )
        }
        case = _Arende(
            row["nr"],
            row["id"],
            row["personnummer"],
            row["pseudonym"],
            row["kon"],
            row["fodelsear"],
            bool(row["skyddad"]),
            effective,
            lifecycle.replay(effective),
            makulerad=bool(row["makulerad"]),
            voided_ids=voided,
        )
        self._remember(case)
        return case

    def _remember(self, case: _Arende) -> None:
        self.cases[case.nr] = case
        self.upper[case.nr.upper()] = case.nr
        for key in (case.personnummer, case.pseudonym):
            if key:
                self.by_person.setdefault(key, []).append(case.nr)
        for e in case.events:
            if e.id is not None:
                self.event_case[e.id] = case.nr

    def _find(self, ref: str) -> _Arende:
        known_case = self.cases.get(ref)
        if known_case is not None:
            return known_case
        text = ref.strip()
        if pnr.looks_like(text):
            number = pnr.parse(text, self.idag or today()).nummer
            for known in self.cases.values():
                if (
                    known.personnummer == number
                    and not known.makulerad
                    and known.state.avslutad is None
                ):
                    return known
            row = self.conn.execute(
                "SELECT a.nr FROM arende a JOIN identitet i ON i.id = a.identitet_id "
                "WHERE i.personnummer = ? AND a.avslutad IS NULL AND a.makulerad = 0",
                (number,),
            ).fetchone()
            case_or_none = self.case(row[0]) if row else None
            if case_or_none is None or case_or_none.state.avslutad is not None:
                raise arenden.no_open_case()
            return case_or_none
        found = self.case(text)
        if found is None:
            raise Valideringsfel(
                f"ärende: '{text[:40]}' finns inte (varken i filen eller registret)."
            )
        return found

    def registrera(
        self, ref: str, typ: str, datum: date, actor: str, data: dict[str, Any]
    ) -> arenden.Resultat:
        case = self._find(ref)
        if case.makulerad:
            raise Regelfel(f"Ärendet {case.nr} är makulerat; registrera ett nytt intag vid behov.")
        new = lifecycle.Handelse(None, typ, datum, data)
        if not case.events or new.sort_key() >= case.events[-1].sort_key():
            try:
                lifecycle.add_last(case.events, case.state, new)
            except Regelfel:
                case.state = lifecycle.replay(case.events)
                raise
            new.id = self._event(case.nr, typ, datum, actor, data)
            case.events.append(new)
        else:
            case.state = lifecycle.replay(case.events, new)
            new.id = self._event(case.nr, typ, datum, actor, data)
            case.events.append(new)
            case.events.sort(key=lifecycle.Handelse.sort_key)
        case.andrad = True
        if typ == "consent" and "statistik" not in data["omfattning"]:
            case.anonymisera = True
            case.personnummer = None
        return arenden.Resultat(case.nr, new.id)

    def _event(
        self,
        nr: str | None,
        typ: str,
        datum: date,
        actor: str,
        data: dict[str, Any],
        makulerar: int | None = None,
    ) -> int:
        event_id = self.next_event
        self.next_event += 1
        self.event_rows.append(
            (
                event_id,
                nr,
                typ,
                datum.isoformat(),
                self.now,
                actor,
                events.os_user(),
                events.encode(data),
                makulerar,
            )
        )
        if nr is not None:
            self.event_case[event_id] = nr
        return event_id

    def open_case_for(self, number: str | None, pseudonym: str | None) -> str | None:
        """The open case of a person (by personnummer or pseudonym), in memory or the register."""
        key = number or pseudonym
        if key is None:
            return None
        for nr in self.by_person.get(key, ()):
            known = self.cases[nr]
            if (
                not known.makulerad
                and known.state.avslutad is None
                and (known.personnummer == number if number else known.pseudonym == pseudonym)
            ):
                return nr
        if not self.db_has_cases:
            return None
        column = "personnummer" if number else "pseudonym"
        for row in self.conn.execute(
            f"SELECT a.nr FROM arende a JOIN identitet i ON i.id = a.identitet_id "
            f"WHERE i.{column} = ? AND a.avslutad IS NULL AND a.makulerad = 0",
            (key,),
        ):
            other = self.case(row[0])
            if other is not None and other.state.avslutad is None and not other.makulerad:
                return other.nr
        return None

    def nytt_arende(
        self, nr: str, datum: date, actor: str, ident: arenden.Identitet, data: dict[str, Any]
    ) -> arenden.Resultat:
        if nr and self.case(nr) is not None:
            raise arenden.number_taken(nr)
        open_nr = self.open_case_for(ident.personnummer, ident.pseudonym)
        if open_nr:
            raise arenden.open_case_refusal(open_nr)
        if not nr:
            year = datum.year
            if year not in self.numbers:
                last = arenden.next_number(self.conn, year)
                self.numbers[year] = int(last.rsplit("-", 1)[1]) - 1
            self.numbers[year] += 1
            nr = f"EVI-{year}-{self.numbers[year]:04d}"
        stored = None if ident.skyddad else ident.personnummer
        ident_id = self.next_ident
        self.next_ident += 1
        self.ident_rows.append(
            (ident_id, stored, ident.kon, ident.fodelsear, int(ident.skyddad), ident.pseudonym)
        )
        full = {"identitet_id": ident_id, **data, "anonym": stored is None}
        intake = lifecycle.Handelse(None, "intake", datum, full)
        state = lifecycle.Arendelage()
        lifecycle.add_last([], state, intake)
        case = _Arende(
            nr,
            ident_id,
            stored,
            ident.pseudonym,
            ident.kon,
            ident.fodelsear,
            ident.skyddad,
            [intake],
            state,
            intake=intake,
            ny=True,
            andrad=True,
        )
        intake.id = self._event(nr, "intake", datum, actor, full)
        self._remember(case)
        return arenden.Resultat(nr, intake.id)

    def makulera(self, event_id: int, datum: date, actor: str, orsak: str) -> arenden.Resultat:
        nr = self.event_case.get(event_id)
        if nr is None:
            row = self.conn.execute(
                "SELECT arende, typ FROM handelse WHERE id = ?", (event_id,)
            ).fetchone()
            if row is None:
                raise Valideringsfel(f"händelse-id: händelse {event_id} finns inte.")
            if row["arende"] is None or row["typ"] == "void":
                arenden.check_void(event_id, row["arende"], row["typ"], False, [])
            nr = row["arende"]
        case = self.case(nr)
        assert case is not None
        if event_id in case.voided_ids:
            raise Regelfel(f"Händelse {event_id} är redan makulerad.")
        target = next((e for e in case.events if e.id == event_id), None)
        if target is None:
            raise Regelfel(f"Händelse {event_id} är själv en makulering och kan inte makuleras.")
        remaining = [e for e in case.events if e.id != event_id]
        state = arenden.check_void(event_id, nr, target.typ, False, remaining)
        new_id = self._event(
            nr,
            "void",
            datum,
            actor,
            {"handelse_id": event_id, "orsak": orsak},
            makulerar=event_id,
        )
        case.events = remaining
        case.state = state
        case.voided_ids.add(event_id)
        case.andrad = True
        if target.typ == "intake":
            case.makulerad = True
        return arenden.Resultat(nr, new_id)

    # writing

    def flush(self) -> None:
        conn = self.conn
        for sql, params in self.register_ops:
            conn.execute(sql, params)
        conn.executemany(
            "INSERT INTO identitet (id, personnummer, kon, fodelsear, skyddad, pseudonym) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            self.ident_rows,
        )
        new_cases: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        spans: list[tuple[Any, ...]] = []
        old: list[tuple[str]] = []
        voided: list[tuple[str]] = []
        for case in self.cases.values():
            if not case.andrad:
                continue
            if not case.ny:
                old.append((case.nr,))
            if case.makulerad:
                voided.append((case.nr,))
                if not case.ny:
                    continue
                # A case voided in the same file: its row as of the intake, marked voided.
                state = lifecycle.replay([case.intake]) if case.intake else case.state
            else:
                state = case.state
            row, case_spans = arenden.projection(case.nr, state)
            if case.ny:
                new_cases.append((case.ident_id, case.kon, case.fodelsear, *row))
            else:
                updates.append(row)
            if not case.makulerad:
                spans.extend(case_spans)
            if case.anonymisera:
                conn.execute(
                    "UPDATE identitet SET personnummer = NULL WHERE id = ?", (case.ident_id,)
                )
        conn.executemany(arenden.INSERT_PROJECTED_SQL, new_cases)
        conn.executemany(
            "INSERT INTO handelse (id, arende, typ, datum, registrerad, som, os_anvandare, data, "
            "makulerar) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.event_rows,
        )
        conn.executemany("UPDATE arende SET makulerad = 1 WHERE nr = ?", voided)
        conn.executemany("DELETE FROM arende_insats WHERE arende = ?", old)
        conn.executemany(arenden.PROJECT_SQL, updates)
        conn.executemany(arenden.SPAN_SQL, spans)


# --- applying rows ------------------------------------------------------------------------


def _flag(row: dict[str, str], name: str) -> bool:
    value = row.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise Valideringsfel(f"{utbyte.FIELDS[name]}: '{value[:10]}' ska vara ja eller nej.")


def _list(row: dict[str, str], name: str) -> list[str]:
    return [v for v in row.get(name, "").split(",") if v.strip()]


def _norm(name: str, value: str) -> Any:
    """A field's value in a form where two spellings of the same thing compare equal."""
    text = value.strip()
    if name in ("forsorjning", "omfattning", "handlaggare"):
        return frozenset(codes.fold(v) for v in text.split(",") if v.strip())
    if name in ("anonym", "skyddad", "avslutande", "byt", "ingen-enkat"):
        return text.lower() in _TRUE
    if name in ("namn", "remittent-handlaggare", "orsak"):
        return " ".join(text.split())
    if name == "som":
        return text.lower()
    return codes.fold(text)


def _same(given: dict[str, str], existing: dict[str, str]) -> bool:
    for name, value in given.items():
        if name in existing and _norm(name, value) != _norm(name, existing[name]):
            return False
    return True


def _existing_rows(case: _Arende, typ: str, conn: sqlite3.Connection) -> Iterable[dict[str, str]]:
    for e in case.events:
        if e.typ != typ:
            continue
        row = {"datum": e.datum.isoformat()}
        if typ == "intake":
            ident = {
                "personnummer": case.personnummer,
                "kon": case.kon,
                "fodelsear": case.fodelsear,
                "skyddad": case.skyddad,
                "pseudonym": case.pseudonym,
            }
            row.update(utbyte.intake_row(e.data, ident, None, True))
        else:
            row.update(utbyte.case_row(typ, e.data))
        yield row


def _common(row: dict[str, str], yta: MinnesYta, importer: str | None) -> tuple[date, str | None]:
    text = row.get("datum", "")
    if not text:
        assert yta.idag is not None
        return yta.idag, row.get("som") or importer
    day = yta.dates.get(text)
    if day is None:
        day = yta.dates[text] = parse_file_date(text, "datum")
    return day, row.get("som") or importer


_ALLOWED = {
    kind: frozenset(utbyte.COMMON) | frozenset(fields)
    for kind, fields in utbyte.EVENT_FIELDS.items()
}


def apply_row(yta: MinnesYta, row: dict[str, str], importer: str | None, res: Resultat) -> None:
    """Apply one row through the command it stands for; duplicates add nothing."""
    kind = row.get("handelse", "")
    if kind not in utbyte.EVENT_FIELDS:
        kind = codes.fold(kind)
    if kind not in utbyte.EVENT_FIELDS:
        raise Valideringsfel(
            f"händelse: okänd händelse '{row.get('handelse', '')[:30]}'. "
            f"Tillåtna: {', '.join(utbyte.EVENT_FIELDS)}."
        )
    allowed = _ALLOWED[kind]
    if not allowed.issuperset(row):
        stray = [utbyte.FIELDS[f] for f in row if f not in allowed]
        raise Valideringsfel(
            f"{stray[0]}: fältet hör inte till händelsen {kind} (fält: {', '.join(stray)})."
        )
    datum, som = _common(row, yta, importer)
    handler = _HANDLERS[kind]
    added = handler(yta, row, datum, som)
    if added:
        res.nya[kind] += 1
        if row.get("arende"):
            res.arenden.add(row["arende"])
    else:
        res.fanns += 1


def _case_event(kind: str) -> Callable[[MinnesYta, dict[str, str], date, str | None], bool]:
    def handler(yta: MinnesYta, row: dict[str, str], datum: date, som: str | None) -> bool:
        ref = row.get("arende", "")
        if not ref:
            raise Valideringsfel(f"ärende: krävs för händelsen {kind}.")
        case = yta.case(ref)
        if case is not None and not case.makulerad and any(e.typ == kind for e in case.events):
            given = {k: v for k, v in row.items() if k not in ("handelse", "arende", "som")}
            if any(_same(given, existing) for existing in _existing_rows(case, kind, yta.conn)):
                return False
        _CALLS[kind](yta, ref, row, datum, som)
        return True

    return handler


def _intake(yta: MinnesYta, row: dict[str, str], datum: date, som: str | None) -> bool:
    nr = row.get("arende", "")
    if not nr:
        raise Valideringsfel("ärende: krävs på varje intagsrad i en fil (ärendenumret).")
    case = yta.case(nr)
    if case is not None:
        given = {k: v for k, v in row.items() if k not in ("handelse", "arende", "som")}
        if "personnummer" in given:
            with suppress(Valideringsfel):
                given["personnummer"] = pnr.parse(given["personnummer"], datum).nummer
        if any(_same(given, existing) for existing in _existing_rows(case, "intake", yta.conn)):
            return False
        raise Regelfel(f"ärende: {case.nr} finns redan med ett annat intag.")
    pseudo = row.get("pseudonym")
    if pseudo and (
        len(pseudo) < 8 or len(pseudo) > 64 or not pseudo.isalnum() or not pseudo.isascii()
    ):
        raise Valideringsfel("pseudonym: ska vara 8–64 tecken a–z och 0–9.")
    anonym = _flag(row, "anonym") or bool(pseudo)
    arenden.intake(
        yta,
        datum=datum,
        som=som,
        remittent=row.get("remittent", ""),
        personnummer=row.get("personnummer"),
        anonym=anonym,
        kon=row.get("kon"),
        fodelsear=row.get("fodelsear"),
        skyddad=_flag(row, "skyddad"),
        forsorjning=_list(row, "forsorjning"),
        ansvarig=row.get("ansvarig"),
        arende=nr,
        pseudonym=pseudo.lower() if pseudo else None,
        idag=yta.idag,
    )
    return True


def _staff(yta: MinnesYta, row: dict[str, str], datum: date, som: str | None) -> bool:
    new = staff.validate(
        row.get("id", ""),
        row.get("namn", ""),
        row.get("part", ""),
        row.get("roll", ""),
        row.get("tjanstgoringsgrad") or "100",
    )
    from envagin_cli.domain.dates import not_after_today

    not_after_today(datum, idag=yta.idag)
    existing = yta.staff.get(new.id)
    if existing is not None:
        if existing == new or (
            existing.id,
            existing.namn,
            existing.part,
            existing.roll,
            existing.tjanstgoringsgrad,
        ) == (new.id, new.namn, new.part, new.roll, new.tjanstgoringsgrad):
            return False
        raise Regelfel(
            f"id: handläggaren {new.id} finns redan ({existing.namn}); välj ett annat id."
        )
    actor = (som or new.id).strip().lower() if not yta.staff else yta.aktor(som)
    yta.staff[new.id] = new
    yta.register_ops.append(
        (
            "INSERT INTO staff (id, namn, part, roll, tjanstgoringsgrad) VALUES (?, ?, ?, ?, ?)",
            (new.id, new.namn, new.part, new.roll, new.tjanstgoringsgrad),
        )
    )
    yta._event(None, "staff", datum, actor, staff.event_data(new))
    return True


def _staff_deactivate(yta: MinnesYta, row: dict[str, str], datum: date, som: str | None) -> bool:
    ident = staff.parse_id(row.get("id", ""))
    actor = yta.aktor(som)
    person = yta.staff.get(ident)
    if person is None:
        raise Valideringsfel(f"id: '{ident}' är ingen registrerad handläggare.")
    if not person.aktiv:
        return False
    yta.staff[ident] = staff.Handlaggare(
        person.id, person.namn, person.part, person.roll, person.tjanstgoringsgrad, False
    )
    yta.register_ops.append(("UPDATE staff SET aktiv = 0 WHERE id = ?", (ident,)))
    yta._event(None, "staff-deactivate", datum, actor, {"id": ident})
    return True


def _insats_add(yta: MinnesYta, row: dict[str, str], datum: date, som: str | None) -> bool:
    code, label, party = katalog.validate(
        row.get("kod", ""), row.get("namn", ""), row.get("part", "")
    )
    actor = yta.ledning(som, "ändra insatskatalogen")
    existing = yta.insatser.get(code)
    if existing is not None:
        if existing == (label, party, True):
            return False
        raise Regelfel(f"kod: insatsen {code} finns redan ({existing[0]}).")
    yta.insatser[code] = (label, party, True)
    yta.register_ops.append(
        ("INSERT INTO insats (kod, namn, part) VALUES (?, ?, ?)", (code, label, party))
    )
    yta._event(None, "insats-add", datum, actor, {"kod": code, "namn": label, "part": party})
    return True


def _insats_deactivate(yta: MinnesYta, row: dict[str, str], datum: date, som: str | None) -> bool:
    code = yta.insats_finns(row.get("kod", ""))
    actor = yta.ledning(som, "ändra insatskatalogen")
    label, party, active = yta.insatser[code]
    if not active:
        return False
    yta.insatser[code] = (label, party, False)
    yta.register_ops.append(("UPDATE insats SET aktiv = 0 WHERE kod = ?", (code,)))
    yta._event(None, "insats-deactivate", datum, actor, {"kod": code})
    return True


def _goal(yta: MinnesYta, row: dict[str, str], datum: date, som: str | None) -> bool:
    key = mal.parse_key(row.get("mal", ""))
    value = mal.parse_value(key, row.get("varde", ""))
    actor = yta.ledning(som, "ändra målen")
    if key in yta.mal and yta.mal[key] == value:
        return False
    yta.mal[key] = value
    yta.register_ops.append(
        (
            "INSERT INTO mal (nyckel, varde) VALUES (?, ?) "
            "ON CONFLICT (nyckel) DO UPDATE SET varde = excluded.varde",
            (key, value),
        )
    )
    yta._event(None, "goal", datum, actor, {"mal": key, "varde": value})
    return True


def _void(yta: MinnesYta, row: dict[str, str], datum: date, som: str | None) -> bool:
    arenden.void(
        yta,
        row.get("handelse-id", ""),
        orsak=row.get("orsak", ""),
        som=som,
        datum=datum,
        idag=yta.idag,
    )
    return True


_CALLS: dict[str, Callable[[MinnesYta, str, dict[str, str], date, str | None], Any]] = {
    "consent": lambda y, ref, r, d, s: arenden.consent(
        y, ref, datum=d, som=s, omfattning=_list(r, "omfattning"), idag=y.idag
    ),
    "consent-withdrawn": lambda y, ref, r, d, s: arenden.consent(
        y, ref, datum=d, som=s, omfattning=_list(r, "omfattning"), aterkalla=True, idag=y.idag
    ),
    "map-start": lambda y, ref, r, d, s: arenden.map_start(
        y, ref, datum=d, som=s, handlaggare=_list(r, "handlaggare"), idag=y.idag
    ),
    "map-done": lambda y, ref, r, d, s: arenden.map_done(y, ref, datum=d, som=s, idag=y.idag),
    "tripartite": lambda y, ref, r, d, s: arenden.tripartite(
        y,
        ref,
        datum=d,
        som=s,
        handlaggare=_list(r, "handlaggare"),
        remittent_handlaggare=r.get("remittent-handlaggare"),
        avslutande=_flag(r, "avslutande"),
        idag=y.idag,
    ),
    "assign": lambda y, ref, r, d, s: arenden.assign(
        y,
        ref,
        datum=d,
        som=s,
        insats=r.get("insats", ""),
        utforare=r.get("utforare"),
        byt=_flag(r, "byt"),
        idag=y.idag,
    ),
    "assign-end": lambda y, ref, r, d, s: arenden.assign_end(
        y, ref, datum=d, som=s, insats=r.get("insats", ""), idag=y.idag
    ),
    "responsible": lambda y, ref, r, d, s: arenden.responsible(
        y, ref, datum=d, som=s, ansvarig=r.get("ansvarig", ""), idag=y.idag
    ),
    "close": lambda y, ref, r, d, s: arenden.close(
        y,
        ref,
        datum=d,
        som=s,
        slutorsak=r.get("slutorsak", ""),
        forsorjning=_list(r, "forsorjning"),
        nojd_bemotande=r.get("nojd-bemotande"),
        nojd_insats=r.get("nojd-insats"),
        ingen_enkat=_flag(r, "ingen-enkat"),
        idag=y.idag,
    ),
    "followup": lambda y, ref, r, d, s: arenden.followup(
        y,
        ref,
        datum=d,
        som=s,
        sysselsattning=r.get("sysselsattning", ""),
        forsorjning=_list(r, "forsorjning"),
        idag=y.idag,
    ),
}

_HANDLERS: dict[str, Callable[[MinnesYta, dict[str, str], date, str | None], bool]] = {
    "staff": _staff,
    "staff-deactivate": _staff_deactivate,
    "insats-add": _insats_add,
    "insats-deactivate": _insats_deactivate,
    "goal": _goal,
    "intake": _intake,
    "void": _void,
    **{kind: _case_event(kind) for kind in _CALLS},
}


def _field_of(message: str) -> str:
    head = message.split(":", 1)[0].strip()
    folded = utbyte.fold_field(head)
    return utbyte.FIELDS.get(folded, "") if " " not in head else ""


def run(
    conn: sqlite3.Connection,
    rows: list[Rad],
    *,
    som: str | None,
    dry_run: bool = False,
    skip_errors: bool = False,
    idag: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> Resultat:
    """Check every row, then write them all in one transaction (unless dry run or errors)."""
    began = time.perf_counter()
    res = Resultat(rader=len(rows))
    with without_gc():
        _run(
            conn,
            rows,
            res,
            som=som,
            dry_run=dry_run,
            skip_errors=skip_errors,
            idag=idag,
            progress=progress,
        )
    res.sekunder = time.perf_counter() - began
    return res


@contextmanager
def without_gc() -> Iterator[None]:
    """An import keeps every row's objects alive until the end, so the cyclic garbage
    collector would only rescan them again and again; reference counting frees the rest."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _run(
    conn: sqlite3.Connection,
    rows: list[Rad],
    res: Resultat,
    *,
    som: str | None,
    dry_run: bool,
    skip_errors: bool,
    idag: date | None,
    progress: Callable[[int], None] | None,
) -> None:
    try:
        with write(conn):
            yta = MinnesYta(conn, idag or today())
            for i, row in enumerate(rows):
                try:
                    apply_row(yta, row.falt, som, res)
                except EnvaginError as exc:
                    res.fel.append(Fel(row.rad, _field_of(str(exc)), str(exc)))
                if progress is not None and i % 1000 == 999:
                    progress(1000)
            if dry_run or (res.fel and not skip_errors):
                raise _Angra
            yta.flush()
            res.skrivet = True
    except _Angra:
        pass  # write() rolled back: nothing is written


class _Angra(Exception):
    """Leave the import's transaction without writing (dry run, or a bad row)."""
