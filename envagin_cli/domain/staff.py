"""The staff register (handläggare) and who may act.

Every command records who did it (`som`): an active registered handläggare. While the
register is empty anyone may add staff, so a new register can be set up. Only a
projektledare or teamledare may change the staff register (add, change, deactivate,
reactivate), goals and the insats catalogue; in an import, the one who imports must be
one (a row's `som` only records who registered it). The team never locks itself out:
no change leaves the register without an active projektledare or teamledare who can act.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from datetime import date

from envagin_cli.domain.register import Handlaggare, Register, working
from envagin_cli.rules import codes, event_kinds, freetext, personnummer
from envagin_cli.rules.dates import not_after_today
from envagin_cli.rules.errors import Behorighetsfel, Checks, Regelfel, Valideringsfel

__all__ = ["Handlaggare"]

_ID = re.compile(r"^[a-z0-9]{1,20}$")
# An OS login: POSIX portable user names, plus @ for directory logins (user@domän).
_LOGIN = re.compile(r"^[A-Za-z0-9._@][A-Za-z0-9._@-]{0,63}$")


def _row(row: sqlite3.Row) -> Handlaggare:
    return Handlaggare(
        row["id"],
        row["namn"],
        row["part"],
        row["roll"],
        row["tjanstgoringsgrad"],
        bool(row["aktiv"]),
    )


def parse_id(value: str, field: str = "id") -> str:
    ident = value.strip().lower()
    if not _ID.match(ident):
        raise Valideringsfel(
            f"{field}: '{value[:30]}' är inget giltigt handläggar-id; använd 1–20 bokstäver "
            "a–z och siffror (t.ex. ls)."
        )
    personnummer.refuse_in(ident, field)
    return ident


def parse_grad(value: str | int) -> int:
    text = str(value).strip().rstrip("%").strip()
    if not text.isdigit() or not text.isascii() or len(text) > 6 or not 1 <= int(text) <= 100:
        raise Valideringsfel(
            f"tjänstgöringsgrad: '{str(value)[:20]}' är inte tillåten; ange hela procent 1–100."
        )
    return int(text)


def get(conn: sqlite3.Connection, ident: str) -> Handlaggare | None:
    row = conn.execute("SELECT * FROM staff WHERE id = ?", (ident,)).fetchone()
    return _row(row) if row else None


def require_active(conn: sqlite3.Connection, value: str, field: str) -> str:
    """The id of an active handläggare, or a refusal listing the active ones."""
    return Register(conn).active_staff(value, field)


def require_ledning(conn: sqlite3.Connection, som: str | None, what: str) -> str:
    """The actor, a projektledare or teamledare, for reading what only they may read."""
    return Register(conn).leader(som, what)


def validate(
    ident: str, namn: str, part: str, roll: str, tjanstgoringsgrad: str | int
) -> Handlaggare:
    """A new handläggare's values, checked (the rules of `staff add`)."""
    found = Checks()
    checked = Handlaggare(
        found(parse_id, ident),
        found(_namn, namn),
        found(codes.parse_code, part, codes.PARTER, "part"),
        found(codes.parse_code, roll, codes.ROLLER, "roll"),
        found(parse_grad, tjanstgoringsgrad),
        True,
    )
    found.done()
    return checked


def add(
    target: Register | sqlite3.Connection,
    *,
    ident: str,
    namn: str,
    part: str,
    roll: str,
    tjanstgoringsgrad: str | int | None = 100,
    som: str | None,
    datum: date,
    idag: date | None = None,
    logins: tuple[str, ...] | list[str] = (),
) -> bool:
    """Add a handläggare, with the OS logins to link to them (`--login`, by a
    projektledare or teamledare); False when an identical one already exists (a no-op,
    even when deactivated: `staff add` does not reactivate)."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    for login in logins:
        found(parse_login, login)
    new = found(
        validate,
        ident,
        namn,
        part,
        roll,
        100 if tjanstgoringsgrad in (None, "") else tjanstgoringsgrad,
    )
    with working(target, idag) as reg:
        if not reg.staff:
            actor = som.strip().lower() if som and som.strip() else (new.id if new else "")
            reg.set_up_by(actor)
        else:
            actor = found(reg.staff_changer, som, "lägga till handläggare")
        found.done(check_only=reg.check_only)
        existing = reg.staff.get(new.id)
        if existing is not None:
            # The same handläggare is already there (active or deactivated): nothing to add.
            if replace(existing, aktiv=True) == new:
                return False
            raise Regelfel(
                f"id: handläggaren {new.id} finns redan ({existing.namn}, {existing.part}, "
                f"{existing.roll}); välj ett annat id."
            )
        names = list(dict.fromkeys(parse_login(login) for login in logins))
        if names:
            _may_link(reg, actor, new)
        for name in names:
            if name in reg.logins:
                raise Regelfel(
                    f"login: '{name}' är redan kopplad till handläggaren {reg.logins[name]}."
                )
        reg.add_staff(new, actor, datum)
        for name in names:
            reg.link_login(name, new.id, actor)
    return True


def _may_link(reg: Register, actor: str, new: Handlaggare) -> None:
    """Only a leader links logins; the first handläggare of a register links their own
    logins only if they are one."""
    what = "koppla OS-inloggningar till handläggare"
    if reg.staff:
        reg.leader(actor, what)
    elif new.roll not in codes.LEDNINGSROLLER:
        raise Behorighetsfel(
            f"Bara en projektledare eller teamledare får {what}; lägg till den första "
            "handläggaren utan --login, eller börja med projektledaren."
        )


def deactivate(
    target: Register | sqlite3.Connection,
    *,
    ident: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Deactivate a handläggare (a leader's action); False when already inactive. The
    last active handläggare, and the last projektledare or teamledare who can act, stay."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    who = found(parse_id, ident)
    with working(target, idag) as reg:
        actor = found(reg.staff_changer, som, "avaktivera handläggare")
        found.done(check_only=reg.check_only)
        person = _registered(reg, who)
        if not person.aktiv:
            return False
        after = {**reg.staff, who: replace(person, aktiv=False)}
        if not any(p.aktiv for p in after.values()):
            raise Regelfel(
                f"id: {who} är den sista aktiva handläggaren och kan inte avaktiveras; "
                "registret vore låst för gott."
            )
        reg.keep_a_leader(f"Att avaktivera {who}", staff=after)
        reg.deactivate_staff(who, actor, datum)
    return True


def reactivate(
    target: Register | sqlite3.Connection,
    *,
    ident: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Reactivate a deactivated handläggare (a leader's action; audited); False when
    already active."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    who = found(parse_id, ident)
    with working(target, idag) as reg:
        actor = found(reg.staff_changer, som, "återaktivera handläggare")
        found.done(check_only=reg.check_only)
        person = _registered(reg, who)
        if person.aktiv:
            return False
        reg.reactivate_staff(who, actor, datum)
    return True


def change(
    target: Register | sqlite3.Connection,
    *,
    ident: str,
    namn: str | None = None,
    part: str | None = None,
    roll: str | None = None,
    tjanstgoringsgrad: str | int | None = None,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """New namn, part, roll or tjänstgöringsgrad of a handläggare (`staff set`; a
    leader's action, dated, kept as an event and audited). False when nothing changes.
    Lowering the last projektledare's or teamledare's role is refused."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    who = found(parse_id, ident)
    given: dict[str, object] = {}
    if namn not in (None, ""):
        given["namn"] = found(_namn, namn)
    if part not in (None, ""):
        given["part"] = found(codes.parse_code, part, codes.PARTER, "part")
    if roll not in (None, ""):
        given["roll"] = found(codes.parse_code, roll, codes.ROLLER, "roll")
    if tjanstgoringsgrad not in (None, ""):
        assert tjanstgoringsgrad is not None
        given["tjanstgoringsgrad"] = found(parse_grad, tjanstgoringsgrad)
    if not given and not found.messages:
        found.note(
            Valideringsfel("namn, part, roll, tjänstgöringsgrad: ange minst ett av dem att ändra.")
        )
    with working(target, idag) as reg:
        actor = found(reg.staff_changer, som, "ändra handläggare")
        found.done(check_only=reg.check_only)
        person = _registered(reg, who)
        changed = {k: v for k, v in given.items() if getattr(person, k) != v}
        if not changed:
            return False
        new = replace(person, **changed)  # type: ignore[arg-type]
        reg.keep_a_leader(f"Att ändra {who}", staff={**reg.staff, who: new})
        reg.change_staff(new, changed, actor, datum)
    return True


def history(conn: sqlite3.Connection, ident: str) -> list[dict[str, object]]:
    """A handläggare's history, oldest first: added, changed, deactivated, reactivated
    (each a dated event: who registered it, and when)."""
    who = parse_id(ident)
    if get(conn, who) is None:
        raise Valideringsfel(f"id: '{who}' är ingen registrerad handläggare.")
    kinds = [k.code for k in event_kinds.KINDS if k.call.startswith(__name__ + ":")]
    rows = conn.execute(
        f"SELECT id, typ, datum, registrerad, som, data FROM handelse WHERE arende IS NULL "
        f"AND typ IN ({', '.join('?' * len(kinds))}) AND json_extract(data, '$.id') = ? "
        "ORDER BY datum, id",
        (*kinds, who),
    ).fetchall()
    out: list[dict[str, object]] = []
    for r in rows:
        data = json.loads(r["data"])
        out.append(
            {
                "händelse_id": r["id"],
                "händelse": r["typ"],
                "beskrivning": event_kinds.label(r["typ"]),
                "datum": r["datum"],
                "registrerad": r["registrerad"],
                "som": r["som"],
                "värden": {k: v for k, v in data.items() if k != "id"},
            }
        )
    return out


def parse_login(value: str) -> str:
    text = value.strip()
    if not _LOGIN.match(text):
        raise Valideringsfel(
            f"login: '{value[:64]}' är ingen giltig OS-inloggning; använd 1–64 tecken "
            "a–z, A–Z, 0–9, punkt, understreck, @ och bindestreck (inte först)."
        )
    personnummer.refuse_in(text, "login")
    return text


def link_login(
    target: Register | sqlite3.Connection,
    *,
    ident: str,
    login: str,
    som: str | None,
    remove: bool = False,
    idag: date | None = None,
) -> bool:
    """Link an OS login to a handläggare, or remove the link (projektledare/teamledare;
    audited). False when there was nothing to do (already linked, or not linked)."""
    found = Checks()
    who = found(parse_id, ident)
    name = found(parse_login, login)
    with working(target, idag) as reg:
        actor = found(reg.leader, som, "koppla OS-inloggningar till handläggare")
        found.done(check_only=reg.check_only)
        person = _registered(reg, who)
        linked = reg.logins.get(name)
        if remove:
            if linked is None:
                return False
            if linked != who:
                raise Regelfel(
                    f"login: '{name}' är kopplad till handläggaren {linked}, inte till {who}."
                )
            after = {k: v for k, v in reg.logins.items() if k != name}
            if not after and reg.settings["inloggning"] == "strikt":
                raise Regelfel(
                    f"login: '{name}' är den sista kopplade inloggningen, och registret kräver "
                    "inloggning (strikt). Utan någon koppling kan vem som helst registrera som "
                    "vem som helst, så strikt läge stängs inte av så här. Koppla först en annan "
                    "inloggning, eller välj delad terminal öppet: "
                    "envagin inställning set inloggning fri"
                )
            reg.keep_a_leader(f"Att ta bort kopplingen {name}", logins=after)
            reg.unlink_login(name, who, actor)
            return True
        if linked == who:
            return False
        if linked is not None:
            raise Regelfel(
                f"login: '{name}' är redan kopplad till handläggaren {linked}; ta bort den "
                f"först med 'envagin staff login {linked} --ta-bort {name}'."
            )
        if not person.aktiv:
            raise Regelfel(f"id: handläggaren {who} är avaktiverad.")
        reg.link_login(name, who, actor)
    return True


def logins_of(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Each handläggare's linked OS logins."""
    found: dict[str, list[str]] = {}
    for r in conn.execute("SELECT handlaggare, login FROM inloggning ORDER BY login"):
        found.setdefault(r[0], []).append(r[1])
    return found


def list_staff(conn: sqlite3.Connection, *, alla: bool = False) -> list[dict[str, object]]:
    """Handläggare with their number of open cases as ansvarig and their OS logins."""
    logins = logins_of(conn)
    rows = conn.execute(
        "SELECT s.*, (SELECT count(*) FROM arende a WHERE a.ansvarig = s.id "
        "AND a.avslutad IS NULL AND a.makulerad = 0) AS aktiva_arenden "
        "FROM staff s WHERE ? OR s.aktiv = 1 ORDER BY s.id",
        (1 if alla else 0,),
    ).fetchall()
    return [
        {
            "id": r["id"],
            "namn": r["namn"],
            "part": r["part"],
            "roll": r["roll"],
            "tjanstgoringsgrad": r["tjanstgoringsgrad"],
            "aktiv": bool(r["aktiv"]),
            "aktiva_arenden": r["aktiva_arenden"],
            "inloggningar": logins.get(r["id"], []),
        }
        for r in rows
    ]


def _namn(value: str) -> str:
    text = freetext.check(value, "namn", 200, required=True)
    assert text is not None
    return text


def _registered(reg: Register, who: str) -> Handlaggare:
    """A handläggare in the register (active or not), or the refusal that lists them."""
    person = reg.staff.get(who)
    if person is None:
        raise Valideringsfel(
            f"id: '{who}' är ingen registrerad handläggare. Registrerade: "
            f"{', '.join(sorted(reg.staff)) or 'inga'}."
        )
    return person


def current(conn: sqlite3.Connection, som: str | None) -> str:
    """The current handläggare, as every command resolves who acts: `--som`,
    `ENVAGIN_USER`, or the OS login linked to one (`staff login`)."""
    return Register(conn).actor(som)
