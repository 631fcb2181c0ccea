"""Case commands: intake, consent, mapping, meetings, insatser, close, follow-up, voids.

Each function validates its plain values, asks the state machine (`lifecycle.replay`)
whether the event may happen, and in one transaction appends the event and rebuilds the
case's projection (`arende`, `arende_insats`). A refusal raises
before anything is written.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any

from envagin_cli.domain import audit as granskning
from envagin_cli.domain import codes, lifecycle, staff
from envagin_cli.domain import freetext as fritext
from envagin_cli.domain import insats as katalog
from envagin_cli.domain import personnummer as pnr
from envagin_cli.domain.dates import not_after_today, today
from envagin_cli.domain.errors import Regelfel, Valideringsfel
from envagin_cli.store import events
from envagin_cli.store.db import write

TYPNAMN_FOR_AUDIT = lifecycle.TYPNAMN
_NR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
_MAX_TEXT = 200


@dataclass(frozen=True)
class Resultat:
    """What a case command did: the case and the new event's id."""

    arende: str
    handelse_id: int


def _text(value: str | None, field: str, *, required: bool = False) -> str | None:
    return fritext.check(value, field, _MAX_TEXT, required=required)


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


def find_case(conn: sqlite3.Connection, ref: str, *, idag: date | None = None) -> str:
    """The case number named by `ref`: a case number, or the personnummer of an open case."""
    text = ref.strip()
    if not text:
        raise Valideringsfel("ärende: ange ett ärendenummer eller ett personnummer.")
    if pnr.looks_like(text):
        number = pnr.parse(text, idag or today()).nummer
        row = conn.execute(
            "SELECT a.nr FROM arende a JOIN identitet i ON i.id = a.identitet_id "
            "WHERE i.personnummer = ? AND a.avslutad IS NULL AND a.makulerad = 0",
            (number,),
        ).fetchone()
        if row is None:
            raise no_open_case()
        return str(row[0])
    row = conn.execute("SELECT nr FROM arende WHERE nr = ?", (text,)).fetchone()
    if row is None:
        row = conn.execute("SELECT nr FROM arende WHERE upper(nr) = upper(?)", (text,)).fetchone()
    if row is None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise Valideringsfel(f"ärende: '{shown}' finns inte. Se 'envagin cases --alla'.")
    return str(row[0])


def effective_events(conn: sqlite3.Connection, nr: str) -> list[lifecycle.Handelse]:
    """The case's events in effect: neither voids nor voided."""
    rows = conn.execute(
        "SELECT h.id, h.typ, h.datum, h.data FROM handelse h WHERE h.arende = ? "
        "AND h.typ <> 'void' AND NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id)",
        (nr,),
    ).fetchall()
    return [
        lifecycle.Handelse(r["id"], r["typ"], date.fromisoformat(r["datum"]), json.loads(r["data"]))
        for r in rows
    ]


def state(conn: sqlite3.Connection, nr: str) -> lifecycle.Arendelage:
    return lifecycle.replay(effective_events(conn, nr))


# --- writing ---------------------------------------------------------------------------


#: The projected columns of a case, in the order `projection` gives them (then `nr`).
PROJECT_COLUMNS = (
    "remittent",
    "ansvarig",
    "intag",
    "inskriven",
    "statistik",
    "samverkan_aterkallad",
    "statistik_aterkallad",
    "kartlaggning_start",
    "kartlaggning_klar",
    "trepart",
    "forsta_insats",
    "avslutad",
    "slutorsak",
    "nojd_bemotande",
    "nojd_insats",
    "ingen_enkat",
    "uppfoljd",
    "sysselsattning",
    "forsorjning_intag",
    "forsorjning_avslut",
    "forsorjning_uppfoljning",
)
PROJECT_SQL = (
    "UPDATE arende SET "
    + ", ".join(f"{c} = ?" for c in PROJECT_COLUMNS)
    + ", makulerad = 0 WHERE nr = ?"
)
#: A new case with its projection: (identitet_id, kon, fodelsear, projection..., nr).
INSERT_PROJECTED_SQL = (
    "INSERT INTO arende (identitet_id, kon, fodelsear, "
    + ", ".join(PROJECT_COLUMNS)
    + ", nr) VALUES ("
    + ", ".join("?" * (len(PROJECT_COLUMNS) + 4))
    + ")"
)
SPAN_SQL = (
    "INSERT INTO arende_insats (arende, lopnr, insats, utforare, start, slut) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def projection(nr: str, s: lifecycle.Arendelage) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The case row (parameters of PROJECT_SQL) and its insats spans, from its state."""
    row = (
        s.remittent,
        s.ansvarig,
        _iso(s.intag),
        _iso(s.inskriven),
        int(s.statistik),
        _iso(s.samverkan_aterkallad if "samverkan" not in s.samtycken else None),
        _iso(s.statistik_aterkallad if "statistik" not in s.samtycken else None),
        _iso(s.kartlaggning_start),
        _iso(s.kartlaggning_klar),
        _iso(s.trepart),
        _iso(s.forsta_insats),
        _iso(s.avslutad),
        s.slutorsak,
        s.nojd_bemotande,
        s.nojd_insats,
        int(s.ingen_enkat),
        _iso(s.uppfoljd),
        s.sysselsattning,
        ",".join(s.intag_forsorjning),
        ",".join(s.avslut_forsorjning) if s.avslutad else None,
        ",".join(s.uppfoljning_forsorjning) if s.uppfoljd else None,
        nr,
    )
    spans = [(nr, p.lopnr, p.insats, p.utforare, _iso(p.start), _iso(p.slut)) for p in s.insatser]
    return row, spans


def _project(conn: sqlite3.Connection, nr: str, s: lifecycle.Arendelage, voided: bool) -> None:
    conn.execute("DELETE FROM arende_insats WHERE arende = ?", (nr,))
    if voided:
        conn.execute("UPDATE arende SET makulerad = 1 WHERE nr = ?", (nr,))
        return
    row, spans = projection(nr, s)
    conn.execute(PROJECT_SQL, row)
    conn.executemany(SPAN_SQL, spans)


class Arbetsyta:
    """Where a case command's lookups and writes go: the database, one command at a time
    (`DbYta`), or the import's memory (`batch.MinnesYta`). The rules are the same: every
    command below validates its values, looks things up here, and asks the state machine
    through `registrera`.
    """

    idag: date | None = None

    def transaktion(self) -> AbstractContextManager[object]:
        raise NotImplementedError

    def aktor(self, som: str | None) -> str:
        raise NotImplementedError

    def handlaggare(self, value: str, field: str) -> str:
        raise NotImplementedError

    def insats_aktiv(self, value: str) -> tuple[str, str]:
        raise NotImplementedError

    def insats_finns(self, value: str) -> str:
        raise NotImplementedError

    def registrera(
        self, ref: str, typ: str, datum: date, actor: str, data: dict[str, Any]
    ) -> Resultat:
        raise NotImplementedError

    def nytt_arende(
        self, nr: str, datum: date, actor: str, ident: Identitet, data: dict[str, Any]
    ) -> Resultat:
        raise NotImplementedError

    def makulera(self, event_id: int, datum: date, actor: str, orsak: str) -> Resultat:
        raise NotImplementedError


@dataclass(frozen=True)
class Identitet:
    personnummer: str | None
    kon: str
    fodelsear: int
    skyddad: bool
    pseudonym: str | None = None


class DbYta(Arbetsyta):
    """Each command is one transaction on the database."""

    def __init__(self, conn: sqlite3.Connection, idag: date | None = None) -> None:
        self.conn = conn
        self.idag = idag

    def transaktion(self) -> AbstractContextManager[object]:
        return write(self.conn)

    def aktor(self, som: str | None) -> str:
        return staff.resolve_actor(self.conn, som)

    def handlaggare(self, value: str, field: str) -> str:
        return staff.require_active(self.conn, value, field)

    def insats_aktiv(self, value: str) -> tuple[str, str]:
        return katalog.require_active(self.conn, value)

    def insats_finns(self, value: str) -> str:
        return katalog.exists(self.conn, value)

    def registrera(
        self, ref: str, typ: str, datum: date, actor: str, data: dict[str, Any]
    ) -> Resultat:
        conn = self.conn
        nr = find_case(conn, ref, idag=self.idag)
        if pnr.looks_like(ref):
            granskning.log(
                conn,
                handlaggare=actor,
                atgard="uppslag på personnummer",
                arende=nr,
                detaljer=TYPNAMN_FOR_AUDIT.get(typ, typ),
            )
        if conn.execute("SELECT makulerad FROM arende WHERE nr = ?", (nr,)).fetchone()[0]:
            raise Regelfel(f"Ärendet {nr} är makulerat; registrera ett nytt intag vid behov.")
        new = lifecycle.Handelse(None, typ, datum, data)
        s = lifecycle.replay(effective_events(conn, nr), new)
        event_id = events.append(conn, arende=nr, typ=typ, datum=datum, som=actor, data=data)
        _project(conn, nr, s, voided=False)
        if typ == "consent" and "statistik" not in data["omfattning"]:
            _anonymise(conn, nr)
        return Resultat(nr, event_id)

    def nytt_arende(
        self, nr: str, datum: date, actor: str, ident: Identitet, data: dict[str, Any]
    ) -> Resultat:
        conn = self.conn
        if nr and conn.execute("SELECT 1 FROM arende WHERE upper(nr) = upper(?)", (nr,)).fetchone():
            raise number_taken(nr)
        if ident.personnummer is not None:
            open_case = conn.execute(
                "SELECT a.nr FROM arende a JOIN identitet i ON i.id = a.identitet_id "
                "WHERE i.personnummer = ? AND a.avslutad IS NULL AND a.makulerad = 0",
                (ident.personnummer,),
            ).fetchone()
            if open_case:
                raise open_case_refusal(open_case[0])
        nr = nr or next_number(conn, datum.year)
        stored = None if ident.skyddad else ident.personnummer
        ident_id = conn.execute(
            "INSERT INTO identitet (personnummer, kon, fodelsear, skyddad, pseudonym) "
            "VALUES (?, ?, ?, ?, ?)",
            (stored, ident.kon, ident.fodelsear, int(ident.skyddad), ident.pseudonym),
        ).lastrowid
        conn.execute(
            "INSERT INTO arende (nr, identitet_id, kon, fodelsear, remittent, ansvarig, intag) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                nr,
                ident_id,
                ident.kon,
                ident.fodelsear,
                data["remittent"],
                data["ansvarig"],
                datum.isoformat(),
            ),
        )
        data = {"identitet_id": ident_id, **data, "anonym": stored is None}
        s = lifecycle.replay([], lifecycle.Handelse(None, "intake", datum, data))
        event_id = events.append(conn, arende=nr, typ="intake", datum=datum, som=actor, data=data)
        _project(conn, nr, s, voided=False)
        return Resultat(nr, event_id)

    def makulera(self, event_id: int, datum: date, actor: str, orsak: str) -> Resultat:
        conn = self.conn
        row = conn.execute("SELECT arende, typ FROM handelse WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            raise Valideringsfel(
                f"händelse-id: händelse {event_id} finns inte; se 'envagin show ÄRENDE'."
            )
        nr, typ = row["arende"], row["typ"]
        already = (
            conn.execute("SELECT 1 FROM handelse WHERE makulerar = ?", (event_id,)).fetchone()
            is not None
        )
        remaining = [e for e in effective_events(conn, nr) if e.id != event_id] if nr else []
        s = check_void(event_id, nr, typ, already, remaining)
        new_id = events.append(
            conn,
            arende=nr,
            typ="void",
            datum=datum,
            som=actor,
            data={"handelse_id": event_id, "orsak": orsak},
            makulerar=event_id,
        )
        _project(conn, nr, s, voided=typ == "intake")
        return Resultat(nr, new_id)


def check_void(
    event_id: int,
    nr: str | None,
    typ: str,
    already: bool,
    remaining: list[lifecycle.Handelse],
) -> lifecycle.Arendelage:
    """The rules for voiding an event; returns the case's state without it."""
    if nr is None:
        raise Regelfel(
            f"Händelse {event_id} ({lifecycle.TYPNAMN[typ]}) hör inte till något ärende och kan "
            "inte makuleras; ändra registret med staff/insats-kommandona i stället."
        )
    if typ == "void":
        raise Regelfel(f"Händelse {event_id} är själv en makulering och kan inte makuleras.")
    if already:
        raise Regelfel(f"Händelse {event_id} är redan makulerad.")
    if typ == "intake" and remaining:
        raise Regelfel(
            f"Intaget i {nr} kan makuleras först när ärendets övriga händelser är makulerade; "
            "ett felaktigt ärende kan också avslutas med slutorsak felregistrering."
        )
    try:
        return lifecycle.replay(remaining)
    except Regelfel as exc:
        raise Regelfel(
            f"Händelse {event_id} ({lifecycle.TYPNAMN[typ]}) kan inte makuleras, eftersom senare "
            f"händelser bygger på den: {exc} Makulera dem först."
        ) from None


def open_case_refusal(nr: str) -> Regelfel:
    return Regelfel(
        f"Personen har redan ett öppet ärende: {nr}. Avsluta det först; "
        "ett nytt intag blir ett nytt ärende."
    )


def number_taken(nr: str) -> Regelfel:
    return Regelfel(f"ärende: {nr} finns redan; välj ett annat nummer eller utelämna det.")


def no_open_case() -> Valideringsfel:
    return Valideringsfel("ärende: det finns inget öppet ärende för det personnumret.")


def _yta(target: Arbetsyta | sqlite3.Connection, idag: date | None) -> Arbetsyta:
    if isinstance(target, Arbetsyta):
        return target
    return DbYta(target, idag)


def _anonymise(conn: sqlite3.Connection, nr: str) -> None:
    """Without consent to statistics the case is kept anonymous: only kön and födelseår stay."""
    conn.execute(
        "UPDATE identitet SET personnummer = NULL WHERE id = "
        "(SELECT identitet_id FROM arende WHERE nr = ?)",
        (nr,),
    )


def next_number(conn: sqlite3.Connection, year: int) -> str:
    prefix = f"EVI-{year}-"
    rows = conn.execute("SELECT nr FROM arende WHERE nr LIKE ?", (prefix + "%",)).fetchall()
    numbers = [int(r[0][len(prefix) :]) for r in rows if r[0][len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _record(
    target: Arbetsyta | sqlite3.Connection,
    ref: str,
    typ: str,
    datum: date,
    som: str | None,
    data: dict[str, Any],
    idag: date | None,
    *,
    checks: Any = None,
) -> Resultat:
    not_after_today(datum, idag=idag)
    yta = _yta(target, idag)
    with yta.transaktion():
        actor = yta.aktor(som)
        if checks is not None:
            checks(yta)
        return yta.registrera(ref, typ, datum, actor, data)


def intake(
    conn: Arbetsyta | sqlite3.Connection,
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
    not_after_today(datum, idag=idag)
    remit = codes.parse_code(remittent, codes.REMITTENTER, "remittent")
    sources = codes.parse_forsorjning(forsorjning, required=False)
    number: str | None = None
    if personnummer and personnummer.strip():
        if anonym:
            raise Valideringsfel(
                "personnummer: ange antingen personnummer eller --anonym, inte båda."
            )
        parsed = pnr.parse(personnummer, datum)
        number = parsed.nummer
        sex = codes.parse_code(kon, codes.KON, "kön") if kon else parsed.kon
        year = parsed.fodelsear
        if fodelsear not in (None, "") and _int(fodelsear, "födelseår", 1880, 2200) != year:
            raise Valideringsfel("födelseår: stämmer inte med personnumret.")
    else:
        if not anonym:
            raise Valideringsfel(
                "personnummer: ange --personnummer, eller --anonym med --kön och --födelseår."
            )
        if not kon:
            raise Valideringsfel("kön: krävs för ett anonymt ärende. Tillåtna: kvinna, man.")
        sex = codes.parse_code(kon, codes.KON, "kön")
        year_or_none = _int(fodelsear, "födelseår", 1880, datum.year)
        if year_or_none is None:
            raise Valideringsfel(f"födelseår: krävs för ett anonymt ärende (1880–{datum.year}).")
        year = year_or_none
    if arende is not None and arende.strip():
        nr = arende.strip()
        if not _NR.match(nr) or not any(c.isalpha() for c in nr):
            raise Valideringsfel(
                f"ärende: '{nr[:40]}' är inget giltigt ärendenummer; det ska innehålla minst en "
                "bokstav och bara a–z, siffror, '-', '_', '.' eller '/' (högst 40 tecken)."
            )
    else:
        nr = ""
    yta = _yta(conn, idag)
    with yta.transaktion():
        actor = yta.aktor(som)
        responsible = yta.handlaggare(ansvarig, "ansvarig") if ansvarig else actor
        data = {
            "remittent": remit,
            "forsorjning": sources,
            "ansvarig": responsible,
            "kon": sex,
            "fodelsear": year,
            "skyddad": skyddad,
        }
        ident = Identitet(number, sex, year, skyddad, pseudonym)
        return yta.nytt_arende(nr, datum, actor, ident, data)


def _scopes(values: Sequence[str], *, default_all: bool) -> list[str]:
    scopes = codes.parse_codes(values, codes.SAMTYCKEN, "omfattning")
    if not scopes:
        if default_all:
            return list(codes.SAMTYCKEN)
        raise Valideringsfel("omfattning: ange samverkan, statistik eller samverkan,statistik.")
    return sorted(scopes, key=list(codes.SAMTYCKEN).index)


def consent(
    conn: Arbetsyta | sqlite3.Connection,
    ref: str,
    *,
    datum: date,
    som: str | None,
    omfattning: Sequence[str] = (),
    aterkalla: bool = False,
    idag: date | None = None,
) -> Resultat:
    """Written consent (samverkan, statistik), or its withdrawal (default: both scopes)."""
    scopes = _scopes(omfattning, default_all=aterkalla)
    typ = "consent-withdrawn" if aterkalla else "consent"
    return _record(conn, ref, typ, datum, som, {"omfattning": scopes}, idag)


def _staff_list(y: Arbetsyta, values: Sequence[str], field: str, most: int) -> list[str]:
    ids: list[str] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                ident = y.handlaggare(part, field)
                if ident not in ids:
                    ids.append(ident)
    if not ids:
        raise Valideringsfel(f"{field}: ange minst en handläggare.")
    if len(ids) > most:
        raise Valideringsfel(f"{field}: högst {most} handläggare ({len(ids)} angavs).")
    return ids


def map_start(
    conn: Arbetsyta | sqlite3.Connection,
    ref: str,
    *,
    datum: date,
    som: str | None,
    handlaggare: Sequence[str],
    idag: date | None = None,
) -> Resultat:
    data: dict[str, Any] = {}

    def checks(y: Arbetsyta) -> None:
        data["handlaggare"] = _staff_list(y, handlaggare, "handläggare", 2)

    return _record(conn, ref, "map-start", datum, som, data, idag, checks=checks)


def map_done(
    conn: Arbetsyta | sqlite3.Connection,
    ref: str,
    *,
    datum: date,
    som: str | None,
    idag: date | None = None,
) -> Resultat:
    return _record(conn, ref, "map-done", datum, som, {}, idag)


def tripartite(
    conn: Arbetsyta | sqlite3.Connection,
    ref: str,
    *,
    datum: date,
    som: str | None,
    handlaggare: Sequence[str],
    remittent_handlaggare: str | None,
    avslutande: bool = False,
    idag: date | None = None,
) -> Resultat:
    data: dict[str, Any] = {
        "remittent_handlaggare": _text(
            remittent_handlaggare, "remittent-handläggare", required=True
        ),
        "avslutande": bool(avslutande),
    }

    def checks(y: Arbetsyta) -> None:
        data["handlaggare"] = _staff_list(y, handlaggare, "handläggare", 2)

    return _record(conn, ref, "tripartite", datum, som, data, idag, checks=checks)


def assign(
    conn: Arbetsyta | sqlite3.Connection,
    ref: str,
    *,
    datum: date,
    som: str | None,
    insats: str,
    utforare: str | None = None,
    byt: bool = False,
    idag: date | None = None,
) -> Resultat:
    data: dict[str, Any] = {"byt": bool(byt)}
    performer = codes.parse_code(utforare, codes.UTFORARE, "utförare") if utforare else None

    def checks(y: Arbetsyta) -> None:
        code, party = y.insats_aktiv(insats)
        data["insats"] = code
        data["utforare"] = performer or party

    return _record(conn, ref, "assign", datum, som, data, idag, checks=checks)


def assign_end(
    conn: Arbetsyta | sqlite3.Connection,
    ref: str,
    *,
    datum: date,
    som: str | None,
    insats: str,
    idag: date | None = None,
) -> Resultat:
    data: dict[str, Any] = {}

    def checks(y: Arbetsyta) -> None:
        data["insats"] = y.insats_finns(insats)

    return _record(conn, ref, "assign-end", datum, som, data, idag, checks=checks)


def responsible(
    conn: Arbetsyta | sqlite3.Connection,
    ref: str,
    *,
    datum: date,
    som: str | None,
    ansvarig: str,
    idag: date | None = None,
) -> Resultat:
    data: dict[str, Any] = {}

    def checks(y: Arbetsyta) -> None:
        data["ansvarig"] = y.handlaggare(ansvarig, "ansvarig")

    return _record(conn, ref, "responsible", datum, som, data, idag, checks=checks)


def close(
    conn: Arbetsyta | sqlite3.Connection,
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
    reason = codes.parse_code(slutorsak, codes.SLUTORSAKER, "slutorsak")
    sources = codes.parse_forsorjning(forsorjning, required=False)
    b = _int(nojd_bemotande, "nöjd-bemötande", 1, 5)
    i = _int(nojd_insats, "nöjd-insats", 1, 5)
    if ingen_enkat and (b is not None or i is not None):
        raise Valideringsfel(
            "ingen-enkät: ange antingen svaren (--nöjd-bemötande, --nöjd-insats) eller "
            "--ingen-enkät, inte båda."
        )
    if (b is None) != (i is None):
        raise Valideringsfel(
            "nöjd-bemötande/nöjd-insats: enkäten har två frågor; ange båda svaren (1–5) "
            "eller --ingen-enkät."
        )
    data = {
        "slutorsak": reason,
        "forsorjning": sources,
        "nojd_bemotande": b,
        "nojd_insats": i,
        "ingen_enkat": bool(ingen_enkat),
    }
    return _record(conn, ref, "close", datum, som, data, idag)


def followup(
    conn: Arbetsyta | sqlite3.Connection,
    ref: str,
    *,
    datum: date,
    som: str | None,
    sysselsattning: str,
    forsorjning: Sequence[str],
    idag: date | None = None,
) -> Resultat:
    data = {
        "sysselsattning": codes.parse_code(sysselsattning, codes.SYSSELSATTNING, "sysselsättning"),
        "forsorjning": codes.parse_forsorjning(forsorjning, required=True),
    }
    return _record(conn, ref, "followup", datum, som, data, idag)


def void(
    conn: Arbetsyta | sqlite3.Connection,
    event_id: str | int,
    *,
    orsak: str,
    som: str | None,
    datum: date | None = None,
    idag: date | None = None,
) -> Resultat:
    """Void a wrong case event: a new event; the original stays in the history."""
    ref = _int(event_id, "händelse-id", 1, 2**62)
    reason = _text(orsak, "orsak", required=True)
    day = datum or idag or today()
    not_after_today(day, idag=idag)
    assert ref is not None and reason is not None
    yta = _yta(conn, idag)
    with yta.transaktion():
        actor = yta.aktor(som)
        return yta.makulera(ref, day, actor, reason)
