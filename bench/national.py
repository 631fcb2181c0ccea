"""Generate a national-scale register for benchmarks: 1M cases, about 10M events.

Deterministic (fixed seed). Rows are written straight into the tables with executemany,
in the shapes the domain code writes (event log + projection), because replaying 10M
events through the command path would take hours; the report reads only the tables.

    python bench/national.py [--cases 1000000] [--out bench/out/national.db]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import date, timedelta
from pathlib import Path

from envagin_cli.domain.demo import STAFF as DEMO_STAFF
from envagin_cli.rules import codes
from envagin_cli.store import db as dbmod

STAFF = DEMO_STAFF[:5]  # the demo's first five handläggare (the team of the project plan)
START = date(2014, 1, 1)
END = date(2026, 11, 22)
SEED = 1_000_000
INSATSER = list(codes.INSATSER)
REMITTENTER = ["af", "fk", "fs", "fs", "af", "ac", "psyk", "vc", "egen", "po"]
KALLOR = [
    "forsorjningsstod",
    "forsorjningsstod",
    "sjukpenning",
    "aktivitetsstod",
    "a-kassa",
    "etablering",
    "sjukersattning",
    "ingen",
]
SLUT = [
    "arbete",
    "arbete",
    "studier",
    "af-insats",
    "arbetsrehabilitering",
    "praktik",
    "vard",
    "sjukersattning",
    "sol",
    "flyttat",
    "avbrutet",
    "annat",
    "okand",
]


def generate(path: Path, n_cases: int, seed: int = SEED) -> dict[str, int]:
    if path.exists():
        path.unlink()
    conn, _ = dbmod.open_db(dbmod.DbPath(path, True), create=True)
    conn.execute("PRAGMA synchronous = OFF")
    rng = random.Random(seed)
    span = (END - START).days
    stamp = "2026-11-22T00:00:00+00:00"
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO staff (id, namn, part, roll, tjanstgoringsgrad) VALUES (?, ?, ?, ?, ?)", STAFF
    )
    ids = [s[0] for s in STAFF[1:]]
    event_id = 0
    ev: list[tuple[object, ...]] = []
    cases: list[tuple[object, ...]] = []
    idents: list[tuple[object, ...]] = []
    spans: list[tuple[object, ...]] = []
    counts = {"arenden": 0, "handelser": 0}

    def add(nr: str, typ: str, day: date, data: dict[str, object]) -> None:
        nonlocal event_id
        event_id += 1
        ev.append(
            (
                event_id,
                nr,
                typ,
                day.isoformat(),
                stamp,
                "as",
                "",
                json.dumps(data, ensure_ascii=False),
                None,
            )
        )

    def flush() -> None:
        conn.executemany(
            "INSERT INTO identitet (id, personnummer, kon, fodelsear, skyddad) "
            "VALUES (?, NULL, ?, ?, 0)",
            idents,
        )
        conn.executemany(
            "INSERT INTO arende (nr, identitet_id, kon, fodelsear, remittent, ansvarig, intag, "
            "inskriven, statistik, kartlaggning_start, kartlaggning_klar, trepart, "
            "forsta_insats, avslutad, slutorsak, nojd_bemotande, nojd_insats, ingen_enkat, "
            "uppfoljd, sysselsattning, forsorjning_intag, forsorjning_avslut, "
            "forsorjning_uppfoljning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?)",
            cases,
        )
        conn.executemany(
            "INSERT INTO arende_insats (arende, lopnr, insats, utforare, start, "
            "slut) VALUES (?, ?, ?, ?, ?, ?)",
            spans,
        )
        conn.executemany(
            "INSERT INTO handelse (id, arende, typ, datum, registrerad, som, "
            "os_anvandare, data, makulerar) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ev,
        )
        counts["handelser"] += len(ev)
        for batch in (ev, cases, idents, spans):
            batch.clear()

    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    for i in range(1, n_cases + 1):
        intag = START + timedelta(days=int(span * i / (n_cases + 1)))
        nr = f"N-{i:07d}"
        kon = "kvinna" if rng.random() < 0.62 else "man"
        idents.append((i, kon, intag.year - rng.randint(19, 63)))
        remittent = rng.choice(REMITTENTER)
        ansvarig = rng.choice(ids)
        kalla = rng.choice(KALLOR)
        add(
            nr,
            "intake",
            intag,
            {
                "identitet_id": i,
                "remittent": remittent,
                "forsorjning": [kalla],
                "ansvarig": ansvarig,
            },
        )
        sources: dict[str, str | None] = {"intag": kalla, "avslut": None, "uppfoljning": None}
        row: dict[str, object] = dict.fromkeys(
            (
                "inskriven",
                "ks",
                "kk",
                "tri",
                "first",
                "closed",
                "reason",
                "b",
                "ins",
                "uppf",
                "syss",
            )
        )
        ingen = 0
        if rng.random() < 0.1:
            closed = intag + timedelta(days=rng.randint(3, 20))
            if closed <= END:
                add(nr, "close", closed, {"slutorsak": "ej-malgrupp"})
                row.update(closed=closed, reason="ej-malgrupp")
        else:
            day = intag + timedelta(days=rng.randint(0, 10))
            steps = []
            steps.append(("consent", day, {"omfattning": ["samverkan", "statistik"]}))
            row["inskriven"] = day
            day += timedelta(days=rng.randint(0, 7))
            steps.append(("map-start", day, {"handlaggare": [ansvarig]}))
            row["ks"] = day
            day += timedelta(days=rng.randint(6, 25))
            steps.append(("map-done", day, {}))
            row["kk"] = day
            day += timedelta(days=rng.randint(1, 12))
            steps.append(
                (
                    "tripartite",
                    day,
                    {
                        "handlaggare": [ansvarig],
                        "remittent_handlaggare": "K. Ek",
                        "avslutande": False,
                    },
                )
            )
            row["tri"] = day
            day += timedelta(days=rng.randint(0, 14))
            first_code = rng.choice(INSATSER)
            steps.append(
                (
                    "assign",
                    day,
                    {"insats": first_code, "utforare": codes.INSATSER[first_code][1], "byt": False},
                )
            )
            row["first"] = day
            my_spans = [[first_code, day, None]]
            if rng.random() < 0.6:
                steps.append(("responsible", day, {"ansvarig": rng.choice(ids)}))
            if rng.random() < 0.45:
                day += timedelta(days=rng.randint(40, 150))
                code = rng.choice(INSATSER)
                steps.append(
                    (
                        "assign",
                        day,
                        {"insats": code, "utforare": codes.INSATSER[code][1], "byt": True},
                    )
                )
                my_spans[-1][2] = day
                my_spans.append([code, day, None])
            day += timedelta(days=rng.randint(60, 300))
            if rng.random() < 0.5:
                steps.append(
                    (
                        "tripartite",
                        day,
                        {
                            "handlaggare": [ansvarig],
                            "remittent_handlaggare": "K. Ek",
                            "avslutande": True,
                        },
                    )
                )
            reason = rng.choice(SLUT)
            out = (
                "lon"
                if reason == "arbete"
                else "studiemedel"
                if reason == "studier"
                else (rng.choice(KALLOR))
            )
            b, ins = rng.choice([(5, 5), (4, 4), (4, 3), (5, 4), (3, 2), (None, None)])
            ingen = int(b is None)
            steps.append(
                (
                    "close",
                    day,
                    {
                        "slutorsak": reason,
                        "forsorjning": [out],
                        "nojd_bemotande": b,
                        "nojd_insats": ins,
                        "ingen_enkat": bool(ingen),
                    },
                )
            )
            close_day = day
            if rng.random() < 0.8:
                first = row["first"]
                assert isinstance(first, date)
                follow = first + timedelta(days=365 + rng.randint(0, 40))
                fs = rng.choice(["lon", "studiemedel", "forsorjningsstod", "a-kassa"])
                steps.append(
                    (
                        "followup",
                        follow,
                        {
                            "sysselsattning": rng.choice(list(codes.SYSSELSATTNING)),
                            "forsorjning": [fs],
                        },
                    )
                )
            for typ, when, data in steps:
                if when > END:
                    break
                add(nr, typ, when, data)
                if typ == "close":
                    row.update(closed=when, reason=reason, b=b, ins=ins)
                    sources["avslut"] = out
                    for s in my_spans:
                        if s[2] is None:
                            s[2] = when
                elif typ == "followup":
                    row.update(uppf=when, syss=data["sysselsattning"])
                    sources["uppfoljning"] = data["forsorjning"][0]  # type: ignore[index]
            for key, when in (
                ("ks", row["ks"]),
                ("kk", row["kk"]),
                ("tri", row["tri"]),
                ("first", row["first"]),
                ("inskriven", row["inskriven"]),
            ):
                if isinstance(when, date) and when > END:
                    row[key] = None
            for lopnr, (code, s_start, s_end) in enumerate(my_spans, start=1):
                if s_start <= END:  # type: ignore[operator]
                    spans.append(
                        (
                            nr,
                            lopnr,
                            code,
                            codes.INSATSER[code][1],
                            iso(s_start),
                            iso(s_end) if s_end and s_end <= END else None,
                        )
                    )
            if close_day > END:
                row.update(closed=None, reason=None, b=None, ins=None)
                ingen = 0
                sources["avslut"] = None
        cases.append(
            (
                nr,
                i,
                kon,
                idents[-1][2],
                remittent,
                ansvarig,
                intag.isoformat(),
                iso(row["inskriven"]),
                1,
                iso(row["ks"]),
                iso(row["kk"]),  # type: ignore[arg-type]
                iso(row["tri"]),
                iso(row["first"]),
                iso(row["closed"]),  # type: ignore[arg-type]
                row["reason"],
                row["b"],
                row["ins"],
                ingen,
                iso(row["uppf"]),  # type: ignore[arg-type]
                row["syss"],
                sources["intag"],
                sources["avslut"],
                sources["uppfoljning"],
            )
        )
        counts["arenden"] += 1
        if i % 20000 == 0:
            flush()
    flush()
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--out", default=str(Path(__file__).parent / "out" / "national.db"))
    parser.add_argument("--seed", type=int, default=SEED, help="another register of the same kind")
    args = parser.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    counts = generate(out, args.cases, args.seed)
    print(
        f"{counts['arenden']} ärenden, {counts['handelser']} händelser i {out} "
        f"({time.perf_counter() - began:.0f} s, {out.stat().st_size / 2**20:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
