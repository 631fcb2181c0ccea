"""A realistic demo register, built deterministically for a given 'today'.

Cases from January 2014 up to `idag`, shaped like the seeds: about two women for every man,
referrals mostly from AF, FK and försörjningsstöd, one case in ten closed before
enrolment, about a fifth of closures to work or studies, most survey answers 4–5, and
most one-year follow-ups done. Every event goes through the same domain functions as
the commands (so the demo obeys every rule); events that would fall after `idag` are
not registered, so recent cases are open at every stage, some mappings are overdue and
some follow-ups are due. The same `idag` and size always give the same register.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from typing import Any

from envagin_cli.domain import cases, staff
from envagin_cli.domain.register import Register, unit
from envagin_cli.rules import event_kinds
from envagin_cli.rules.dates import not_after_today
from envagin_cli.rules.errors import Regelfel, Valideringsfel

START = date(2014, 1, 1)
SEED = 20140101

STAFF = [
    ("ls", "Lena Sundberg", "sf", "projektledare", 100),
    ("as", "Amir Said", "fs", "socialsekreterare", 100),
    ("mk", "Maria Karlsson", "ac", "arbetsmarknadssekreterare", 100),
    ("jb", "Johan Berg", "af", "arbetsformedlare", 50),
    ("eh", "Eva Holm", "fk", "forsakringshandlaggare", 20),
    ("sl", "Sara Lind", "fs", "teamledare", 100),
]
# Nadia joins in August 2019 and takes the new cases; Amir leaves on the demo's 'today'.
LATER_STAFF = ("nf", "Nadia Farah", "fs", "socialsekreterare", 100)
STAFF_CHANGE = date(2019, 8, 1)

REMITTENTER = [
    ("af", 30),
    ("fk", 20),
    ("fs", 33),
    ("ac", 4),
    ("psyk", 3),
    ("vc", 2),
    ("egen", 6),
    ("po", 2),
]
INTAG_KALLOR = [
    ("forsorjningsstod", 45),
    ("sjukpenning", 18),
    ("aktivitetsstod", 14),
    ("a-kassa", 5),
    ("sjukersattning", 4),
    ("aktivitetsersattning", 4),
    ("etablering", 4),
    ("ingen", 6),
]
SLUTORSAKER = [
    ("arbete", 15),
    ("studier", 7),
    ("af-insats", 16),
    ("arbetsrehabilitering", 10),
    ("praktik", 5),
    ("vard", 5),
    ("sjukersattning", 6),
    ("sol", 4),
    ("lss", 2),
    ("flyttat", 6),
    ("avbrutet", 8),
    ("annat", 8),
    ("okand", 8),
]
INSATSER = [
    ("fordjupad-kartlaggning", 10),
    ("arbetstraning", 20),
    ("arbetstraning-sof", 10),
    ("mobilisering", 12),
    ("repulse", 4),
    ("art", 3),
    ("af-program", 14),
    ("se", 6),
    ("sius", 3),
    ("samordnad-rehab", 8),
    ("syv", 5),
    ("budget-skuld", 3),
    ("vux", 4),
    ("praktik", 6),
    ("matchning", 6),
]


def parse_antal(text: str) -> int:
    digits = text.strip()
    if not (
        digits.isascii() and digits.isdigit() and len(digits) <= 6 and 1 <= int(digits) <= 5000
    ):
        raise Valideringsfel("antal: ange ett heltal 1–5000 intag per år.")
    return int(text)


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _luhn_digit(nine: str) -> int:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def _personnummer(rng: random.Random, born: date, woman: bool) -> str:
    serial = rng.randint(0, 99) * 10 + rng.choice([0, 2, 4, 6, 8] if woman else [1, 3, 5, 7, 9])
    serial = serial or 2  # 000 is never issued (and is refused)
    nine = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}{serial:03d}{_luhn_digit(nine)}"


def _after(day: date, rng: random.Random, low: int, high: int) -> date:
    return day + timedelta(days=rng.randint(low, high))


def _plan(rng: random.Random, intag: date, idag: date) -> list[tuple[date, str, dict[str, Any]]]:
    """The events of one case as they would happen; the caller stops at idag."""
    steps: list[tuple[date, str, dict[str, Any]]] = []
    mappers = rng.choice([["as"], ["mk"], ["as", "mk"], ["jb"], ["mk", "eh"]])
    if intag >= STAFF_CHANGE:
        mappers = ["nf" if m == "as" else m for m in mappers]
    if rng.random() < 0.10:
        steps.append(
            (
                _after(intag, rng, 3, 20),
                "close",
                {"slutorsak": rng.choice(["ej-malgrupp", "ej-malgrupp", "avbojt"])},
            )
        )
        return steps
    consent_day = _after(intag, rng, 0, 10)
    scopes = ["samverkan", "statistik"] if rng.random() > 0.05 else ["samverkan"]
    steps.append((consent_day, "consent", {"omfattning": scopes}))
    map_start = _after(consent_day, rng, 0, 7)
    steps.append((map_start, "map-start", {"handlaggare": mappers}))
    map_done = (
        _after(map_start, rng, 15, 30) if rng.random() < 0.15 else _after(map_start, rng, 6, 14)
    )
    steps.append((map_done, "map-done", {}))
    tri = _after(map_done, rng, 1, 12)
    steps.append(
        (
            tri,
            "tripartite",
            {
                "handlaggare": mappers[:1],
                "remittent_handlaggare": rng.choice(
                    ["K. Ek", "B. Nilsson", "A. Ali", "M. Persson"]
                ),
            },
        )
    )
    if rng.random() < 0.03:
        withdrawn = _after(tri, rng, 5, 40)
        steps.append((withdrawn, "consent-withdrawn", {"omfattning": scopes}))
        steps.append(
            (
                _after(withdrawn, rng, 10, 60),
                "close",
                {
                    "slutorsak": "avbrutet",
                    "forsorjning": [_pick(rng, INTAG_KALLOR)],
                    "ingen_enkat": True,
                },
            )
        )
        return steps
    first = _after(tri, rng, 0, 14)
    insats = _pick(rng, INSATSER)
    steps.append((first, "assign", {"insats": insats}))
    day = first
    if rng.random() < 0.45:
        day = _after(first, rng, 40, 150)
        steps.append(
            (
                day,
                "assign",
                {"insats": _pick(rng, [i for i in INSATSER if i[0] != insats]), "byt": True},
            )
        )
    if rng.random() < 0.3:
        steps.append(
            (_after(first, rng, 1, 20), "responsible", {"ansvarig": rng.choice(["mk", "jb"])})
        )
    close_day = _after(day, rng, 60, 300)
    reason = _pick(rng, SLUTORSAKER)
    sources = {"arbete": ["lon"], "studier": ["studiemedel"]}.get(reason) or [
        _pick(rng, INTAG_KALLOR)
    ]
    survey: dict[str, Any]
    if rng.random() < 0.12:
        survey = {"ingen_enkat": True}
    else:
        b = rng.choices([2, 3, 4, 5], weights=[3, 8, 35, 54])[0]
        i = rng.choices([1, 2, 3, 4, 5], weights=[2, 4, 12, 38, 44])[0]
        survey = {"nojd_bemotande": b, "nojd_insats": i}
    steps.append((close_day, "close", {"slutorsak": reason, "forsorjning": sources, **survey}))
    if rng.random() < 0.8:
        due = first + timedelta(days=365 + rng.randint(0, 40))
        outcome = rng.choices(
            ["arbete", "studier", "arbetssokande", "ovrigt"], weights=[30, 12, 30, 28]
        )[0]
        fs = {"arbete": ["lon"], "studier": ["studiemedel"]}.get(outcome) or [
            _pick(rng, INTAG_KALLOR)
        ]
        steps.append((due, "followup", {"sysselsattning": outcome, "forsorjning": fs}))
    return steps


def _apply(
    reg: Register, nr: str, day: date, kind: str, d: dict[str, Any], who: str, idag: date
) -> None:
    """One step of a case's story, through the domain function its kind names."""
    spec = event_kinds.BY_CODE[kind]
    spec.function()(reg, nr, datum=day, som=who, idag=idag, **spec.fixed, **d)


def build(conn: sqlite3.Connection, *, idag: date, per_ar: int = 60) -> dict[str, int]:
    """Fill an empty register with the demo data; all in one transaction."""
    not_after_today(idag)
    # The story starts in January 2014; a demo for an earlier 'today' starts the year before.
    start = START if idag >= date(2014, 6, 30) else date(idag.year - 1, 1, 1)
    rng = random.Random(SEED + per_ar)
    with unit(conn, idag) as reg:
        used = conn.execute("SELECT (SELECT count(*) FROM staff) + (SELECT count(*) FROM arende)")
        if used.fetchone()[0]:
            raise Regelfel("Demon byggs bara i ett tomt register; ange en ny fil med --db.")
        for ident, namn, part, roll, grad in STAFF:
            staff.add(
                reg,
                ident=ident,
                namn=namn,
                part=part,
                roll=roll,
                tjanstgoringsgrad=grad,
                som="ls",
                datum=start,
                idag=idag,
            )
        if idag >= STAFF_CHANGE:
            ident, namn, part, roll, grad = LATER_STAFF
            staff.add(
                reg,
                ident=ident,
                namn=namn,
                part=part,
                roll=roll,
                tjanstgoringsgrad=grad,
                som="ls",
                datum=STAFF_CHANGE,
                idag=idag,
            )
        month = start
        while month <= idag:
            for _ in range(rng.randint(max(per_ar // 12 - 2, 0), per_ar // 12 + 2)):
                _one_case(reg, rng, month, idag)
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        reg.flush()  # the corrections pick their events in the file
        _corrections(reg, idag)
        _showcases(reg, idag)
        reg.flush()
        if idag >= STAFF_CHANGE:
            _retire(reg, "as", "nf", idag)
        reg.flush()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM arende), (SELECT count(*) FROM handelse), "
            "(SELECT count(*) FROM arende WHERE avslutad IS NULL AND makulerad = 0)"
        ).fetchone()
    return {"arenden": counts[0], "handelser": counts[1], "oppna": counts[2]}


def _one_case(conn: Register, rng: random.Random, month: date, idag: date) -> None:
    next_month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    last = min(next_month - timedelta(days=1), idag)
    intag = month + timedelta(days=rng.randint(0, (last - month).days))
    woman = rng.random() < 0.62
    born = date(intag.year - rng.randint(19, 63), rng.randint(1, 12), rng.randint(1, 28))
    handler = "nf" if intag >= STAFF_CHANGE else "as"
    who = rng.choice([handler, "mk", "jb"])
    kwargs: dict[str, Any] = {}
    if rng.random() < 0.05:
        kwargs = {"anonym": True, "kon": "kvinna" if woman else "man", "fodelsear": born.year}
    else:
        kwargs = {"personnummer": _personnummer(rng, born, woman)}
    try:
        nr = cases.intake(
            conn,
            datum=intag,
            som=who,
            remittent=_pick(rng, REMITTENTER),
            forsorjning=[_pick(rng, INTAG_KALLOR)],
            ansvarig=rng.choice([handler, "mk"]),
            idag=idag,
            **kwargs,
        ).arende
    except Regelfel:
        return  # the same random person already has an open case
    for day, kind, data in _plan(rng, intag, idag):
        if day > idag:
            break
        _apply(conn, nr, day, kind, data, who, idag)


def _retire(conn: Register, old: str, new: str, idag: date) -> None:
    """A handläggare leaves today: open cases are handed over, then the id is deactivated."""
    for row in conn.conn.execute(
        "SELECT nr FROM arende WHERE ansvarig = ? AND avslutad IS NULL AND makulerad = 0",
        (old,),
    ).fetchall():
        cases.responsible(conn, row["nr"], datum=idag, som="ls", ansvarig=new, idag=idag)
    staff.deactivate(conn, ident=old, som="ls", datum=idag, idag=idag)


def _showcases(conn: Register, idag: date) -> None:
    """Two open cases that the caseload flags: an overdue mapping, a withdrawn consent."""
    late = cases.intake(
        conn,
        datum=idag - timedelta(days=30),
        som="mk",
        remittent="af",
        anonym=True,
        kon="man",
        fodelsear=1988,
        forsorjning=["a-kassa"],
        ansvarig="mk",
        idag=idag,
    ).arende
    cases.consent(
        conn,
        late,
        datum=idag - timedelta(days=28),
        som="mk",
        omfattning=["samverkan,statistik"],
        idag=idag,
    )
    cases.map_start(
        conn, late, datum=idag - timedelta(days=25), som="mk", handlaggare=["mk", "jb"], idag=idag
    )
    gone = cases.intake(
        conn,
        datum=idag - timedelta(days=70),
        som="jb",
        remittent="fk",
        anonym=True,
        kon="kvinna",
        fodelsear=1979,
        forsorjning=["sjukpenning"],
        ansvarig="jb",
        idag=idag,
    ).arende
    cases.consent(
        conn,
        gone,
        datum=idag - timedelta(days=65),
        som="jb",
        omfattning=["samverkan,statistik"],
        idag=idag,
    )
    cases.map_start(
        conn, gone, datum=idag - timedelta(days=60), som="jb", handlaggare=["jb"], idag=idag
    )
    cases.consent(conn, gone, datum=idag - timedelta(days=6), som="jb", aterkalla=True, idag=idag)


def _corrections(conn: Register, idag: date) -> None:
    """A few voids and a felregistrering, as in real registers."""
    rows = conn.conn.execute(
        "SELECT h.id, h.arende FROM handelse h JOIN arende a ON a.nr = h.arende "
        "WHERE h.typ = 'responsible' AND a.makulerad = 0 ORDER BY h.id LIMIT 3"
    ).fetchall()
    for row in rows:
        cases.void(
            conn, row["id"], orsak="Registrerad på fel ärende", som="ls", datum=idag, idag=idag
        )
    open_case = conn.conn.execute(
        "SELECT nr, intag FROM arende WHERE avslutad IS NULL AND inskriven IS NULL "
        "AND makulerad = 0 ORDER BY intag LIMIT 1"
    ).fetchone()
    if open_case:
        cases.close(
            conn, open_case["nr"], datum=idag, som="ls", slutorsak="felregistrering", idag=idag
        )
