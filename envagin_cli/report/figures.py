"""The half-year report: every figure of DOMAIN.md "The half-year report" for a period.

All figures read the case projection (`arende`, `arende_insats`),
which holds only effective events; voided cases and `felregistrering` are left out of
every figure. Counts are split Kvinnor / Män / Totalt. Choices where DOMAIN.md left one
are listed in docs/projektledare.md ("Rapportens definitioner").

A past period stands still: each figure of P reads only what is dated on or before P's last
day (a follow-up dated later is not done in P; the targets and the insats catalogue are
those of P's last day), so registering what happened after P never changes P's report.
Every outcome is its exact value rounded half up once (`procent`, `avrunda`), and a goal is
met when the outcome as shown reaches the target, shown with the decimals that decide it.

A report reads one register, or several units' registers together (`report --enhet`):
each figure's query runs on every unit's file (with its own indexes) and the results are
added up (counts add, medians take every unit's values, percentages are worked out from
the added counts), so a joint report costs the sum of the single ones. A case is a case
of its unit: the same person in two units is two cases, and case numbers may repeat
between units. In a joint report the municipal parties (`fs`, `ac`) and
Arbetsförmedlingen (`af`) are named by each unit's `enhet` labels in the table of
referring parties, and rows with the same label are one row.
"""

from __future__ import annotations

import math
import sqlite3
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from envagin_cli.domain import installning
from envagin_cli.report.tables import NETTOTYP, Kolumn, Rad, Tabell, procent
from envagin_cli.rules import codes
from envagin_cli.rules.periods import Period

# The one rule for what counts (codes.counted_sql), as the partial indexes have it.
BASE = codes.counted_sql("a")
KON = ("kvinna", "man")
KMT = [Kolumn("kvinnor", "Kvinnor"), Kolumn("män", "Män"), Kolumn("totalt", "Totalt")]
TRIPLETT = ("kvinnor", "män", "totalt")
NETTO_ETIKETT = {"forsorjningsstod": "Lämnat försörjningsstöd", "sjukpenning": "Lämnat sjukpenning"}


@dataclass(frozen=True)
class Enhet:
    """One register the report reads: the local one (no name), or a unit of a joint report
    (`report --enhet FIL`) with its name and labels (`enhet set`)."""

    conn: sqlite3.Connection
    namn: str | None = None
    kommun: str | None = None
    af_kontor: str | None = None
    fil: str = ""


Kallor = sqlite3.Connection | Sequence[Enhet]


def _units(source: Kallor) -> list[Enhet]:
    if isinstance(source, sqlite3.Connection):
        return [Enhet(source)]
    return list(source)


def _rows(units: Sequence[Enhet], sql: str, p: dict[str, str]) -> Iterator[Any]:
    """The rows of one query on every unit's register, one unit after the other."""
    for unit in units:
        yield from unit.conn.execute(sql, p)


def _add(into: dict[Any, dict[str, int]], more: dict[Any, dict[str, int]]) -> None:
    for key, per_kon in more.items():
        bucket = into.setdefault(key, {})
        for kon, n in per_kon.items():
            bucket[kon] = bucket.get(kon, 0) + n


def _merged(parts: Iterable[dict[Any, dict[str, int]]]) -> dict[Any, dict[str, int]]:
    total: dict[Any, dict[str, int]] = {}
    for part in parts:
        _add(total, part)
    return total


def goal_name(key: str, targets: dict[str, float | None]) -> str:
    """A goal's row label; a label that names the target shows the stored one."""
    return codes.MALNYCKLAR[key].label(targets.get(key))


@dataclass
class Malstatus:
    nyckel: str
    namn: str
    mal: float | None
    utfall: float | int | None
    enhet: str
    uppfyllt: bool | None
    underlag: str
    kalla: tuple[str, str, str] | None = None


@dataclass
class Rapport:
    period: Period
    idag: date
    tabeller: list[Tabell]
    mal: list[Malstatus] = field(default_factory=list)
    maskering: int | None = None
    #: The units of a joint report (name, labels, file), in the order given; else empty.
    enheter: list[dict[str, str]] = field(default_factory=list)
    #: The login mode enforced (`installning.enforced`: 'ingen inloggning kopplad',
    #: 'strikt' or 'fri'), stated in the header.
    inloggning: str = "ingen inloggning kopplad"
    #: Participants closed in P to the right support (the goal `ratt-stod`).
    ratt_stod: int = 0
    #: The goals shown as masked (their outcome or basis uses a hidden figure).
    maskerade_mal: set[str] = field(default_factory=set)


def _kmt(per_kon: dict[str, int]) -> dict[str, int]:
    k, m = per_kon.get("kvinna", 0), per_kon.get("man", 0)
    return {"kvinnor": k, "män": m, "totalt": k + m}


def _pct_row(key: str, label: str, num: dict[str, int], den: dict[str, int]) -> Rad:
    return Rad(key, label, {c: procent(num[c], den[c]) for c in TRIPLETT}, typ="procent")


def _derive(tabell: Tabell, rad: str, num: str, den: str) -> None:
    for col in TRIPLETT:
        tabell.harledda[(rad, col)] = [(num, col), (den, col)]


def _by_kon(rows: Iterable[sqlite3.Row | tuple[Any, ...]]) -> dict[str, dict[str, int]]:
    """Rows of (code, kön, count) -> {code: {kön: count}}."""
    result: dict[str, dict[str, int]] = {}
    for code, kon, n in rows:
        bucket = result.setdefault(code, {})
        bucket[kon] = bucket.get(kon, 0) + n
    return result


def first_intake(source: Kallor) -> date | None:
    """The first intake among the cases that count (of every unit): where `--sedan-start`
    begins."""
    found = [
        r[0] for r in _rows(_units(source), f"SELECT min(a.intag) FROM arende a WHERE {BASE}", {})
    ]
    first = min((f for f in found if f), default=None)
    return date.fromisoformat(first) if first else None


def build(
    source: Kallor,
    period: Period,
    idag: date,
    perioder: Sequence[tuple[str, Period]] = (),
    kon: bool = False,
) -> Rapport:
    """The report over one register (a connection) or over the units of a joint report
    (with "Resultat per enhet"); `perioder` adds "Utveckling per period"."""
    units = _units(source)
    joint = not isinstance(source, sqlite3.Connection)
    p = {"start": period.start.isoformat(), "slut": period.slut.isoformat()}
    counts = [_period_counts(u.conn, p) for u in units]
    income = [_forsorjning_counts(u.conn, p) for u in units]
    tables = [_period_table(_merged(counts))]
    if joint:
        tables.append(_per_unit_table(units, counts, income, period.typ == "sedan start"))
    tables += [
        _slutorsak_table(units, p),
        _remittent_table(units, p, period.typ == "sedan start", labelled=joint),
        _insats_table(units, p),
        _forsorjning_table(_merged(i[0] for i in income), _merged(i[1] for i in income)),
        _sysselsattning_table(units, p),
        _bakgrund_table(units, p),
        _ledtider_table(units, p),
        _nojdhet_table(units, p),
        _uppfoljning_table(units, period),
    ]
    if perioder:
        tables.append(_perioder_table(units, perioder, kon))
    rapport = Rapport(period, idag, tables)
    if joint:
        rapport.enheter = [
            {
                "namn": u.namn or "",
                "kommun": u.kommun or "",
                "af_kontor": u.af_kontor or "",
                "fil": u.fil,
            }
            for u in units
        ]
    # The login mode enforced; in a joint report the weakest of the units' (a unit
    # with a shared terminal makes the whole report's identities less certain).
    rapport.inloggning = installning.weakest({installning.enforced_mode(u.conn) for u in units})
    rapport.ratt_stod = sum(_merged(counts).get("ratt_stod", {}).values())
    rapport.mal = _goals(_targets(units, period.slut), rapport)
    tables.extend(_goal_level_tables(units, period))
    return rapport


def _goal_level_tables(units: Sequence[Enhet], period: Period) -> list[Tabell]:
    """Milestones due or changed in P (or overdue), and indicators against their baseline;
    in a joint report each unit's, named by the unit."""
    from envagin_cli.domain import mal as malfoljning

    data: dict[str, list[dict[str, Any]]] = {"milstolpar": [], "indikatorer": []}
    for unit in units:
        found = malfoljning.for_report(unit.conn, period.start, period.slut)
        for key in data:
            for item in found[key]:
                if unit.namn is not None:
                    item = {
                        **item,
                        "kod": f"{unit.namn}:{item['kod']}",
                        "text": f"{unit.namn}: {item['text']}",
                    }
                data[key].append(item)
    text = [
        Kolumn("deadline", "Deadline", "text"),
        Kolumn("status", "Status", "text"),
        Kolumn("andrad", "Senast ändrad", "text"),
        Kolumn("kommentar", "Kommentar", "text"),
        Kolumn("markering", "Markering", "text"),
    ]
    rows = [
        Rad(
            m["kod"],
            m["text"],
            {
                "deadline": m["deadline"] or "",
                "status": malfoljning.STATUSAR[m["status"]],
                "andrad": m["senast_andrad"] or "–",
                "kommentar": m["kommentar"],
                "markering": "⚠ deadline passerad, ej uppnått" if m["forsenad"] else "",
            },
        )
        for m in data["milstolpar"]
    ]
    milestones = Tabell("milstolpar", "Mål på organisationsnivå (milstolpar)", text, rows)
    milestones.noter.append(
        "Milstolpar med deadline eller statusändring i perioden, och "
        "passerade milstolpar som ännu inte är uppnådda."
    )
    cols = [
        Kolumn("basar", "Basår", "text"),
        Kolumn("basvarde", "Basvärde", "tal"),
        Kolumn("senaste_period", "Senaste period", "text"),
        Kolumn("senaste_varde", "Senaste värde", "tal"),
        Kolumn("forandring", "Förändring", "tal"),
        Kolumn("riktning", "Önskad riktning", "text"),
        Kolumn("bedomning", "Bedömning", "text"),
        Kolumn("kalla", "Källa", "text"),
    ]
    ind_rows = []
    for ind in data["indikatorer"]:
        moved = ind["ratt_riktning"]
        ind_rows.append(
            Rad(
                ind["kod"],
                ind["text"],
                {
                    "basar": str(ind["basar"] or "–"),
                    "basvarde": ind["basvarde"],
                    "senaste_period": ind["senaste_period"] or "–",
                    "senaste_varde": ind["senaste_varde"],
                    "forandring": ind["forandring"],
                    "riktning": malfoljning.RIKTNINGAR.get(ind["riktning"] or "", "–"),
                    "bedomning": "– underlag saknas"
                    if moved is None
                    else ("✓ rätt riktning" if moved else "✗ fel riktning"),
                    "kalla": ind["kalla"] or "",
                },
            )
        )
    indicators = Tabell("indikatorer", "Mål på befolkningsnivå (indikatorer)", cols, ind_rows)
    indicators.noter.append("Senaste värde till och med periodens slut, jämfört med basåret.")
    return [milestones, indicators]


PERIOD_KEYS = (
    "deltagare",
    "nya",
    "remitterade",
    "avslutade",
    "arbete",
    "studier",
    "med_insats",
    "med_insats_as",
    "ratt_stod",
)


def _period_counts(conn: sqlite3.Connection, p: dict[str, str]) -> dict[str, dict[str, int]]:
    """One register's counts of the period table: {key: {kön: count}}."""
    # One query per date column, so that each reads an index range, not the whole table.
    closed = f"{BASE} AND a.inskriven IS NOT NULL AND a.avslutad BETWEEN :start AND :slut"
    queries = {
        "deltagare": f"SELECT a.kon, count(*) FROM arende a WHERE {BASE} AND a.inskriven <= "
        ":slut AND (a.avslutad IS NULL OR a.avslutad >= :start) GROUP BY a.kon",
        "nya": f"SELECT a.kon, count(*) FROM arende a WHERE {BASE} "
        "AND a.inskriven BETWEEN :start AND :slut GROUP BY a.kon",
        "remitterade": f"SELECT a.kon, count(*) FROM arende a WHERE {BASE} "
        "AND a.intag BETWEEN :start AND :slut GROUP BY a.kon",
    }
    keys = PERIOD_KEYS
    per: dict[str, dict[str, int]] = {k: {} for k in keys}
    for key, sql in queries.items():
        per[key] = dict(conn.execute(sql, p).fetchall())
    for row in conn.execute(
        "SELECT a.kon, count(*), sum(a.slutorsak = 'arbete'), sum(a.slutorsak = 'studier'), "
        "sum(a.forsta_insats IS NOT NULL), "
        "sum(a.forsta_insats IS NOT NULL AND a.slutorsak IN ('arbete', 'studier')), "
        f"sum(a.slutorsak IN ({', '.join(repr(c) for c in sorted(codes.RATT_STOD))})) "
        f"FROM arende a WHERE {closed} GROUP BY a.kon",
        p,
    ):
        for i, key in enumerate(keys[3:], start=1):
            per[key][row[0]] = row[i] or 0
    return per


def _period_table(per: dict[str, dict[str, int]]) -> Tabell:
    v = {k: _kmt(per.get(k, {})) for k in PERIOD_KEYS}
    v["arbete_studier"] = {c: v["arbete"][c] + v["studier"][c] for c in TRIPLETT}
    rows = [
        Rad("deltagare", "Deltagare", v["deltagare"]),
        Rad("nya", "varav nya", v["nya"]),
        Rad("remitterade", "Remitterade (intag)", v["remitterade"]),
        Rad("avslutade", "Avslutade", v["avslutade"]),
        Rad("arbete", "till arbete", v["arbete"]),
        Rad("studier", "till studier", v["studier"]),
        Rad("arbete_studier", "Arbete/studier", v["arbete_studier"]),
        _pct_row("procent", "Procent arbete/studier", v["arbete_studier"], v["avslutade"]),
        Rad("med_insats", "Avslutade med insats", v["med_insats"]),
        Rad("med_insats_as", "varav arbete/studier", v["med_insats_as"]),
        _pct_row(
            "med_insats_procent",
            "Procent arbete/studier (med insats)",
            v["med_insats_as"],
            v["med_insats"],
        ),
    ]
    t = Tabell(
        "period",
        "Deltagare och avslut",
        KMT,
        rows,
        tripletter=[TRIPLETT],
        summagrupper=[(["arbete", "studier"], "arbete_studier")],
    )
    _derive(t, "procent", "arbete_studier", "avslutade")
    _derive(t, "med_insats_procent", "med_insats_as", "med_insats")
    t.noter.append(
        "Deltagare: inskrivna (samtycke till samverkan) och aktiva någon gång under "
        "perioden. Remitterade: alla intag under perioden, inskrivna eller inte."
    )
    return t


def _per_unit_table(
    units: Sequence[Enhet],
    counts: Sequence[dict[str, dict[str, int]]],
    income: Sequence[tuple[Any, dict[str, dict[str, int]]]],
    cumulative: bool,
) -> Tabell:
    """ "Resultat per enhet": the seed's "Resultat ackumulerat per kommun", a column a unit."""
    cols = [Kolumn(u.namn or u.fil, u.namn or u.fil) for u in units]
    keys = [c.nyckel for c in cols]
    values: dict[str, dict[str, int]] = {}

    def total(per_kon: dict[str, int] | None) -> int:
        return sum((per_kon or {}).values())

    for key, unit_counts, (_, tally) in zip(keys, counts, income, strict=True):
        values[key] = {
            "inskrivna": total(unit_counts.get("deltagare")),
            "avslutade": total(unit_counts.get("avslutade")),
            "med_insats": total(unit_counts.get("med_insats")),
            "arbete_studier": total(unit_counts.get("med_insats_as")),
            **{key_: total(tally.get(f"netto_{key_}")) for _, key_ in NETTO},
        }
    values["totalt"] = {
        row: sum(values[k][row] for k in keys) for row in next(iter(values.values()))
    }
    every = [*keys, "totalt"]

    def row(key: str, label: str, typ: str | None = None) -> Rad:
        return Rad(key, label, {c: values[c][key] for c in every}, typ=typ)

    rows = [
        row(
            "inskrivna",
            "Totalt inskrivna" if cumulative else "Deltagare (inskrivna, aktiva under perioden)",
        ),
        row("avslutade", "Totalt avslutade"),
        row("med_insats", "Avslutade med insats"),
        row("arbete_studier", "varav till arbete/studier"),
        Rad(
            "procent",
            "Procent till arbete/studier (av avslutade med insats)",
            {c: procent(values[c]["arbete_studier"], values[c]["med_insats"]) for c in every},
            typ="procent",
        ),
        row(
            "lamnat_fs",
            "Lämnat försörjningsstöd, netto (vid intag − vid avslut)",
            NETTOTYP,
        ),
        row(
            "lamnat_sp",
            "Lämnat sjukpenning, netto (vid intag − vid avslut)",
            NETTOTYP,
        ),
    ]
    t = Tabell(
        "per_enhet",
        "Resultat per enhet",
        [*cols, Kolumn("totalt", "Totalt")],
        rows,
        kolumngrupper=[(keys, "totalt")],
    )
    for c in every:
        t.harledda[("procent", c)] = [("arbete_studier", c), ("med_insats", c)]
    t.noter.append(
        "Inskrivna: "
        + (
            "alla som skrivits in t.o.m. periodens slut. "
            if cumulative
            else "deltagare, dvs. inskrivna och aktiva någon gång under perioden. "
        )
        + "Avslutade: inskrivna som avslutades under perioden. Arbete/studier och procent "
        "räknas bland dem som avslutades med insats. Lämnat försörjningsstöd och sjukpenning "
        "är netto bland dem som avslutades med insats: antalet med källan vid intag minus "
        "antalet med den vid avslut; ett negativt tal betyder att fler hade den vid avslut."
    )
    return t


#: The columns of "Utveckling per period" (the seed's rows per year and half-year).
PERIODKOLUMNER = (
    ("deltagare", "Deltagare"),
    ("avslutade", "Avslutade"),
    ("arbete", "Till arbete"),
    ("studier", "Till studier"),
    ("arbete_studier", "Arbete/studier"),
)


def _perioder_table(
    units: Sequence[Enhet], perioder: Sequence[tuple[str, Period]], kon: bool
) -> Tabell:
    """ "Utveckling per period": a row a period, labelled as given."""
    split = ("kvinnor", "män", "totalt") if kon else ("totalt",)

    def col(key: str, part: str) -> str:
        return key if part == "totalt" else f"{key}_{part}"

    suffix = {"kvinnor": " K", "män": " M", "totalt": " T" if kon else ""}
    cols = [
        Kolumn(col(key, part), label + suffix[part])
        for key, label in PERIODKOLUMNER
        for part in split
    ]
    cols += [Kolumn(col("procent", part), "Procent" + suffix[part], "procent") for part in split]
    rows = []
    for label, period in perioder:
        p = {"start": period.start.isoformat(), "slut": period.slut.isoformat()}
        per = _merged(_period_counts(u.conn, p) for u in units)
        v = {k: _kmt(per.get(k, {})) for k in PERIOD_KEYS}
        v["arbete_studier"] = {c: v["arbete"][c] + v["studier"][c] for c in TRIPLETT}
        values: dict[str, Any] = {}
        for key, _ in PERIODKOLUMNER:
            for part in split:
                values[col(key, part)] = v[key][part]
        for part in split:
            values[col("procent", part)] = procent(v["arbete_studier"][part], v["avslutade"][part])
        rows.append(Rad(period.etikett, label, values))
    triples: list[tuple[str, str, str]] = [
        (col("arbete", part), col("studier", part), col("arbete_studier", part)) for part in split
    ]
    if kon:
        triples += [(f"{key}_kvinnor", f"{key}_män", key) for key, _ in PERIODKOLUMNER]
    t = Tabell("perioder", "Utveckling per period", cols, rows, tripletter=triples)
    for r in rows:
        for part in split:
            t.harledda[(r.nyckel, col("procent", part))] = [
                (r.nyckel, col("arbete_studier", part)),
                (r.nyckel, col("avslutade", part)),
            ]
    t.noter.append(
        "Deltagare: inskrivna och aktiva någon gång under perioden. Avslutade: inskrivna som "
        "avslutades under perioden. Procent: arbete/studier av avslutade."
    )
    return t


def _slutorsak_table(units: Sequence[Enhet], p: dict[str, str]) -> Tabell:
    data = _by_kon(
        _rows(
            units,
            f"SELECT a.slutorsak, a.kon, count(*) FROM arende a WHERE {BASE} "
            "AND a.avslutad BETWEEN :start AND :slut GROUP BY 1, 2",
            p,
        )
    )
    order = [c for c in codes.SLUTORSAKER if c != "felregistrering"]
    rows = [Rad(c, codes.SLUTORSAKER[c], _kmt(data.get(c, {}))) for c in order]
    total = {c: sum(r.varden[c] for r in rows) for c in TRIPLETT}
    rows.append(Rad("totalt", "Totalt", total, summa=True))
    t = Tabell(
        "slutorsak",
        "Slutorsak för avslutade under perioden",
        KMT,
        rows,
        tripletter=[TRIPLETT],
        summagrupper=[(order, "totalt")],
    )
    t.noter.append("Ej målgrupp och Avböjt är remisser som avslutades före inskrivning.")
    return t


#: The referring parties a joint report names by unit: the municipality's, and AF.
KOMMUNALA = ("fs", "ac")


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in codes.fold(text)).split())


def _remittent_table(
    units: Sequence[Enhet], p: dict[str, str], cumulative: bool, *, labelled: bool = False
) -> Tabell:
    where = "a.inskriven <= :slut" if cumulative else "a.inskriven BETWEEN :start AND :slut"
    sql = (
        f"SELECT a.remittent, a.kon, count(*) FROM arende a WHERE {BASE} AND {where} GROUP BY 1, 2"
    )
    # Row key -> (label, sort order); a joint report names fs/ac/af by the unit's labels,
    # and rows with the same label are one row.
    order = {c: i for i, c in enumerate(codes.REMITTENTER)}
    named: dict[str, tuple[str, tuple[int, int]]] = {}
    data: dict[str, dict[str, int]] = {}
    for n, unit in enumerate(units):
        for code, per_kon in _by_kon(unit.conn.execute(sql, p)).items():
            label = codes.REMITTENTER[code]
            key = code
            if labelled and code in (*KOMMUNALA, "af"):
                label = (unit.af_kontor if code == "af" else unit.kommun) or label
                key = _slug(label) or code
            rank = (order[code], n)
            named[key] = (label, min(rank, named.get(key, (label, rank))[1]))
            _add(data, {key: per_kon})
    codes_used = sorted(named, key=lambda k: named[k][1])
    rows = [Rad(c, named[c][0], _kmt(data[c])) for c in codes_used]
    total = {c: sum(r.varden[c] for r in rows) for c in TRIPLETT}
    for r in rows:
        r.varden["andel"] = procent(r.varden["totalt"], total["totalt"])
    total_row = Rad(
        "totalt", "Totalt", {**total, "andel": 100 if total["totalt"] else None}, summa=True
    )
    rows.append(total_row)
    cols = [*KMT, Kolumn("andel", "Andel", "procent")]
    scope = (
        "alla som skrivits in t.o.m. periodens slut"
        if cumulative
        else ("deltagare inskrivna under perioden")
    )
    t = Tabell(
        "remittent",
        f"Inremitterande part ({scope})",
        cols,
        rows,
        tripletter=[TRIPLETT],
        summagrupper=[(codes_used, "totalt")],
    )
    for r in rows[:-1]:
        t.harledda[(r.nyckel, "andel")] = [(r.nyckel, "totalt"), ("totalt", "totalt")]
    return t


#: The insats catalogue with whether each insats was active on the day `:slut`.
CATALOGUE_ON_DAY = """
    SELECT i.kod, i.namn, NOT EXISTS (
        SELECT 1 FROM handelse h WHERE h.arende IS NULL
          AND ((h.typ = 'insats-add' AND h.datum > :slut)
            OR (h.typ = 'insats-deactivate' AND h.datum <= :slut))
          AND json_extract(h.data, '$.kod') = i.kod
          AND NOT EXISTS (SELECT 1 FROM handelse v WHERE v.makulerar = h.id))
    FROM insats i ORDER BY i.rowid"""


def _insats_table(units: Sequence[Enhet], p: dict[str, str]) -> Tabell:
    # Spans still open, and spans ending in or after P: both are ranges of one index
    # (slut, start, ...), so the scan never reads spans that ended before P.
    sql = f"""
        WITH i AS (
          SELECT arende, insats, start, slut FROM arende_insats
            WHERE slut IS NULL AND start <= :slut
          UNION ALL
          SELECT arende, insats, start, slut FROM arende_insats
            WHERE slut >= :start AND start <= :slut)
        SELECT i.insats, a.kon, count(DISTINCT i.arende),
          count(DISTINCT CASE WHEN i.start BETWEEN :start AND :slut THEN i.arende END),
          count(DISTINCT CASE WHEN i.slut BETWEEN :start AND :slut THEN i.arende END)
        FROM i CROSS JOIN arende a ON a.nr = i.arende
        WHERE {BASE} GROUP BY 1, 2"""
    during: dict[str, dict[str, int]] = {}
    started: dict[str, dict[str, int]] = {}
    ended: dict[str, dict[str, int]] = {}
    for code, kon, d, s, e in _rows(units, sql, p):
        _add(during, {code: {kon: d}})
        _add(started, {code: {kon: s}})
        _add(ended, {code: {kon: e}})
    # The catalogues of all units: an insats by its code, named as the first unit names it,
    # active if it is active in any unit.
    # Active on P's last day: added by then (the default catalogue always was) and not
    # deactivated by then, so that a later change to the catalogue leaves P's rows as they were.
    catalogue: dict[str, tuple[str, bool]] = {}
    for kod, namn, aktiv in _rows(units, CATALOGUE_ON_DAY, p):
        known = catalogue.get(kod)
        catalogue[kod] = (known[0] if known else namn, bool(aktiv) or (known or ("", False))[1])
    rows = []
    for kod, (namn, aktiv) in catalogue.items():
        if kod not in during and not aktiv:
            continue
        values: dict[str, Any] = {}
        for prefix, source in (("i", during), ("start", started), ("slut", ended)):
            kmt = _kmt(source.get(kod, {}))
            for col in TRIPLETT:
                values[f"{prefix}_{col}"] = kmt[col]
        rows.append(Rad(kod, namn, values))
    cols = []
    for prefix, label in (("i", "I insats"), ("start", "Startade"), ("slut", "Avslutade")):
        cols += [
            Kolumn(f"{prefix}_kvinnor", f"{label} K"),
            Kolumn(f"{prefix}_män", f"{label} M"),
            Kolumn(f"{prefix}_totalt", f"{label} T"),
        ]
    t = Tabell(
        "insatser",
        "Insatser under perioden (antal deltagare)",
        cols,
        rows,
        tripletter=[(f"{x}_kvinnor", f"{x}_män", f"{x}_totalt") for x in ("i", "start", "slut")],
    )
    t.noter.append("En deltagare kan vara i flera insatser; kolumnerna summeras därför inte.")
    return t


def finsam(conn: sqlite3.Connection, period: Period) -> Tabell:
    """Uppföljning Finsam: per insats, the participants in it some day in the period (the
    report's "I insats" columns), and the participants in any insats, by kön."""
    p = {"start": period.start.isoformat(), "slut": period.slut.isoformat()}
    insatser = _insats_table([Enhet(conn)], p)
    rows = [
        Rad(r.nyckel, r.etikett, {c: r.varden[f"i_{c}"] for c in TRIPLETT}) for r in insatser.rader
    ]
    anyone = conn.execute(
        f"""SELECT a.kon, count(DISTINCT a.nr) FROM arende_insats i
            CROSS JOIN arende a ON a.nr = i.arende
            WHERE (i.slut IS NULL OR i.slut >= :start) AND i.start <= :slut AND {BASE}
            GROUP BY 1""",
        p,
    )
    rows.append(Rad("totalt", "Deltagare i någon insats", _kmt(dict(anyone.fetchall()))))
    t = Tabell(
        "finsam",
        "Deltagare per insats under perioden (Uppföljning Finsam)",
        list(KMT),
        rows,
        tripletter=[TRIPLETT],
    )
    t.noter.append(
        "En deltagare i flera insatser räknas i varje; raden Deltagare i någon insats räknar "
        "varje deltagare en gång."
    )
    return t


def finsam_forbund(conn: sqlite3.Connection, period: Period) -> Tabell | None:
    """Uppföljning Finsam by the förbund's insatser (`enhet finsam add`): per Finsam
    insats, the participants by kön as the form asks. The whole team: the enrolled cases
    active some day in the period (the report's "Deltagare"); named catalogue insatser: the
    participants in any of them some day in the period, each counted once. Each counts by
    its definition in effect on the period's last day (one first named later: by its first
    definition). None when the unit has named none."""
    from envagin_cli.domain import enhet

    last = period.slut.isoformat()
    in_effect = {codes.fold(d["namn"]): d for d in enhet.finsam(conn, last)}
    definitions = [in_effect.get(codes.fold(first["namn"]), first) for first in _first_finsam(conn)]
    if not definitions:
        return None
    p = {"start": period.start.isoformat(), "slut": last}
    rows = []
    for d in definitions:
        if d["insatser"]:
            marks = ", ".join(f":i{n}" for n in range(len(d["insatser"])))
            found = conn.execute(
                f"""SELECT a.kon, count(DISTINCT a.nr) FROM arende_insats i
                    CROSS JOIN arende a ON a.nr = i.arende
                    WHERE i.insats IN ({marks}) AND (i.slut IS NULL OR i.slut >= :start)
                    AND i.start <= :slut AND {BASE} GROUP BY 1""",
                {**p, **{f"i{n}": kod for n, kod in enumerate(d["insatser"])}},
            )
            counts = "insatserna " + ", ".join(d["insatser"])
        else:
            found = conn.execute(
                f"SELECT a.kon, count(*) FROM arende a WHERE {BASE} AND a.inskriven <= :slut "
                "AND (a.avslutad IS NULL OR a.avslutad >= :start) GROUP BY a.kon",
                p,
            )
            counts = "hela teamet"
        rows.append(
            Rad(
                d["namn"],
                d["namn"],
                {"raknar": counts, **_kmt(dict(found.fetchall()))},
            )
        )
    t = Tabell(
        "finsam_insatser",
        "Deltagare per Finsam-insats under perioden (Uppföljning Finsam)",
        [Kolumn("raknar", "Räknar", "text"), *KMT],
        rows,
        tripletter=[TRIPLETT],
    )
    t.noter.append(
        "Hela teamet: inskrivna deltagare som var aktiva någon dag i perioden (rapportens "
        "Deltagare). Med insatser: deltagare i någon av dem någon dag i perioden, var och en "
        "en gång. Varje Finsam-insats räknas enligt sin definition den sista dagen i perioden."
    )
    return t


def _first_finsam(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every Finsam insats by its first definition, in the order first named."""
    found: dict[str, dict[str, Any]] = {}
    for row in conn.execute("SELECT datum, namn, insatser FROM enhet_finsam ORDER BY datum, id"):
        found.setdefault(
            codes.fold(row["namn"]),
            {
                "namn": row["namn"],
                "insatser": [c for c in (row["insatser"] or "").split(",") if c],
                "sedan": row["datum"],
            },
        )
    return list(found.values())


def _sysselsattning_table(units: Sequence[Enhet], p: dict[str, str]) -> Tabell:
    """Sysselsättning at intake and at closing (the SUS instrument) of the participants
    closed in P, as the försörjning table: a count per code at each time (a person may
    have several), and the number closed with the information."""
    closed = f"{BASE} AND a.inskriven IS NOT NULL AND a.avslutad BETWEEN :start AND :slut"
    data: dict[tuple[str, str], dict[str, int]] = {}
    for kon, intag, avslut in _rows(
        units,
        f"SELECT a.kon, a.sysselsattning_intag, a.sysselsattning_avslut FROM arende a "
        f"WHERE {closed}",
        p,
    ):
        for when, text in (("intag", intag), ("avslut", avslut)):
            found = [c for c in (text or "").split(",") if c]
            for code in [*found, *(["antal"] if found else [])]:
                bucket = data.setdefault((when, code), {})
                bucket[kon] = bucket.get(kon, 0) + 1
    rows = []
    for code, label in [*codes.SYSSELSATTNING.items(), ("antal", "Antal avslutade med uppgift")]:
        values: dict[str, Any] = {}
        for when in ("intag", "avslut"):
            kmt = _kmt(data.get((when, code), {}))
            values.update({f"{when}_{c}": kmt[c] for c in TRIPLETT})
        rows.append(Rad(code, label, values, summa=code == "antal"))
    cols = [
        Kolumn(f"{when}_{c}", f"{head} {h}")
        for when, head in (("intag", "Vid intag"), ("avslut", "Vid avslut"))
        for c, h in zip(TRIPLETT, ("K", "M", "T"), strict=True)
    ]
    t = Tabell(
        "sysselsattning",
        "Sysselsättning vid intag och vid avslut (avslutade deltagare)",
        cols,
        rows,
        tripletter=[(f"{x}_kvinnor", f"{x}_män", f"{x}_totalt") for x in ("intag", "avslut")],
    )
    t.noter.append(
        "En person kan ha flera slag av sysselsättning. Antal med uppgift räknar de "
        "avslutade som har sysselsättningen registrerad vid intag respektive avslut."
    )
    return t


def _bakgrund_table(units: Sequence[Enhet], p: dict[str, str]) -> Tabell:
    """Who the team reaches (the SUS instrument's background): utbildning, tid i offentlig
    försörjning before intake and age group at enrolment (enrolment year minus year of
    birth) of the participants enrolled in P; each group adds up to the total, with
    "uppgift saknas" for cases registered without it."""
    counts: dict[str, dict[str, int]] = {}

    def bump(key: str, kon: str) -> None:
        bucket = counts.setdefault(key, {})
        bucket[kon] = bucket.get(kon, 0) + 1

    for kon, utbildning, tid, year, born in _rows(
        units,
        "SELECT a.kon, a.utbildning, a.tid_offentlig, CAST(substr(a.inskriven, 1, 4) AS "
        f"INTEGER), a.fodelsear FROM arende a WHERE {BASE} "
        "AND a.inskriven BETWEEN :start AND :slut",
        p,
    ):
        bump("totalt", kon)
        bump(f"utb_{utbildning or 'saknas'}", kon)
        bump(f"tid_{tid or 'saknas'}", kon)
        bump(f"alder_{codes.aldersgrupp(year - born)}", kon)
    groups = [
        ("utb", "Utbildning", [*codes.UTBILDNING.items(), ("saknas", "Uppgift saknas")]),
        (
            "tid",
            "Tid i offentlig försörjning",
            [*codes.TID_OFFENTLIG.items(), ("saknas", "Uppgift saknas")],
        ),
        ("alder", "Ålder vid inskrivning", [(k, lbl) for k, lbl, _ in codes.ALDERSGRUPPER]),
    ]
    rows = [Rad("totalt", "Inskrivna under perioden", _kmt(counts.get("totalt", {})), summa=True)]
    summor: list[tuple[list[str], str]] = []
    for prefix, head, entries in groups:
        keys = []
        for code, label in entries:
            key = f"{prefix}_{code}"
            keys.append(key)
            rows.append(Rad(key, f"{head}: {label}", _kmt(counts.get(key, {}))))
        summor.append((keys, "totalt"))
    t = Tabell(
        "bakgrund",
        "Bakgrund (deltagare inskrivna under perioden)",
        list(KMT),
        rows,
        tripletter=[TRIPLETT],
        summagrupper=summor,
    )
    t.noter.append(
        "Utbildning: högsta avslutade vid intaget. Tid i offentlig försörjning: före "
        "intaget. Ålder: inskrivningsåret minus födelseåret; yngre än 16 räknas i 16–24 år. "
        "Varje grupp summerar till antalet inskrivna."
    )
    return t


#: The net rows: a source, and its key in "Resultat per enhet" and the försörjning table.
NETTO = (("forsorjningsstod", "lamnat_fs"), ("sjukpenning", "lamnat_sp"))


def _forsorjning_counts(
    conn: sqlite3.Connection, p: dict[str, str]
) -> tuple[dict[tuple[str, str], dict[str, int]], dict[str, dict[str, int]]]:
    """One register's counts for the försörjning table: per (when, source) and per tally
    key (`netto_lamnat_fs` = with the source at intake minus at closing, of those closed
    with insats), each by kön."""
    closed = f"{BASE} AND a.inskriven IS NOT NULL AND a.avslutad BETWEEN :start AND :slut"
    # One pass over the closed cases and their sources (one covering index range).
    per_case: list[tuple[str, set[str], set[str], bool]] = [
        (
            kon,
            set(filter(None, intag.split(","))),
            set(filter(None, (avslut or "").split(","))),
            bool(insats),
        )
        for kon, intag, avslut, insats in conn.execute(
            "SELECT a.kon, a.forsorjning_intag, a.forsorjning_avslut, "
            f"a.forsta_insats IS NOT NULL FROM arende a WHERE {closed}",
            p,
        )
    ]
    data: dict[tuple[str, str], dict[str, int]] = {}
    tally: dict[str, dict[str, int]] = {}

    def bump(key: str, kon: str, step: int = 1) -> None:
        bucket = tally.setdefault(key, {})
        bucket[kon] = bucket.get(kon, 0) + step

    for kon, at_intake, at_close, with_insats in per_case:
        if with_insats:
            for source, key in NETTO:
                bump(f"netto_{key}", kon, (source in at_intake) - (source in at_close))
        bump("avslutade", kon)
        for when, found in (("intag", at_intake), ("avslut", at_close)):
            for kalla in found:
                bucket = data.setdefault((when, kalla), {})
                bucket[kon] = bucket.get(kon, 0) + 1
            if found:
                bump(f"n_{when}", kon)
            if found & codes.OFFENTLIG:
                bump(f"pub_{when}", kon)
        if "forsorjningsstod" in at_intake and "forsorjningsstod" not in at_close:
            bump("left_fs", kon)
        if "sjukpenning" in at_intake and "sjukpenning" not in at_close:
            bump("left_sp", kon)
    return data, tally


def _forsorjning_table(
    data: dict[tuple[str, str], dict[str, int]], tally: dict[str, dict[str, int]]
) -> Tabell:

    def cases(key: str) -> dict[str, int]:
        return _kmt(tally.get(key, {}))

    rows = []
    for code, label in codes.FORSORJNING.items():
        values: dict[str, Any] = {}
        for prefix, when in (("intag", "intag"), ("avslut", "avslut")):
            kmt = _kmt(data.get((when, code), {}))
            values.update({f"{prefix}_{c}": kmt[c] for c in TRIPLETT})
        rows.append(Rad(code, label, values))
    n_intag = cases("n_intag")
    n_avslut = cases("n_avslut")
    pub_in = cases("pub_intag")
    pub_out = cases("pub_avslut")
    rows.append(
        Rad(
            "antal",
            "Antal avslutade med uppgift",
            {
                **{f"intag_{c}": n_intag[c] for c in TRIPLETT},
                **{f"avslut_{c}": n_avslut[c] for c in TRIPLETT},
            },
            summa=True,
        )
    )
    rows.append(
        Rad(
            "offentlig",
            "Med offentlig försörjning",
            {
                **{f"intag_{c}": pub_in[c] for c in TRIPLETT},
                **{f"avslut_{c}": pub_out[c] for c in TRIPLETT},
            },
        )
    )
    rows.append(
        Rad(
            "offentlig_procent",
            "Andel med offentlig försörjning",
            {
                **{f"intag_{c}": procent(pub_in[c], n_intag[c]) for c in TRIPLETT},
                **{f"avslut_{c}": procent(pub_out[c], n_avslut[c]) for c in TRIPLETT},
            },
            typ="procent",
        )
    )
    left_fs = cases("left_fs")
    left_sp = cases("left_sp")
    avslutade = cases("avslutade")
    rows.append(
        Rad(
            "lamnat_fs",
            "Lämnat försörjningsstöd, per ärende",
            {f"avslut_{c}": left_fs[c] for c in TRIPLETT},
        )
    )
    rows.append(
        Rad(
            "lamnat_sp",
            "Lämnat sjukpenning, per ärende",
            {f"avslut_{c}": left_sp[c] for c in TRIPLETT},
        )
    )
    rows.append(
        Rad(
            "lamnat_fs_procent",
            "Lämnat försörjningsstöd, andel av avslutade",
            {f"avslut_{c}": procent(left_fs[c], avslutade[c]) for c in TRIPLETT},
            typ="procent",
        )
    )
    rows.append(
        Rad(
            "lamnat_sp_procent",
            "Lämnat sjukpenning, andel av avslutade",
            {f"avslut_{c}": procent(left_sp[c], avslutade[c]) for c in TRIPLETT},
            typ="procent",
        )
    )
    for source, key in NETTO:
        net = cases(f"netto_{key}")
        rows.append(
            Rad(
                f"netto_{key}",
                f"{NETTO_ETIKETT[source]}, netto (med insats)",
                {f"avslut_{c}": net[c] for c in TRIPLETT},
                typ=NETTOTYP,
            )
        )
    cols = [
        Kolumn(f"intag_{c}", f"Vid intag {h}")
        for c, h in zip(TRIPLETT, ("K", "M", "T"), strict=True)
    ]
    cols += [
        Kolumn(f"avslut_{c}", f"Vid avslut {h}")
        for c, h in zip(TRIPLETT, ("K", "M", "T"), strict=True)
    ]
    t = Tabell(
        "forsorjning",
        "Försörjning vid intag och vid avslut (avslutade deltagare)",
        cols,
        rows,
        tripletter=[(f"{x}_kvinnor", f"{x}_män", f"{x}_totalt") for x in ("intag", "avslut")],
    )
    for x in ("intag", "avslut"):
        for c in TRIPLETT:
            t.harledda[("offentlig_procent", f"{x}_{c}")] = [
                ("offentlig", f"{x}_{c}"),
                ("antal", f"{x}_{c}"),
            ]
    for c in TRIPLETT:
        t.harledda[("lamnat_fs_procent", f"avslut_{c}")] = [("lamnat_fs", f"avslut_{c}")]
        t.harledda[("lamnat_sp_procent", f"avslut_{c}")] = [("lamnat_sp", f"avslut_{c}")]
    t.noter.append(
        "En person kan ha flera försörjningskällor. Offentlig försörjning: alla "
        "källor utom lön, studiemedel, annan och ingen. Lämnat per ärende räknar ärenden "
        "som hade källan vid intag men inte vid avslut; netto är antalet med källan vid "
        "intag minus antalet med den vid avslut bland dem som avslutades med insats "
        "(som i förbundets rapport) och kan bli negativt."
    )
    return t


LEDTIDER = [
    ("intag_inskrivning", "Intag → inskrivning", "a.intag", "a.inskriven"),
    ("intag_kartlaggning", "Intag → kartläggning påbörjad", "a.intag", "a.kartlaggning_start"),
    ("kartlaggning", "Kartläggning påbörjad → klar", "a.kartlaggning_start", "a.kartlaggning_klar"),
    ("intag_trepart", "Intag → trepartssamtal", "a.intag", "a.trepart"),
    ("trepart_insats", "Trepartssamtal → första insats", "a.trepart", "a.forsta_insats"),
]


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _ledtider_table(units: Sequence[Enhet], p: dict[str, str]) -> Tabell:
    rows = []
    t = Tabell(
        "ledtider",
        "Ledtider (median, dagar)",
        [
            Kolumn("kvinnor", "Median/andel K", "median"),
            Kolumn("män", "Median/andel M", "median"),
            Kolumn("totalt", "Median/andel T", "median"),
            Kolumn("n_kvinnor", "Antal K"),
            Kolumn("n_män", "Antal M"),
            Kolumn("n_totalt", "Antal T"),
        ],
        [],
        tripletter=[("n_kvinnor", "n_män", "n_totalt")],
    )
    within: dict[str, int] = dict.fromkeys(TRIPLETT, 0)
    done: dict[str, int] = dict.fromkeys(TRIPLETT, 0)
    for key, label, fran, till in LEDTIDER:
        values: dict[str, list[int]] = {"kvinna": [], "man": []}
        for kon, days in _rows(
            units,
            f"SELECT a.kon, CAST(julianday({till}) - julianday({fran}) AS INTEGER) "
            f"FROM arende a WHERE {BASE} AND {till} BETWEEN :start AND :slut "
            f"AND {fran} IS NOT NULL AND {fran} <= {till}",
            p,
        ):
            values[kon].append(days)
        allv = values["kvinna"] + values["man"]
        rows.append(
            Rad(
                key,
                label,
                {
                    "kvinnor": median(values["kvinna"]),
                    "män": median(values["man"]),
                    "totalt": median(allv),
                    "n_kvinnor": len(values["kvinna"]),
                    "n_män": len(values["man"]),
                    "n_totalt": len(allv),
                },
            )
        )
        if key == "kartlaggning":
            within = {
                "kvinnor": sum(d <= codes.MAPPING_DAYS for d in values["kvinna"]),
                "män": sum(d <= codes.MAPPING_DAYS for d in values["man"]),
            }
            within["totalt"] = within["kvinnor"] + within["män"]
            done = {
                "kvinnor": len(values["kvinna"]),
                "män": len(values["man"]),
                "totalt": len(allv),
            }
    # The share row holds percentages in the median columns and counts in the count columns.
    rows.append(
        Rad(
            "inom_14",
            f"Kartläggning klar inom {codes.MAPPING_DAYS} dagar (andel; antal)",
            {c: procent(within[c], done[c]) for c in TRIPLETT}
            | {f"n_{c}": within[c] for c in TRIPLETT},
            kolumntyp=dict.fromkeys(TRIPLETT, "procent"),
        )
    )
    t.rader = rows
    for r in rows:
        for c in TRIPLETT:
            t.harledda[(r.nyckel, c)] = [(r.nyckel, f"n_{c}")]
    t.harledda.update(
        {("inom_14", c): [("inom_14", f"n_{c}"), ("kartlaggning", f"n_{c}")] for c in TRIPLETT}
    )
    t.noter.append("Varje ledtid räknas över de ärenden vars senare händelse ligger i perioden.")
    return t


def _nojdhet_table(units: Sequence[Enhet], p: dict[str, str]) -> Tabell:
    closed = f"{BASE} AND a.inskriven IS NOT NULL AND a.avslutad BETWEEN :start AND :slut"
    keys = ["svarat", "avbojt", "bemotande", "insats", "bada"]
    per: dict[str, dict[str, int]] = {k: {} for k in keys}
    for row in _rows(
        units,
        "SELECT a.kon, sum(a.nojd_bemotande IS NOT NULL), sum(a.ingen_enkat = 1), "
        "sum(a.nojd_bemotande >= 4), sum(a.nojd_insats >= 4), "
        "sum(a.nojd_bemotande >= 4 AND a.nojd_insats >= 4) "
        f"FROM arende a WHERE {closed} AND a.slutorsak IS NOT NULL GROUP BY a.kon",
        p,
    ):
        for i, key in enumerate(keys, start=1):
            per[key][row[0]] = per[key].get(row[0], 0) + (row[i] or 0)
    v = {k: _kmt(per[k]) for k in keys}
    rows = [
        Rad("svarat", "Svarade på enkäten", v["svarat"]),
        Rad("avbojt", "Avböjde enkäten", v["avbojt"]),
        Rad("bemotande_antal", "Nöjda med bemötandet (4–5)", v["bemotande"]),
        _pct_row("bemotande", "Andel nöjda med bemötandet", v["bemotande"], v["svarat"]),
        Rad("insats_antal", "Nöjda med vägledning/insats (4–5)", v["insats"]),
        _pct_row("insats", "Andel nöjda med vägledning/insats", v["insats"], v["svarat"]),
        Rad("bada_antal", "Nöjda på båda frågorna", v["bada"]),
        _pct_row("bada", "Andel nöjda (båda 4–5)", v["bada"], v["svarat"]),
    ]
    t = Tabell(
        "nojdhet", "Nöjdhet vid avslut (av dem som svarade)", KMT, rows, tripletter=[TRIPLETT]
    )
    _derive(t, "bemotande", "bemotande_antal", "svarat")
    _derive(t, "insats", "insats_antal", "svarat")
    _derive(t, "bada", "bada_antal", "svarat")
    return t


def forsta_insats_for(period: Period) -> tuple[date, date]:
    """The first days of insats whose follow-up falls due in P: one year later (relativedelta:
    a year after 29 February is 28 February) is a day of P. So a day is due in exactly one
    of two adjoining periods, whatever kind of period names it."""
    from dateutil.relativedelta import relativedelta

    year = relativedelta(years=1)
    fran = period.start - year
    if fran + year < period.start:  # P starts on 29 February: 28 February a year before is not
        fran += timedelta(days=1)
    till = period.slut - year
    if till + timedelta(days=1) + year <= period.slut:  # 29 February a year before P ends 28/2
        till += timedelta(days=1)
    return fran, till


def _uppfoljning_table(units: Sequence[Enhet], period: Period) -> Tabell:
    fran, till = forsta_insats_for(period)
    p = {"fran": fran.isoformat(), "till": till.isoformat(), "slut": period.slut.isoformat()}
    keys = ["due", "done", "arbete", "studier", "egen", "any"]
    per: dict[str, dict[str, int]] = {k: {} for k in keys}

    def bump(key: str, kon: str) -> None:
        per[key][kon] = per[key].get(kon, 0) + 1

    for kon, uppfoljd, syss, kallor in _rows(
        units,
        "SELECT a.kon, a.uppfoljd, a.sysselsattning, a.forsorjning_uppfoljning FROM arende a "
        f"WHERE {BASE} AND a.forsta_insats BETWEEN :fran AND :till",
        p,
    ):
        bump("due", kon)
        # Followed up in P's figures only when the follow-up is dated on or before P's last
        # day: a later one leaves the past period as the styrgrupp read it.
        if uppfoljd is None or uppfoljd > p["slut"]:
            continue
        bump("done", kon)
        sources = set((kallor or "").split(","))
        # Egen försörjning: lön or studiemedel, and no public support.
        own = bool(sources & {"lon", "studiemedel"}) and not sources & codes.OFFENTLIG
        if syss in ("arbete", "studier"):
            bump(syss, kon)
        elif own:
            bump("egen", kon)
        if syss in ("arbete", "studier") or own:
            bump("any", kon)
    v = {k: _kmt(per[k]) for k in keys}
    missing = {c: v["due"][c] - v["done"][c] for c in TRIPLETT}
    rows = [
        Rad("due", "Ska följas upp (första insats ett år före perioden)", v["due"]),
        Rad("done", "Uppföljda", v["done"]),
        Rad("ej_uppfoljda", "Ej uppföljda", missing),
        Rad("arbete", "i arbete", v["arbete"]),
        Rad("studier", "i studier", v["studier"]),
        Rad("egen", "egen försörjning (utan arbete/studier)", v["egen"]),
        Rad("any", "Arbete, studier eller egen försörjning", v["any"]),
        _pct_row("procent", "Andel av uppföljda", v["any"], v["done"]),
    ]
    t = Tabell(
        "uppfoljning",
        "Ettårsuppföljning",
        KMT,
        rows,
        tripletter=[TRIPLETT],
        summagrupper=[(["done", "ej_uppfoljda"], "due"), (["arbete", "studier", "egen"], "any")],
    )
    _derive(t, "procent", "any", "done")
    t.noter.append(
        f"Ärenden vars första insats startade {p['fran']} – {p['till']}, dvs. ett år "
        "före en dag i perioden."
    )
    return t


def _goal_targets(conn: sqlite3.Connection, day: date) -> dict[str, float | None]:
    """The register's goal targets in effect on `day` (`mål set --datum`)."""
    history = codes.target_histories(
        conn.execute("SELECT nyckel, varde, fran FROM mal_historik ORDER BY id")
    )
    return {key: codes.target_on(history, key, day.isoformat()) for key in codes.MALNYCKLAR}


def _targets(units: Sequence[Enhet], day: date) -> dict[str, float | None]:
    """The goal targets in effect on `day` (a period's last day): the register's; in a joint
    report the inflow targets added up (when every unit has one) and every other target
    where all units agree."""
    each = [_goal_targets(u.conn, day) for u in units]
    if len(each) == 1:
        return each[0]
    result: dict[str, float | None] = {}
    for key in codes.MALNYCKLAR:
        values = [t.get(key) for t in each]
        if any(v is None for v in values):
            result[key] = None
        elif key == "inflode":
            result[key] = sum(v for v in values if v is not None)
        else:
            result[key] = values[0] if len(set(values)) == 1 else None
    return result


def inflode_mal(arsmal: float, period: Period) -> Fraction:
    """The yearly inflow target pro rata, exact: by whole months, else by days (365 a year)."""
    months = period.hela_manader
    if months is not None:
        return _exact(arsmal) * months / 12
    return _exact(arsmal) * period.dagar / 365


def _exact(value: float | int) -> Fraction:
    """A stored number as the decimal it was written as (12.3, not its binary neighbour)."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def avrunda(value: Fraction, decimaler: int = 0) -> Fraction:
    """Rounded half up once, to whole units or `decimaler` decimals; a half away from zero
    (2,5 -> 3, -2,5 -> -3), as Excel's AVRUNDA does."""
    scale = 10**decimaler
    whole = math.floor(abs(value) * scale + Fraction(1, 2))
    return Fraction(whole if value >= 0 else -whole, scale)


def visat_mal(target: Fraction) -> float:
    """A target as shown: one decimal, or as many more as it takes for every whole outcome
    to compare with the shown target as it does with the exact one (1,03, not 1,0)."""
    decimals = 1
    while True:
        shown = avrunda(target, decimals)
        if math.ceil(shown) == math.ceil(target):
            return float(shown)
        decimals += 1


def _goals(targets: dict[str, float | None], rapport: Rapport) -> list[Malstatus]:
    """Goal status: every outcome is its exact value rounded half up once, and is met when
    the outcome as shown reaches the target."""
    tab = {t.nyckel: t for t in rapport.tabeller}
    result = []
    nya = tab["period"].rad("nya").varden["totalt"]
    arsmal = targets.get("inflode")
    if arsmal is not None:
        target = inflode_mal(arsmal, rapport.period)
        months = rapport.period.hela_manader
        basis = (
            f"{arsmal:g} per år × {months}/12 månader"
            if months is not None
            else f"{arsmal:g} per år × {rapport.period.dagar}/365 dagar"
        )
        result.append(
            Malstatus(
                "inflode",
                goal_name("inflode", targets),
                visat_mal(target),
                nya,
                "antal",
                nya >= target,
                basis,
                ("period", "nya", "totalt"),
            )
        )
    else:
        result.append(
            Malstatus(
                "inflode",
                goal_name("inflode", targets),
                None,
                nya,
                "antal",
                None,
                "inget mål satt",
                ("period", "nya", "totalt"),
            )
        )
    u = tab["uppfoljning"]
    ettar = u.rad("procent").varden["totalt"]
    result.append(
        _pct_goal(
            "ettar",
            targets,
            ettar,
            f"{u.rad('any').varden['totalt']} av {u.rad('done').varden['totalt']}"
            f" uppföljda; {u.rad('ej_uppfoljda').varden['totalt']} ej uppföljda",
            ("uppfoljning", "procent", "totalt"),
        )
    )
    n = tab["nojdhet"]
    result.append(
        _pct_goal(
            "nojda",
            targets,
            n.rad("bada").varden["totalt"],
            f"{n.rad('bada_antal').varden['totalt']} av "
            f"{n.rad('svarat').varden['totalt']} som svarade",
            ("nojdhet", "bada", "totalt"),
        )
    )
    # Of the participants closed in P other than to work or studies (a referral closed
    # before enrolment was never a participant): the share to the right support.
    pt = tab["period"]
    other = pt.rad("avslutade").varden["totalt"] - pt.rad("arbete_studier").varden["totalt"]
    right = rapport.ratt_stod
    result.append(
        _pct_goal(
            "ratt-stod",
            targets,
            procent(right, other),
            f"{right} av {other} avslut som inte gick till arbete/studier",
            None,
        )
    )
    f = tab["forsorjning"]
    before = f.rad("offentlig_procent").varden["intag_totalt"]
    after = f.rad("offentlig_procent").varden["avslut_totalt"]
    # The change is the exact difference of the exact shares, rounded once (24,14 -> 24).
    pub_in, n_in = f.rad("offentlig").varden["intag_totalt"], f.rad("antal").varden["intag_totalt"]
    pub_out = f.rad("offentlig").varden["avslut_totalt"]
    n_out = f.rad("antal").varden["avslut_totalt"]
    change = (
        None
        if not n_in or not n_out
        else int(avrunda(Fraction(100 * pub_in, n_in) - Fraction(100 * pub_out, n_out)))
    )
    decrease_target = targets.get("offentlig")
    result.append(
        Malstatus(
            "offentlig",
            goal_name("offentlig", targets),
            None if decrease_target is None else visat_mal(_exact(decrease_target)),
            change,
            "procentenheter",
            None if decrease_target is None or change is None else change >= decrease_target,
            f"{before if before is not None else '–'} % vid intag, "
            f"{after if after is not None else '–'} % vid avslut",
            ("forsorjning", "offentlig_procent", "avslut_totalt"),
        )
    )
    return result


def _pct_goal(
    key: str,
    targets: dict[str, float | None],
    outcome: int | None,
    basis: str,
    source: tuple[str, str, str] | None,
) -> Malstatus:
    target = targets.get(key)
    met = None if target is None or outcome is None else outcome >= target
    shown = None if target is None else visat_mal(_exact(target))
    return Malstatus(key, goal_name(key, targets), shown, outcome, "procent", met, basis, source)


#: The key figures of a summary: (row of the participants table, label).
NYCKELTAL = (
    ("deltagare", "Deltagare"),
    ("nya", "varav nya"),
    ("remitterade", "Remitterade"),
    ("avslutade", "Avslutade"),
    ("arbete_studier", "till arbete/studier"),
    ("procent", "Andel arbete/studier"),
)


def nyckeltal(r: Rapport) -> list[tuple[str, str]]:
    """The period's key figures (totals, masked as in the table) for the summary."""
    table = next((t for t in r.tabeller if t.nyckel == "period"), None)
    if table is None:
        return []
    column = next((k for k in table.kolumner if k.nyckel == "totalt"), None)
    rows = {row.nyckel: row for row in table.rader}
    if column is None:
        return []
    return [(label, table.text(rows[k], column)) for k, label in NYCKELTAL if k in rows]
