"""Batch import of interchange files: all or nothing, idempotent, fast.

Every row is one command: the table of event kinds (`event_kinds`) names the domain
function a row of its kind goes through (`cases.intake`, `staff.add`, `mal.set_goal`, ...)
and how each field becomes an argument, so a row has exactly the command's validation,
state machine, messages and audit rows. All rows go through one `Register` (the unit of
work every command uses too), which keeps the changes in memory; nothing is written until
every row has been checked, and then all of it in one transaction.

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

from envagin_cli.domain import mal
from envagin_cli.domain.register import Arende, Register
from envagin_cli.domain.register import Resultat as CaseResult
from envagin_cli.interchange import export
from envagin_cli.interchange.read import Rad, without_gc
from envagin_cli.rules import codes, event_kinds, sameness
from envagin_cli.rules import personnummer as pnr
from envagin_cli.rules.dates import parse_file_date, today
from envagin_cli.rules.errors import Checks, EnvaginError, Kontrollerad, Regelfel, Valideringsfel
from envagin_cli.rules.event_kinds import FIELD_NAMES
from envagin_cli.rules.lifecycle import Handelse
from envagin_cli.store.db import write


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
    if value in sameness.TRUE:
        return True
    if value in sameness.FALSE:
        return False
    raise Valideringsfel(f"{FIELD_NAMES[name]}: '{value[:10]}' ska vara ja eller nej.")


def _list(row: dict[str, str], name: str) -> list[str]:
    return [v for v in row.get(name, "").split(",") if v.strip()]


@dataclass
class _Memo:
    """What one import run works out once: the dates it has read, and the normalised rows
    of events already in the register, by event id (an event does not change while an
    import runs)."""

    dates: dict[str, date] = field(default_factory=dict)
    existing: dict[int, dict[str, Any]] = field(default_factory=dict)


def _existing_rows(
    case: Arende, candidates: list[Handelse], memo: _Memo
) -> Iterable[dict[str, Any]]:
    for e in candidates:
        typ = e.typ
        if e.id is not None and e.id in memo.existing:
            yield memo.existing[e.id]
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
            row.update(event_kinds.event_row(typ, e.data))
        normalised = sameness.normalised(row)
        if e.id is not None and typ != "intake":  # an intake's identity may change
            memo.existing[e.id] = normalised
        yield normalised


def _common(
    row: dict[str, str], reg: Register, importer: str | None, memo: _Memo, found: Checks
) -> tuple[date, str | None]:
    """The row's date (today when not given; a date that cannot be read is noted, and the
    rest of the row checked as of today) and who recorded it."""
    text = row.get("datum", "")
    if not text:
        return reg.idag, row.get("som") or importer
    day = memo.dates.get(text)
    if day is None:
        try:
            day = memo.dates[text] = parse_file_date(text, "datum")
        except Valideringsfel as exc:
            found.note(exc)
            day = reg.idag
    return day, row.get("som") or importer


_KINDS = event_kinds.BY_CODE


#: Per kind, how each field becomes the domain function's keyword argument.
_PLANS: dict[str, list[tuple[str, str, str]]] = {
    k.code: [
        (
            f.name,
            f.keyword,
            "list"
            if f.type == event_kinds.CODES
            else "flag"
            if f.type == event_kinds.FLAG
            else "date"
            if f.type == event_kinds.DATE
            else "required"
            if f.required
            else "optional",
        )
        for f in k.fields
    ]
    for k in event_kinds.KINDS
}


def _arguments(kind: event_kinds.Kind, row: dict[str, str], found: Checks) -> dict[str, Any]:
    """The domain function's keyword arguments from a row, by the fields' types (a flag or
    a date that cannot be read is noted in `found`)."""
    args: dict[str, Any] = dict(kind.fixed)
    for name, keyword, how in _PLANS[kind.code]:
        text = row.get(name)
        if how == "required":
            args[keyword] = text or ""
        elif how == "optional":
            args[keyword] = text
        elif how == "list":
            args[keyword] = [v for v in text.split(",") if v.strip()] if text else []
        elif how == "flag":
            if not text:
                args[keyword] = False
            elif text in sameness.FALSE or text in sameness.TRUE:  # as written, the common case
                args[keyword] = text in sameness.TRUE
            else:
                args[keyword] = found(_flag, row, name) or False
        else:  # a date
            args[keyword] = found(parse_file_date, text, FIELD_NAMES[name]) if text else None
    return args


def _already_there(
    reg: Register, kind: event_kinds.Kind, row: dict[str, str], datum: date, memo: _Memo
) -> bool:
    """The import's rule of sameness: an event with the same fields is in the register."""
    if kind.code == "goal":
        return mal.target_in_effect(reg, row.get("mal", ""), row.get("varde", ""), datum)
    if not kind.case or kind.code == "void":
        return False  # register rows: the domain function says (it returns False)
    case = reg.case(row["arende"])
    if case is None or case.makulerad:
        return False
    # Only events of the kind can be the same; and when the row gives its date, only those
    # of that date (cheap to compare, and it spares normalising the rest).
    code = kind.code
    if "datum" in row and code != "intake":
        candidates = [e for e in case.events if e.typ == code and e.datum == datum]
    else:
        candidates = [e for e in case.events if e.typ == code]
    if not candidates:
        return False
    given = {k: v for k, v in row.items() if k not in ("handelse", "arende", "som")}
    if kind.code == "intake":
        if "personnummer" in given:
            with suppress(Valideringsfel):
                given["personnummer"] = pnr.parse(given["personnummer"], datum).nummer
        given = sameness.normalised(given)
        if any(
            sameness.same(given, existing) for existing in _existing_rows(case, candidates, memo)
        ):
            return True
        raise Regelfel(f"ärende: {case.nr} finns redan med ett annat intag.")
    normal = sameness.normalised(given)
    return any(
        sameness.same(normal, existing) for existing in _existing_rows(case, candidates, memo)
    )


def apply_row(
    reg: Register,
    row: dict[str, str],
    importer: str | None,
    res: Resultat,
    memo: _Memo,
    kind: event_kinds.Kind | None = None,
) -> None:
    """Apply one row through the domain function its kind names; duplicates add nothing.

    A refused row is refused with every reason it has: the file's own (a field that does
    not belong, a date or a flag that cannot be read, no case number) and the domain
    function's, which checks the rest of the row without recording anything.
    """
    code = row.get("handelse", "")
    kind = kind or _kind_of(code)
    if kind is None:
        raise Valideringsfel(
            f"händelse: okänd händelse '{code[:30]}'. Tillåtna: {', '.join(event_kinds.BY_CODE)}."
        )
    found = Checks()
    allowed = event_kinds.ALLOWED[kind.code]
    if not allowed.issuperset(row):
        for name in [f for f in row if f not in allowed]:
            found.note(
                Valideringsfel(
                    f"{FIELD_NAMES[name]}: fältet hör inte till händelsen {kind.code} "
                    f"(dess fält: {', '.join(FIELD_NAMES[f] for f in kind.field_names())})."
                )
            )
        row = {k: v for k, v in row.items() if k in allowed}
    datum, som = _common(row, reg, importer, memo, found)
    args = _arguments(kind, row, found)
    if kind.case_arg:
        ref = row.get("arende", "")
        if not ref:
            found.note(
                Valideringsfel(
                    "ärende: krävs på varje intagsrad i en fil (ärendenumret)."
                    if kind.code == "intake"
                    else f"ärende: krävs för händelsen {kind.code}."
                )
            )
        if kind.case_arg == "arende":
            args["arende"] = ref
    call = kind.function()
    if found.messages:
        _check_rest(reg, kind, call, row, datum, som, args, found)
    if _already_there(reg, kind, row, datum, memo):
        res.fanns += 1
        return
    added = _call(reg, kind, call, row, datum, som, args)
    if added is False or (isinstance(added, CaseResult) and not added.ny):
        res.fanns += 1
        return
    res.nya[kind.code] += 1
    if row.get("arende"):
        res.arenden.add(row["arende"])


def _check_rest(
    reg: Register,
    kind: event_kinds.Kind,
    call: Callable[..., Any],
    row: dict[str, str],
    datum: date,
    som: str | None,
    args: dict[str, Any],
    found: Checks,
) -> None:
    """A row with refusals of its own: its domain function checks the rest of it (nothing
    is recorded), and the row is refused with all of them."""
    noted = {_field_of(m) for m in found.messages}
    reg.check_only = True
    try:
        _call(reg, kind, call, row, datum, som, args)
    except Kontrollerad:
        pass
    except EnvaginError as exc:
        found.messages += [m for m in exc.messages if (_field_of(m) or None) not in noted]
    finally:
        reg.check_only = False
    found.done()


def _call(
    reg: Register,
    kind: event_kinds.Kind,
    call: Callable[..., Any],
    row: dict[str, str],
    datum: date,
    som: str | None,
    args: dict[str, Any],
) -> Any:
    """A row's domain function, called as its kind says (a case event names its case first)."""
    if kind.case_arg == "ref":
        return call(reg, row.get("arende", ""), datum=datum, som=som, idag=reg.idag, **args)
    return call(reg, datum=datum, som=som, idag=reg.idag, **args)


def _kind_of(code: str) -> event_kinds.Kind | None:
    """The kind a row's `händelse` names, as written or folded."""
    return _KINDS.get(code) or _KINDS.get(codes.fold(code))


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
            # Who imports, under the login rule (once); each row's `som` is who recorded it.
            som = reg.importer(som)
            memo = _Memo()
            # What the case rows name first (`Kind.group`): a file is read whole whatever
            # the order its rows were written or registered in. Deactivations go by their
            # date among the case rows (after the case rows of their day), as the command
            # would have met them: no row places anyone in an insats deactivated before.
            kinds = [_kind_of(row.falt.get("handelse", "")) for row in rows]
            groups = [kind.group if kind else 3 for kind in kinds]
            order = sorted(range(len(rows)), key=groups.__getitem__)
            staff_rows = groups.count(0)
            order[:staff_rows] = _after_who_added(rows, order[:staff_rows])
            if 4 in groups:
                first_case = len(rows) - groups.count(3) - groups.count(4)
                order[first_case:] = _by_date(rows, order[first_case:], groups)
            for i, at in enumerate(order):
                row = rows[at]
                try:
                    apply_row(reg, row.falt, som, res, memo, kinds[at])
                except EnvaginError as exc:
                    res.fel += [Fel(row.rad, _field_of(m), m) for m in exc.messages or [str(exc)]]
                if progress is not None and i % 1000 == 999:
                    progress(1000)
            res.fel.sort(key=lambda f: f.rad)
            if dry_run or (res.fel and not skip_errors):
                raise _Angra
            reg.flush()
            res.skrivet = True
    except _Angra:
        pass  # write() rolled back: nothing is written


def _by_date(rows: list[Rad], at: list[int], groups: list[int]) -> list[int]:
    """The case rows and deactivations (their places in `rows`) by date, each day's case
    rows first, else in file order; a row without a readable date keeps its place in the
    file order after the dated ones (its refusal says why)."""
    days: dict[str, date] = {}

    def day(i: int) -> date:
        text = rows[i].falt.get("datum", "").strip()
        if text not in days:
            try:
                days[text] = parse_file_date(text, "datum")
            except EnvaginError:
                days[text] = date.max
        return days[text]

    return sorted(at, key=lambda i: (day(i), groups[i]))


def _after_who_added(rows: list[Rad], staff: list[int]) -> list[int]:
    """The staff rows (their places in `rows`) in file order, except that a row comes after
    the row that adds the handläggare its `som` names: a file may list a handläggare
    before the one who added them."""
    adds = {rows[at].falt.get("id", "").strip().lower(): at for at in staff}
    placed: set[int] = set()
    out: list[int] = []
    for at in staff:
        waiting: list[int] = []
        while at not in placed and at not in waiting:  # a loop is left to the refusal
            waiting.append(at)
            by = adds.get(rows[at].falt.get("som", "").strip().lower())
            if by is None:
                break
            at = by
        for row in reversed(waiting):
            placed.add(row)
            out.append(row)
    return out


class _Angra(Exception):
    """Leave the import's transaction without writing (dry run, or a bad row)."""
