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
from envagin_cli.rules import codes, freetext, lifecycle
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
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
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
        }
        ident = Identitet(number, sex, year, skyddad, pseudonym)
        result: Resultat = reg.new_case(nr, datum, actor, ident, data)
        return result


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
    idag: date | None = None,
) -> Resultat:
    """The closing meeting: slutorsak, income sources, and the survey or its refusal."""
    found = Checks()
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


def void(
    conn: Target,
    event_id: str | int,
    *,
    orsak: str,
    som: str | None,
    datum: date | None = None,
    idag: date | None = None,
) -> Resultat:
    """Void a wrong case event: a new event; the original stays in the history."""
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
    log row cannot be written, nothing is read."""
    from envagin_cli.store import queries

    day = idag or today()
    with working(conn, day) as reg:
        actor = reg.actor(som)
        nr = reg.find(ref).nr
        reg.audit(
            actor,
            "visa ärende",
            arende=nr,
            detaljer="uppslag på personnummer" if pnr.looks_like(ref) else "",
        )
        view: dict[str, Any] = queries.timeline(conn, nr, day)
    return view
