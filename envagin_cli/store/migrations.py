"""Numbered schema migrations (sqlite-utils `Migrations`): the truth about the schema.

`schema.sql` at the top level is the generated snapshot (`python -m envagin_cli.schema`);
a test fails when it is stale. `PRAGMA user_version` holds the number of the last
migration, so a file from a newer envagin is refused before anything is written.

Tables:
- `handelse` is the append-only event log (triggers refuse UPDATE and DELETE); a void is
  a new row pointing at the voided one (`makulerar`);
- `identitet` holds the only personnummer, referenced by id, so a case can be made
  anonymous without touching its history;
- `arende` (with its income sources as comma-separated codes) and `arende_insats` are the
  projection of each case's effective events, rebuilt for that case in the same
  transaction as every event and indexed for the report queries;
- `staff`, `insats` (the catalogue) and `mal` (goals) are registers whose every change is
  also an event;
- `sigill` seals every table that no hash chain or replay covers (`store.sigill`).
"""

from __future__ import annotations

import functools
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from envagin_cli.rules import codes, event_kinds
from envagin_cli.rules.errors import Databasfel

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "envagin"

#: The cases that count in figures (the rule's one home is `codes.counted_sql`).
RAKNAS = codes.counted_sql()


def _in(column: str, values: object) -> str:
    items = ", ".join(f"'{v}'" for v in values)  # type: ignore[attr-defined]
    return f"CHECK ({column} IN ({items}))"


def _any_of(column: str, values: object) -> str:
    """The CHECK of `_in` written as comparisons: the same rows pass (NULL too), but SQLite
    builds the list of an IN for every row it inserts, which costs more than the row."""
    items = " OR ".join(f"{column} = '{v}'" for v in values)  # type: ignore[attr-defined]
    return f"CHECK ({items})"


def _codes(column: str) -> str:
    """Income sources as comma-separated codes (`forsorjningsstod,sjukpenning`)."""
    return f"CHECK ({column} IS NULL OR {column} NOT GLOB '*[^a-z,-]*')"


def _iso(column: str) -> str:
    return f"CHECK ({column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')"


def _m001_statements() -> list[str]:
    utforare = list(codes.UTFORARE)
    return [
        f"""CREATE TABLE staff (
    id TEXT PRIMARY KEY CHECK (id <> '' AND id NOT GLOB '*[^a-z0-9]*'),
    namn TEXT NOT NULL CHECK (length(namn) BETWEEN 1 AND 200),
    part TEXT NOT NULL {_in("part", codes.PARTER)},
    roll TEXT NOT NULL {_in("roll", codes.ROLLER)},
    tjanstgoringsgrad INTEGER NOT NULL CHECK (tjanstgoringsgrad BETWEEN 1 AND 100),
    aktiv INTEGER NOT NULL DEFAULT 1 CHECK (aktiv IN (0, 1))
) STRICT""",
        f"""CREATE TABLE insats (
    kod TEXT PRIMARY KEY CHECK (kod <> '' AND kod NOT GLOB '*[^a-z0-9-]*'),
    namn TEXT NOT NULL CHECK (length(namn) BETWEEN 1 AND 200),
    part TEXT NOT NULL {_in("part", utforare)},
    aktiv INTEGER NOT NULL DEFAULT 1 CHECK (aktiv IN (0, 1))
) STRICT""",
        f"""CREATE TABLE mal (
    nyckel TEXT PRIMARY KEY
        {_in("nyckel", codes.MALNYCKLAR)},
    varde REAL
) STRICT""",
        f"""CREATE TABLE identitet (
    id INTEGER PRIMARY KEY,
    personnummer TEXT CHECK (personnummer IS NULL OR (length(personnummer) = 12
        AND personnummer NOT GLOB '*[^0-9]*')),
    kon TEXT NOT NULL {_in("kon", codes.KON)},
    fodelsear INTEGER NOT NULL CHECK (fodelsear BETWEEN 1880 AND 2200),
    skyddad INTEGER NOT NULL DEFAULT 0 CHECK (skyddad IN (0, 1))
) STRICT""",
        "CREATE INDEX identitet_personnummer ON identitet (personnummer) "
        "WHERE personnummer IS NOT NULL",
        f"""CREATE TABLE arende (
    nr TEXT PRIMARY KEY CHECK (nr GLOB '*[A-Za-z]*' AND length(nr) <= 40),
    identitet_id INTEGER NOT NULL REFERENCES identitet (id),
    kon TEXT NOT NULL {_in("kon", codes.KON)},
    fodelsear INTEGER NOT NULL,
    remittent TEXT NOT NULL {_in("remittent", codes.REMITTENTER)},
    ansvarig TEXT REFERENCES staff (id),
    intag TEXT NOT NULL {_iso("intag")},
    inskriven TEXT,
    statistik INTEGER NOT NULL DEFAULT 0,
    samverkan_aterkallad TEXT,
    statistik_aterkallad TEXT,
    kartlaggning_start TEXT,
    kartlaggning_klar TEXT,
    trepart TEXT,
    forsta_insats TEXT,
    avslutad TEXT,
    slutorsak TEXT {_in("slutorsak", codes.SLUTORSAKER)},
    nojd_bemotande INTEGER CHECK (nojd_bemotande BETWEEN 1 AND 5),
    nojd_insats INTEGER CHECK (nojd_insats BETWEEN 1 AND 5),
    ingen_enkat INTEGER NOT NULL DEFAULT 0,
    uppfoljd TEXT,
    sysselsattning TEXT {_in("sysselsattning", codes.SYSSELSATTNING)},
    forsorjning_intag TEXT NOT NULL DEFAULT '' {_codes("forsorjning_intag")},
    forsorjning_avslut TEXT {_codes("forsorjning_avslut")},
    forsorjning_uppfoljning TEXT {_codes("forsorjning_uppfoljning")},
    makulerad INTEGER NOT NULL DEFAULT 0 CHECK (makulerad IN (0, 1))
) STRICT""",
        "CREATE INDEX arende_identitet ON arende (identitet_id)",
        # Report indexes: each figure is a date range on one column. The partial, covering
        # index answers "participants in P" (all enrolled cases) without reading the rows.
        "CREATE INDEX arende_intag ON arende (intag)",
        # Everything the report asks of the cases closed in a period, without the rows.
        "CREATE INDEX arende_avslut ON arende (avslutad, kon, inskriven, slutorsak, "
        "forsta_insats, nojd_bemotande, nojd_insats, ingen_enkat, forsorjning_intag, "
        f"forsorjning_avslut) WHERE {RAKNAS}",
        # The lead-time indexes cover (later date, kön, earlier date) of the counted cases.
        f"CREATE INDEX arende_kartlaggning_start ON arende (kartlaggning_start, kon, intag) "
        f"WHERE {RAKNAS}",
        f"CREATE INDEX arende_kartlaggning_klar ON arende (kartlaggning_klar, kon, "
        f"kartlaggning_start) WHERE {RAKNAS}",
        f"CREATE INDEX arende_trepart ON arende (trepart, kon, intag) WHERE {RAKNAS}",
        f"CREATE INDEX arende_forsta_insats ON arende (forsta_insats, kon, trepart) WHERE {RAKNAS}",
        f"CREATE INDEX arende_deltagare ON arende (inskriven, kon, avslutad, intag) WHERE {RAKNAS}",
        "CREATE INDEX arende_ansvarig ON arende (ansvarig, avslutad)",
        f"""CREATE TABLE arende_insats (
    arende TEXT NOT NULL REFERENCES arende (nr),
    lopnr INTEGER NOT NULL,
    insats TEXT NOT NULL REFERENCES insats (kod),
    utforare TEXT NOT NULL {_in("utforare", utforare)},
    start TEXT NOT NULL {_iso("start")},
    slut TEXT,
    PRIMARY KEY (arende, lopnr)
) STRICT""",
        "CREATE INDEX arende_insats_insats ON arende_insats (insats, start)",
        "CREATE INDEX arende_insats_period ON arende_insats (slut, start, insats, arende)",
        f"""CREATE TABLE handelse (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    arende TEXT REFERENCES arende (nr),
    typ TEXT NOT NULL {_in("typ", event_kinds.codes_until(1))},
    datum TEXT NOT NULL {_iso("datum")},
    registrerad TEXT NOT NULL,
    som TEXT NOT NULL,
    os_anvandare TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL CHECK (data GLOB '{{*}}'),
    makulerar INTEGER REFERENCES handelse (id)
) STRICT""",
        "CREATE INDEX handelse_arende ON handelse (arende)",
        "CREATE UNIQUE INDEX handelse_makulerar ON handelse (makulerar) "
        "WHERE makulerar IS NOT NULL",
        # The one change ever allowed: gallring removes free text (the name of the referring
        # party's handläggare, a void's reason) from an event's data; nothing else changes.
        """CREATE TRIGGER handelse_ingen_andring BEFORE UPDATE ON handelse
WHEN NOT (NEW.id IS OLD.id AND NEW.arende IS OLD.arende AND NEW.typ IS OLD.typ
    AND NEW.datum IS OLD.datum AND NEW.registrerad IS OLD.registrerad AND NEW.som IS OLD.som
    AND NEW.os_anvandare IS OLD.os_anvandare AND NEW.makulerar IS OLD.makulerar
    AND NEW.data IS json_remove(OLD.data, '$.remittent_handlaggare', '$.orsak'))
BEGIN
    SELECT RAISE(ABORT, 'händelseloggen får inte ändras');
END""",
        """CREATE TRIGGER handelse_ingen_radering BEFORE DELETE ON handelse
BEGIN
    SELECT RAISE(ABORT, 'händelseloggen får inte raderas');
END""",
        """CREATE TABLE installning (
    nyckel TEXT PRIMARY KEY,
    varde TEXT NOT NULL
) STRICT""",
    ]


def _m001_initial(db: Database) -> None:
    for statement in _m001_statements():
        db.execute(statement)
    db.conn.executemany(
        "INSERT INTO insats (kod, namn, part) VALUES (?, ?, ?)",
        [(kod, namn, part) for kod, (namn, part) in codes.INSATSER.items()],
    )
    db.conn.executemany(
        "INSERT INTO mal (nyckel, varde) VALUES (?, ?)",
        [(key, goal.standard) for key, goal in codes.MALNYCKLAR.items()],
    )


#: (name, function) in order; the position + 1 is the schema version.
def _m002_statements() -> list[str]:
    return [
        """CREATE TABLE malpost (
    id INTEGER PRIMARY KEY,
    kod TEXT NOT NULL UNIQUE CHECK (kod <> '' AND kod NOT GLOB '*[^a-z0-9-]*'),
    typ TEXT NOT NULL CHECK (typ IN ('milstolpe', 'indikator')),
    niva TEXT NOT NULL CHECK (niva IN ('organisation', 'befolkning')),
    text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
    deadline TEXT CHECK (deadline IS NULL OR deadline GLOB
        '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    uppfoljs_av TEXT NOT NULL DEFAULT '' CHECK (length(uppfoljs_av) <= 200),
    rytm TEXT NOT NULL DEFAULT '' CHECK (rytm IN ('', 'kvartal', 'tertial', 'halvar', 'ar')),
    riktning TEXT CHECK (riktning IS NULL OR riktning IN ('minska', 'oka')),
    basar INTEGER CHECK (basar IS NULL OR basar BETWEEN 1990 AND 2100),
    enhet TEXT NOT NULL DEFAULT '' CHECK (length(enhet) <= 40),
    kalla TEXT NOT NULL DEFAULT '' CHECK (length(kalla) <= 200)
) STRICT""",
        """CREATE TABLE malstatus (
    id INTEGER PRIMARY KEY,
    malpost_id INTEGER NOT NULL REFERENCES malpost (id),
    datum TEXT NOT NULL CHECK (datum GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    status TEXT NOT NULL CHECK (status IN ('ej-paborjat', 'pagar', 'uppnatt', 'ej-uppnatt')),
    kommentar TEXT NOT NULL CHECK (length(kommentar) BETWEEN 1 AND 1000),
    som TEXT NOT NULL,
    handelse_id INTEGER NOT NULL REFERENCES handelse (id)
) STRICT""",
        "CREATE INDEX malstatus_post ON malstatus (malpost_id, datum)",
        """CREATE TABLE malvarde (
    id INTEGER PRIMARY KEY,
    malpost_id INTEGER NOT NULL REFERENCES malpost (id),
    period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]'
        OR period GLOB '[0-9][0-9][0-9][0-9]H[12]'),
    varde REAL NOT NULL,
    kalla TEXT NOT NULL DEFAULT '' CHECK (length(kalla) <= 200),
    datum TEXT NOT NULL,
    som TEXT NOT NULL,
    handelse_id INTEGER NOT NULL REFERENCES handelse (id)
) STRICT""",
        "CREATE INDEX malvarde_post ON malvarde (malpost_id, period)",
        *[
            f"""CREATE TRIGGER {table}_ingen_{what} BEFORE {verb} ON {table}
BEGIN
    SELECT RAISE(ABORT, 'målhistoriken får inte {text}');
END"""
            for table in ("malstatus", "malvarde")
            for what, verb, text in (
                ("andring", "UPDATE", "ändras"),
                ("radering", "DELETE", "raderas"),
            )
        ],
    ]


def _m002_malfoljning(db: Database) -> None:
    """Goals at all three levels: milestones, population indicators (individual = `mal`)."""
    for statement in _m002_statements():
        db.execute(statement)


def _m003_pseudonym(db: Database) -> None:
    """Imported cases keep the pseudonym they came with; the audit log (`granskning`)."""
    db.execute(
        "ALTER TABLE identitet ADD COLUMN pseudonym TEXT "
        "CHECK (pseudonym IS NULL OR (length(pseudonym) BETWEEN 8 AND 64 "
        "AND pseudonym NOT GLOB '*[^a-z0-9]*'))"
    )
    db.execute(
        "CREATE INDEX identitet_pseudonym ON identitet (pseudonym) WHERE pseudonym IS NOT NULL"
    )
    # Case numbers are unique without regard to case; the lookup uses this index.
    db.execute("CREATE UNIQUE INDEX arende_nr_versaler ON arende (upper(nr))")
    # The audit log: reading or exporting a person's data. Kept when cases are anonymised.
    db.execute("""CREATE TABLE granskning (
    id INTEGER PRIMARY KEY,
    tid TEXT NOT NULL,
    handlaggare TEXT NOT NULL,
    os_anvandare TEXT NOT NULL,
    atgard TEXT NOT NULL CHECK (length(atgard) BETWEEN 1 AND 100),
    arende TEXT,
    detaljer TEXT NOT NULL DEFAULT ''
) STRICT""")
    db.execute("CREATE INDEX granskning_tid ON granskning (tid)")
    for what, verb, text in (("andring", "UPDATE", "ändras"), ("radering", "DELETE", "raderas")):
        db.execute(f"""CREATE TRIGGER granskning_ingen_{what} BEFORE {verb} ON granskning
BEGIN
    SELECT RAISE(ABORT, 'granskningsloggen får inte {text}');
END""")


#: Goal changes that schema 3 stored as `goal` events with an `atgard`, and their kinds now.
_GOAL_KINDS = {"nytt-mal": "goal-add", "status": "goal-status", "varde": "goal-value"}


def _allow_kinds(conn: sqlite3.Connection, version: int) -> None:
    """Let `handelse.typ` hold the event kinds of schema `version` (those of the version
    before, and the new ones). The list only grows, which changes no stored row, so the
    table's definition is edited in place (`_redefine`) rather than copied."""
    table = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'handelse'"
    ).fetchone()[0]
    before = _in("typ", event_kinds.codes_until(version - 1))
    after = _in("typ", event_kinds.codes_until(version))
    if before not in table:
        raise Databasfel("handelse: tabellens kodlista är inte den väntade; filen lämnas orörd.")
    _redefine(conn, {"handelse": table.replace(before, after)})


def _redefine(conn: sqlite3.Connection, tables: dict[str, str]) -> None:
    """Give tables new definitions that every stored row already satisfies, in place
    (SQLite's documented way: writable_schema and a new schema_version) rather than by
    copying the tables."""
    schema_version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    for table, sql in tables.items():
        conn.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table)
        )
    conn.execute(f"PRAGMA schema_version = {schema_version + 1}")
    conn.execute("PRAGMA writable_schema = OFF")


def _m004_malhandelser(db: Database) -> None:
    """Milestones, their statuses and indicator values become event kinds of their own
    (`goal-add`, `goal-status`, `goal-value`), so that the interchange format carries them.

    The CHECK list of `handelse.typ` only grows, which changes no stored row, so the table's
    definition is edited in place (SQLite's documented way: writable_schema and a new
    schema_version) rather than copied. The goal events already stored get their new kind
    (the trigger that keeps history unchanged is lifted for that one statement and put back
    as it was); their content is unchanged but for the `atgard` key the kind now says.
    """
    conn = db.conn
    _allow_kinds(conn, 4)
    trigger = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'handelse_ingen_andring'"
    ).fetchone()[0]
    conn.execute("DROP TRIGGER handelse_ingen_andring")
    cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in _GOAL_KINDS.items())
    conn.execute(
        f"UPDATE handelse SET typ = CASE json_extract(data, '$.atgard') {cases} END, "
        "data = json_remove(data, '$.atgard') "
        "WHERE typ = 'goal' AND json_extract(data, '$.atgard') IS NOT NULL"
    )
    conn.execute(trigger)


def _m005_enhet(db: Database) -> None:
    """The unit's identity (`enhet set`): its name and the labels of its municipal parties
    and its Arbetsförmedlingen office in a joint report. Every change is a dated row, kept
    (the table refuses UPDATE and DELETE), and a `unit` event in the history."""
    _allow_kinds(db.conn, 5)
    db.execute(f"""CREATE TABLE enhet (
    id INTEGER PRIMARY KEY,
    datum TEXT NOT NULL {_iso("datum")},
    namn TEXT NOT NULL CHECK (length(namn) BETWEEN 1 AND 100),
    kommun TEXT NOT NULL CHECK (length(kommun) BETWEEN 1 AND 100),
    af_kontor TEXT NOT NULL CHECK (length(af_kontor) BETWEEN 1 AND 100),
    som TEXT NOT NULL,
    handelse_id INTEGER NOT NULL REFERENCES handelse (id)
) STRICT""")
    for what, verb, text in (("andring", "UPDATE", "ändras"), ("radering", "DELETE", "raderas")):
        db.execute(f"""CREATE TRIGGER enhet_ingen_{what} BEFORE {verb} ON enhet
BEGIN
    SELECT RAISE(ABORT, 'enhetens historik får inte {text}');
END""")


#: The event log's one allowed change (gallring's), now also keeping each row's hash.
_HANDELSE_TRIGGER = """CREATE TRIGGER handelse_ingen_andring BEFORE UPDATE ON handelse
WHEN NOT (NEW.id IS OLD.id AND NEW.arende IS OLD.arende AND NEW.typ IS OLD.typ
    AND NEW.datum IS OLD.datum AND NEW.registrerad IS OLD.registrerad AND NEW.som IS OLD.som
    AND NEW.os_anvandare IS OLD.os_anvandare AND NEW.makulerar IS OLD.makulerar
    AND NEW.kedja IS OLD.kedja
    AND NEW.data IS json_remove(OLD.data, '$.remittent_handlaggare', '$.orsak'))
BEGIN
    SELECT RAISE(ABORT, 'händelseloggen får inte ändras');
END"""


def _m006_kedja_inloggning(db: Database) -> None:
    """Tamper evidence and identity: every event and audit row gets `kedja`, a SHA-256
    hash chained to the row before (module `store.kedja`), computed here for the rows
    already there; an audit row may carry `underlag` (what a gallring changed, as JSON).
    `inloggning` links OS logins to handläggare; `installning_historik` keeps every
    change of a register setting (the current value is the newest row).
    """
    from envagin_cli.store import kedja

    conn = db.conn
    conn.execute("ALTER TABLE handelse ADD COLUMN kedja TEXT")
    conn.execute("ALTER TABLE granskning ADD COLUMN underlag TEXT")
    conn.execute("ALTER TABLE granskning ADD COLUMN kedja TEXT")
    conn.execute("DROP TRIGGER handelse_ingen_andring")
    conn.execute("DROP TRIGGER granskning_ingen_andring")
    rows = conn.execute(
        "SELECT id, arende, typ, datum, registrerad, som, os_anvandare, data, makulerar "
        "FROM handelse ORDER BY id"
    ).fetchall()
    # The link of schema 6 (`0009_sigill_kedja` checks it and recomputes the chain).
    prev, links = kedja.START, []
    for r in rows:
        prev = kedja.event_link_v1(prev, tuple(r))
        links.append((prev, r[0]))
    conn.executemany("UPDATE handelse SET kedja = ? WHERE id = ?", links)
    audit = conn.execute(
        "SELECT id, tid, handlaggare, os_anvandare, atgard, arende, detaljer, underlag "
        "FROM granskning ORDER BY id"
    ).fetchall()
    chained = kedja.chain_audit(kedja.START, (tuple(r) for r in audit))
    conn.executemany(
        "UPDATE granskning SET kedja = ? WHERE id = ?", [(r[8], r[0]) for r in chained]
    )
    conn.execute(_HANDELSE_TRIGGER)
    conn.execute("""CREATE TRIGGER granskning_ingen_andring BEFORE UPDATE ON granskning
BEGIN
    SELECT RAISE(ABORT, 'granskningsloggen får inte ändras');
END""")
    conn.execute("""CREATE TABLE inloggning (
    login TEXT PRIMARY KEY CHECK (length(login) BETWEEN 1 AND 64),
    handlaggare TEXT NOT NULL REFERENCES staff (id)
) STRICT""")
    conn.execute("CREATE INDEX inloggning_handlaggare ON inloggning (handlaggare)")
    conn.execute("""CREATE TABLE installning_historik (
    id INTEGER PRIMARY KEY,
    nyckel TEXT NOT NULL CHECK (nyckel IN ('inloggning')),
    varde TEXT NOT NULL,
    tid TEXT NOT NULL,
    handlaggare TEXT NOT NULL,
    os_anvandare TEXT NOT NULL
) STRICT""")
    for what, verb, text in (("andring", "UPDATE", "ändras"), ("radering", "DELETE", "raderas")):
        conn.execute(f"""CREATE TRIGGER installning_historik_ingen_{what}
BEFORE {verb} ON installning_historik
BEGIN
    SELECT RAISE(ABORT, 'inställningarnas historik får inte {text}');
END""")


#: The columns whose lists of codes `_m007_projektion` writes as comparisons.
_PROJEKTION_LISTOR = {
    "arende": ("remittent", "slutorsak", "sysselsattning"),
    "arende_insats": ("utforare",),
}


def _m007_projektion(db: Database) -> None:
    """The projection tables (`arende`, `arende_insats`) check their codes by comparisons
    instead of `IN (...)`: SQLite builds an IN list anew for every row it inserts, about
    9 µs a list and row, which was a third of writing a case row in an import. Each list
    is rewritten with the values it holds in the file, so the same values pass as before
    (NULL too), no stored row changes, and the definitions are edited in place
    (`_redefine`, as `_allow_kinds` does).

    The event log's `typ` keeps its IN list: its definition is the history's, and
    `_allow_kinds` extends that list in place when a schema adds kinds."""
    conn = db.conn
    tables = {}
    for table, columns in _PROJEKTION_LISTOR.items():
        sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()[0]
        for column in columns:
            found = re.search(rf"CHECK \({column} IN \(((?:'[a-z0-9-]*'(?:, )?)+)\)\)", sql)
            if found is None:
                raise Databasfel(
                    f"{table}: kolumnen {column} har inte den väntade kodlistan; filen lämnas "
                    "orörd."
                )
            values = re.findall(r"'([a-z0-9-]*)'", found.group(1))
            sql = sql.replace(found.group(0), _any_of(column, values))
        tables[table] = sql
    _redefine(conn, tables)


def _m008_personalandringar(db: Database) -> None:
    """A handläggare's changes (`staff set`) and reactivation (`staff reactivate`) are
    events of their own kinds in the history."""
    _allow_kinds(db.conn, 8)


def _m009_datade_mal(db: Database) -> None:
    """Dated goal targets (`mål set --datum`): each value applies from its date, and a period
    is judged against the value in effect on its last day. Every change is a row, kept (the
    table refuses UPDATE and DELETE); `mal` stays as the value in effect today. The values
    a register had before apply from its first day (`fran` NULL: from the start), so no
    report of an older register changes; each keeps the goal event that set it."""
    keys = ", ".join(f"'{k}'" for k in codes.MALNYCKLAR)
    db.execute(f"""CREATE TABLE mal_historik (
    id INTEGER PRIMARY KEY,
    nyckel TEXT NOT NULL CHECK (nyckel IN ({keys})),
    varde REAL,
    fran TEXT CHECK (fran IS NULL OR fran GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    handelse_id INTEGER REFERENCES handelse (id)
) STRICT""")
    for what, verb, text in (("andring", "UPDATE", "ändras"), ("radering", "DELETE", "raderas")):
        db.execute(f"""CREATE TRIGGER mal_historik_ingen_{what} BEFORE {verb} ON mal_historik
BEGIN
    SELECT RAISE(ABORT, 'målvärdenas historik får inte {text}');
END""")
    db.execute("""INSERT INTO mal_historik (nyckel, varde, fran, handelse_id)
SELECT m.nyckel, m.varde, NULL, (SELECT max(h.id) FROM handelse h
    WHERE h.typ = 'goal' AND json_extract(h.data, '$.mal') = m.nyckel)
FROM mal m ORDER BY m.rowid""")


def _m010_sigill_kedja(db: Database) -> None:
    """Tamper evidence over every table (module `store.sigill`): the table `sigill`, whose
    triggers `sigill.install` makes after the migrations and whose seals the end of the
    migrating write computes in full (triggers keep them at every later write); and the
    event chain recomputed so that gallring can prove that it removed free text and
    changed nothing else (module `store.kedja`).

    The old chain is checked first, as `verify` checked it; what it found (whether it held,
    its first broken row), its newest hashes, and the digests the gallring rows recorded
    for the events they changed are kept in one audit row (chained, `kedjan omräknad`),
    so a hash noted elsewhere can still be compared, and a chain that did not hold before
    the recomputation is still reported by `verify`."""
    import contextlib
    import json

    from envagin_cli.store import events, kedja, sigill

    conn = db.conn
    conn.execute(sigill.SKAPA)
    audit = [
        tuple(r)
        for r in conn.execute(
            "SELECT id, tid, handlaggare, os_anvandare, atgard, arende, detaljer, underlag, "
            "kedja FROM granskning ORDER BY id"
        )
    ]
    fel: str | None = None
    prev, expected = kedja.START, 1
    gallrade: dict[str, list[str]] = {}
    for row in audit:
        if fel is None and (row[0] != expected or kedja.audit_link(prev, row[:8]) != row[8]):
            fel = f"granskning {expected}"
        prev, expected = row[8] or "", row[0] + 1
        if row[4] == "gallring" and row[7]:
            with contextlib.suppress(ValueError, AttributeError):
                gallrade.update(json.loads(row[7]).get("handelser", {}))
    audit_prev = prev
    rows = [
        tuple(r)
        for r in conn.execute(
            "SELECT id, arende, typ, datum, registrerad, som, os_anvandare, data, makulerar, "
            "kedja FROM handelse ORDER BY id"
        )
    ]
    old_prev, new_prev, expected = kedja.START, kedja.START, 1
    event_fel: str | None = None
    stand_in: dict[str, str] = {}
    updates = []
    for row in rows:
        digest = kedja.data_digest(row[7])
        recorded = gallrade.get(str(row[0]))
        free = None
        if isinstance(recorded, list) and len(recorded) == 2 and digest.hex() == recorded[1]:
            digest = bytes.fromhex(recorded[0])
            # Its free text is gone; the digest of the whole data before stands in for it.
            free = digest
            stand_in[str(row[0])] = recorded[0]
        if event_fel is None and (
            row[0] != expected or kedja.event_link_v1(old_prev, row, digest) != row[9]
        ):
            event_fel = f"händelse {expected}"
        old_prev, expected = row[9] or "", row[0] + 1
        new_prev = kedja.event_link(new_prev, row, free)
        updates.append((new_prev, row[0]))
    conn.execute("DROP TRIGGER handelse_ingen_andring")
    conn.executemany("UPDATE handelse SET kedja = ? WHERE id = ?", updates)
    conn.execute(_HANDELSE_TRIGGER)
    if not rows and not audit:
        return  # a new register: nothing to recompute, nothing to record
    first = fel or event_fel
    underlag = {
        "kedja": 2,
        "handelser": stand_in,
        "holl": first is None,
        "fel": first,
        "tidigare": {"handelse": old_prev if rows else None, "granskning": audit_prev or None},
    }
    detaljer = (
        "händelsekedjan räknad om (schema 9); den gamla kedjan höll"
        if first is None
        else f"händelsekedjan räknad om (schema 9); den gamla kedjan bröts vid {first}"
    )
    row = (
        (audit[-1][0] + 1) if audit else 1,
        events.now(),
        "envagin",
        events.os_user(),
        "kedjan omräknad",
        None,
        detaljer,
        json.dumps(underlag, sort_keys=True),
    )
    conn.execute(
        "INSERT INTO granskning (id, tid, handlaggare, os_anvandare, atgard, arende, detaljer, "
        "underlag, kedja) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*row, kedja.audit_link(audit_prev if audit else kedja.START, row)),
    )


def _m011_sus_finsam_narvaro(db: Database) -> None:
    """The SUS instrument (sysselsättning at intake and closing, utbildning, tid i
    offentlig försörjning before intake: projected columns of `arende`, NULL for the cases
    before, whose events hold none), the unit's Finsam insatser (`enhet finsam add`: a
    dated row each, kept; the table refuses UPDATE and DELETE) and the event kinds it
    adds (`finsam`, `narvaro`; `event_kinds.SCHEMA_SUS`)."""
    conn = db.conn
    _allow_kinds(conn, event_kinds.SCHEMA_SUS)
    conn.execute(
        "ALTER TABLE arende ADD COLUMN sysselsattning_intag TEXT " + _codes("sysselsattning_intag")
    )
    conn.execute(
        "ALTER TABLE arende ADD COLUMN sysselsattning_avslut TEXT "
        + _codes("sysselsattning_avslut")
    )
    conn.execute(
        "ALTER TABLE arende ADD COLUMN utbildning TEXT " + _any_of("utbildning", codes.UTBILDNING)
    )
    conn.execute(
        "ALTER TABLE arende ADD COLUMN tid_offentlig TEXT "
        + _any_of("tid_offentlig", codes.TID_OFFENTLIG)
    )
    conn.execute(f"""CREATE TABLE enhet_finsam (
    id INTEGER PRIMARY KEY,
    datum TEXT NOT NULL {_iso("datum")},
    namn TEXT NOT NULL CHECK (length(namn) BETWEEN 1 AND 100),
    insatser TEXT {_codes("insatser")},
    som TEXT NOT NULL,
    handelse_id INTEGER NOT NULL REFERENCES handelse (id)
) STRICT""")
    for what, verb, text in (("andring", "UPDATE", "ändras"), ("radering", "DELETE", "raderas")):
        conn.execute(f"""CREATE TRIGGER enhet_finsam_ingen_{what} BEFORE {verb} ON enhet_finsam
BEGIN
    SELECT RAISE(ABORT, 'Finsam-insatsernas historik får inte {text}');
END""")


MIGRATIONS = [
    ("0001_initial", _m001_initial),
    ("0002_malfoljning", _m002_malfoljning),
    ("0003_pseudonym_granskning", _m003_pseudonym),
    ("0004_malhandelser", _m004_malhandelser),
    ("0005_enhet", _m005_enhet),
    ("0006_kedja_inloggning", _m006_kedja_inloggning),
    ("0007_projektion", _m007_projektion),
    ("0008_personalandringar", _m008_personalandringar),
    ("0009_datade_mal", _m009_datade_mal),
    ("0010_sigill_kedja", _m010_sigill_kedja),
    ("0011_sus_finsam_narvaro", _m011_sus_finsam_narvaro),
]
SCHEMA_VERSION = len(MIGRATIONS)
#: The event kinds the current schema's CHECK list holds (the table of kinds is
#: `event_kinds`; each kind names the version that added it).
HANDELSETYPER = event_kinds.codes_until(SCHEMA_VERSION)


def _migrations() -> object:
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, fn in MIGRATIONS:
        migrations(name=name)(fn)
    return migrations


@functools.cache
def expected_triggers() -> dict[str, str]:
    """Every trigger the migrations make (name → its SQL, spaces folded): what `verify`
    compares with the file's. Built by running the migrations on an empty register in
    memory, so a trigger a later migration adds is expected without naming it here."""
    from sqlite_utils import Database

    from envagin_cli.store import sigill

    conn = sqlite3.connect(":memory:")
    sigill.register(conn)  # as on every envagin connection: a migration may write
    try:
        _migrations().apply(Database(conn))  # type: ignore[attr-defined]
        sigill.install(conn)
        return {
            r[0]: " ".join(r[1].split())
            for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
    finally:
        conn.close()


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_version(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file from a newer envagin, or a SQLite file that is not a register."""
    version = user_version(conn)
    if version > SCHEMA_VERSION:
        raise Databasfel(
            f"{path} har schemaversion {version}, men denna envagin kan bara version "
            f"{SCHEMA_VERSION}. Uppgradera envagin; filen lämnas orörd."
        )
    if version == 0:
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        if tables:
            raise Databasfel(f"{path} är en SQLite-databas men inget envagin-register.")


def pending(conn: sqlite3.Connection) -> bool:
    return user_version(conn) < SCHEMA_VERSION


#: How long a process that opens an old register waits for another that is upgrading it.
MIGRATION_WAIT_MS = 120_000


def migrate(conn: sqlite3.Connection, path: Path, *, backup: bool) -> None:
    """Apply pending migrations in one transaction; back up an existing register first.

    The write lock is taken first (a second process that opens the old register at the
    same moment waits for it, up to `MIGRATION_WAIT_MS`), and the version is read again
    under it: only one process backs up and upgrades, the other then finds the register
    current. The backup (`NAMN.vN-TID.bak`, or `-2`, `-3`, ... when that name is taken)
    is made beside the register's real file (a symbolic link is followed), only of a file
    that already holds a register (version 1 or later)."""
    import os

    from sqlite_utils import Database

    from envagin_cli.store import sigill, transaction

    database = Database(conn)
    wait = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute(f"PRAGMA busy_timeout = {max(int(wait), MIGRATION_WAIT_MS)}")
    try:
        with transaction.write(conn):
            version = user_version(conn)
            if version >= SCHEMA_VERSION:
                return  # another process migrated while we waited for the lock
            if backup and version > 0:
                from datetime import datetime

                real = Path(os.path.realpath(path))
                from envagin_cli.rules.dates import zone

                stamp = datetime.now(zone()).strftime("%Y%m%d-%H%M%S")
                transaction.backup(
                    real, real.with_name(f"{real.name}.v{version}-{stamp}.bak"), unique=True
                )
            # Every seal checked in full first: the migration's new seals cannot hide a change.
            sigill.check_before_write(conn, full=True)
            _migrations().apply(database)  # type: ignore[attr-defined]
            sigill.install(conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(wait)}")
