"""Case commands: intake, consent, mapping, meetings, insatser, close, follow-up, voids.

Each function validates its plain values and records the event through the register
(`register.Register`), which asks the state machine (`lifecycle`) whether it may happen.
Given a connection, a function is one command: its own unit of work (`register.unit`).
Given a `Register`, it is one row of a larger unit (an import file, the demo). A refusal
raises before anything is recorded.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from envagin_cli.domain.register import (
    Identitet,
    Register,
    Resultat,
    effective_events,
    unit,
    working,
)
from envagin_cli.rules import codes, event_kinds, freetext, lifecycle
from envagin_cli.rules import personnummer as pnr
from envagin_cli.rules.dates import not_after_today, today
from envagin_cli.rules.errors import Checks, EnvaginError, Regelfel, Valideringsfel

__all__ = ["Identitet", "Resultat"]

Target = Register | sqlite3.Connection
_NR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
_MAX_TEXT = 200


def _text(value: str | None, field: str, *, required: bool = False) -> str | None:
    return freetext.check(value, field, _MAX_TEXT, required=required)


def _int(value: str | int | None, field: str, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    # (the length first: int() of thousands of digits is refused by Python itself)
    if not (text.isascii() and text.isdigit()) or len(text) > 20 or not low <= int(text) <= high:
        raise Valideringsfel(
            f"{field}: '{text[:20]}' är inte tillåtet; ange ett heltal {low}–{high}."
        )
    return int(text)


# --- reading a case -------------------------------------------------------------------


def state(conn: sqlite3.Connection, nr: str) -> lifecycle.Arendelage:
    return lifecycle.replay(effective_events(conn, nr))


def _record(
    target: Target,
    ref: str,
    typ: str,
    datum: date,
    som: str | None,
    data: dict[str, Any],
    idag: date | None,
    *,
    checks: Callable[[Register], None] | None = None,
    found: Checks | None = None,
) -> Resultat:
    """Record a case event once every value is checked: the refusals of the values
    (`found`, from the caller), of the date, the actor, the case and `checks` all at once."""
    found = found or Checks()
    if not isinstance(target, Register):  # a command: its own unit of work
        with unit(target, idag) as reg:
            return _record(reg, ref, typ, datum, som, data, idag, checks=checks, found=found)
    reg = target  # a row of a larger unit of work (an import): its owner flushes
    if datum > reg.senast:
        found(not_after_today, datum, idag=idag)
    actor = found(reg.actor, som)
    case = found(reg.find, ref)
    if checks is not None:
        found(checks, reg)
    found.done(check_only=reg.check_only)
    return reg.record(ref, typ, datum, actor, data, case)


def intake(
    conn: Target,
    *,
    datum: date,
    som: str | None,
    remittent: str,
    personnummer: str | None = None,
    anonym: bool = False,
    kon: str | None = None,
    fodelsear: str | int | None = None,
    skyddad: bool = False,
    forsorjning: Sequence[str] = (),
    ansvarig: str | None = None,
    arende: str | None = None,
    pseudonym: str | None = None,
    sysselsattning: Sequence[str] = (),
    utbildning: str | None = None,
    tid_offentlig: str | None = None,
    idag: date | None = None,
) -> Resultat:
    """Register a referral or self-referral; returns the (possibly generated) case number.

    `pseudonym` (from an export without personnummer) makes an anonymous case that keeps it.
    """
    found = Checks()
    found(not_after_today, datum, idag=idag)
    if pseudonym is not None and pseudonym.strip():
        pseudonym = pseudonym.strip().lower()
        if not (8 <= len(pseudonym) <= 64 and pseudonym.isalnum() and pseudonym.isascii()):
            found.note(Valideringsfel("pseudonym: ska vara 8–64 tecken a–z och 0–9."))
        anonym = True
    else:
        pseudonym = None
    remit = found(codes.parse_code, remittent, codes.REMITTENTER, "remittent")
    sources = found(codes.parse_forsorjning, forsorjning, required=False)
    sus = _sus(found, sysselsattning, utbildning, tid_offentlig)
    person = found(_person, personnummer, anonym, kon, fodelsear, datum)
    nr = found(_case_number, arende)
    with working(conn, idag) as reg:
        actor = found(reg.actor, som)
        responsible = found(reg.active_staff, ansvarig, "ansvarig") if ansvarig else actor
        found.done(check_only=reg.check_only)
        number, sex, year = person
        data = {
            "remittent": remit,
            "forsorjning": sources,
            "ansvarig": responsible,
            "kon": sex,
            "fodelsear": year,
            "skyddad": skyddad,
            **sus,
        }
        ident = Identitet(number, sex, year, skyddad, pseudonym)
        result: Resultat = reg.new_case(nr, datum, actor, ident, data)
        return result


def _sus(
    found: Checks,
    sysselsattning: Sequence[str],
    utbildning: str | None,
    tid_offentlig: str | None,
) -> dict[str, Any]:
    """The SUS instrument at intake, each optional: only what is given is stored."""
    data: dict[str, Any] = {}
    occupation = found(codes.parse_sysselsattning, sysselsattning or [])
    if occupation:
        data["sysselsattning"] = occupation
    if utbildning is not None and utbildning.strip():
        data["utbildning"] = found(codes.parse_code, utbildning, codes.UTBILDNING, "utbildning")
    if tid_offentlig is not None and tid_offentlig.strip():
        data["tid_offentlig"] = found(
            codes.parse_code, tid_offentlig, codes.TID_OFFENTLIG, "tid-offentlig"
        )
    return data


def _person(
    personnummer: str | None,
    anonym: bool,
    kon: str | None,
    fodelsear: str | int | None,
    datum: date,
) -> tuple[str | None, str, int]:
    """(personnummer, kön, födelseår) of an intake: from the number, or given when anonymous."""
    if personnummer and personnummer.strip():
        if anonym:
            raise Valideringsfel(
                "personnummer: ange antingen personnummer eller --anonym, inte båda."
            )
        parsed = pnr.parse(personnummer, datum)
        sex = codes.parse_code(kon, codes.KON, "kön") if kon else parsed.kon
        if fodelsear not in (None, "") and _int(fodelsear, "födelseår", 1880, 2200) != (
            parsed.fodelsear
        ):
            raise Valideringsfel("födelseår: stämmer inte med personnumret.")
        return parsed.nummer, sex, parsed.fodelsear
    if not anonym:
        raise Valideringsfel(
            "personnummer: ange --personnummer, eller --anonym med --kön och --födelseår."
        )
    found = Checks()
    if not kon:
        found.note(Valideringsfel("kön: krävs för ett anonymt ärende. Tillåtna: kvinna, man."))
    sex = found(codes.parse_code, kon, codes.KON, "kön") if kon else ""
    year = found(_int, fodelsear, "födelseår", 1880, datum.year)
    if year is None and not found.messages:
        found.note(Valideringsfel(f"födelseår: krävs för ett anonymt ärende (1880–{datum.year})."))
    found.done()
    assert year is not None
    return None, sex, year


def _case_number(arende: str | None) -> str:
    """An intake's own case number (at least one letter), or '' for a generated one."""
    if arende is None or not arende.strip():
        return ""
    nr = arende.strip()
    if not _NR.match(nr) or not any(c.isalpha() for c in nr):
        raise Valideringsfel(
            f"ärende: '{nr[:40]}' är inget giltigt ärendenummer; det ska innehålla minst en "
            "bokstav och bara a–z, siffror, '-', '_', '.' eller '/' (högst 40 tecken)."
        )
    # a case number is shown everywhere and survives gallring: never a personnummer
    pnr.refuse_in(nr, "ärende")
    return nr


def _scopes(values: Sequence[str], *, default_all: bool) -> list[str]:
    scopes = codes.parse_codes(values, codes.SAMTYCKEN, "omfattning")
    if not scopes:
        if default_all:
            return list(codes.SAMTYCKEN)
        raise Valideringsfel("omfattning: ange samverkan, statistik eller samverkan,statistik.")
    return sorted(scopes, key=list(codes.SAMTYCKEN).index)


def consent(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    omfattning: Sequence[str] = (),
    aterkalla: bool = False,
    idag: date | None = None,
) -> Resultat:
    """Written consent (samverkan, statistik), or its withdrawal (default: the scopes in
    force that day)."""
    found = Checks()
    scopes = found(_scopes, omfattning, default_all=False) if omfattning or not aterkalla else []
    typ = "consent-withdrawn" if aterkalla else "consent"
    data: dict[str, Any] = {"omfattning": scopes}

    def in_force(y: Register) -> None:
        case = y.find(ref)
        data["omfattning"] = lifecycle.in_force(case.events, datum)
        if not data["omfattning"]:
            raise Regelfel(
                f"Det finns inget gällande samtycke att återkalla den {datum.isoformat()}."
            )

    checks = in_force if aterkalla and not scopes else None
    return _record(conn, ref, typ, datum, som, data, idag, checks=checks, found=found)


def anonymises(conn: sqlite3.Connection, ref: str, omfattning: Sequence[str], datum: date) -> bool:
    """Whether registering this consent would remove the case's personnummer: it has one,
    and no statistik consent would be in force after it. (For the question asked before;
    a refusal of the consent itself is left to `consent`.)"""
    try:
        scopes = _scopes(omfattning, default_all=False)
        reg = Register(conn)
        case = reg.find(ref)
        state = lifecycle.replay(
            case.events, lifecycle.Handelse(None, "consent", datum, {"omfattning": scopes})
        )
    except EnvaginError:
        return False
    return case.personnummer is not None and "statistik" not in state.samtycken


def _staff_list(y: Register, values: Sequence[str], field: str, most: int) -> list[str]:
    ids: list[str] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                ident = y.active_staff(part, field)
                if ident not in ids:
                    ids.append(ident)
    if not ids:
        raise Valideringsfel(f"{field}: ange minst en handläggare.")
    if len(ids) > most:
        raise Valideringsfel(f"{field}: högst {most} handläggare ({len(ids)} angavs).")
    return ids


def map_start(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    handlaggare: Sequence[str],
    idag: date | None = None,
) -> Resultat:
    data: dict[str, Any] = {}

    def checks(y: Register) -> None:
        data["handlaggare"] = _staff_list(y, handlaggare, "handläggare", 2)

    return _record(conn, ref, "map-start", datum, som, data, idag, checks=checks)


def map_done(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    idag: date | None = None,
) -> Resultat:
    return _record(conn, ref, "map-done", datum, som, {}, idag)


def tripartite(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    handlaggare: Sequence[str],
    remittent_handlaggare: str | None,
    avslutande: bool = False,
    idag: date | None = None,
) -> Resultat:
    found = Checks()
    data: dict[str, Any] = {
        "remittent_handlaggare": found(
            _text, remittent_handlaggare, "remittent-handläggare", required=True
        ),
        "avslutande": bool(avslutande),
    }

    def checks(y: Register) -> None:
        data["handlaggare"] = _staff_list(y, handlaggare, "handläggare", 2)

    return _record(conn, ref, "tripartite", datum, som, data, idag, checks=checks, found=found)


def assign(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    insats: str,
    utforare: str | None = None,
    byt: bool = False,
    idag: date | None = None,
) -> Resultat:
    found = Checks()
    data: dict[str, Any] = {"byt": bool(byt)}
    performer = found(codes.parse_code, utforare, codes.UTFORARE, "utförare") if utforare else None

    def checks(y: Register) -> None:
        code, party = y.active_insats(insats)
        data["insats"] = code
        data["utforare"] = performer or party

    return _record(conn, ref, "assign", datum, som, data, idag, checks=checks, found=found)


def assign_end(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    insats: str,
    idag: date | None = None,
) -> Resultat:
    data: dict[str, Any] = {}

    def checks(y: Register) -> None:
        data["insats"] = y.known_insats(insats)

    return _record(conn, ref, "assign-end", datum, som, data, idag, checks=checks)


def responsible(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    ansvarig: str,
    idag: date | None = None,
) -> Resultat:
    data: dict[str, Any] = {}

    def checks(y: Register) -> None:
        data["ansvarig"] = y.active_staff(ansvarig, "ansvarig")

    return _record(conn, ref, "responsible", datum, som, data, idag, checks=checks)


def close(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    slutorsak: str,
    forsorjning: Sequence[str] = (),
    nojd_bemotande: str | int | None = None,
    nojd_insats: str | int | None = None,
    ingen_enkat: bool = False,
    sysselsattning: Sequence[str] = (),
    idag: date | None = None,
) -> Resultat:
    """The closing meeting: slutorsak, income sources, sysselsättning (optional), and the
    survey or its refusal."""
    found = Checks()
    occupation = found(codes.parse_sysselsattning, sysselsattning or [])
    reason = found(codes.parse_code, slutorsak, codes.SLUTORSAKER, "slutorsak")
    sources = found(codes.parse_forsorjning, forsorjning, required=False)
    b = found(_int, nojd_bemotande, "nöjd-bemötande", 1, 5)
    i = found(_int, nojd_insats, "nöjd-insats", 1, 5)
    if ingen_enkat and (b is not None or i is not None):
        found.note(
            Valideringsfel(
                "ingen-enkät: ange antingen svaren (--nöjd-bemötande, --nöjd-insats) eller "
                "--ingen-enkät, inte båda."
            )
        )
    elif (b is None) != (i is None) and not found.messages:
        found.note(
            Valideringsfel(
                "nöjd-bemötande/nöjd-insats: enkäten har två frågor; ange båda svaren (1–5) "
                "eller --ingen-enkät."
            )
        )
    data = {
        "slutorsak": reason,
        "forsorjning": sources,
        "nojd_bemotande": b,
        "nojd_insats": i,
        "ingen_enkat": bool(ingen_enkat),
    }
    if occupation:
        data["sysselsattning"] = occupation
    return _record(conn, ref, "close", datum, som, data, idag, found=found)


def followup(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    sysselsattning: str,
    forsorjning: Sequence[str],
    idag: date | None = None,
) -> Resultat:
    found = Checks()
    data = {
        "sysselsattning": found(
            codes.parse_code, sysselsattning, codes.SYSSELSATTNING, "sysselsättning"
        ),
        "forsorjning": found(codes.parse_forsorjning, forsorjning, required=True),
    }
    return _record(conn, ref, "followup", datum, som, data, idag, found=found)


#: Hours in a day's attendance: up to 24, with at most two decimals.
_HOURS = re.compile(r"^(\d{1,2})(?:[.,](\d{1,2}))?$")


def parse_hours(value: str | float | int | None, field: str) -> float | int | None:
    """Hours (`4`, `4,5`, `7.25`) as a number: more than 0 and at most 24."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    found = _HOURS.match(text)
    number = float(text.replace(",", ".")) if found else -1.0
    if not found or not 0 < number <= 24:
        raise Valideringsfel(
            f"{field}: '{text[:20]}' är inte tillåtet; ange timmar över 0 och högst 24 "
            "(t.ex. 4 eller 4,5)."
        )
    return int(number) if number == int(number) else number


def narvaro(
    conn: Target,
    ref: str,
    *,
    datum: date,
    som: str | None,
    insats: str,
    timmar: str | float | int | None = None,
    franvaro: str | None = None,
    forvantat: str | float | int | None = None,
    orsak: str | None = None,
    idag: date | None = None,
) -> Resultat:
    """Attendance in an insats on a day: the hours, or an absence (giltig, ogiltig, sjuk)
    with the expected hours and a reason if given. Refused unless the case is in that
    insats that day; one record per insats and day (a wrong one is corrected)."""
    found = Checks()
    hours = found(parse_hours, timmar, "timmar")
    kind = None
    if franvaro is not None and franvaro.strip():
        kind = found(codes.parse_code, franvaro, codes.FRANVARO, "frånvaro")
    expected = found(parse_hours, forvantat, "förväntat")
    reason = found(_text, orsak, "orsak")
    if (timmar is None or not str(timmar).strip()) == (kind is None) and not found.messages:
        found.note(
            Valideringsfel(
                "timmar/frånvaro: ange antingen --timmar (närvarande tid) eller --frånvaro "
                "giltig|ogiltig|sjuk, inte båda."
                if kind is not None
                else "timmar/frånvaro: ange --timmar (närvarande tid) eller --frånvaro "
                "giltig|ogiltig|sjuk."
            )
        )
    elif kind is None and (expected is not None or reason):
        found.note(
            Valideringsfel("förväntat/orsak: anges bara med --frånvaro; närvaro har --timmar.")
        )
    data: dict[str, Any] = {"insats": insats}
    if kind is not None:
        data["franvaro"] = kind
        if expected is not None:
            data["forvantat"] = expected
        if reason:
            data["orsak"] = reason
    else:
        data["timmar"] = hours

    def checks(y: Register) -> None:
        data["insats"] = y.known_insats(insats)

    return _record(conn, ref, "narvaro", datum, som, data, idag, checks=checks, found=found)


def void(
    conn: Target,
    event_id: str | int,
    *,
    orsak: str,
    som: str | None,
    datum: date | None = None,
    idag: date | None = None,
    preview: bool = False,
) -> Resultat:
    """Void a wrong case event: a new event; the original stays in the history. With
    `preview`, every rule is checked and nothing is written (before asking)."""
    if preview and isinstance(conn, sqlite3.Connection):
        conn = Register(conn, idag)
    found = Checks()
    ref = found(_int, event_id, "händelse-id", 1, 2**62)
    reason = found(_text, orsak, "orsak", required=True)
    day = datum or idag or today()
    found(not_after_today, day, idag=idag)
    with working(conn, idag) as reg:
        actor = found(reg.actor, som)
        found.done(check_only=reg.check_only)
        assert ref is not None and reason is not None
        result: Resultat = reg.void(ref, day, actor, reason)
        return result


def show(
    conn: sqlite3.Connection, ref: str, *, som: str | None, idag: date | None = None
) -> dict[str, Any]:
    """A case's whole timeline. Reading a person's data is logged in the audit log; if the
    log row cannot be written, nothing is read. A personnummer whose cases are all closed
    is refused naming them (the look-up is logged too)."""
    from envagin_cli.domain import caseload
    from envagin_cli.store import queries

    day = idag or today()
    refusal: Valideringsfel | None = None
    with working(conn, day) as reg:
        actor = reg.actor(som)
        text = ref.strip()
        if pnr.looks_like(text) and text:
            number = pnr.parse(text, day).nummer
            if reg.open_case_for(number, None) is None:
                closed = queries.search(conn, text, number)
                reg.audit(
                    actor,
                    "visa ärende",
                    arende=closed[0] if closed else None,
                    detaljer="uppslag på personnummer; inget öppet ärende",
                )
                refusal = closed_cases(closed)
        if refusal is None:
            nr = reg.find(ref).nr
            reg.audit(
                actor,
                "visa ärende",
                arende=nr,
                detaljer="uppslag på personnummer" if pnr.looks_like(ref) else "",
            )
            view: dict[str, Any] = queries.timeline(conn, nr, day)
            view["flaggor"] = caseload.flags_of(conn, nr, day)
    if refusal is not None:
        raise refusal
    return view


def closed_cases(closed: list[str]) -> Valideringsfel:
    """The refusal for a person without an open case, naming their closed cases."""
    if not closed:
        return Valideringsfel("ärende: det finns inget ärende för det personnumret.")
    return Valideringsfel(
        "ärende: personen har inget öppet ärende; avslutade ärenden: "
        + ", ".join(closed)
        + f". Visa ett med 'envagin visa {closed[0]}'."
    )


def search(
    conn: sqlite3.Connection, text: str, *, som: str | None, idag: date | None = None
) -> list[str]:
    """The cases a search finds (`sök`), newest first: by personnummer (any accepted form)
    every case of the person, open or closed, logged in the audit log as `show` is; else
    by a fragment of the case number or by a pseudonym."""
    from envagin_cli.store import queries

    day = idag or today()
    wanted = text.strip()
    if not wanted:
        raise Valideringsfel(
            "text: ange ett personnummer, en del av ett ärendenummer eller en pseudonym."
        )
    number = None
    if pnr.looks_like(wanted):
        try:
            number = pnr.parse(wanted, day).nummer
        except Valideringsfel:  # digits that are no personnummer: part of a case number
            number = None
    with working(conn, day) as reg:
        actor = reg.actor(som)
        if number is not None:
            found: list[str] = queries.search(conn, wanted, number)
            targets: list[str | None] = [*found] or [None]
            for nr in targets:
                reg.audit(actor, "sök", arende=nr, detaljer="uppslag på personnummer")
        else:
            found = queries.search(conn, wanted, None)
    return found


def _intake_args(case: Any, data: dict[str, Any]) -> dict[str, Any]:
    """An intake's values as `intake` takes them: the person from the case's identity."""
    return {
        "personnummer": case.personnummer,
        "pseudonym": case.pseudonym,
        "anonym": case.personnummer is None and case.pseudonym is None,
        "kon": case.kon,
        "fodelsear": case.fodelsear,
        "skyddad": case.skyddad,
        "remittent": data.get("remittent"),
        "forsorjning": list(data.get("forsorjning") or []),
        "ansvarig": data.get("ansvarig"),
        "sysselsattning": list(data.get("sysselsattning") or []),
        "utbildning": data.get("utbildning"),
        "tid_offentlig": data.get("tid_offentlig"),
    }


def _option(keyword: str) -> str:
    """A domain keyword as the command line's option (`nojd_bemotande` → --nöjd-bemötande)."""
    name = keyword.replace("_", "-")
    return "--" + event_kinds.FIELD_NAMES.get(name, name)


def correct(
    conn: sqlite3.Connection,
    event_id: str | int,
    *,
    orsak: str,
    som: str | None,
    changes: dict[str, Any],
    write: bool = True,
    idag: date | None = None,
) -> dict[str, Any]:
    """Correct a case event (`rätta`): in one unit of work the event is voided and its
    corrected version recorded, with the given values changed and every other kept. The
    state machine reads the case as if the corrected event had been registered in the
    first place; a later event it would make impossible is named in the refusal. A
    corrected intake keeps the case number and every later event.

    Returns the event before and after (`fore`, `efter`: date, kind, description) and the
    result; with `write` False, everything is checked and nothing is written (a preview)."""
    from contextlib import nullcontext

    found = Checks()
    ref = found(_int, event_id, "händelse-id", 1, 2**62)
    reason = found(_text, orsak, "orsak", required=True)
    found.done()
    assert ref is not None and reason is not None
    given = {k: v for k, v in changes.items() if v is not None and v != []}
    scope = unit(conn, idag) if write else nullcontext(Register(conn, idag))
    with scope as reg:
        reg.actor(som)
        row = conn.execute(
            "SELECT arende, typ, datum, data FROM handelse WHERE id = ?", (ref,)
        ).fetchone()
        if row is None:
            raise Valideringsfel(
                f"händelse-id: händelse {ref} finns inte; se 'envagin visa ÄRENDE'."
            )
        typ, nr = row["typ"], row["arende"]
        if nr is None:
            raise Regelfel(
                f"Händelse {ref} ({event_kinds.label(typ)}) hör inte till något ärende; "
                "ändra registret med staff/insats-kommandona i stället."
            )
        if typ == "void":
            raise Regelfel(f"Händelse {ref} är en makulering och kan inte rättas.")
        case = reg.case(nr)
        assert case is not None
        if ref in case.voided_ids:
            raise Regelfel(f"Händelse {ref} är makulerad och kan inte rättas.")
        old = next(e for e in case.events if e.id == ref)
        kind = event_kinds.BY_CODE[typ]
        allowed = [
            "datum",
            *(f.keyword for f in kind.fields if f.keyword not in ("pseudonym", "skyddad")),
        ]
        wrong = [k for k in given if k not in allowed]
        if wrong:
            raise Valideringsfel(
                f"{_option(wrong[0])[2:]}: hör inte till en händelse av slaget "
                f"'{kind.label}'; den kan rättas med "
                + ", ".join(_option(k) for k in allowed)
                + "."
            )
        if not given:
            raise Valideringsfel(
                "ange vad som ska rättas: " + ", ".join(_option(k) for k in allowed) + "."
            )
        if typ == "intake":
            args = _intake_args(case, old.data)
            if "personnummer" in given:
                if case.personnummer is None and not old.data.get("anonym"):
                    raise Regelfel(
                        "personnummer: ärendets personnummer är borttaget (samtycke utan "
                        "statistik) och läggs inte till igen."
                    )
                args.update(anonym=False, pseudonym=None, kon=None, fodelsear=None)
            if given.get("anonym"):
                args.update(personnummer=None, pseudonym=None)
        else:
            args = {f.keyword: old.data.get(f.data_key) for f in kind.fields}
            if typ == "close" and ("nojd_bemotande" in given or "nojd_insats" in given):
                args["ingen_enkat"] = False
            if typ == "close" and given.get("ingen_enkat"):
                args.update(nojd_bemotande=None, nojd_insats=None)
            if typ == "narvaro" and "timmar" in given:  # an absence becomes attendance
                args.update(franvaro=None, forvantat=None, orsak=None)
            if typ == "narvaro" and "franvaro" in given:
                args["timmar"] = None
        day = given.pop("datum", old.datum)
        args.update(given)
        args.update(kind.fixed)
        reg.replacing = (ref, reason)
        try:
            call = kind.function()
            if kind.case_arg == "ref":
                result = call(reg, nr, datum=day, som=som, idag=idag, **args)
            else:
                result = call(reg, datum=day, som=som, idag=idag, arende=nr, **args)
        finally:
            reg.replacing = None
        new = next(e for e in case.events if e.id == result.handelse_id)

        def view(e: lifecycle.Handelse) -> dict[str, Any]:
            return {
                "datum": e.datum.isoformat(),
                "handelse": event_kinds.label(e.typ),
                "beskrivning": event_kinds.BY_CODE[e.typ].describe(e.data),
            }

        return {
            "arende": nr,
            "handelse_id": ref,
            "fore": view(old),
            "efter": view(new),
            "resultat": result,
        }


def undo(conn: sqlite3.Connection, *, som: str | None, idag: date | None = None) -> dict[str, Any]:
    """The newest case event that the current handläggare registered today and that is
    still in effect (`ångra`), for a preview before it is voided."""
    from envagin_cli.store import events, queries

    actor = Register(conn, idag).actor(som)
    day = events.now()[:10]  # the registration time's own date (UTC)
    row = conn.execute(
        "SELECT h.id FROM handelse h WHERE h.som = ? AND h.arende IS NOT NULL "
        "AND h.typ <> 'void' AND substr(h.registrerad, 1, 10) = ? "
        "AND NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id) "
        "ORDER BY h.id DESC LIMIT 1",
        (actor, day),
    ).fetchone()
    if row is None:
        raise Valideringsfel(f"Det finns ingen registrering av {actor} i dag ({day}) att ångra.")
    preview = queries.event_preview(conn, str(row[0]))
    assert preview is not None
    return {**preview, "som": actor}


def needs_survey(conn: sqlite3.Connection, ref: str, slutorsak: str) -> bool:
    """Whether closing the case with this slutorsak needs the closing meeting's survey
    and income sources (an enrolled case, not a felregistrering): for the questions a
    command asks before `close`. False when the case or the code cannot be read (then
    `close` itself refuses them)."""
    from envagin_cli.rules.errors import EnvaginError

    try:
        case = Register(conn).find(ref)
        reason = codes.parse_code(slutorsak, codes.SLUTORSAKER, "slutorsak")
    except EnvaginError:
        return False
    return (
        case.state.inskriven is not None
        and case.state.avslutad is None
        and reason not in codes.SLUTORSAKER_FORE_INSKRIVNING
        and reason != codes.FELREGISTRERING
    )
