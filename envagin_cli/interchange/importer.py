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

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from envagin_cli.domain import codes, event_kinds, mal
from envagin_cli.domain import personnummer as pnr
from envagin_cli.domain.dates import parse_file_date, today
from envagin_cli.domain.errors import EnvaginError, Regelfel, Valideringsfel
from envagin_cli.domain.event_kinds import FIELD_NAMES
from envagin_cli.domain.register import Arende, Register
from envagin_cli.interchange import export
from envagin_cli.interchange.read import Rad, without_gc
from envagin_cli.store.db import write

_TRUE = {"ja", "j", "yes", "true", "1", "x"}
_FALSE = {"nej", "n", "no", "false", "0", ""}


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


# --- applying rows ------------------------------------------------------------------------


def _flag(row: dict[str, str], name: str) -> bool:
    value = row.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise Valideringsfel(f"{FIELD_NAMES[name]}: '{value[:10]}' ska vara ja eller nej.")


def _list(row: dict[str, str], name: str) -> list[str]:
    return [v for v in row.get(name, "").split(",") if v.strip()]


def _norm(name: str, value: str) -> Any:
    """A field's value in a form where two spellings of the same thing compare equal."""
    text = value.strip()
    kind = event_kinds.FIELD_TYPES.get(name)
    if kind == event_kinds.CODES:
        return frozenset(codes.fold(v) for v in text.split(",") if v.strip())
    if kind == event_kinds.FLAG:
        return text.lower() in _TRUE
    if kind == event_kinds.TEXT:
        return " ".join(text.split())
    if name == "som":
        return text.lower()
    return codes.fold(text)


def _same(given: dict[str, str], existing: dict[str, str]) -> bool:
    for name, value in given.items():
        if name in existing and _norm(name, value) != _norm(name, existing[name]):
            return False
    return True


def _existing_rows(case: Arende, typ: str) -> Iterable[dict[str, str]]:
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
            row.update(export.intake_row(e.data, ident, None, True))
        else:
            row.update(export.event_row(typ, e.data))
        yield row


def _common(row: dict[str, str], reg: Register, importer: str | None) -> tuple[date, str | None]:
    text = row.get("datum", "")
    if not text:
        return reg.idag, row.get("som") or importer
    day = _DATES.get(text)
    if day is None:
        day = _DATES[text] = parse_file_date(text, "datum")
    return day, row.get("som") or importer


_DATES: dict[str, date] = {}
_ALLOWED = {
    k.code: frozenset(event_kinds.COMMON) | frozenset(k.field_names()) for k in event_kinds.KINDS
}


def _arguments(kind: event_kinds.Kind, row: dict[str, str]) -> dict[str, Any]:
    """The domain function's keyword arguments from a row, by the fields' types."""
    args: dict[str, Any] = dict(kind.fixed)
    for f in kind.fields:
        if f.type == event_kinds.CODES:
            args[f.keyword] = _list(row, f.name)
        elif f.type == event_kinds.FLAG:
            args[f.keyword] = _flag(row, f.name)
        elif f.required:
            args[f.keyword] = row.get(f.name, "")
        else:
            args[f.keyword] = row.get(f.name)
    return args


def _already_there(reg: Register, kind: event_kinds.Kind, row: dict[str, str], datum: date) -> bool:
    """The import's rule of sameness: an event with the same fields is in the register."""
    given = {k: v for k, v in row.items() if k not in ("handelse", "arende", "som")}
    if kind.code == "goal":
        key = mal.parse_key(row.get("mal", ""))
        return key in reg.targets and reg.targets[key] == mal.parse_value(key, row.get("varde", ""))
    if not kind.case or kind.code == "void":
        return False  # register rows: the domain function says (it returns False)
    case = reg.case(row["arende"])
    if case is None or case.makulerad or not any(e.typ == kind.code for e in case.events):
        return False
    if kind.code == "intake":
        if "personnummer" in given:
            with suppress(Valideringsfel):
                given["personnummer"] = pnr.parse(given["personnummer"], datum).nummer
        if any(_same(given, existing) for existing in _existing_rows(case, "intake")):
            return True
        raise Regelfel(f"ärende: {case.nr} finns redan med ett annat intag.")
    return any(_same(given, existing) for existing in _existing_rows(case, kind.code))


def apply_row(reg: Register, row: dict[str, str], importer: str | None, res: Resultat) -> None:
    """Apply one row through the domain function its kind names; duplicates add nothing."""
    code = row.get("handelse", "")
    kind = event_kinds.BY_CODE.get(code) or event_kinds.BY_CODE.get(codes.fold(code))
    if kind is None:
        raise Valideringsfel(
            f"händelse: okänd händelse '{code[:30]}'. Tillåtna: {', '.join(event_kinds.BY_CODE)}."
        )
    allowed = _ALLOWED[kind.code]
    if not allowed.issuperset(row):
        stray = [FIELD_NAMES[f] for f in row if f not in allowed]
        raise Valideringsfel(
            f"{stray[0]}: fältet hör inte till händelsen {kind.code} (fält: {', '.join(stray)})."
        )
    datum, som = _common(row, reg, importer)
    args = _arguments(kind, row)
    if kind.case_arg:
        ref = row.get("arende", "")
        if not ref:
            raise Valideringsfel(
                "ärende: krävs på varje intagsrad i en fil (ärendenumret)."
                if kind.code == "intake"
                else f"ärende: krävs för händelsen {kind.code}."
            )
        if kind.case_arg == "arende":
            args["arende"] = ref
    if _already_there(reg, kind, row, datum):
        res.fanns += 1
        return
    call = kind.function()
    if kind.case_arg == "ref":
        added = call(reg, row["arende"], datum=datum, som=som, idag=reg.idag, **args)
    else:
        added = call(reg, datum=datum, som=som, idag=reg.idag, **args)
    if added is False:
        res.fanns += 1
        return
    res.nya[kind.code] += 1
    if row.get("arende"):
        res.arenden.add(row["arende"])


def _field_of(message: str) -> str:
    head = message.split(":", 1)[0].strip()
    folded = export.fold_field(head)
    return FIELD_NAMES.get(folded, "") if " " not in head else ""


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
    _DATES.clear()
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
            reg = Register(conn, idag or today())
            for i, row in enumerate(rows):
                try:
                    apply_row(reg, row.falt, som, res)
                except EnvaginError as exc:
                    res.fel.append(Fel(row.rad, _field_of(str(exc)), str(exc)))
                if progress is not None and i % 1000 == 999:
                    progress(1000)
            if dry_run or (res.fel and not skip_errors):
                raise _Angra
            reg.flush()
            res.skrivet = True
    except _Angra:
        pass  # write() rolled back: nothing is written


class _Angra(Exception):
    """Leave the import's transaction without writing (dry run, or a bad row)."""
