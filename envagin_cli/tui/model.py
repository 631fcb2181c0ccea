"""What `envagin tui` shows and writes, without Textual: every list, case view, search,
form and save goes through the same domain functions as the commands (`idag`, `cases`,
`show`, `sök`, the case commands, `makulera`, `rätta`), so no rule lives here.

A `Session` holds one connection to the register (autocommit: every read sees what others
have committed; every save is the domain call's own transaction). A `Formular` is one
form: its fields (with the choices the commands' completion offers: the code lists, the
active staff, the active insatser) and the domain call it ends in.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from envagin_cli.rules import codes, event_kinds, lifecycle
from envagin_cli.rules.codes import fold
from envagin_cli.rules.dates import parse_date, today
from envagin_cli.rules.errors import EnvaginError, Valideringsfel

TEXT, DATE, CHOICE, MULTI, FLAG = "text", "date", "choice", "multi", "flag"


@dataclass(frozen=True)
class Falt:
    """One field of a form: `namn` is the domain function's keyword."""

    namn: str
    etikett: str
    slag: str = TEXT
    val: tuple[tuple[str, str], ...] = ()  # (code, label) of a choice or a list
    standard: str | bool = ""
    #: The words the domain's refusals start with for this field (`remittent: ...`).
    ord: tuple[str, ...] = ()
    hjalp: str = ""


@dataclass
class Formular:
    """One form: a case event (`kod` is its kind), a void or a correction."""

    kod: str
    titel: str
    falt: list[Falt]
    arende: str | None = None
    handelse_id: int | None = None
    #: For a correction: the current value of each field, shown beside it.
    nu: dict[str, str] = field(default_factory=dict)

    def field_of(self, message: str) -> str | None:
        """The field a refusal is about (its first word before ':'), if on the form."""
        head = fold(message.split(":", 1)[0].strip()) if ":" in message[:40] else ""
        for f in self.falt:
            words = {fold(w) for w in (*f.ord, f.namn, f.etikett)}
            if head and any(head == w or head.startswith(w + "/") for w in words):
                return f.namn
        return None


_DAG = Falt(
    "datum",
    "Datum",
    DATE,
    standard="idag",
    ord=("datum",),
    hjalp="idag, igår, 5 mars 2014, 2014-03-05",
)
_ORSAK = Falt("orsak", "Orsak", ord=("orsak",), hjalp="vad som var fel")


def _codes(lista: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((k, f"{k} – {codes.label(lista, k)}") for k in lista)


_SVAR = tuple((str(n), str(n)) for n in range(1, 6))
_JA_NEJ = (("ja", "ja"), ("nej", "nej"))


class Session:
    """The register the program works on and who works in it."""

    def __init__(self, db: str | None, som: str | None) -> None:
        from envagin_cli.store import db as store_db

        self.target = store_db.resolve_path(db)
        self.conn, _ = store_db.open_db(self.target)
        self.som = som

    # --- who and where ------------------------------------------------------------------

    def register_name(self) -> str:
        from envagin_cli.store import db as store_db

        return store_db.shown_name(self.target.path)

    def who(self) -> tuple[str | None, str]:
        """The logged-in handläggare (as every command resolves it), or why there is none."""
        from envagin_cli.domain import staff

        try:
            return staff.current(self.conn, self.som), ""
        except EnvaginError as exc:
            return None, str(exc)

    def login_mode(self) -> str:
        from envagin_cli.domain import installning

        return installning.enforced_mode(self.conn)

    def header(self) -> str:
        who, _ = self.who()
        return (
            f"{self.register_name()} · inloggad: {who or 'ingen'} · inloggning: {self.login_mode()}"
        )

    # --- lists --------------------------------------------------------------------------

    def due(self, dagar: int = 7) -> list[dict[str, Any]]:
        """What is due, as `envagin idag` (everyone's when nobody is logged in)."""
        from envagin_cli.domain import caseload

        return caseload.due_list(self.conn, today(), dagar=dagar, handlaggare=self.who()[0])

    def my_cases(self) -> list[dict[str, Any]]:
        """The open cases of the logged-in handläggare (`cases --mina`), else all open."""
        from envagin_cli.domain import caseload

        return caseload.caseload(self.conn, today(), handlaggare=self.who()[0])

    def all_cases(self) -> list[dict[str, Any]]:
        from envagin_cli.domain import caseload

        return caseload.caseload(self.conn, today(), alla=True)

    def summary(self) -> list[dict[str, Any]]:
        from envagin_cli.domain import caseload

        return caseload.caseload_summary(self.conn, today())

    def catalogue(self) -> list[dict[str, object]]:
        from envagin_cli.domain import insats

        return insats.list_insatser(self.conn, alla=True)

    def search(self, text: str) -> list[dict[str, Any]]:
        """As `envagin sök` (a personnummer look-up is audited as there)."""
        from envagin_cli.domain import caseload
        from envagin_cli.domain import cases as cases_domain

        found = cases_domain.search(self.conn, text, som=self.som)
        rows = caseload.caseload(self.conn, today(), nummer=found) if found else []
        order = {nr: i for i, nr in enumerate(found)}
        rows.sort(key=lambda r: order[r["arende"]])
        return rows

    # --- one case -----------------------------------------------------------------------

    def open_case(self, ref: str) -> dict[str, Any]:
        """The case as `envagin show` gives it (and audited as there), with its due items
        (`att_gora`) and the events the state machine allows next (`mojliga`)."""
        from envagin_cli.domain import caseload
        from envagin_cli.domain import cases as cases_domain
        from envagin_cli.domain.register import effective_events

        view = cases_domain.show(self.conn, ref, som=self.som)
        nr = view["arende"]
        rows = caseload.caseload(self.conn, today(), nummer=[nr])
        view["att_gora"] = rows[0]["att_gora"] if rows else []
        view["mojliga"] = lifecycle.allowed_next(effective_events(self.conn, nr), today())
        view["pagaende"] = rows[0]["insatser"] if rows else []
        return view

    def next_step(self, nr: str) -> str:
        from envagin_cli.domain import cases as cases_domain

        try:
            now = cases_domain.state(self.conn, nr)
        except EnvaginError:
            return ""
        return "Nästa steg: " + lifecycle.next_step(now, nr) if now.intag else ""

    # --- forms --------------------------------------------------------------------------

    def _staff(self) -> tuple[tuple[str, str], ...]:
        rows = self.conn.execute(
            "SELECT id, namn FROM staff WHERE aktiv = 1 ORDER BY id"
        ).fetchall()
        return tuple((r[0], f"{r[0]} – {r[1]}") for r in rows)

    def _insatser(self) -> tuple[tuple[str, str], ...]:
        rows = self.conn.execute(
            "SELECT kod, namn FROM insats WHERE aktiv = 1 ORDER BY rowid"
        ).fetchall()
        return tuple((r[0], f"{r[0]} – {r[1]}") for r in rows)

    def fields(self) -> dict[str, Falt]:
        """Every field a case form can have, by the domain's keyword."""
        staff = self._staff()
        me = self.who()[0] or ""
        return {
            "personnummer": Falt(
                "personnummer",
                "Personnummer",
                ord=("personnummer",),
                hjalp="10 eller 12 siffror; tomt med Anonym",
            ),
            "anonym": Falt(
                "anonym", "Anonym", FLAG, standard=False, hjalp="utan personnummer: kön, födelseår"
            ),
            "kon": Falt("kon", "Kön", CHOICE, _codes(codes.KON), ord=("kön",)),
            "fodelsear": Falt("fodelsear", "Födelseår", ord=("födelseår",), hjalp="fyra siffror"),
            "skyddad": Falt(
                "skyddad",
                "Skyddade personuppgifter",
                FLAG,
                standard=False,
                hjalp="personnumret sparas inte",
            ),
            "remittent": Falt(
                "remittent", "Remittent", CHOICE, _codes(codes.REMITTENTER), ord=("remittent",)
            ),
            "forsorjning": Falt(
                "forsorjning",
                "Försörjning",
                MULTI,
                _codes(codes.FORSORJNING),
                ord=("försörjning",),
                hjalp="koder, kommaseparerade",
            ),
            "ansvarig": Falt("ansvarig", "Ansvarig", CHOICE, staff, me, ord=("ansvarig",)),
            "arende": Falt(
                "arende",
                "Eget ärendenummer",
                ord=("ärende",),
                hjalp="tomt: EVI-ÅÅÅÅ-NNNN",
            ),
            "omfattning": Falt(
                "omfattning",
                "Omfattning",
                MULTI,
                _codes(codes.SAMTYCKEN),
                ord=("omfattning",),
                hjalp="samverkan, statistik",
            ),
            "handlaggare": Falt(
                "handlaggare",
                "Handläggare",
                MULTI,
                staff,
                me,
                ord=("handläggare",),
                hjalp="id, kommaseparerade",
            ),
            "remittent_handlaggare": Falt(
                "remittent_handlaggare",
                "Remittentens handläggare",
                ord=("remittent-handläggare", "namn"),
                hjalp="namnet",
            ),
            "avslutande": Falt("avslutande", "Avslutande trepartssamtal", FLAG, standard=False),
            "insats": Falt("insats", "Insats", CHOICE, self._insatser(), ord=("insats",)),
            "utforare": Falt(
                "utforare",
                "Utförare",
                CHOICE,
                _codes(codes.UTFORARE),
                ord=("utförare",),
                hjalp="tomt: insatsens part",
            ),
            "byt": Falt("byt", "Byt (avsluta pågående insatser)", FLAG, standard=False),
            "slutorsak": Falt(
                "slutorsak", "Slutorsak", CHOICE, _codes(codes.SLUTORSAKER), ord=("slutorsak",)
            ),
            "nojd_bemotande": Falt(
                "nojd_bemotande", "Nöjd bemötande", CHOICE, _SVAR, ord=("nöjd-bemötande",)
            ),
            "nojd_insats": Falt("nojd_insats", "Nöjd insats", CHOICE, _SVAR, ord=("nöjd-insats",)),
            "ingen_enkat": Falt(
                "ingen_enkat",
                "Avböjde enkäten",
                FLAG,
                standard=False,
                ord=("ingen-enkät", "enkät"),
            ),
            "sysselsattning": Falt(
                "sysselsattning",
                "Sysselsättning",
                CHOICE,
                _codes(codes.SYSSELSATTNING),
                ord=("sysselsättning",),
            ),
        }

    def form(self, kod: str, arende: str | None = None) -> Formular:
        """The form that registers an event of kind `kod` in the case `arende`: the kind's
        own fields (from the table of event kinds), then the date."""
        kind = event_kinds.BY_CODE[kod]
        every = self.fields()
        names = [f.keyword for f in kind.fields if f.keyword in every]
        if kind.case_arg == "arende":  # an intake may name its own case number
            names.append("arende")
        fields = []
        for name in names:
            f = every[name]
            if name == "omfattning":  # a consent: both; a withdrawal: empty is both
                withdrawal = bool(kind.fixed.get("aterkalla"))
                f = _with(f, standard="" if withdrawal else "samverkan,statistik")
                f = _with(f, hjalp="tomt: båda" if withdrawal else f.hjalp)
            if name == "insats" and "utforare" not in names and arende:  # ending one
                f = _with(f, val=tuple((k, k) for k in self.running(arende)))
            if name == "ansvarig" and kind.case_arg == "ref":  # a new ansvarig: chosen
                f = _with(f, standard="")
            fields.append(f)
        return Formular(kod, title(kod) + (f" · {arende}" if arende else ""), [*fields, _DAG],
                        arende)  # fmt: skip

    def running(self, nr: str) -> list[str]:
        """A case's running insatser (no audit: no personal data is read)."""
        rows = self.conn.execute(
            "SELECT insats FROM arende_insats WHERE arende = ? AND slut IS NULL ORDER BY lopnr",
            (nr,),
        ).fetchall()
        return [r[0] for r in rows]

    def save(self, form: Formular, values: dict[str, Any]) -> Any:
        """Register the form's event: exactly one domain call, its own transaction."""
        kind = event_kinds.BY_CODE[form.kod]
        args = _arguments(form, values)
        day = args.pop("datum")
        args.update(kind.fixed)
        call = kind.function()
        if kind.case_arg == "ref":
            return call(self.conn, form.arende, datum=day, som=self.som, **args)
        return call(self.conn, datum=day, som=self.som, **args)

    def consent_question(self, form: Formular, values: dict[str, Any]) -> str | None:
        """The question `samtycke` asks before a consent without `statistik` (which removes
        the personnummer for good), or None."""
        from envagin_cli.store import queries

        kind = event_kinds.BY_CODE.get(form.kod)
        if kind is None or "omfattning" not in kind.field_names() or form.arende is None:
            return None
        if kind.fixed.get("aterkalla"):
            return None
        scopes = {fold(x) for x in str(values.get("omfattning") or "").split(",") if x.strip()}
        if (
            scopes
            and "statistik" not in scopes
            and queries.has_personnummer(self.conn, form.arende)
        ):
            return (
                "Utan samtycke till statistik tas personnumret bort för gott; kön och "
                "födelseår finns kvar. Det går inte att ångra.\n"
                "Registrera samtycket och ta bort personnumret?"
            )
        return None

    # --- void and correction ------------------------------------------------------------

    def void_form(self, event_id: int, arende: str) -> Formular:
        return Formular("void", f"Makulera händelse {event_id} · {arende}", [_ORSAK, _DAG],
                        arende, event_id)  # fmt: skip

    def void_preview(self, form: Formular, values: dict[str, Any]) -> str:
        """What `makulera` says before it asks; every rule checked, nothing written."""
        from envagin_cli.domain import cases as cases_domain
        from envagin_cli.store import queries

        assert form.handelse_id is not None
        day = _day(values)
        event = queries.event_preview(self.conn, str(form.handelse_id))
        cases_domain.void(
            self.conn,
            form.handelse_id,
            orsak=str(values.get("orsak") or ""),
            som=self.som,
            datum=day,
            preview=True,
        )
        assert event is not None
        return (
            f"Makulerar händelse {event['id']} i {event['arende']}: {event['datum']} "
            f"{event['handelse']}"
            + (f" – {event['beskrivning']}" if event["beskrivning"] else "")
            + ".\nMakulera händelsen?"
        )

    def void(self, form: Formular, values: dict[str, Any]) -> Any:
        from envagin_cli.domain import cases as cases_domain

        assert form.handelse_id is not None
        return cases_domain.void(
            self.conn,
            form.handelse_id,
            orsak=str(values.get("orsak") or ""),
            som=self.som,
            datum=_day(values),
        )

    def correct_form(self, event_id: int, arende: str) -> Formular:
        """A correction (`rätta`): the event kind's fields, empty (= unchanged), each
        with its current value beside it; the date and the reason."""
        row = self.conn.execute(
            "SELECT typ, datum, data FROM handelse WHERE id = ?", (event_id,)
        ).fetchone()
        if row is None or row["typ"] not in event_kinds.BY_CODE:
            raise Valideringsfel(f"händelse-id: händelse {event_id} finns inte.")
        kind = event_kinds.BY_CODE[row["typ"]]
        import json

        data = json.loads(row["data"])
        every = self.fields()
        fields: list[Falt] = []
        nu: dict[str, str] = {}
        for f in kind.fields:
            if f.keyword in every and f.keyword not in ("skyddad", "arende"):
                base = every[f.keyword]
                if base.slag == FLAG:
                    base = _with(base, slag=CHOICE, val=_JA_NEJ, standard="")
                fields.append(_with(base, standard=""))
                value = data.get(f.data_key)
                if isinstance(value, list):
                    value = ",".join(str(v) for v in value)
                nu[f.keyword] = "–" if value in (None, "") else str(value)
        if row["typ"] == "intake":
            fields = [f for f in fields if f.namn != "personnummer"] + [every["personnummer"]]
            fields[-1] = _with(fields[-1], standard="", hjalp="tomt: oförändrat")
        nu["datum"] = row["datum"]
        title = f"Rätta händelse {event_id} ({kind.label}) · {arende}"
        return Formular(
            "correct",
            title,
            [*fields, _with(_DAG, standard="", hjalp="tomt: oförändrat"), _ORSAK],
            arende,
            event_id,
            nu,
        )

    def _changes(self, form: Formular, values: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for f in form.falt:
            if f.namn in ("orsak", "datum"):
                continue
            value = values.get(f.namn)
            if value in (None, ""):
                continue
            if f.val == _JA_NEJ:
                changes[f.namn] = value == "ja"
            elif f.slag == MULTI:
                changes[f.namn] = [value]
            else:
                changes[f.namn] = value
        text = str(values.get("datum") or "").strip()
        if text:
            changes["datum"] = parse_date(text, "datum")
        return changes

    def correct_preview(self, form: Formular, values: dict[str, Any]) -> str:
        """What `rätta` shows before it asks (before and after); nothing written."""
        from envagin_cli.domain import cases as cases_domain

        preview = cases_domain.correct(
            self.conn,
            str(form.handelse_id),
            orsak=str(values.get("orsak") or ""),
            som=self.som,
            changes=self._changes(form, values),
            write=False,
        )
        lines = []
        for word, key in (("Före: ", "fore"), ("Efter:", "efter")):
            e = preview[key]
            text = f" – {e['beskrivning']}" if e["beskrivning"] else ""
            lines.append(f"{word} {e['datum']} {e['handelse']}{text}")
        lines.append(f"Rätta händelse {preview['handelse_id']} i {preview['arende']}?")
        return "\n".join(lines)

    def correct(self, form: Formular, values: dict[str, Any]) -> Any:
        from envagin_cli.domain import cases as cases_domain

        done = cases_domain.correct(
            self.conn,
            str(form.handelse_id),
            orsak=str(values.get("orsak") or ""),
            som=self.som,
            changes=self._changes(form, values),
        )
        return done["resultat"]


def title(kod: str) -> str:
    """A kind's form and choice: its label as the commands say it (`påbörjad kartläggning`)."""
    text = event_kinds.label(kod)
    return text[0].upper() + text[1:]


def _with(f: Falt, **changes: Any) -> Falt:
    from dataclasses import replace

    return replace(f, **changes)


def _day(values: dict[str, Any]) -> date:
    return parse_date(str(values.get("datum") or "idag"), "datum")


def shown_date(text: str) -> str:
    """The date a date field's text means, shown back (or the refusal)."""
    try:
        return "= " + parse_date(text or "idag", "datum").isoformat()
    except EnvaginError as exc:
        return str(exc)


def _arguments(form: Formular, values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the domain function's keywords (a date is parsed as the
    command line parses `--datum`; a list as the command's repeated option)."""
    args: dict[str, Any] = {"datum": _day(values)}
    for f in form.falt:
        if f.namn == "datum":
            continue
        value = values.get(f.namn)
        if f.slag == FLAG:
            args[f.namn] = bool(value)
        elif f.slag == MULTI:
            args[f.namn] = [str(value)] if value not in (None, "") else []
        elif f.namn in ("remittent", "slutorsak", "sysselsattning", "insats", "ansvarig"):
            args[f.namn] = "" if value is None else str(value)
        else:
            args[f.namn] = None if value in (None, "") else str(value)
    if form.kod == "responsible" and not args.get("ansvarig"):
        args["ansvarig"] = ""
    if form.kod == "intake" and not args.get("ansvarig"):
        args["ansvarig"] = None
    return args


# --- keys ---------------------------------------------------------------------------------

#: Binding id → the default key (only keys that pass tmux, SSH and common terminals).
TANGENTER: dict[str, str] = {
    "oppna": "enter",
    "tillbaka": "escape",
    "sok": "slash",
    "nytt": "n",
    "nasta": "h",
    "ratta": "r",
    "makulera": "m",
    "avsluta": "q",
    "hjalp": "f1,question_mark",
    "uppdatera": "f5",
    "spara": "ctrl+s",
    "attgora": "1",
    "alla": "2",
    "belastning": "3",
    "katalog": "4",
    "ner": "j",
    "upp": "k",
}


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "envagin" / "tangenter.toml"


def keymap(path: Path | None = None) -> dict[str, str]:
    """The key map: the defaults, with the config file's `[tangenter]` (id = "tangent")."""
    path = path or config_path()
    keys = dict(TANGENTER)
    if not path.is_file():
        return keys
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise Valideringsfel(f"tangenter: {path} kan inte läsas ({exc}).") from None
    given = data.get("tangenter", {})
    if not isinstance(given, dict):
        raise Valideringsfel(f"tangenter: {path} ska ha avsnittet [tangenter].")
    for name, key in given.items():
        if name not in TANGENTER:
            raise Valideringsfel(
                f"tangenter: '{name}' i {path} finns inte; tillåtna: {', '.join(TANGENTER)}."
            )
        if not isinstance(key, str) or not key.strip():
            raise Valideringsfel(f"tangenter: '{name}' i {path} ska vara en tangent i citattecken.")
        keys[name] = key.strip()
    return keys
