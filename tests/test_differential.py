"""A differential test of the report: every figure worked out again from the exported events.

Registers are generated at random (seeded, so a failure repeats): referrals closed before
enrolment (also `flyttat`, `annat`, `okand`), `felregistrering`, voids, late registrations
(a second file of closes, follow-ups and earlier insatser, read in after the first), consent
withdrawals, several insatser (`byt`, ended and open), follow-ups before and after the close,
a first insats on 29 February, dated goal targets and a catalogue that changes. Each
register is exported (`envagin export`), and the figures are computed here from those rows
and DOMAIN.md's definitions (with the readings in the README's "Rapportens definitioner"),
without the report code: this file imports nothing from `envagin_cli` but the CLI app that
runs the commands. Every cell of `report --json` is compared, over halvår, tertial, år,
ranges and since-start.
"""

from __future__ import annotations

import json
import random
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from math import ceil, floor
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke

# --- DOMAIN.md's code lists, as written there ------------------------------------------

DEFAULT_CATALOGUE = [
    "fordjupad-kartlaggning", "arbetstraning", "arbetstraning-sof", "mobilisering", "repulse",
    "art", "af-program", "se", "sius", "samordnad-rehab", "syv", "budget-skuld", "vux",
    "resursradet", "praktik", "matchning",
]  # fmt: skip
SOURCES = [
    "lon", "studiemedel", "forsorjningsstod", "aktivitetsstod", "a-kassa", "etablering",
    "sjukpenning", "sjukersattning", "aktivitetsersattning", "annan", "ingen",
]  # fmt: skip
PUBLIC = set(SOURCES) - {"lon", "studiemedel", "annan", "ingen"}
AFTER_ENROLMENT = [
    "arbete", "studier", "arbetsrehabilitering", "praktik", "af-insats", "vard",
    "sjukersattning", "sol", "lss", "flyttat", "avbrutet", "annat", "okand",
]  # fmt: skip
RIGHT_SUPPORT = {"arbetsrehabilitering", "praktik", "af-insats", "vard", "sjukersattning"}
RIGHT_SUPPORT |= {"sol", "lss"}
SLUTORSAKER = [*AFTER_ENROLMENT, "ej-malgrupp", "avbojt"]  # felregistrering: in no figure
REMITTENTER = ["egen", "fs", "ac", "af", "fk", "vc", "psyk", "po", "vux", "syv", "bus", "sf"]
DEFAULT_TARGETS: dict[str, float | None] = {
    "inflode": 200,
    "ettar": 40,
    "nojda": 90,
    "ratt-stod": None,
    "offentlig": None,
}
KMT = ("kvinnor", "män", "totalt")
KON = {"kvinna": "kvinnor", "man": "män"}


# --- a random register ---------------------------------------------------------------


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _sources(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.1:
        return "ingen"  # only alone
    if pick < 0.5:
        return rng.choice(["lon", "studiemedel", "annan"])
    return ",".join(rng.sample(SOURCES[:-1], rng.choice([1, 1, 2, 2, 3])))


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError(day)


def generate(seed: int, n: int = 45) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Two files of rows: what was registered first, and what was registered late."""
    rng = random.Random(seed)
    first: list[dict[str, str]] = []
    late: list[dict[str, str]] = []
    staff = [
        ("ls", "Lena", "sf", "projektledare"),
        ("as", "Amir", "fs", "socialsekreterare"),
        ("mk", "Maria", "ac", "arbetsmarknadssekreterare"),
        ("jb", "Johan", "af", "arbetsformedlare"),
    ]
    for ident, namn, part, roll in staff:
        first.append(
            {"händelse": "staff", "datum": "2014-01-01", "som": "ls", "id": ident,
             "namn": namn, "part": part, "roll": roll, "tjänstgöringsgrad": "100"}
        )  # fmt: skip
    added_on = _day(rng, date(2015, 6, 1), date(2017, 6, 1))
    first.append(
        {"händelse": "insats-add", "datum": added_on.isoformat(), "som": "ls",
         "kod": "jobbspar", "namn": "Jobbspår", "part": "ac"}
    )  # fmt: skip
    # Targets set from their dates, small inflow targets among them (a pro-rata target
    # of a few cases has decimals that decide it).
    for _ in range(rng.randint(3, 7)):
        key = rng.choice(list(DEFAULT_TARGETS))
        value = {
            "inflode": rng.choice(["7", "12", "13", "30", "45", "200"]),
            "ettar": rng.choice(["30", "40", "50,5", "ingen"]),
            "nojda": rng.choice(["60", "75", "90"]),
            "ratt-stod": rng.choice(["40", "60", "ingen"]),
            "offentlig": rng.choice(["-5", "10", "17", "33", "34"]),
        }[key]
        day = _day(rng, date(2014, 6, 1), date(2019, 6, 1))
        first.append(
            {"händelse": "goal", "datum": day.isoformat(), "som": "ls", "mål": key,
             "värde": value}
        )  # fmt: skip
    deactivated = rng.choice(["repulse", "art", "sius"])
    deactivated_on = _day(rng, date(2016, 1, 1), date(2018, 1, 1))
    cases: list[list[tuple[bool, dict[str, str]]]] = []
    for i in range(n):
        rows: list[tuple[bool, dict[str, str]]] = []  # (registered late, row)
        nr = f"R{seed}-{i:03d}"

        def add(typ: str, day: date, is_late: bool = False, **fields: str) -> None:
            rows.append(  # noqa: B023
                (is_late, {"händelse": typ, "ärende": nr, "datum": day.isoformat(),  # noqa: B023
                           "som": "as", **fields})
            )  # fmt: skip

        intake = _day(rng, date(2015, 1, 1), date(2018, 10, 31))
        leap = i < 2  # two cases start their first insats on 29 February 2016
        if leap:
            intake = date(2016, 1, 10 + i)
        add(
            "intake", intake, remittent=rng.choice(REMITTENTER), försörjning=_sources(rng),
            ansvarig="as", anonym="ja", kön=rng.choice(["kvinna", "man"]),
            födelseår=str(rng.randint(1960, 2000)),
        )  # fmt: skip
        fate = rng.random()
        if fate < 0.18 and not leap:  # closed before enrolment
            reason = rng.choice(["ej-malgrupp", "avbojt", "flyttat", "annat", "okand",
                                 "felregistrering"])  # fmt: skip
            add("close", intake + timedelta(days=rng.randint(0, 30)), rng.random() < 0.3,
                slutorsak=reason, **{"ingen-enkät": "ja"})  # fmt: skip
            cases.append(rows)
            continue
        if fate < 0.24 and not leap:  # referred only
            cases.append(rows)
            continue
        consent = intake + timedelta(days=rng.randint(0, 20))
        add("consent", consent, omfattning=rng.choice(["samverkan,statistik", "samverkan"]))
        last = consent
        if rng.random() < 0.8:
            start = consent + timedelta(days=rng.randint(0, 10))
            add("map-start", start, handläggare="mk")
            last = max(last, start)
            if rng.random() < 0.75:
                done = start + timedelta(days=rng.randint(0, 28))
                add("map-done", done, rng.random() < 0.2)
                last = max(last, done)
        if rng.random() < 0.7:
            day = consent + timedelta(days=rng.randint(3, 45))
            add("tripartite", day, handläggare="mk", **{"remittent-handläggare": "K. Ek",
                                                        "avslutande": "nej"})  # fmt: skip
            last = max(last, day)
        # Insatser: each start after the last; `byt` ends every active one that day.
        active: set[str] = set()
        starts: list[date] = []
        first_late = False  # the first insats registered late (and its follow-up)
        held: set[str] = set()  # its code: not ended, nor started again
        day = date(2016, 2, 29) if leap else consent + timedelta(days=rng.randint(5, 60))
        for k in range(rng.choice([0, 1, 1, 2, 2, 3])):
            choices = [c for c in [*DEFAULT_CATALOGUE, "jobbspar"] if c not in active | held]
            if day >= deactivated_on:
                choices.remove(deactivated)
            if day < added_on:
                choices.remove("jobbspar")
            code = rng.choice(choices)
            byt = rng.random() < 0.35 and bool(active)
            # An insats registered late: a first one dated before the others (no `byt`;
            # not one deactivated since, which the catalogue refuses).
            is_late = k == 0 and code != deactivated and rng.random() < 0.2
            first_late = first_late or is_late
            held |= {code} if is_late else set()
            add("assign", day, is_late, insats=code, utförare="ac", byt="ja" if byt else "nej")
            starts.append(day)
            last = max(last, day)
            active = {code} if byt else active | {code}
            if active - held and rng.random() < 0.25:
                code_end = rng.choice(sorted(active - held))
                end = day + timedelta(days=rng.randint(0, 90))
                add("assign-end", end, insats=code_end)
                active.discard(code_end)
                last = max(last, end)
            day = last + timedelta(days=rng.randint(1, 150))
        if rng.random() < 0.1:
            withdrawn = last + timedelta(days=rng.randint(0, 20))
            add("consent-withdrawn", withdrawn, omfattning="samverkan")
            last = withdrawn
        if rng.random() < 0.7:
            closed = last + timedelta(days=rng.randint(0, 300))
            reason = rng.choice([*AFTER_ENROLMENT, "arbete", "studier", "felregistrering"])
            survey: dict[str, str]
            if rng.random() < 0.25:
                survey = {"ingen-enkät": "ja"}
            else:
                survey = {"nöjd-bemötande": str(rng.randint(1, 5)),
                          "nöjd-insats": str(rng.randint(1, 5)), "ingen-enkät": "nej"}  # fmt: skip
            add("close", closed, rng.random() < 0.4, slutorsak=reason,
                försörjning=_sources(rng), **survey)  # fmt: skip
        if starts and rng.random() < 0.7:
            followed = _months_later(min(starts), rng.randint(11, 16))
            followed += timedelta(days=rng.randint(0, 40))
            add("followup", followed, first_late or rng.random() < 0.5,
                sysselsättning=rng.choice(["arbete", "studier", "arbetssokande", "ovrigt"]),
                försörjning=_sources(rng))  # fmt: skip
        cases.append(rows)
    for rows in cases:
        for is_late, row in rows:
            (late if is_late else first).append(row)
    first.sort(key=lambda r: (r.get("ärende") is not None, r["datum"]))
    first.append({"händelse": "insats-deactivate", "datum": deactivated_on.isoformat(),
                  "som": "ls", "kod": deactivated})  # fmt: skip
    return first, late


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


# --- the figures, from the exported events ----------------------------------------------


@dataclass
class Case:
    kon: str
    intag: date
    remittent: str
    fors_intag: set[str]
    inskriven: date | None = None
    avslutad: date | None = None
    slutorsak: str | None = None
    fors_avslut: set[str] = field(default_factory=set)
    nojd: tuple[int, int] | None = None
    ingen_enkat: bool = False
    map_start: date | None = None
    map_done: date | None = None
    trepart: date | None = None
    spans: list[list[Any]] = field(default_factory=list)  # [insats, start, end or None]
    uppfoljd: date | None = None
    sysselsattning: str | None = None
    fors_uppfoljning: set[str] = field(default_factory=set)

    @property
    def forsta_insats(self) -> date | None:
        return min((s[1] for s in self.spans), default=None)


@dataclass
class Register:
    cases: dict[str, Case]
    goals: list[tuple[date, str, float | None]]  # in the order they were set
    added: dict[str, date]
    deactivated: dict[str, date]


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _set(text: str | None) -> set[str]:
    return {s for s in (text or "").split(",") if s}


def read_export(rows: list[dict[str, str]]) -> Register:
    cases: dict[str, Case] = {}
    goals: list[tuple[date, str, float | None]] = []
    added: dict[str, date] = {}
    deactivated: dict[str, date] = {}
    # Case rows in date order, as the export writes them; a day's insats changes in order.
    for r in rows:
        typ, day = r["händelse"], _d(r["datum"])
        if typ == "goal":
            value = r.get("värde", "ingen")
            goals.append((day, r["mål"], None if value == "ingen" else float(value)))
        elif typ == "insats-add":
            added[r["kod"]] = day
        elif typ == "insats-deactivate":
            deactivated[r["kod"]] = day
        elif typ == "intake":
            cases[r["ärende"]] = Case(r["kön"], day, r["remittent"], _set(r.get("försörjning")))
        if not r.get("ärende"):
            continue
        c = cases[r["ärende"]]
        if typ == "consent" and "samverkan" in r.get("omfattning", "") and c.inskriven is None:
            c.inskriven = day
        elif typ == "map-start" and c.map_start is None:
            c.map_start = day
        elif typ == "map-done" and c.map_done is None:
            c.map_done = day
        elif typ == "tripartite":
            c.trepart = day if c.trepart is None else min(c.trepart, day)
        elif typ == "assign":
            if r.get("byt") == "ja":
                for span in c.spans:
                    if span[2] is None and span[1] <= day:
                        span[2] = day
            c.spans.append([r["insats"], day, None])
        elif typ == "assign-end":
            for span in c.spans:
                if span[0] == r["insats"] and span[2] is None:
                    span[2] = day
        elif typ == "close":
            c.avslutad, c.slutorsak = day, r["slutorsak"]
            c.fors_avslut = _set(r.get("försörjning"))
            c.ingen_enkat = r.get("ingen-enkät") == "ja"
            if r.get("nöjd-bemötande"):
                c.nojd = (int(r["nöjd-bemötande"]), int(r["nöjd-insats"]))
            for span in c.spans:
                if span[2] is None:
                    span[2] = day
        elif typ == "followup":
            c.uppfoljd, c.sysselsattning = day, r["sysselsättning"]
            c.fors_uppfoljning = _set(r.get("försörjning"))
    counted = {nr: c for nr, c in cases.items() if c.slutorsak != "felregistrering"}
    return Register(counted, goals, added, deactivated)


def pct(num: int, den: int) -> int | None:
    """Whole percent, half up; None for a zero denominator."""
    return None if den == 0 else floor(Fraction(100 * num, den) + Fraction(1, 2))


def round_half_up(value: Fraction) -> int:
    whole = floor(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


def one_year_after(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year + 1, 2, 28)
    return day.replace(year=day.year + 1)


def kmt(cases: list[Case]) -> dict[str, int]:
    k = sum(c.kon == "kvinna" for c in cases)
    return {"kvinnor": k, "män": len(cases) - k, "totalt": len(cases)}


def split(cases: list[Case]) -> dict[str, list[Case]]:
    return {
        "kvinnor": [c for c in cases if c.kon == "kvinna"],
        "män": [c for c in cases if c.kon == "man"],
        "totalt": cases,
    }


def within(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def shown_target(target: Fraction) -> float:
    """One decimal, or more until every whole outcome compares with it as with the target."""
    decimals = 1
    while True:
        scale = 10**decimals
        shown = Fraction(floor(abs(target) * scale + Fraction(1, 2)), scale)
        shown = shown if target >= 0 else -shown
        if ceil(shown) == ceil(target):
            return float(shown)
        decimals += 1


def figures(reg: Register, start: date, end: date, cumulative: bool) -> dict[str, Any]:
    """{table: {row: {column: value}}} and the goals, from DOMAIN.md's definitions."""
    cases = list(reg.cases.values())
    enrolled = [c for c in cases if c.inskriven is not None]
    closed_all = [c for c in cases if within(c.avslutad, start, end)]
    closed = [c for c in closed_all if c.inskriven is not None]
    t: dict[str, dict[str, dict[str, Any]]] = {}

    participants = [
        c for c in enrolled if c.inskriven <= end and (c.avslutad is None or c.avslutad >= start)
    ]  # type: ignore[operator]
    to = {w: [c for c in closed if c.slutorsak == w] for w in ("arbete", "studier")}
    with_insats = [c for c in closed if c.spans]
    p = {
        "deltagare": kmt(participants),
        "nya": kmt([c for c in enrolled if within(c.inskriven, start, end)]),
        "remitterade": kmt([c for c in cases if within(c.intag, start, end)]),
        "avslutade": kmt(closed),
        "arbete": kmt(to["arbete"]),
        "studier": kmt(to["studier"]),
        "arbete_studier": kmt(to["arbete"] + to["studier"]),
        "med_insats": kmt(with_insats),
        "med_insats_as": kmt([c for c in with_insats if c.slutorsak in ("arbete", "studier")]),
    }
    p["procent"] = {x: pct(p["arbete_studier"][x], p["avslutade"][x]) for x in KMT}
    p["med_insats_procent"] = {x: pct(p["med_insats_as"][x], p["med_insats"][x]) for x in KMT}
    t["period"] = p

    s = {code: kmt([c for c in closed_all if c.slutorsak == code]) for code in SLUTORSAKER}
    s["totalt"] = kmt(closed_all)
    t["slutorsak"] = s

    scope = [
        c
        for c in enrolled
        if (c.inskriven <= end if cumulative else within(c.inskriven, start, end))  # type: ignore[operator]
    ]
    r: dict[str, dict[str, Any]] = {}
    for code in REMITTENTER:
        found = [c for c in scope if c.remittent == code]
        if found:
            r[code] = {**kmt(found), "andel": pct(len(found), len(scope))}
    r["totalt"] = {**kmt(scope), "andel": 100 if scope else None}
    t["remittent"] = r

    catalogue = [*DEFAULT_CATALOGUE, *reg.added]
    ins: dict[str, dict[str, Any]] = {}
    for code in catalogue:
        spans = [(c, sp) for c in cases for sp in c.spans if sp[0] == code]
        during = {id(c): c for c, sp in spans if sp[1] <= end and (sp[2] is None or sp[2] >= start)}
        began = {id(c): c for c, sp in spans if within(sp[1], start, end)}
        ended = {id(c): c for c, sp in spans if within(sp[2], start, end)}
        active = (code not in reg.added or reg.added[code] <= end) and not (
            code in reg.deactivated and reg.deactivated[code] <= end
        )
        if during or active:
            row: dict[str, Any] = {}
            for prefix, found in (("i", during), ("start", began), ("slut", ended)):
                row.update({f"{prefix}_{x}": v for x, v in kmt(list(found.values())).items()})
            ins[code] = row
    t["insatser"] = ins

    f: dict[str, dict[str, Any]] = {}
    for source in SOURCES:
        at_intake = kmt([c for c in closed if source in c.fors_intag])
        at_close = kmt([c for c in closed if source in c.fors_avslut])
        f[source] = {
            **{f"intag_{x}": at_intake[x] for x in KMT},
            **{f"avslut_{x}": at_close[x] for x in KMT},
        }
    n_in, n_out = (
        kmt([c for c in closed if c.fors_intag]),
        kmt([c for c in closed if c.fors_avslut]),
    )
    pub_in = kmt([c for c in closed if c.fors_intag & PUBLIC])
    pub_out = kmt([c for c in closed if c.fors_avslut & PUBLIC])
    f["antal"] = {**{f"intag_{x}": n_in[x] for x in KMT}, **{f"avslut_{x}": n_out[x] for x in KMT}}
    f["offentlig"] = {
        **{f"intag_{x}": pub_in[x] for x in KMT}, **{f"avslut_{x}": pub_out[x] for x in KMT}
    }  # fmt: skip
    f["offentlig_procent"] = {
        **{f"intag_{x}": pct(pub_in[x], n_in[x]) for x in KMT},
        **{f"avslut_{x}": pct(pub_out[x], n_out[x]) for x in KMT},
    }
    for key, source in (("fs", "forsorjningsstod"), ("sp", "sjukpenning")):
        left = kmt([c for c in closed if source in c.fors_intag and source not in c.fors_avslut])
        f[f"lamnat_{key}"] = {f"avslut_{x}": left[x] for x in KMT}
        f[f"lamnat_{key}_procent"] = {f"avslut_{x}": pct(left[x], p["avslutade"][x]) for x in KMT}
        net = {
            x: sum((source in c.fors_intag) - (source in c.fors_avslut) for c in group if c.spans)
            for x, group in split(closed).items()
        }
        f[f"netto_lamnat_{key}"] = {f"avslut_{x}": net[x] for x in KMT}
    t["forsorjning"] = f

    led: dict[str, dict[str, Any]] = {}
    pairs = {
        "intag_inskrivning": ("intag", "inskriven"),
        "intag_kartlaggning": ("intag", "map_start"),
        "kartlaggning": ("map_start", "map_done"),
        "intag_trepart": ("intag", "trepart"),
        "trepart_insats": ("trepart", "forsta_insats"),
    }
    for key, (a, b) in pairs.items():
        row = {}
        for x, group in split(cases).items():
            days = [
                (getattr(c, b) - getattr(c, a)).days
                for c in group
                if within(getattr(c, b), start, end)
                and getattr(c, a) is not None
                and getattr(c, a) <= getattr(c, b)
            ]
            row[x] = float(statistics.median(days)) if days else None
            row[f"n_{x}"] = len(days)
            if key == "kartlaggning":
                quick = sum(d <= 14 for d in days)
                led.setdefault("inom_14", {}).update({x: pct(quick, len(days)), f"n_{x}": quick})
        led[key] = row
    t["ledtider"] = led

    answered = [c for c in closed if c.nojd is not None]
    happy = {
        "bemotande": [c for c in answered if c.nojd[0] >= 4],  # type: ignore[index]
        "insats": [c for c in answered if c.nojd[1] >= 4],  # type: ignore[index]
        "bada": [c for c in answered if min(c.nojd) >= 4],  # type: ignore[type-var]
    }
    n = {"svarat": kmt(answered), "avbojt": kmt([c for c in closed if c.ingen_enkat])}
    for key, group in happy.items():
        n[f"{key}_antal"] = kmt(group)
        n[key] = {x: pct(kmt(group)[x], kmt(answered)[x]) for x in KMT}  # type: ignore[misc]
    t["nojdhet"] = n

    due = [
        c for c in cases if c.forsta_insats and within(one_year_after(c.forsta_insats), start, end)
    ]
    done = [c for c in due if c.uppfoljd is not None and c.uppfoljd <= end]

    def own(c: Case) -> bool:
        return bool(c.fors_uppfoljning & {"lon", "studiemedel"}) and not (
            c.fors_uppfoljning & PUBLIC
        )

    work = [c for c in done if c.sysselsattning == "arbete"]
    study = [c for c in done if c.sysselsattning == "studier"]
    egen = [c for c in done if c.sysselsattning not in ("arbete", "studier") and own(c)]
    u = {
        "due": kmt(due),
        "done": kmt(done),
        "ej_uppfoljda": kmt([c for c in due if c not in done]),
        "arbete": kmt(work),
        "studier": kmt(study),
        "egen": kmt(egen),
        "any": kmt(work + study + egen),
    }
    u["procent"] = {x: pct(u["any"][x], u["done"][x]) for x in KMT}
    t["uppfoljning"] = u

    # Goals: the targets in effect on the last day.
    targets = dict(DEFAULT_TARGETS)
    for day, key, value in sorted(reg.goals, key=lambda g: g[0]):
        if day <= end:
            targets[key] = value
    goals: dict[str, dict[str, Any]] = {}
    nya = p["nya"]["totalt"]
    if targets["inflode"] is None:
        goals["inflode"] = {"mål": None, "utfall": nya, "uppfyllt": None}
    else:
        yearly = Fraction(repr(targets["inflode"]))
        whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        days = (end - start).days + 1
        exact = yearly * months / 12 if whole_months else yearly * days / 365
        goals["inflode"] = {"mål": shown_target(exact), "utfall": nya, "uppfyllt": nya >= exact}

    def pct_goal(key: str, outcome: int | None) -> dict[str, Any]:
        target = targets[key]
        return {
            "mål": None if target is None else shown_target(Fraction(repr(target))),
            "utfall": outcome,
            "uppfyllt": None if target is None or outcome is None else outcome >= target,
        }

    goals["ettar"] = pct_goal("ettar", u["procent"]["totalt"])
    goals["nojda"] = pct_goal("nojda", n["bada"]["totalt"])
    other = p["avslutade"]["totalt"] - p["arbete_studier"]["totalt"]
    right = sum(c.slutorsak in RIGHT_SUPPORT for c in closed)
    goals["ratt-stod"] = pct_goal("ratt-stod", pct(right, other))
    goals["ratt-stod"]["underlag"] = f"{right} av {other} avslut som inte gick till arbete/studier"
    change = None
    if n_in["totalt"] and n_out["totalt"]:
        change = round_half_up(
            Fraction(100 * pub_in["totalt"], n_in["totalt"])
            - Fraction(100 * pub_out["totalt"], n_out["totalt"])
        )
    goals["offentlig"] = pct_goal("offentlig", change)
    return {"tabeller": t, "mål": goals}


# --- the comparison -------------------------------------------------------------------


def _periods(rng: random.Random, first_intake: date) -> list[tuple[list[str], date, date]]:
    found: list[tuple[list[str], date, date]] = []
    for year in (2015, 2016, 2017, 2018, 2019):
        found.append((["--år", str(year)], date(year, 1, 1), date(year, 12, 31)))
        for half, (a, b) in enumerate(((1, 6), (7, 12)), start=1):
            end = date(year, b, 31 if b == 12 else 30)
            found.append((["--halvår", f"{year}H{half}"], date(year, a, 1), end))
    tertials = ((1, 4, 30), (5, 8, 31), (9, 12, 31))
    for year, part in ((2016, 1), (2017, 1), (2017, 2), (2018, 3)):
        a, b, last = tertials[part - 1]
        found.append((["--tertial", f"{year}T{part}"], date(year, a, 1), date(year, b, last)))
    ranges = [
        (date(2017, 1, 1), date(2017, 2, 28)),
        (date(2017, 3, 1), date(2017, 4, 30)),
        (date(2016, 2, 29), date(2016, 3, 31)),
        (date(2016, 1, 1), date(2016, 2, 29)),
    ]
    for _ in range(10):
        a = _day(rng, date(2015, 1, 1), date(2019, 6, 30))
        ranges.append((a, a + timedelta(days=rng.randint(0, 400))))
    for a, b in ranges:
        found.append((["--från", a.isoformat(), "--till", b.isoformat()], a, b))
    for b in (date(2016, 12, 31), _day(rng, date(2016, 1, 1), date(2020, 1, 1))):
        found.append((["--sedan-start", "--till", b.isoformat()], min(first_intake, b), b))
    return found


def _void_some(run: Invoke, rng: random.Random, numbers: list[str]) -> int:
    """Voids a few events (a close, an insats, a follow-up, a consent, an intake, ...);
    the ones the rules refuse leave the register as it was."""
    voided = 0
    for nr in rng.sample(numbers, 14):
        events = json.loads(run("show", nr, "--json").stdout)["handelser"]
        kinds = [e for e in events if not e["makulerad"] and e["typ"] != "void"]
        if not kinds:
            continue
        event = rng.choice(kinds)
        result = run("makulera", str(event["id"]), "--orsak", "Fel i testet")
        assert result.exit_code in (0, 1), result.stderr
        voided += result.exit_code == 0
    return voided


def _compare(expected: dict[str, Any], got: dict[str, Any], where: str) -> tuple[list[str], int]:
    """The cells that differ, and the number of cells compared."""
    wrong = []
    cells = 0
    for table, rows in expected["tabeller"].items():
        have = got["tabeller"][table]["rader"]
        if table in ("insatser", "remittent"):
            extra = set(have) - set(rows)
            if extra:
                wrong.append(f"{where} {table}: rows {sorted(extra)} not expected")
        for key, row_cells in rows.items():
            if key not in have:
                wrong.append(f"{where} {table}.{key}: missing")
                continue
            for col, value in row_cells.items():
                cells += 1
                if have[key].get(col) != value:
                    wrong.append(f"{where} {table}.{key}.{col}: {have[key].get(col)} != {value}")
    goals = {g["nyckel"]: g for g in got["mål"]}
    for key, goal_cells in expected["mål"].items():
        for col, value in goal_cells.items():
            cells += 1
            if goals[key][col] != value:
                wrong.append(f"{where} mål.{key}.{col}: {goals[key][col]} != {value}")
    return wrong, cells


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_figure_agrees_with_the_exported_events(
    invoke: Invoke, tmp_path: Path, seed: int
) -> None:
    first, late = generate(seed)
    assert invoke("init").exit_code == 0
    for name, rows in (("forst", first), ("sent", late)):
        result = invoke("import", str(_write(tmp_path / f"{name}.jsonl", rows)))
        assert result.exit_code == 0, (name, result.stderr)
    rng = random.Random(seed * 7919)
    numbers = sorted({r["ärende"] for r in first if r.get("ärende")})
    assert _void_some(invoke, rng, numbers) >= 4
    exported = tmp_path / "export.jsonl"
    assert invoke("export", str(exported)).exit_code == 0
    rows = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
    reg = read_export(rows)
    first_intake = min(c.intag for c in reg.cases.values())
    # The register has what the figures must tell apart.
    reasons = {c.slutorsak for c in reg.cases.values() if c.inskriven is None}
    assert reasons & {"flyttat", "annat", "okand"} and reasons & {"ej-malgrupp", "avbojt"}
    assert any(c.uppfoljd and c.avslutad and c.uppfoljd > c.avslutad for c in reg.cases.values())
    wrong: list[str] = []
    compared = 0
    for args, start, end in _periods(rng, first_intake):
        result = invoke("report", *args, "--json")
        assert result.exit_code == 0, (args, result.stderr)
        got = json.loads(result.stdout)
        assert (got["period"]["från"], got["period"]["till"]) == (str(start), str(end)), args
        expected = figures(reg, start, end, cumulative="--sedan-start" in args)
        found, cells = _compare(expected, got, " ".join(args))
        wrong += found
        compared += cells
    assert compared > 10_000
    assert not wrong, f"{len(wrong)} figures differ:\n" + "\n".join(wrong[:40])
