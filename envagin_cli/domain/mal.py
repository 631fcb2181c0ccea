"""Goal follow-up at the organisational and population levels of the project plan.

- A **milestone** (organisational goal) has a text, a deadline, who follows it up, and a
  status history (`ej-paborjat`, `pagar`, `uppnatt`, `ej-uppnatt`): every change is dated,
  has a comment and is kept (the tables refuse UPDATE and DELETE).
- An **indicator** (population level, e.g. from SCB) has values per year or half-year,
  each with its source, a baseline year and the direction the plan wants (`minska`/`oka`).
  A corrected value is a new row; the latest row for a period is the one in effect.
- **Individual-level goals** are the targets in `mal`, one per key of
  `codes.MALNYCKLAR` (`inflode`, `ettar`, `nojda`, `ratt-stod`, `offentlig`), compared
  with the report's figures.

Only a projektledare or teamledare changes goals; every change is an event in the
history log (`handelse`, typ `goal`) and a row in the audit log.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from envagin_cli.domain.register import Register, working
from envagin_cli.rules import codes, freetext, personnummer
from envagin_cli.rules.dates import not_after_today
from envagin_cli.rules.errors import Checks, Regelfel, Valideringsfel

STATUSAR = {
    "ej-paborjat": "ej påbörjat",
    "pagar": "pågår",
    "uppnatt": "uppnått",
    "ej-uppnatt": "ej uppnått",
}
NIVAER = {"organisation": "organisationsnivå", "befolkning": "befolkningsnivå"}
TYPER = {"milstolpe": "milstolpe", "indikator": "indikator"}
RIKTNINGAR = {"minska": "minska", "oka": "öka"}
RYTMER = {"kvartal": "kvartal", "tertial": "tertial", "halvar": "halvår", "ar": "år"}

_KOD = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_PERIOD = re.compile(r"^(\d{4})(?:\s*[-:]?\s*[hH]\s*([12])|:([12]))?$")


@dataclass(frozen=True)
class Malpost:
    id: int
    kod: str
    typ: str
    niva: str
    text: str
    deadline: str | None
    uppfoljs_av: str
    rytm: str
    riktning: str | None
    basar: int | None
    enhet: str
    kalla: str


def _text(value: str | None, field: str, most: int, *, required: bool = False) -> str:
    return freetext.check(value, field, most, required=required) or ""


def parse_kod(value: str) -> str:
    kod = codes.fold(value)
    if not _KOD.match(kod):
        raise Valideringsfel(
            f"kod: '{value[:40]}' är ingen giltig målkod; använd a–z, siffror och '-' "
            "(högst 40 tecken)."
        )
    personnummer.refuse_in(kod, "kod")
    return kod


def parse_period(value: str) -> str:
    """`2014` or a half-year (`2014H1`, `2014:1`, `2014-H1`), as `2014` / `2014H1`."""
    match = _PERIOD.match(value.strip())
    if not match:
        raise Valideringsfel(
            f"period: '{value[:20]}' är varken ett år (2014) eller ett halvår (2014H1)."
        )
    half = match.group(2) or match.group(3)
    return f"{match.group(1)}H{half}" if half else match.group(1)


def _row(row: sqlite3.Row) -> Malpost:
    return Malpost(
        *[
            row[k]
            for k in (
                "id",
                "kod",
                "typ",
                "niva",
                "text",
                "deadline",
                "uppfoljs_av",
                "rytm",
                "riktning",
                "basar",
                "enhet",
                "kalla",
            )
        ]
    )


def get(conn: sqlite3.Connection, value: str) -> Malpost:
    post = _post(Register(conn), value)
    return Malpost(**{k: post[k] for k in Malpost.__dataclass_fields__})


def _post(reg: Register, value: str) -> dict[str, Any]:
    post = reg.goal_posts.get(codes.fold(value))
    if post is None:
        known = ", ".join(reg.goal_posts)
        raise Valideringsfel(
            f"mål: '{value[:40]}' finns inte. Registrerade mål: {known or 'inga'} "
            "(individmålen ändras med 'envagin mål set')."
        )
    return post


def add(
    conn: Register | sqlite3.Connection,
    *,
    kod: str,
    text: str,
    niva: str,
    typ: str | None = None,
    deadline: date | None = None,
    uppfoljs_av: str | None = None,
    rytm: str | None = None,
    riktning: str | None = None,
    basar: str | int | None = None,
    enhet: str | None = None,
    kalla: str | None = None,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Add a milestone or an indicator; False when an identical one exists (a no-op)."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    code = found(parse_kod, kod)
    level = found(codes.parse_code, niva, NIVAER, "nivå")
    kind = (
        found(codes.parse_code, typ, TYPER, "typ")
        if typ
        else ("milstolpe" if level == "organisation" else "indikator")
    )
    direction = found(codes.parse_code, riktning, RIKTNINGAR, "riktning") if riktning else None
    rhythm = found(codes.parse_code, rytm, RYTMER, "rytm") if rytm else ""
    base: int | None = None
    if basar not in (None, ""):
        text_year = str(basar).strip()
        if not (
            text_year.isascii()
            and text_year.isdigit()
            and len(text_year) <= 6
            and 1990 <= int(text_year) <= 2100
        ):
            found.note(Valideringsfel("basår: ange ett år 1990–2100."))
        else:
            base = int(text_year)
    if kind == "indikator" and direction is None and not riktning:
        found.note(
            Valideringsfel(
                "riktning: en indikator behöver den riktning planen vill: minska eller öka."
            )
        )
    if kind == "milstolpe" and deadline is None:
        found.note(
            Valideringsfel("deadline: en milstolpe behöver ett datum då den ska vara uppnådd.")
        )
    values = {
        "kod": code,
        "typ": kind,
        "niva": level,
        "text": found(_text, text, "text", 500, required=True),
        "deadline": deadline.isoformat() if deadline else None,
        "uppfoljs_av": found(_text, uppfoljs_av, "följs upp av", 200),
        "rytm": rhythm,
        "riktning": direction,
        "basar": base,
        "enhet": found(_text, enhet, "enhet", 40),
        "kalla": found(_text, kalla, "källa", 200),
    }
    with working(conn, idag) as reg:
        actor = reg.leader(som, "ändra målen")
        found.done(check_only=reg.check_only)
        existing = reg.goal_posts.get(code)
        if existing is not None:
            if all(existing[k] == v for k, v in values.items()):
                return False
            raise Regelfel(f"kod: målet {code} finns redan med annat innehåll; välj en ny kod.")
        reg.add_goal_post(values, actor, datum)
    return True


def set_status(
    conn: Register | sqlite3.Connection,
    *,
    kod: str,
    status: str,
    kommentar: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """A milestone's new status; False when the same status (same date, status and comment)
    is already recorded (a no-op)."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    value = found(codes.parse_code, status, STATUSAR, "status")
    comment = found(_text, kommentar, "kommentar", 1000, required=True)
    with working(conn, idag) as reg:
        actor = reg.leader(som, "ändra målen")
        post = found(_post, reg, kod)
        found.done(check_only=reg.check_only)
        if post["typ"] != "milstolpe":
            raise Regelfel(f"{post['kod']} är en indikator; ange värden med 'envagin mål värde'.")
        if reg.goal_status_event(post["id"], datum, value, comment) is not None:
            return False
        reg.add_goal_status(post, value, comment, actor, datum)
    return True


def add_value(
    conn: Register | sqlite3.Connection,
    *,
    kod: str,
    period: str,
    varde: str,
    kalla: str | None,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> bool:
    """Enter an indicator value for a year or half-year; False if the same value is in effect."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    label = found(parse_period, period)
    number = found(_number, varde)
    source = found(_text, kalla, "källa", 200)
    with working(conn, idag) as reg:
        actor = reg.leader(som, "ändra målen")
        post = found(_post, reg, kod)
        found.done(check_only=reg.check_only)
        if post["typ"] != "indikator":
            raise Regelfel(f"{post['kod']} är en milstolpe; ändra status med 'envagin mål status'.")
        kalla = source or post["kalla"]
        if reg.goal_value(post["id"], label) == (number, kalla):
            return False
        reg.add_goal_value(post, label, number, kalla, actor, datum)
    return True


def _number(value: str) -> float:
    try:
        return float(value.strip().replace(",", ".").rstrip("%").strip())
    except ValueError:
        raise Valideringsfel(f"värde: '{value[:20]}' är inget tal (t.ex. 12,5).") from None


def status_at(conn: sqlite3.Connection, post_id: int, day: date) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT datum, status, kommentar, som FROM malstatus WHERE malpost_id = ? "
        "AND datum <= ? ORDER BY datum DESC, id DESC LIMIT 1",
        (post_id, day.isoformat()),
    ).fetchone()
    return dict(row) if row else None


def values_of(conn: sqlite3.Connection, post_id: int) -> dict[str, dict[str, Any]]:
    """The value in effect per period (the latest entered)."""
    result: dict[str, dict[str, Any]] = {}
    for row in conn.execute(
        "SELECT period, varde, kalla, datum, som FROM malvarde WHERE malpost_id = ? ORDER BY id",
        (post_id,),
    ):
        result[row["period"]] = dict(row)
    return result


def _period_end(label: str) -> date:
    year = int(label[:4])
    if label.endswith("H1"):
        return date(year, 6, 30)
    return date(year, 12, 31)


def indicator_view(conn: sqlite3.Connection, post: Malpost, until: date) -> dict[str, Any]:
    """Baseline, latest value up to `until`, and whether it moved the way the plan wants."""
    values = values_of(conn, post.id)
    base = None
    if post.basar is not None:
        base = values.get(str(post.basar))
    latest_label = max(
        (
            p
            for p in values
            if _period_end(p) <= until and (post.basar is None or p[:4] > str(post.basar))
        ),
        key=lambda p: (_period_end(p), p),
        default=None,
    )
    latest = values.get(latest_label) if latest_label else None
    moved: bool | None = None
    change: float | None = None
    if base is not None and latest is not None:
        change = round(latest["varde"] - base["varde"], 4)
        moved = change < 0 if post.riktning == "minska" else change > 0
    return {
        "basar": post.basar,
        "basvarde": base["varde"] if base else None,
        "senaste_period": latest_label,
        "senaste_varde": latest["varde"] if latest else None,
        "kalla": (latest or {}).get("kalla") or post.kalla,
        "forandring": change,
        "ratt_riktning": moved,
    }


def list_goals(conn: sqlite3.Connection, idag: date) -> list[dict[str, Any]]:
    """Every goal: milestones and indicators, then the individual-level targets."""
    result: list[dict[str, Any]] = []
    for row in conn.execute("SELECT * FROM malpost ORDER BY id"):
        post = _row(row)
        entry: dict[str, Any] = {
            "nyckel": post.kod,
            "niva": post.niva,
            "typ": post.typ,
            "text": post.text,
            "deadline": post.deadline,
            "uppfoljs_av": post.uppfoljs_av,
            "rytm": post.rytm,
            "enhet": post.enhet,
        }
        if post.typ == "milstolpe":
            current = status_at(conn, post.id, idag)
            status = current["status"] if current else "ej-paborjat"
            entry["status"] = status
            entry["forsenad"] = bool(
                post.deadline and post.deadline < idag.isoformat() and status != "uppnatt"
            )
        else:
            entry["riktning"] = post.riktning
            entry.update(indicator_view(conn, post, idag))
        result.append(entry)
    for target in list_targets(conn):
        result.append(
            {
                "nyckel": target["nyckel"],
                "niva": "individ",
                "typ": "malvarde",
                "text": target["namn"],
                "enhet": target["enhet"],
                "varde": target["varde"],
                "historik": target["historik"],
            }
        )
    return result


def history(conn: sqlite3.Connection, kod: str) -> dict[str, Any]:
    if codes.fold(kod) in codes.MALNYCKLAR:
        return target_history(conn, codes.fold(kod))
    post = get(conn, kod)
    entry: dict[str, Any] = {
        "nyckel": post.kod,
        "typ": post.typ,
        "niva": post.niva,
        "text": post.text,
        "deadline": post.deadline,
        "uppfoljs_av": post.uppfoljs_av,
        "rytm": post.rytm,
        "riktning": post.riktning,
        "basar": post.basar,
        "enhet": post.enhet,
        "kalla": post.kalla,
    }
    if post.typ == "milstolpe":
        entry["historik"] = [
            dict(r)
            for r in conn.execute(
                "SELECT datum, status, kommentar, som FROM malstatus WHERE malpost_id = ? "
                "ORDER BY datum, id",
                (post.id,),
            )
        ]
    else:
        entry["historik"] = [
            dict(r)
            for r in conn.execute(
                "SELECT period, varde, kalla, datum, som FROM malvarde WHERE malpost_id = ? "
                "ORDER BY id",
                (post.id,),
            )
        ]
    return entry


def for_report(conn: sqlite3.Connection, start: date, end: date) -> dict[str, list[dict[str, Any]]]:
    """Milestones due or changed in the period (or overdue), and every indicator."""
    milestones = []
    indicators = []
    for row in conn.execute("SELECT * FROM malpost ORDER BY id"):
        post = _row(row)
        if post.typ == "indikator":
            indicators.append(
                {
                    "kod": post.kod,
                    "text": post.text,
                    "riktning": post.riktning,
                    "enhet": post.enhet,
                    **indicator_view(conn, post, end),
                }
            )
            continue
        current = status_at(conn, post.id, end)
        status = current["status"] if current else "ej-paborjat"
        changed = conn.execute(
            "SELECT count(*) FROM malstatus WHERE malpost_id = ? AND datum BETWEEN ? AND ?",
            (post.id, start.isoformat(), end.isoformat()),
        ).fetchone()[0]
        due = post.deadline is not None and start.isoformat() <= post.deadline <= end.isoformat()
        overdue = (
            post.deadline is not None
            and post.deadline < end.isoformat()
            and status not in ("uppnatt",)
        )
        open_overdue = overdue and status != "ej-uppnatt"
        if not (due or changed or open_overdue):
            continue
        milestones.append(
            {
                "kod": post.kod,
                "text": post.text,
                "deadline": post.deadline,
                "status": status,
                "senast_andrad": current["datum"] if current else None,
                "kommentar": current["kommentar"] if current else "",
                "forsenad": overdue,
                "uppfoljs_av": post.uppfoljs_av,
            }
        )
    return {"milstolpar": milestones, "indikatorer": indicators}


_FOLJS_UPP = "Projektledare eller ansvarig chef samt styrgrupp"

#: The goals of the project plan (seeds/000, "3 Projektets mål"); individual-level targets
#: are the defaults of `mal` (inflöde 200 a year, 40 % at one year, 90 % satisfied).
MALL_EN_VAG_IN_2014: list[dict[str, Any]] = [
    {
        "kod": "mottagning",
        "niva": "organisation",
        "deadline": date(2014, 3, 31),
        "text": "En myndighetsgemensam mottagning – En väg in – för personer som har behov av "
        "samordnat stöd till arbete, studier och egen försörjning har organiserats",
    },
    {
        "kod": "samlokalisering",
        "niva": "organisation",
        "deadline": date(2014, 3, 31),
        "text": "Samlokalisering av kommunens försörjningsstödsenhet och arbetsmarknadsenhet har "
        "genomförts och arbetet att utveckla en gemensam arbetsmodell har påbörjats",
    },
    {
        "kod": "aktorssamarbete",
        "niva": "organisation",
        "deadline": date(2014, 3, 31),
        "text": "Samarbete med aktörer som kan bidra till att individen snabbare och mer effektivt "
        "får stöd till rätt insats har påbörjats",
    },
    {
        "kod": "ej-arbete-studier",
        "niva": "befolkning",
        "riktning": "minska",
        "basar": 2013,
        "rytm": "ar",
        "enhet": "procent",
        "kalla": "SCB",
        "text": "Andelen invånare 18–64 år som varken arbetar eller studerar minskar och har "
        "årsvis minskat jämfört med 2013",
    },
    {
        "kod": "offentlig-forsorjning",
        "niva": "befolkning",
        "riktning": "minska",
        "basar": 2013,
        "rytm": "ar",
        "enhet": "procent",
        "kalla": "SCB",
        "text": "En lägre andel av befolkningen har försörjningsstöd eller annan offentlig "
        "försörjning (sjuk- och aktivitetsersättning, sjukpenning, "
        "rehabiliteringsersättning, aktivitetsstöd)",
    },
    {
        "kod": "sociala-foretag",
        "niva": "befolkning",
        "riktning": "oka",
        "basar": 2013,
        "rytm": "halvar",
        "enhet": "antal",
        "kalla": "Projektplanen",
        "deadline": date(2014, 12, 31),
        "text": "Fler sociala företag har bildats jämfört med 2013 (Jobbverket, Medvind och "
        "Bönorna i Tyresö); avstämning i december 2014",
        "basvarde": 3,
    },
    {
        "kod": "bestallarfunktion",
        "niva": "organisation",
        "deadline": date(2015, 12, 31),
        "text": "En beställarfunktion – Välfärd Tyresö – har organiserats",
    },
    {
        "kod": "upphandling",
        "niva": "organisation",
        "deadline": date(2015, 12, 31),
        "text": "Möjligheter till kompletterande upphandling av arbetsmarknadsinsatser har prövats",
    },
]

MALLAR = {"en-vag-in-2014": MALL_EN_VAG_IN_2014}


def load_template(
    conn: Register | sqlite3.Connection,
    *,
    namn: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> int:
    """Load a template's goals (and baseline values); returns how many were added."""
    key = codes.fold(namn)
    if key not in MALLAR:
        raise Valideringsfel(f"mall: '{namn[:40]}' finns inte. Mallar: {', '.join(MALLAR)}.")
    added = 0
    with working(conn, idag) as reg:
        reg.leader(som, "ändra målen")
        for goal in MALLAR[key]:
            fields = {k: v for k, v in goal.items() if k != "basvarde"}
            fields.setdefault("uppfoljs_av", _FOLJS_UPP)
            typ = "indikator" if goal["niva"] == "befolkning" else "milstolpe"
            if add(reg, typ=typ, som=som, datum=datum, idag=idag, **fields):
                added += 1
            if "basvarde" in goal:
                add_value(
                    reg,
                    kod=goal["kod"],
                    period=str(goal["basar"]),
                    varde=str(goal["basvarde"]),
                    kalla=goal.get("kalla"),
                    som=som,
                    datum=datum,
                    idag=idag,
                )
    return added


# --- individual-level targets ----------------------------------------------------------

NYCKLAR = {key: (goal.namn, goal.enhet) for key, goal in codes.MALNYCKLAR.items()}
_UNSET = {"", "-", "–", "ingen", "inget", "av"}


def parse_key(value: str) -> str:
    key = codes.fold(value)
    if key not in codes.MALNYCKLAR:
        raise Valideringsfel(
            f"mål: okänd nyckel '{value[:30]}'. Tillåtna: {', '.join(codes.MALNYCKLAR)}."
        )
    return key


def parse_value(key: str, value: str) -> float | None:
    text = value.strip().rstrip("%").strip().replace(",", ".")
    if text.lower() in _UNSET:
        return None
    try:
        number = float(text)
    except ValueError:
        raise Valideringsfel(
            f"värde: '{value[:20]}' är inget tal; ange t.ex. 40, 12,5 eller 'ingen' för inget mål."
        ) from None
    unit = codes.MALNYCKLAR[key].enhet
    if unit == "procent" and not 0 <= number <= 100:
        raise Valideringsfel("värde: en andel anges i procent 0–100.")
    if unit == "antal per år" and not 0 < number <= 1_000_000:
        raise Valideringsfel("värde: inflödesmålet anges som antal per år, större än 0.")
    if unit == "procentenheter" and not -100 <= number <= 100:
        raise Valideringsfel("värde: förändringen anges i procentenheter −100–100.")
    return number


def target_rows(
    conn: sqlite3.Connection, key: str, *, registered: bool = False
) -> list[dict[str, Any]]:
    """A goal target's history, in the order the values apply: from (None: the register's
    first day), value, who set it (and with `registered` when it was registered)."""
    rows = [
        {"fran": r["fran"], "varde": r["varde"], "som": r["som"]}
        | ({"registrerad": r["registrerad"]} if registered else {})
        for r in conn.execute(
            "SELECT m.fran, m.varde, h.som, h.registrerad FROM mal_historik m "
            "LEFT JOIN handelse h ON h.id = m.handelse_id WHERE m.nyckel = ? ORDER BY m.id",
            (key,),
        )
    ]
    return sorted(rows, key=lambda r: r["fran"] or "")


def list_targets(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    values = {r[0]: r[1] for r in conn.execute("SELECT nyckel, varde FROM mal")}
    return [
        {
            "nyckel": key,
            "namn": goal.namn,
            "enhet": goal.enhet,
            "varde": values.get(key),
            "historik": target_rows(conn, key),
        }
        for key, goal in codes.MALNYCKLAR.items()
    ]


def target_history(conn: sqlite3.Connection, key: str) -> dict[str, Any]:
    """`mål show KEY` for an individual-level target: its value today and its history."""
    goal = codes.MALNYCKLAR[key]
    current = conn.execute("SELECT varde FROM mal WHERE nyckel = ?", (key,)).fetchone()
    return {
        "nyckel": key,
        "typ": "malvarde",
        "niva": "individ",
        "text": goal.namn,
        "enhet": goal.enhet,
        "varde": current[0] if current else None,
        "historik": target_rows(conn, key, registered=True),
    }


def target_in_effect(
    target: Register | sqlite3.Connection, nyckel: str, varde: str, datum: date
) -> bool:
    """The rule of sameness for a goal target: the same value (or none) already applies on
    `datum`, so `mål set` and a `goal` row add nothing."""
    reg = target if isinstance(target, Register) else Register(target)
    key = parse_key(nyckel)
    value = parse_value(key, varde)
    return codes.target_on(reg.target_history, key, datum.isoformat()) == value


def set_goal(
    conn: Register | sqlite3.Connection,
    *,
    nyckel: str,
    varde: str,
    som: str | None,
    datum: date,
    idag: date | None = None,
) -> float | None:
    """Set (or with 'ingen' unset) a goal target; projektledare/teamledare only."""
    found = Checks()
    found(not_after_today, datum, idag=idag)
    key = found(parse_key, nyckel)
    number = found(parse_value, key, varde) if key else None
    with working(conn, idag) as reg:
        actor = reg.leader(som, "ändra målen")
        found.done(check_only=reg.check_only)
        reg.set_target(key, number, actor, datum)
    return number
