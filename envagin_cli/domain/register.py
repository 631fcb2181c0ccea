"""The register as one unit of work: every write goes through a `Register`.

A `Register` reads what the domain functions look up (staff, the insats catalogue, the
goals, and each case it is asked about: its effective events and state), keeps every
change in memory, and writes them all with `flush()`. A command is one row through a
`Register` (`unit()`: `BEGIN IMMEDIATE`, the domain call, flush, commit); an import file
is many rows through the same `Register` in one transaction; the demo too. The domain
functions (`cases.intake`, `staff.add`, `mal.set_goal`, ...) validate their values, apply
the rules (the state machine for case events) and then call the methods below, which
only record: so a refusal changes nothing, in memory or in the file.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from envagin_cli.rules import codes, event_kinds, lifecycle, sameness
from envagin_cli.rules import personnummer as pnr
from envagin_cli.rules.dates import real_today, today
from envagin_cli.rules.errors import Behorighetsfel, Regelfel, Valideringsfel
from envagin_cli.store import events, kedja
from envagin_cli.store.db import write
from envagin_cli.store.transaction import erasing, insert_rows

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
    "sysselsattning_intag",
    "sysselsattning_avslut",
    "utbildning",
    "tid_offentlig",
)
PROJECT_SQL = (
    "UPDATE arende SET "
    + ", ".join(f"{c} = ?" for c in PROJECT_COLUMNS)
    + ", makulerad = 0 WHERE nr = ?"
)
#: The columns of the rows `flush` inserts (`transaction.insert_rows`). A new case with its
#: projection: (identitet_id, kon, fodelsear, projection..., nr).
_IDENT_COLUMNS = ("id", "personnummer", "kon", "fodelsear", "skyddad", "pseudonym")
_CASE_COLUMNS = ("identitet_id", "kon", "fodelsear", *PROJECT_COLUMNS, "nr")
_SPAN_COLUMNS = ("arende", "lopnr", "insats", "utforare", "start", "slut")
EVENT_COLUMNS = (
    "id",
    "arende",
    "typ",
    "datum",
    "registrerad",
    "som",
    "os_anvandare",
    "data",
    "makulerar",
    "kedja",
)
_CASE_SQL = (
    "SELECT a.nr, a.makulerad, i.id, i.personnummer, i.pseudonym, i.kon, i.fodelsear, "
    "i.skyddad FROM arende a JOIN identitet i ON i.id = a.identitet_id WHERE "
)
#: What the audit log says of each kind of goal change (as before they were kinds).
_GOAL_AUDIT = {
    "goal": "målvärde",
    "goal-add": "nytt-mal",
    "goal-status": "status",
    "goal-value": "varde",
}
_AUDIT_COLUMNS = (
    "id",
    "tid",
    "handlaggare",
    "os_anvandare",
    "atgard",
    "arende",
    "detaljer",
    "underlag",
    "kedja",
)


class Resultat(NamedTuple):
    """What a case command did: the case and the new event's id; or, when the same event
    was already there (the rule of sameness), that event's id and `ny` False. (A named
    tuple: as unchangeable as a frozen dataclass, and made in a quarter of the time, once
    for every row of an import.)"""

    arende: str
    handelse_id: int
    ny: bool = True


@dataclass(frozen=True)
class Identitet:
    personnummer: str | None
    kon: str
    fodelsear: int
    skyddad: bool
    pseudonym: str | None = None


@dataclass(frozen=True)
class Handlaggare:
    id: str
    namn: str
    part: str
    roll: str
    tjanstgoringsgrad: int
    aktiv: bool


@dataclass(frozen=True)
class Insats:
    kod: str
    namn: str
    part: str
    aktiv: bool


@dataclass
class Arende:
    """A case as the register holds it while a unit of work runs."""

    nr: str
    ident_id: int
    personnummer: str | None
    pseudonym: str | None
    kon: str
    fodelsear: int
    skyddad: bool
    events: list[lifecycle.Handelse]
    state: lifecycle.Arendelage
    makulerad: bool = False
    intake: lifecycle.Handelse | None = None
    ny: bool = False
    andrad: bool = False
    anonymisera: bool = False
    voided_ids: set[int] = field(default_factory=set)


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
        ",".join(s.intag_sysselsattning) or None,
        ",".join(s.avslut_sysselsattning) if s.avslutad and s.avslut_sysselsattning else None,
        s.utbildning,
        s.tid_offentlig,
        nr,
    )
    spans = [(nr, p.lopnr, p.insats, p.utforare, _iso(p.start), _iso(p.slut)) for p in s.insatser]
    return row, spans


def effective_events(conn: sqlite3.Connection, nr: str) -> list[lifecycle.Handelse]:
    """The case's events in effect in the file: neither voids nor voided."""
    rows = conn.execute(
        "SELECT h.id, h.typ, h.datum, h.data FROM handelse h WHERE h.arende = ? "
        "AND h.typ <> 'void' AND NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id)",
        (nr,),
    ).fetchall()
    return [
        lifecycle.Handelse(r["id"], r["typ"], date.fromisoformat(r["datum"]), json.loads(r["data"]))
        for r in rows
    ]


# --- refusals shared by every path --------------------------------------------------------


def no_active_staff(value: str, field: str, *, known: bool, active: list[str]) -> Valideringsfel:
    """The refusal for a handläggare who is not active, listing the active ones."""
    listed = ", ".join(active) or "inga – lägg till med 'envagin staff add'"
    what = "är avaktiverad" if known else "är ingen registrerad handläggare"
    guess = "" if known else codes.hint(value, active)
    return Valideringsfel(
        f"{field}: '{value[:30]}' {what}{guess or '.'} Aktiva handläggare: {listed}."
    )


def no_active_insats(value: str, field: str, *, known: bool, active: list[str]) -> Valideringsfel:
    """The refusal for an insats that cannot be started, listing the active ones."""
    what = "är avaktiverad" if known else "är ingen insats i katalogen"
    guess = "" if known else codes.hint(value, active)
    return Valideringsfel(
        f"{field}: '{value[:40]}' {what}{guess or '.'} Aktiva insatser: {', '.join(active)}."
    )


def open_case_refusal(nr: str) -> Regelfel:
    return Regelfel(
        f"Personen har redan ett öppet ärende: {nr}. Avsluta det först; "
        "ett nytt intag blir ett nytt ärende."
    )


def number_taken(nr: str) -> Regelfel:
    return Regelfel(f"ärende: {nr} finns redan; välj ett annat nummer eller utelämna det.")


def no_open_case() -> Valideringsfel:
    return Valideringsfel("ärende: det finns inget öppet ärende för det personnumret.")


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def no_such_case(text: str, numbers: Iterable[str] = ()) -> Valideringsfel:
    shown = text if len(text) <= 40 else text[:40] + "…"
    guess = codes.hint(text, numbers)
    return Valideringsfel(f"ärende: '{shown}' finns inte{guess or '.'} Se 'envagin cases --alla'.")


def voided_case(nr: str) -> Regelfel:
    return Regelfel(f"Ärendet {nr} är makulerat; registrera ett nytt intag vid behov.")


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
            f"Händelse {event_id} ({event_kinds.label(typ)}) hör inte till något ärende och "
            "kan inte makuleras; ändra registret med staff/insats-kommandona i stället."
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
            f"Händelse {event_id} ({event_kinds.label(typ)}) kan inte makuleras, eftersom "
            f"senare händelser bygger på den: {exc} Makulera dem först."
        ) from None


class Register:
    """Read once, changed in memory, written by `flush()` in the caller's transaction."""

    def __enter__(self) -> Register:
        """A register given to a domain function is used as it is (its owner flushes)."""
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __init__(self, conn: sqlite3.Connection, idag: date | None = None) -> None:
        self.conn = conn
        self.idag = idag or today()
        #: The last date that may be recorded (`dates.not_after_today`), worked out once.
        self.senast = min(self.idag, real_today())
        self._goal_values: dict[tuple[int, str], tuple[float, str] | None] = {}
        self._goal_statuses: dict[tuple[int, str, str, str], int] = {}
        self.cases: dict[str, Arende] = {}
        self.upper: dict[str, str] = {}
        self.by_person: dict[str, list[str]] = {}
        self._persons_read: set[str] = set()
        self.numbers: dict[int, int] = {}
        self.event_case: dict[int, str] = {}
        self.now = events.now()  # one registration time for the whole unit of work
        self.os_user = events.os_user()
        self._days: dict[date, str] = {}
        #: An import row with refusals of its own is checked through its domain function
        #: for the rest of its refusals, but must record nothing (`Checks.done`).
        self.check_only = False
        #: Set once the login rule has been applied to who runs an import: its rows'
        #: `som` (who recorded each event) then need only be active handläggare.
        self.identity_checked = False
        #: An import runs (`importer`): a leader-only row needs the importing identity to
        #: be a leader, whatever its `som` (which only records who registered it).
        self.importing = False
        #: Who runs the import, as resolved for any command (None: not given).
        self.importer_id: str | None = None
        #: A correction (`rätta`): the event that the next recorded case event replaces
        #: (voided in the same unit of work), and why.
        self.replacing: tuple[int, str] | None = None
        self._reset()

    # What the register reads from the file, each on first use: a command reads only what
    # its domain function looks up (a staff check reads no goals).

    @functools.cached_property
    def staff(self) -> dict[str, Handlaggare]:
        return {
            r["id"]: Handlaggare(
                r["id"], r["namn"], r["part"], r["roll"], r["tjanstgoringsgrad"], bool(r["aktiv"])
            )
            for r in self.conn.execute("SELECT * FROM staff ORDER BY id")
        }

    @functools.cached_property
    def logins(self) -> dict[str, str]:
        """OS login → the handläggare it is linked to (`staff login`)."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT login, handlaggare FROM inloggning")}

    @functools.cached_property
    def settings(self) -> dict[str, str]:
        """The register's settings in effect (the newest of each key's history)."""
        found = dict(codes.INSTALLNINGAR_STANDARD)
        for r in self.conn.execute("SELECT nyckel, varde FROM installning_historik ORDER BY id"):
            found[r[0]] = r[1]
        return found

    @functools.cached_property
    def insatser(self) -> dict[str, Insats]:
        return {
            r["kod"]: Insats(r["kod"], r["namn"], r["part"], bool(r["aktiv"]))
            for r in self.conn.execute("SELECT kod, namn, part, aktiv FROM insats ORDER BY rowid")
        }

    @functools.cached_property
    def targets(self) -> dict[str, float | None]:
        """The goal targets in effect today."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT nyckel, varde FROM mal")}

    @functools.cached_property
    def target_history(self) -> dict[str, list[tuple[str | None, float | None]]]:
        """Each goal target's values with the day each applies from (None: the start), in
        the order they apply (`codes.target_on` reads it)."""
        return codes.target_histories(
            self.conn.execute("SELECT nyckel, varde, fran FROM mal_historik ORDER BY id")
        )

    @functools.cached_property
    def goal_posts(self) -> dict[str, dict[str, Any]]:
        return {r["kod"]: dict(r) for r in self.conn.execute("SELECT * FROM malpost ORDER BY id")}

    @functools.cached_property
    def unit(self) -> dict[str, str] | None:
        """The unit's identity in effect (`enhet set`): namn, kommun, af_kontor, datum."""
        row = self.conn.execute(
            "SELECT namn, kommun, af_kontor, datum FROM enhet ORDER BY datum DESC, id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else dict(row)

    @functools.cached_property
    def next_event(self) -> int:
        return int(self.conn.execute("SELECT max(id) FROM handelse").fetchone()[0] or 0) + 1

    @functools.cached_property
    def next_ident(self) -> int:
        return int(self.conn.execute("SELECT max(id) FROM identitet").fetchone()[0] or 0) + 1

    @functools.cached_property
    def next_goal_post(self) -> int:
        return max((int(p["id"]) for p in self.goal_posts.values()), default=0) + 1

    @functools.cached_property
    def db_has_cases(self) -> bool:
        """Whether the file has cases at all. Loading a new, empty register (the common bulk
        case), no case can be in the way, so the per-row look-ups in the file are skipped."""
        return self.conn.execute("SELECT 1 FROM arende LIMIT 1").fetchone() is not None

    def _reset(self) -> None:
        self.ops_before: list[tuple[str, tuple[Any, ...]]] = []
        self.ops_after: list[tuple[str, tuple[Any, ...]]] = []
        self.event_rows: list[tuple[Any, ...]] = []
        self.ident_rows: list[tuple[Any, ...]] = []
        self.audit_rows: list[tuple[Any, ...]] = []
        #: Gallring: event id → the digest of the free text it removed (hex), for its
        #: audit row.
        self.gallrade: dict[str, str] = {}

    # --- who acts ---------------------------------------------------------------------

    def active_staff(self, value: str, field: str) -> str:
        """The id of an active handläggare, or a refusal listing the active ones."""
        person = self.staff.get(value)
        if person is not None and person.aktiv:
            return value
        ident = value.strip().lower()
        person = self.staff.get(ident)
        if person is None or not person.aktiv:
            active = sorted(k for k, v in self.staff.items() if v.aktiv)
            raise no_active_staff(value, field, known=person is not None, active=active)
        return ident

    def actor(self, som: str | None) -> str:
        """Who is recording: `--som`, `ENVAGIN_USER` or a file's `som`, an active handläggare.

        Once any OS login is linked to a handläggare (`staff login`), the current login's
        handläggare is the default, and in the strict mode (a new register's) nobody acts
        as another handläggare, nor from a login that is not linked. The setting
        `inloggning fri` allows it, for a shared terminal. With no login linked, `som`
        is taken as given (a register not yet set up for logins works as before)."""
        if self.logins and not self.identity_checked:
            som = self._identified(som)
        if not som or not som.strip():
            raise Valideringsfel(
                "som: ange vem som registrerar med --som ID eller miljövariabeln ENVAGIN_USER "
                "(i en fil: kolumnen som)."
            )
        return self.active_staff(som, "som")

    def _identified(self, som: str | None) -> str | None:
        """`som` under the login rule: the linked handläggare by default; in the strict
        mode only that one."""
        login = self.os_user
        linked = self.logins.get(login)
        given = som.strip().lower() if som and som.strip() else None
        if self.settings["inloggning"] == "fri":
            return given or linked
        if linked is None:
            raise Behorighetsfel(
                f"som: inloggningen '{login[:64]}' är inte kopplad till någon handläggare, och "
                "registret kräver det (inloggning strikt). Be en projektledare eller "
                f"teamledare koppla den: envagin staff login ID {login[:64]}"
            )
        if given is not None and given != linked:
            raise Behorighetsfel(
                f"som: inloggningen '{login[:64]}' är kopplad till handläggaren {linked}; "
                f"att registrera som {given[:30]} vägras (inloggning strikt). Logga in som "
                "den handläggaren, eller låt en projektledare tillåta det för en delad "
                "terminal: envagin inställning set inloggning fri"
            )
        return linked

    def importer(self, som: str | None) -> str | None:
        """Who runs an import, under the login rule (applied once, here): their id, or
        `som` unchanged when no login is linked. The rows' own `som` (who recorded each
        event) then need only be active handläggare; a leader-only row needs the one
        who imports to be a leader (`authority`)."""
        self.importing = True
        if not self.logins:
            self.importer_id = som.strip().lower() if som and som.strip() else None
            return som
        actor = self.actor(som)
        self.identity_checked = True
        self.importer_id = actor
        return actor

    def set_up_by(self, actor: str) -> None:
        """An import into an empty staff register, with no importing identity given: the
        one its first staff row names sets the register up (as `staff add` would), and
        is the importing identity for the rest of the file."""
        if self.importing and self.importer_id is None and actor:
            self.importer_id = actor

    def authority(self, actor: str, what: str) -> str:
        """Whose role decides whether `what` may be done: the actor's for a command; in an
        import, the importing identity's (never a row's `som`)."""
        if not self.importing:
            return actor
        if self.importer_id is None:
            raise Behorighetsfel(
                f"som: ange vem som importerar med --som ID eller ENVAGIN_USER; att {what} "
                "kräver att den som importerar får det (kolumnen som anger bara vem som "
                "registrerade händelsen)."
            )
        person = self.staff.get(self.importer_id)
        if person is None or not person.aktiv:
            raise Behorighetsfel(
                f"som: den som importerar ('{self.importer_id[:30]}') är ingen aktiv "
                f"handläggare i registret, och att {what} kräver att den som importerar är "
                "projektledare eller teamledare (kolumnen som anger bara vem som "
                "registrerade händelsen). Importera som en projektledare: --som ID."
            )
        return self.importer_id

    def leader(self, som: str | None, what: str, roles: frozenset[str] | None = None) -> str:
        """The actor, who must be a projektledare or teamledare (`roles`) to do `what`. In
        an import the importing identity must be, which the register checks where it
        records the change (`_led`): a row already there changes nothing and needs no
        authority, as a file continuing an export is read whole."""
        actor = self.actor(som)
        if not self.importing:
            self.require_role(actor, what, roles or codes.LEDNINGSROLLER)
        return actor

    def require_role(self, actor: str, what: str, roles: frozenset[str]) -> None:
        who = self.authority(actor, what)
        person = self.staff[who]
        if person.roll not in roles:
            named = " eller ".join(codes.label(codes.ROLLER, r).lower() for r in sorted(roles))
            whom = f"den som importerar ({who})" if self.importing else who
            raise Behorighetsfel(
                f"Bara en {named} får {what}; {whom} är "
                f"{codes.label(codes.ROLLER, person.roll).lower()}."
            )

    def staff_changer(self, som: str | None, what: str) -> str:
        """The actor who may change the staff register: a leader, or while the register
        has no active projektledare or teamledare (an old one, or one set up with another
        role first), any active handläggare, so that the team can name one."""
        if self.importing or not self.able_leaders(self.staff, {}, "fri"):
            return self.actor(som)  # an import's identity: where the change is recorded
        return self.leader(som, what)

    def _led(self, what: str, *, staff: bool = False) -> None:
        """In an import, a leader-only change is recorded only when the one who imports is
        a projektledare or teamledare (a row's `som` lends no authority). The staff
        register's first rows set an empty register up; while it has no active leader,
        any active handläggare may change it (`staff_changer`)."""
        if not self.importing:
            return
        if staff and not self.staff:
            return
        who = self.authority("", what)
        if staff and not self.able_leaders(self.staff, {}, "fri"):
            return
        self.require_role(who, what, codes.LEDNINGSROLLER)

    def able_leaders(
        self,
        staff: dict[str, Handlaggare] | None = None,
        logins: dict[str, str] | None = None,
        mode: str | None = None,
    ) -> set[str]:
        """The active projektledare and teamledare who can act (with the given staff,
        logins and login mode; default: as they are): while the strict mode is enforced
        (a login is linked), only those with a linked login."""
        staff = self.staff if staff is None else staff
        logins = self.logins if logins is None else logins
        strict = bool(logins) and (mode or self.settings["inloggning"]) == "strikt"
        linked = set(logins.values())
        return {
            p.id
            for p in staff.values()
            if p.aktiv and p.roll in codes.LEDNINGSROLLER and (not strict or p.id in linked)
        }

    def keep_a_leader(
        self,
        what: str,
        staff: dict[str, Handlaggare] | None = None,
        logins: dict[str, str] | None = None,
        mode: str | None = None,
    ) -> None:
        """Refuse a change after which no projektledare or teamledare could act (and so
        nobody could change the staff, the goals or the settings again): the team never
        locks itself out."""
        if not self.able_leaders() or self.able_leaders(staff, logins, mode):
            return
        strict = (
            bool(self.logins if logins is None else logins)
            and (mode or self.settings["inloggning"]) == "strikt"
        )
        who = (
            "ingen aktiv projektledare eller teamledare med kopplad OS-inloggning "
            "(inloggning strikt)"
            if strict
            else "ingen aktiv projektledare eller teamledare"
        )
        raise Regelfel(
            f"{what} vägras: efteråt finns {who} som kan ändra handläggarna, målen och "
            "inställningarna, och registret vore låst för gott. Utse först en till, t.ex. "
            "envagin staff set ID --roll teamledare"
            + (", och koppla dess inloggning: envagin staff login ID LOGIN." if strict else ".")
        )

    # --- the catalogue ------------------------------------------------------------------

    def active_insats(self, value: str, field: str = "insats") -> tuple[str, str]:
        """(code, party) of an active insats, named by its code or its name."""
        entry = self._insats_named(value)
        if entry is None or not entry.aktiv:
            active = [k for k, v in self.insatser.items() if v.aktiv]
            raise no_active_insats(value, field, known=entry is not None, active=active)
        return entry.kod, entry.part

    def known_insats(self, value: str) -> str:
        """The code of an insats in the catalogue, active or not."""
        entry = self._insats_named(value)
        if entry is None:
            guess = codes.hint(value, self.insatser)
            raise Valideringsfel(f"insats: '{value[:40]}' finns inte i katalogen{guess or '.'}")
        return entry.kod

    def _insats_named(self, value: str) -> Insats | None:
        """The insats whose code, or else whose name, `value` is (folded)."""
        entry = self.insatser.get(value)  # the common case: the code itself
        if entry is not None:
            return entry
        kod = codes.fold(value)
        entry = self.insatser.get(kod)
        if entry is None:
            entry = next((i for i in self.insatser.values() if codes.fold(i.namn) == kod), None)
        return entry

    # --- recording register changes (the domain has checked them) ---------------------

    def event(
        self,
        nr: str | None,
        typ: str,
        datum: date,
        actor: str,
        data: dict[str, Any],
        makulerar: int | None = None,
    ) -> int:
        """Append an event to the history; returns its id."""
        if self.check_only:  # a domain function that did not stop at its checks
            raise AssertionError("en kontrollerad rad får inte registreras")
        event_id = self.next_event
        self.next_event += 1
        day = self._days.get(datum)
        if day is None:
            day = self._days[datum] = datum.isoformat()
        self.event_rows.append(
            (event_id, nr, typ, day, self.now, actor, self.os_user, events.encode(data), makulerar)
        )
        if nr is not None:
            self.event_case[event_id] = nr
        return event_id

    def audit(
        self,
        actor: str,
        atgard: str,
        *,
        arende: str | None = None,
        detaljer: str = "",
        underlag: dict[str, Any] | None = None,
    ) -> None:
        """A row in the audit log, written with the rest of the unit of work (`underlag`:
        what a change did, kept as JSON in the chained row, e.g. gallring's digests)."""
        self.audit_rows.append(
            (
                events.now(),
                actor,
                events.os_user(),
                atgard,
                arende,
                detaljer,
                None if underlag is None else json.dumps(underlag, sort_keys=True),
            )
        )

    def add_staff(self, person: Handlaggare, actor: str, datum: date) -> None:
        self._led("lägga till handläggare", staff=True)
        self.staff[person.id] = person
        self.ops_before.append(
            (
                "INSERT INTO staff (id, namn, part, roll, tjanstgoringsgrad) "
                "VALUES (?, ?, ?, ?, ?)",
                (person.id, person.namn, person.part, person.roll, person.tjanstgoringsgrad),
            )
        )
        self.event(
            None,
            "staff",
            datum,
            actor,
            {
                "id": person.id,
                "namn": person.namn,
                "part": person.part,
                "roll": person.roll,
                "tjanstgoringsgrad": person.tjanstgoringsgrad,
            },
        )

    def deactivate_staff(self, ident: str, actor: str, datum: date) -> None:
        self._led("avaktivera handläggare", staff=True)
        p = self.staff[ident]
        self.staff[ident] = Handlaggare(p.id, p.namn, p.part, p.roll, p.tjanstgoringsgrad, False)
        self.ops_before.append(("UPDATE staff SET aktiv = 0 WHERE id = ?", (ident,)))
        self.event(None, "staff-deactivate", datum, actor, {"id": ident})
        self.audit(actor, "handläggare avaktiverad", detaljer=ident)

    def reactivate_staff(self, ident: str, actor: str, datum: date) -> None:
        self._led("återaktivera handläggare", staff=True)
        p = self.staff[ident]
        self.staff[ident] = Handlaggare(p.id, p.namn, p.part, p.roll, p.tjanstgoringsgrad, True)
        self.ops_before.append(("UPDATE staff SET aktiv = 1 WHERE id = ?", (ident,)))
        self.event(None, "staff-reactivate", datum, actor, {"id": ident})
        self.audit(actor, "handläggare återaktiverad", detaljer=ident)

    def change_staff(
        self, person: Handlaggare, changed: dict[str, Any], actor: str, datum: date
    ) -> None:
        """New values of a handläggare (`staff set`): the staff row, an event holding the
        changed values (the history) and an audit row."""
        self._led("ändra handläggare", staff=True)
        self.staff[person.id] = person
        self.ops_before.append(
            (
                "UPDATE staff SET namn = ?, part = ?, roll = ?, tjanstgoringsgrad = ? WHERE id = ?",
                (person.namn, person.part, person.roll, person.tjanstgoringsgrad, person.id),
            )
        )
        self.event(None, "staff-set", datum, actor, {"id": person.id, **changed})
        self.audit(
            actor,
            "handläggare ändrad",
            detaljer=f"{person.id}: " + ", ".join(f"{k} {v}" for k, v in changed.items()),
        )

    def add_insats(self, entry: Insats, actor: str, datum: date) -> None:
        self._led("ändra insatskatalogen")
        self.insatser[entry.kod] = entry
        self.ops_before.append(
            (
                "INSERT INTO insats (kod, namn, part) VALUES (?, ?, ?)",
                (entry.kod, entry.namn, entry.part),
            )
        )
        self.event(
            None,
            "insats-add",
            datum,
            actor,
            {"kod": entry.kod, "namn": entry.namn, "part": entry.part},
        )

    def deactivate_insats(self, kod: str, actor: str, datum: date) -> None:
        self._led("ändra insatskatalogen")
        e = self.insatser[kod]
        self.insatser[kod] = Insats(e.kod, e.namn, e.part, False)
        self.ops_before.append(("UPDATE insats SET aktiv = 0 WHERE kod = ?", (kod,)))
        self.event(None, "insats-deactivate", datum, actor, {"kod": kod})

    def goal_change(self, typ: str, actor: str, datum: date, data: dict[str, Any]) -> int:
        """A goal change: an event in the history and a row in the audit log."""
        self._led("ändra målen")
        event_id = self.event(None, typ, datum, actor, data)
        what = _GOAL_AUDIT[typ]
        self.audit(actor, "ändrat mål", detaljer=f"{what} {data.get('mal') or data['kod']}")
        return event_id

    def set_unit(self, values: dict[str, str], actor: str, datum: date) -> None:
        """The unit's identity: a dated row kept with the rest, an event and an audit row."""
        self._led("ändra enhetens uppgifter")
        event_id = self.event(None, "unit", datum, actor, values)
        self.audit(actor, "ändrat enhetens uppgifter", detaljer=values["namn"])
        self.ops_after.append(
            (
                "INSERT INTO enhet (datum, namn, kommun, af_kontor, som, handelse_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    datum.isoformat(),
                    values["namn"],
                    values["kommun"],
                    values["af_kontor"],
                    actor,
                    event_id,
                ),
            )
        )
        if self.unit is None or datum.isoformat() >= self.unit["datum"]:
            self.unit = {**values, "datum": datum.isoformat()}

    @functools.cached_property
    def finsam(self) -> dict[str, dict[str, Any]]:
        """The unit's Finsam insatser in effect (`enhet finsam add`), by name folded: the
        newest definition of each (by date, then as registered)."""
        found: dict[str, dict[str, Any]] = {}
        for row in self.conn.execute(
            "SELECT datum, namn, insatser FROM enhet_finsam ORDER BY datum, id"
        ):
            found[codes.fold(row["namn"])] = dict(row)
        return found

    def add_finsam(self, namn: str, insatser: list[str], actor: str, datum: date) -> None:
        """A Finsam insats of the unit: a dated row kept with the rest, an event and an
        audit row."""
        self._led("ändra enhetens Finsam-insatser")
        data: dict[str, Any] = {"namn": namn}
        if insatser:
            data["insatser"] = insatser
        event_id = self.event(None, "finsam", datum, actor, data)
        self.audit(actor, "ändrat enhetens Finsam-insatser", detaljer=namn)
        text = ",".join(insatser) or None
        self.ops_after.append(
            (
                "INSERT INTO enhet_finsam (datum, namn, insatser, som, handelse_id) "
                "VALUES (?, ?, ?, ?, ?)",
                (datum.isoformat(), namn, text, actor, event_id),
            )
        )
        key = codes.fold(namn)
        before = self.finsam.get(key)
        if before is None or datum.isoformat() >= before["datum"]:
            self.finsam[key] = {"datum": datum.isoformat(), "namn": namn, "insatser": text}

    def set_target(self, key: str, value: float | None, actor: str, datum: date) -> None:
        """A goal target from `datum` on: a dated row in its history (kept), and the value
        in effect today (`mal`) when no later row stands before it."""
        self._led("ändra målen")
        history = self.target_history.setdefault(key, [])
        history.append((datum.isoformat(), value))
        history.sort(key=lambda row: row[0] or "")  # stable: the same day, the later row
        self.targets[key] = history[-1][1]
        event_id = self.goal_change("goal", actor, datum, {"mal": key, "varde": value})
        self.ops_after.append(
            (
                "INSERT INTO mal_historik (nyckel, varde, fran, handelse_id) VALUES (?, ?, ?, ?)",
                (key, value, datum.isoformat(), event_id),
            )
        )
        self.ops_after.append(
            (
                "INSERT INTO mal (nyckel, varde) VALUES (?, ?) "
                "ON CONFLICT (nyckel) DO UPDATE SET varde = excluded.varde",
                (key, self.targets[key]),
            )
        )

    def add_goal_post(self, values: dict[str, Any], actor: str, datum: date) -> None:
        self._led("ändra målen")
        post = {"id": self.next_goal_post, **values}
        self.next_goal_post += 1
        self.goal_posts[values["kod"]] = post
        columns = ["id", *values]
        self.ops_before.append(
            (
                f"INSERT INTO malpost ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                tuple(post[c] for c in columns),
            )
        )
        self.goal_change("goal-add", actor, datum, values)

    def add_goal_status(
        self, post: dict[str, Any], status: str, comment: str, actor: str, datum: date
    ) -> None:
        event_id = self.goal_change(
            "goal-status",
            actor,
            datum,
            {"kod": post["kod"], "status": status, "kommentar": comment},
        )
        self._goal_statuses[(post["id"], datum.isoformat(), status, " ".join(comment.split()))] = (
            event_id
        )
        self.ops_after.append(
            (
                "INSERT INTO malstatus (malpost_id, datum, status, kommentar, som, handelse_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (post["id"], datum.isoformat(), status, comment, actor, event_id),
            )
        )

    def goal_status_event(self, post_id: int, datum: date, status: str, comment: str) -> int | None:
        """The event of a milestone status recorded with this date, status and comment."""
        key = (post_id, datum.isoformat(), status, " ".join(comment.split()))
        if key in self._goal_statuses:
            return self._goal_statuses[key]
        for row in self.conn.execute(
            "SELECT kommentar, handelse_id FROM malstatus "
            "WHERE malpost_id = ? AND datum = ? AND status = ?",
            key[:3],
        ):
            if " ".join(row[0].split()) == key[3]:
                return int(row[1])
        return None

    def goal_value(self, post_id: int, period: str) -> tuple[float, str] | None:
        """The value in effect for an indicator's period: (värde, källa)."""
        key = (post_id, period)
        if key not in self._goal_values:
            row = self.conn.execute(
                "SELECT varde, kalla FROM malvarde WHERE malpost_id = ? AND period = ? "
                "ORDER BY id DESC LIMIT 1",
                key,
            ).fetchone()
            self._goal_values[key] = (row[0], row[1]) if row else None
        return self._goal_values[key]

    def add_goal_value(
        self,
        post: dict[str, Any],
        period: str,
        value: float,
        source: str,
        actor: str,
        datum: date,
    ) -> None:
        event_id = self.goal_change(
            "goal-value",
            actor,
            datum,
            {
                "kod": post["kod"],
                "period": period,
                "varde": value,
                "kalla": source,
            },
        )
        self._goal_values[(post["id"], period)] = (value, source)
        self.ops_after.append(
            (
                "INSERT INTO malvarde (malpost_id, period, varde, kalla, datum, som, handelse_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (post["id"], period, value, source, datum.isoformat(), actor, event_id),
            )
        )

    def link_login(self, login: str, ident: str, actor: str) -> None:
        """Link an OS login to a handläggare (audited)."""
        self._led("koppla OS-inloggningar till handläggare")
        self.logins[login] = ident
        self.ops_after.append(
            ("INSERT INTO inloggning (login, handlaggare) VALUES (?, ?)", (login, ident))
        )
        self.audit(actor, "inloggning kopplad", detaljer=f"{login} → {ident}")

    def unlink_login(self, login: str, ident: str, actor: str) -> None:
        """Remove an OS login's link (audited)."""
        del self.logins[login]
        self.ops_after.append(("DELETE FROM inloggning WHERE login = ?", (login,)))
        self.audit(actor, "inloggning borttagen", detaljer=f"{login} → {ident}")

    def set_setting(self, key: str, value: str, actor: str) -> None:
        """A new value of a register setting: a dated row in its history (audited)."""
        self._led(f"ändra inställningen {key}")
        self.settings[key] = value
        self.ops_after.append(
            (
                "INSERT INTO installning_historik (nyckel, varde, tid, handlaggare, "
                "os_anvandare) VALUES (?, ?, ?, ?, ?)",
                (key, value, self.now, actor, self.os_user),
            )
        )
        self.audit(actor, "inställning ändrad", detaljer=f"{key} {value}")

    def anonymise_case(self, nr: str) -> None:
        """Gallring: the person's identity and the free text of the case's events go; the
        events stay (the one change the event log's trigger allows). Each changed event's
        free text's digest is kept (`gallrade`) for the gallring's audit row, so the hash
        chain stays verifiable and proves that nothing but the free text changed
        (`store.kedja`)."""
        erasing(self.conn)
        self.ops_after.append(
            (
                "UPDATE identitet SET personnummer = NULL, pseudonym = NULL WHERE id = "
                "(SELECT identitet_id FROM arende WHERE nr = ?)",
                (nr,),
            )
        )
        for row in self.conn.execute(
            "SELECT id, data, json_remove(data, '$.remittent_handlaggare', '$.orsak') "
            "FROM handelse WHERE arende = ? AND (json_extract(data, "
            "'$.remittent_handlaggare') IS NOT NULL OR json_extract(data, '$.orsak') "
            "IS NOT NULL) ORDER BY id",
            (nr,),
        ):
            event_id, before, after = row[0], row[1], row[2]
            self.gallrade[str(event_id)] = kedja.split_digests(before)[1].hex()
            self.ops_after.append(("UPDATE handelse SET data = ? WHERE id = ?", (after, event_id)))

    # --- cases ------------------------------------------------------------------------

    def case(self, nr: str) -> Arende | None:
        """A case by its number (any case, case-insensitively), from memory or the file."""
        found = self.cases.get(nr) or self.cases.get(self.upper.get(nr.upper(), ""))
        if found is not None or not self.db_has_cases:
            return found
        # The exact number first (the primary key), then any case (the upper(nr) index).
        row = self.conn.execute(_CASE_SQL + "a.nr = ?", (nr,)).fetchone()
        if row is None:
            row = self.conn.execute(_CASE_SQL + "upper(a.nr) = upper(?)", (nr,)).fetchone()
        if row is None:
            return None
        effective = sorted(effective_events(self.conn, row["nr"]), key=lifecycle.Handelse.sort_key)
        voided = {
            r[0]
            for r in self.conn.execute(
                "SELECT makulerar FROM handelse WHERE arende = ? AND makulerar IS NOT NULL",
                (row["nr"],),
            )
        }
        case = Arende(
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

    def _remember(self, case: Arende) -> None:
        self.cases[case.nr] = case
        self.upper[case.nr.upper()] = case.nr
        for key in (case.personnummer, case.pseudonym):
            if key:
                self.by_person.setdefault(key, []).append(case.nr)
        for e in case.events:
            if e.id is not None:
                self.event_case[e.id] = case.nr

    def find(self, ref: str) -> Arende:
        """The case named by `ref`: its number, or the personnummer of an open case."""
        known_case = self.cases.get(ref)
        if known_case is not None:
            return known_case
        text = ref.strip()
        if not text:
            raise Valideringsfel("ärende: ange ett ärendenummer eller ett personnummer.")
        if pnr.looks_like(text):
            number = pnr.parse(text, self.idag).nummer
            nr = self.open_case_for(number, None)
            if nr is None:
                raise no_open_case()
            return self.cases[nr]
        found = self.case(text)
        if found is None:
            raise no_such_case(text, self.case_numbers_near(text))
        return found

    def case_numbers_near(self, text: str) -> list[str]:
        """Case numbers that a mistyped one may have meant: about as long, and sharing its
        first or its last half (read only on the way to a refusal)."""
        half = max(1, len(text) // 2)
        head, tail = text[:half].upper(), text[-half:].upper()
        numbers = {n for n in self.cases if n.upper().startswith(head) or n.upper().endswith(tail)}
        if self.db_has_cases:
            numbers.update(
                r[0]
                for r in self.conn.execute(
                    "SELECT nr FROM arende WHERE length(nr) BETWEEN ? AND ? "
                    "AND (upper(nr) LIKE ? ESCAPE '\\' OR upper(nr) LIKE ? ESCAPE '\\') "
                    "LIMIT 20000",
                    (len(text) - 2, len(text) + 2, _like(head) + "%", "%" + _like(tail)),
                )
            )
        return sorted(numbers)

    def open_case_for(self, number: str | None, pseudonym: str | None) -> str | None:
        """The open case of a person (by personnummer or pseudonym), in memory or the file."""
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
            if (
                other is not None
                and other.state.avslutad is None
                and not other.makulerad
                and (other.personnummer == number if number else other.pseudonym == pseudonym)
            ):
                return other.nr
        return None

    def _person_cases(self, number: str | None, pseudonym: str | None) -> list[Arende]:
        """Every case of a person (by personnummer or pseudonym), not voided, in memory
        and in the file."""
        key = number or pseudonym
        if key is None:
            return []
        if self.db_has_cases and key not in self._persons_read:
            self._persons_read.add(key)
            column = "personnummer" if number else "pseudonym"
            for row in self.conn.execute(
                f"SELECT a.nr FROM arende a JOIN identitet i ON i.id = a.identitet_id "
                f"WHERE i.{column} = ? AND a.makulerad = 0",
                (key,),
            ):
                self.case(row[0])
        return [
            self.cases[nr]
            for nr in dict.fromkeys(self.by_person.get(key, ()))
            if not self.cases[nr].makulerad
            and (
                self.cases[nr].personnummer == number
                if number
                else self.cases[nr].pseudonym == pseudonym
            )
        ]

    def _check_one_open(
        self,
        case: Arende | None,
        state: lifecycle.Arendelage,
        number: str | None = None,
        pseudonym: str | None = None,
    ) -> None:
        """One open case per person over time: the span of `case` (its intake to its
        close, with `state`) may not overlap another case's of the same person."""
        if case is not None:
            number, pseudonym = case.personnummer, case.pseudonym
        start = state.intag
        if start is None or (number is None and pseudonym is None):
            return
        end = state.avslutad or date.max
        for other in self._person_cases(number, pseudonym):
            if case is not None and other.nr == case.nr:
                continue
            s = other.state
            if s.intag is None:
                continue
            other_end = s.avslutad or date.max
            if start < other_end and s.intag < end:
                span = (
                    f"från {s.intag.isoformat()} till {s.avslutad.isoformat()}"
                    if s.avslutad
                    else f"öppet sedan {s.intag.isoformat()}"
                )
                raise Regelfel(
                    f"Personen har ärendet {other.nr} {span}; en person har ett öppet ärende "
                    f"åt gången, och {self._span_words(case, state)} skulle gå omlott med "
                    "det. Rätta datumen eller avsluta det andra ärendet först."
                )

    @staticmethod
    def _span_words(case: Arende | None, state: lifecycle.Arendelage) -> str:
        assert state.intag is not None
        if case is None:
            return f"ett nytt intag {state.intag.isoformat()}"
        if state.avslutad is None:
            return f"ärendet {case.nr} öppet sedan {state.intag.isoformat()}"
        return f"ärendet {case.nr} från {state.intag.isoformat()} till {state.avslutad.isoformat()}"

    def record(
        self,
        ref: str,
        typ: str,
        datum: date,
        actor: str,
        data: dict[str, Any],
        case: Arende | None = None,
    ) -> Resultat:
        """A case event, if the state machine accepts it (`case`: `ref` already found)."""
        if case is None:
            case = self.find(ref)
        if case.makulerad:
            raise voided_case(case.nr)
        if self.replacing is not None:
            return self._replace(case, typ, datum, actor, data)
        for e in case.events:
            if e.typ == typ and e.datum == datum and sameness.same_data(typ, data, e.data):
                assert e.id is not None
                return Resultat(case.nr, e.id, ny=False)
        new = lifecycle.Handelse(None, typ, datum, data)
        if not case.events or new.sort_key() >= case.events[-1].sort_key():
            try:
                lifecycle.add_last(case.events, case.state, new)
                if typ == "close":
                    self._check_one_open(case, case.state)
            except Regelfel:
                case.state = lifecycle.replay(case.events)
                raise
            new.id = self.event(case.nr, typ, datum, actor, data)
            case.events.append(new)
        else:
            state = lifecycle.replay(case.events, new)
            if typ == "close":
                self._check_one_open(case, state)
            case.state = state
            new.id = self.event(case.nr, typ, datum, actor, data)
            case.events.append(new)
            case.events.sort(key=lifecycle.Handelse.sort_key)
        if typ == "narvaro":  # the refusal of a second record names this one
            case.state.narvaro[(data["insats"], datum)] = new.id
        case.andrad = True
        if ref != case.nr and pnr.looks_like(ref.strip()):
            self.audit(
                actor, "uppslag på personnummer", arende=case.nr, detaljer=event_kinds.label(typ)
            )
        if typ == "consent" and "statistik" not in case.state.samtycken and case.personnummer:
            # Without statistik consent in force the case is kept anonymous: a consent that
            # leaves it out while an earlier statistik consent is in force changes nothing.
            case.anonymisera = True
            case.personnummer = None
        return Resultat(case.nr, new.id)

    def next_number(self, year: int) -> str:
        """The next generated case number of an intake year (`EVI-2014-0001`)."""
        if year not in self.numbers:
            prefix = f"EVI-{year}-"
            rows = self.conn.execute(
                "SELECT nr FROM arende WHERE nr LIKE ?", (prefix + "%",)
            ).fetchall()
            numbers = [int(r[0][len(prefix) :]) for r in rows if r[0][len(prefix) :].isdigit()]
            self.numbers[year] = max(numbers, default=0)
        self.numbers[year] += 1
        return f"EVI-{year}-{self.numbers[year]:04d}"

    def new_case(
        self, nr: str, datum: date, actor: str, ident: Identitet, data: dict[str, Any]
    ) -> Resultat:
        """An intake: a new case for a person who has no open case."""
        if self.replacing is not None:
            return self._replace_intake(nr, datum, actor, ident, data)
        open_nr = self.open_case_for(ident.personnummer, ident.pseudonym)
        if open_nr and (not nr or nr.upper() == open_nr.upper()):
            # The same intake again (same person, date and values): nothing to add.
            intake = next((e for e in self.cases[open_nr].events if e.typ == "intake"), None)
            if (
                intake is not None
                and intake.id is not None
                and intake.datum == datum
                and sameness.same_data(
                    "intake",
                    {**data, "anonym": ident.skyddad or ident.personnummer is None},
                    intake.data,
                )
            ):
                return Resultat(open_nr, intake.id, ny=False)
        if nr and self.case(nr) is not None:
            raise number_taken(nr)
        if open_nr:
            raise open_case_refusal(open_nr)
        self._check_one_open(
            None, lifecycle.Arendelage(intag=datum), ident.personnummer, ident.pseudonym
        )
        if not nr:
            nr = self.next_number(datum.year)
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
        case = Arende(
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
        intake.id = self.event(nr, "intake", datum, actor, full)
        self._remember(case)
        return Resultat(nr, intake.id)

    def _replace(
        self, case: Arende, typ: str, datum: date, actor: str, data: dict[str, Any]
    ) -> Resultat:
        """A correction: void the event `replacing` names and record `data` in its place,
        if the state machine accepts the case with the corrected event instead of it."""
        assert self.replacing is not None
        old_id, orsak = self.replacing
        self.replacing = None
        old = next((e for e in case.events if e.id == old_id), None)
        assert old is not None and old.typ == typ, "a correction names its own case's event"
        row = sameness.normalised(event_kinds.event_row(typ, data))
        if (
            old.datum == datum
            and row == sameness.normalised(event_kinds.event_row(typ, old.data))
            and data.get("identitet_id") == old.data.get("identitet_id")
        ):
            raise Valideringsfel(
                f"Rättelsen ändrar inget i händelse {old_id}; ange de värden som ska ändras "
                "(till exempel --datum)."
            )
        remaining = [e for e in case.events if e.id != old_id]
        new = lifecycle.Handelse(None, typ, datum, data)
        try:
            state = lifecycle.replay(remaining, new)
        except Regelfel as exc:
            text = str(exc).replace("(den nya händelsen)", f"(rättelsen av händelse {old_id})")
            raise Regelfel(text) from None
        self.event(
            case.nr,
            "void",
            self.senast,
            actor,
            {"handelse_id": old_id, "orsak": orsak},
            makulerar=old_id,
        )
        new.id = self.event(case.nr, typ, datum, actor, data)
        case.events = sorted([*remaining, new], key=lifecycle.Handelse.sort_key)
        case.state = state
        case.voided_ids.add(old_id)
        case.andrad = True
        if typ == "intake":
            case.intake = new
        if typ == "consent" and "statistik" not in data["omfattning"]:
            case.anonymisera = True
            case.personnummer = None
        return Resultat(case.nr, new.id)

    def _replace_intake(
        self, nr: str, datum: date, actor: str, ident: Identitet, data: dict[str, Any]
    ) -> Resultat:
        """A corrected intake: the same case number and later events; the person may change
        (a new identity row, the case pointed at it; the old row stays in the history)."""
        case = self.case(nr)
        assert case is not None
        stored = None if ident.skyddad else ident.personnummer
        same_person = (stored, ident.kon, ident.fodelsear, ident.skyddad, ident.pseudonym) == (
            case.personnummer,
            case.kon,
            case.fodelsear,
            case.skyddad,
            case.pseudonym,
        )
        if not same_person:
            if stored and stored != case.personnummer:
                other = self.open_case_for(stored, None)
                if other is not None and other != case.nr:
                    raise open_case_refusal(other)
            ident_id = self.next_ident
            self.next_ident += 1
            self.ident_rows.append(
                (ident_id, stored, ident.kon, ident.fodelsear, int(ident.skyddad), ident.pseudonym)
            )
            self.ops_after.append(
                (
                    "UPDATE arende SET identitet_id = ?, kon = ?, fodelsear = ? WHERE nr = ?",
                    (ident_id, ident.kon, ident.fodelsear, case.nr),
                )
            )
            # the wrong person's number is not kept: the old identity row, which only the
            # voided intake names, keeps kön and födelseår
            self.ops_after.append(
                ("UPDATE identitet SET personnummer = NULL WHERE id = ?", (case.ident_id,))
            )
            case.ident_id = ident_id
            case.personnummer, case.kon, case.fodelsear = stored, ident.kon, ident.fodelsear
            case.skyddad, case.pseudonym = ident.skyddad, ident.pseudonym
            if stored:
                self.by_person.setdefault(stored, []).append(case.nr)
        full = {"identitet_id": case.ident_id, **data, "anonym": stored is None}
        return self._replace(case, "intake", datum, actor, full)

    def void(self, event_id: int, datum: date, actor: str, orsak: str) -> Resultat:
        """Void a case event: a new event; the original stays in the history."""
        nr = self.event_case.get(event_id)
        if nr is None:
            row = self.conn.execute(
                "SELECT arende, typ FROM handelse WHERE id = ?", (event_id,)
            ).fetchone()
            if row is None:
                raise Valideringsfel(
                    f"händelse-id: händelse {event_id} finns inte; se 'envagin show ÄRENDE'."
                )
            if row["arende"] is None or row["typ"] == "void":
                check_void(event_id, row["arende"], row["typ"], False, [])
            nr = row["arende"]
        case = self.case(nr)
        assert case is not None
        if event_id in case.voided_ids:
            void_id, reason = self._void_of(event_id)
            if " ".join(reason.split()) == " ".join(orsak.split()):
                return Resultat(nr, void_id, ny=False)
            raise Regelfel(f"Händelse {event_id} är redan makulerad (händelse {void_id}).")
        target = next((e for e in case.events if e.id == event_id), None)
        if target is None:
            raise Regelfel(f"Händelse {event_id} är själv en makulering och kan inte makuleras.")
        remaining = [e for e in case.events if e.id != event_id]
        state = check_void(event_id, nr, target.typ, False, remaining)
        if target.typ == "close":
            self._check_one_open(case, state)
        new_id = self.event(
            nr, "void", datum, actor, {"handelse_id": event_id, "orsak": orsak}, makulerar=event_id
        )
        case.events = remaining
        case.state = state
        case.voided_ids.add(event_id)
        case.andrad = True
        if target.typ == "intake":
            case.makulerad = True
        return Resultat(nr, new_id)

    def _void_of(self, event_id: int) -> tuple[int, str]:
        """The void of a voided event: its id and reason."""
        for row in reversed(self.event_rows):
            if row[8] == event_id:
                return int(row[0]), str(json.loads(row[7])["orsak"])
        found = self.conn.execute(
            "SELECT id, data FROM handelse WHERE makulerar = ?", (event_id,)
        ).fetchone()
        return int(found[0]), str(json.loads(found[1]).get("orsak", ""))

    # --- writing ----------------------------------------------------------------------

    def flush(self) -> None:
        """Write every recorded change (in the caller's transaction)."""
        conn = self.conn
        for sql, params in self.ops_before:
            conn.execute(sql, params)
        insert_rows(conn, "identitet", _IDENT_COLUMNS, self.ident_rows)
        new_cases: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        spans: list[tuple[Any, ...]] = []
        old: list[tuple[str]] = []
        voided: list[tuple[str]] = []
        anonymise: list[tuple[int]] = []
        for case in self.cases.values():
            if not case.andrad:
                continue
            if not case.ny:
                old.append((case.nr,))
            if case.makulerad:
                voided.append((case.nr,))
                if not case.ny:
                    continue
                # A case voided in the same unit of work: its row as of the intake, voided.
                state = lifecycle.replay([case.intake]) if case.intake else case.state
            else:
                state = case.state
            row, case_spans = projection(case.nr, state)
            if case.ny:
                new_cases.append((case.ident_id, case.kon, case.fodelsear, *row))
            else:
                updates.append(row)
            if not case.makulerad:
                spans.extend(case_spans)
            if case.anonymisera:
                anonymise.append((case.ident_id,))
        insert_rows(conn, "arende", _CASE_COLUMNS, new_cases)
        if self.event_rows:
            last = conn.execute("SELECT kedja FROM handelse ORDER BY id DESC LIMIT 1").fetchone()
            insert_rows(
                conn,
                "handelse",
                EVENT_COLUMNS,
                kedja.chain_events(last[0] if last and last[0] else kedja.START, self.event_rows),
            )
        conn.executemany("UPDATE arende SET makulerad = 1 WHERE nr = ?", voided)
        conn.executemany("DELETE FROM arende_insats WHERE arende = ?", old)
        conn.executemany(PROJECT_SQL, updates)
        insert_rows(conn, "arende_insats", _SPAN_COLUMNS, spans)
        if anonymise:
            erasing(conn)
            conn.executemany("UPDATE identitet SET personnummer = NULL WHERE id = ?", anonymise)
        for sql, params in self.ops_after:
            conn.execute(sql, params)
        if self.audit_rows:
            last = conn.execute(
                "SELECT id, kedja FROM granskning ORDER BY id DESC LIMIT 1"
            ).fetchone()
            first = last[0] + 1 if last else 1
            numbered = [(first + i, *row) for i, row in enumerate(self.audit_rows)]
            insert_rows(
                conn,
                "granskning",
                _AUDIT_COLUMNS,
                kedja.chain_audit(last[1] if last and last[1] else kedja.START, numbered),
            )
        for case in self.cases.values():
            if case.andrad:
                case.ny = case.andrad = case.anonymisera = False
        self._reset()


@contextmanager
def unit(conn: sqlite3.Connection, idag: date | None = None) -> Iterator[Register]:
    """One command's unit of work: `BEGIN IMMEDIATE`, the changes, flush, commit."""
    with write(conn):
        reg = Register(conn, idag)
        yield reg
        reg.flush()


def working(
    target: Register | sqlite3.Connection, idag: date | None = None
) -> AbstractContextManager[Register]:
    """The register a domain function works on: the given one (an import or the demo,
    flushed by its owner), or a new unit of work on a connection (a command)."""
    if isinstance(target, Register):
        return target
    return unit(target, idag)
