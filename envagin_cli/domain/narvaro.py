"""Attendance in an insats (`envagin närvaro`): a day, a whole week, and the month's list.

A day's attendance is a case event (`narvaro`, recorded by `cases.narvaro` through the
state machine: refused unless the case is in that insats that day, one per insats and
day, corrected by `makulera`/`rätta` like any event). A week is one unit of work: every
day is checked and either all are recorded or none. The month's list (`närvaro lista`)
is what the insats organiser certifies on the försäkran: per person (masked personnummer,
else the case number) and insats, the hours and absences of each day, with totals; the
absences alone are listed in the shape Arbetsförmedlingen asks of its suppliers
(aktivitet, expected and absent time, reason). Reading the list is logged in the audit
log, as `show` is. Only counts leave in reports.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from typing import Any

from envagin_cli.domain import cases
from envagin_cli.domain.register import Resultat, unit, working
from envagin_cli.rules import codes, event_kinds
from envagin_cli.rules import personnummer as pnr
from envagin_cli.rules.dates import today
from envagin_cli.rules.errors import EnvaginError, Valideringsfel

VECKODAGAR = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_VECKA = re.compile(r"^(\d{4})-?[WwVv](\d{1,2})$")
_MANAD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_week(text: str) -> list[date]:
    """The seven days of an ISO week (`2026-W47`, also `2026W47`, `2026-V47`)."""
    found = _VECKA.match(text.strip())
    if found:
        year, week = int(found.group(1)), int(found.group(2))
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            found = None
        else:
            return [monday + timedelta(days=n) for n in range(7)]
    raise Valideringsfel(
        f"vecka: '{text.strip()[:20]}' är inte en vecka; skriv ÅÅÅÅ-Vnn, t.ex. 2026-V47."
    )


def parse_month(text: str) -> tuple[date, date]:
    """The first and last day of a month (`2026-11`)."""
    found = _MANAD.match(text.strip())
    if found and 1 <= int(found.group(2)) <= 12:
        first = date(int(found.group(1)), int(found.group(2)), 1)
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, nxt - timedelta(days=1)
    raise Valideringsfel(
        f"månad: '{text.strip()[:20]}' är inte en månad; skriv ÅÅÅÅ-MM, t.ex. 2026-11."
    )


def parse_week_values(text: str) -> list[dict[str, Any] | None]:
    """`--timmar` of a week: comma-separated, one value a weekday from Monday, five
    (Monday–Friday) or seven (Monday–Sunday). Each is the hours (`4`, `4.5`: a decimal
    point, since the comma separates the days), `0` or `-` for no record that day, or an
    absence `giltig`, `ogiltig` or `sjuk`, optionally with the expected hours after a colon
    (`sjuk:4`)."""
    parts = [p.strip() for p in text.strip().split(",")]
    if len(parts) not in (5, 7) or not all(parts):
        raise Valideringsfel(
            f"timmar: veckan har {len([p for p in parts if p])} värden; ange 5 "
            "(måndag–fredag) eller 7 (måndag–söndag), kommaseparerade, t.ex. --timmar "
            "4,4,0,sjuk:4,4.5 (0 eller - = ingen registrering den dagen)."
        )
    days: list[dict[str, Any] | None] = []
    for n, part in enumerate(parts):
        if part in ("-", "0", "0.0"):
            days.append(None)
            continue
        word, _, expected = part.partition(":")
        if codes.fold(word) in codes.FRANVARO or not any(ch.isdigit() for ch in word):
            days.append({"franvaro": word, "forvantat": expected or None, "dag": VECKODAGAR[n]})
        else:
            days.append({"timmar": part, "dag": VECKODAGAR[n]})
    return days


def week(
    conn: sqlite3.Connection,
    ref: str,
    *,
    vecka: str,
    insats: str,
    timmar: str,
    orsak: str | None = None,
    som: str | None,
    idag: date | None = None,
) -> list[tuple[date, Resultat]]:
    """A whole week's attendance in one unit of work: every day is checked, and all are
    recorded or none (a refusal names the day)."""
    days = parse_week(vecka)
    values = parse_week_values(timmar)
    day_today = idag or today()
    recorded: list[tuple[date, Resultat]] = []
    with unit(conn, idag) as reg:
        for day, value in zip(days, values, strict=False):
            if value is None:
                continue
            if day > day_today:
                raise Valideringsfel(
                    f"timmar: {value['dag']} {day.isoformat()} är efter idag "
                    f"({day_today.isoformat()}); ange 0 eller - för den dagen."
                )
            try:
                result = cases.narvaro(
                    reg,
                    ref,
                    datum=day,
                    som=som,
                    insats=insats,
                    timmar=value.get("timmar"),
                    franvaro=value.get("franvaro"),
                    forvantat=value.get("forvantat"),
                    orsak=orsak if value.get("franvaro") else None,
                    idag=idag,
                )
            except EnvaginError as exc:
                raise type(exc)(
                    *(f"{value['dag']} {day.isoformat()}: {m}" for m in exc.messages)
                ) from None
            recorded.append((day, result))
    return recorded


def _effective(
    conn: sqlite3.Connection, first: date, last: date, insats: str | None, arende: str | None
) -> list[sqlite3.Row]:
    sql = (
        "SELECT h.id, h.arende, h.datum, h.data, a.kon, a.fodelsear, a.ansvarig, "
        "i.personnummer FROM handelse h JOIN arende a ON a.nr = h.arende "
        "JOIN identitet i ON i.id = a.identitet_id "
        "WHERE h.typ = 'narvaro' AND h.datum BETWEEN ? AND ? AND a.makulerad = 0 "
        "AND NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id)"
    )
    params: list[Any] = [first.isoformat(), last.isoformat()]
    if insats is not None:
        sql += " AND json_extract(h.data, '$.insats') = ?"
        params.append(insats)
    if arende is not None:
        sql += " AND h.arende = ?"
        params.append(arende)
    return conn.execute(sql + " ORDER BY h.arende, h.datum, h.id", params).fetchall()


def month_list(
    conn: sqlite3.Connection,
    *,
    manad: str,
    insats: str | None = None,
    arende: str | None = None,
    som: str | None,
    idag: date | None = None,
) -> dict[str, Any]:
    """The month's attendance per person and insats (`närvaro lista`): each day's hours or
    absence, and totals (hours, days present, absences of each kind, expected hours
    missed). Reading it is logged in the audit log."""
    import json

    first, last = parse_month(manad)
    if insats is not None and arende is not None:
        raise Valideringsfel("insats/ärende: ange antingen --insats eller --ärende, inte båda.")
    with working(conn, idag) as reg:
        actor = reg.actor(som)
        code = reg.known_insats(insats) if insats is not None else None
        nr = reg.find(arende).nr if arende is not None else None
        names = {k: v.namn for k, v in reg.insatser.items()}
        reg.audit(
            actor,
            "närvarolista",
            arende=nr,
            detaljer=f"{manad.strip()}" + (f" insats {code}" if code else ""),
        )
    people: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _effective(conn, first, last, code, nr):
        data = json.loads(row["data"])
        key = (row["arende"], data["insats"])
        person = people.setdefault(
            key,
            {
                "arende": row["arende"],
                "person": pnr.mask(row["personnummer"])
                or f"{codes.label(codes.KON, row['kon']).lower()} {row['fodelsear']}",
                "ansvarig": row["ansvarig"],
                "insats": data["insats"],
                "aktivitet": names.get(data["insats"], data["insats"]),
                "dagar": [],
                "timmar": 0,
                "narvarodagar": 0,
                "giltig": 0,
                "ogiltig": 0,
                "sjuk": 0,
                "franvarotimmar": 0,
            },
        )
        day = {
            "datum": row["datum"],
            "handelse_id": row["id"],
            "timmar": data.get("timmar"),
            "franvaro": data.get("franvaro"),
            "forvantat": data.get("forvantat"),
            "orsak": data.get("orsak") or "",
        }
        person["dagar"].append(day)
        if day["franvaro"]:
            person[day["franvaro"]] += 1
            person["franvarotimmar"] += day["forvantat"] or 0
        else:
            person["timmar"] += day["timmar"] or 0
            person["narvarodagar"] += 1
    rows = list(people.values())
    for r in rows:
        r["timmar"] = _round(r["timmar"])
        r["franvarotimmar"] = _round(r["franvarotimmar"])
    return {
        "manad": manad.strip(),
        "fran": first.isoformat(),
        "till": last.isoformat(),
        "insats": code,
        "arende": nr,
        "personer": rows,
    }


def absences(listing: dict[str, Any]) -> list[dict[str, Any]]:
    """The month's absences in the shape Arbetsförmedlingen asks of its suppliers: per
    person and day the aktivitet, the expected and the absent time, and the reason."""
    found = []
    for person in listing["personer"]:
        for day in person["dagar"]:
            if not day["franvaro"]:
                continue
            reason = codes.label(codes.FRANVARO, day["franvaro"])
            if day["orsak"]:
                reason += f": {day['orsak']}"
            found.append(
                {
                    "arende": person["arende"],
                    "person": person["person"],
                    "aktivitet": person["aktivitet"],
                    "datum": day["datum"],
                    "forvantad_tid": day["forvantat"],
                    "franvarande_tid": day["forvantat"],
                    "franvaro": day["franvaro"],
                    "orsak": reason,
                }
            )
    return found


def _round(value: float) -> float | int:
    value = round(value, 2)
    return int(value) if value == int(value) else value


def hours_text(value: Any) -> str:
    """Hours as Swedish text, '' for none."""
    return "" if value is None else event_kinds.hours(value)
