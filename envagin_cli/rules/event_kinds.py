"""The one table of event kinds: what can happen in the register.

For each kind: its code (`handelse.typ` and the interchange's `händelse`), its Swedish
label, its place in a day (the same-day order of the case lifecycle), its fields (the
interchange fields, typed, required or not, and the event data key each is stored under),
whether it belongs to a case, the domain function a row of that kind is applied through,
and how `show` describes it. The state machine, the schema's CHECK list, the interchange
field list, export, `show` and the import's mapping of rows to calls all read it; adding a
kind is one entry here plus its rule (in `lifecycle` for a case event).

This module is vocabulary, not rules: it imports only `codes`, so the store may read it.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from envagin_cli.rules import codes

#: Field types: how a value is read from a file, compared and written.
TEXT = "text"  # free text: compared with whitespace folded
CODE = "code"  # a code or an id: compared folded (å = a, case-insensitive)
CODES = "codes"  # a comma-separated list of codes or ids: compared as a set
FLAG = "flag"  # ja/nej
NUMBER = "number"  # a whole number (or, for goals, a decimal number)
DATE = "date"


@dataclass(frozen=True)
class Field:
    """One field of an event kind."""

    name: str  # folded interchange name (`nojd-bemotande`)
    type: str = CODE
    required: bool = False
    key: str = ""  # the key in the event's stored data; default: name with '-' as '_'
    param: str = ""  # the domain function's keyword; default: key
    empty: str = ""  # what a file says for no value (a goal without target: 'ingen')

    @property
    def data_key(self) -> str:
        return self.key or self.name.replace("-", "_")

    @property
    def keyword(self) -> str:
        return self.param or self.data_key


@dataclass(frozen=True)
class Kind:
    """One event kind."""

    code: str
    label: str
    fields: tuple[Field, ...]
    case: bool
    #: The domain function a row of this kind is applied through ("module:function").
    call: str
    #: Fixed keyword arguments for the call (`consent-withdrawn` is consent with aterkalla).
    fixed: dict[str, Any] = field(default_factory=dict)
    #: Same-day order. Case events: their place in the lifecycle (DOMAIN.md); register
    #: events: staff, catalogue and goals before the day's case events, deactivations after.
    rank: int = 5
    #: For a case event that happens once per case: why (the refusal's reason).
    once: str = ""
    #: How a row names its case for the call: "ref" (the first argument: a case number or
    #: a personnummer), "arende" (the intake's own number), "" (none; a void names an event).
    case_arg: str = ""
    #: The schema version whose CHECK list first holds this kind.
    since: int = 1
    describe: Callable[[dict[str, Any]], str] = field(default=lambda d: "", repr=False)

    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @functools.cached_property
    def group(self) -> int:
        """Where rows of this kind go in a file, export and import alike: the handläggare
        first (every row's `som` names one: 0), then what the case rows name (the
        catalogue, goals, the unit: 1; a goal's status and values: 2), then the case rows
        (3), then deactivations (4), so that a file is read whole whatever the order and
        dates its events were registered in."""
        if self.case:
            return 3
        if self.rank >= 10:
            return 4
        if self.code == "staff":
            return 0
        return 1 if self.rank <= -2 else 2

    def function(self) -> Callable[..., Any]:
        """The domain function this kind is applied through (imported on first use)."""
        return _function(self.call)


@functools.cache
def _function(path: str) -> Callable[..., Any]:
    module, name = path.split(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


def _join(values: Any) -> str:
    return ", ".join(values or [])


def _sources(values: Any) -> str:
    """Income sources by their Swedish labels."""
    return ", ".join(codes.label(codes.FORSORJNING, v) for v in values or [])


def _sysselsattning(values: Any) -> str:
    """Sysselsättning by its Swedish labels."""
    return ", ".join(codes.label(codes.SYSSELSATTNING, v) for v in values or [])


def _insats(d: dict[str, Any]) -> str:
    """An insats by its name: the catalogue's (given by the reader as `insats_namn`), else
    the default catalogue's, else its code."""
    kod = d.get("insats")
    named = (d.get("insats_namn") or {}).get(kod)
    if named:
        return str(named)
    default = codes.INSATSER.get(str(kod))
    return default[0] if default else str(kod)


def _describe_intake(d: dict[str, Any]) -> str:
    parts = [f"remittent {codes.label(codes.REMITTENTER, d.get('remittent'))}"]
    if d.get("forsorjning"):
        parts.append("försörjning " + _sources(d["forsorjning"]))
    if d.get("sysselsattning"):
        parts.append("sysselsättning " + _sysselsattning(d["sysselsattning"]))
    if d.get("utbildning"):
        parts.append("utbildning " + codes.label(codes.UTBILDNING, d["utbildning"]))
    if d.get("tid_offentlig"):
        parts.append(
            "tid i offentlig försörjning " + codes.label(codes.TID_OFFENTLIG, d["tid_offentlig"])
        )
    parts.append(f"ansvarig {d.get('ansvarig')}")
    return "; ".join(parts)


def _describe_tripartite(d: dict[str, Any]) -> str:
    text = "handläggare " + _join(d.get("handlaggare"))
    text += f"; remittentens handläggare {d.get('remittent_handlaggare') or '–'}"
    return text + ("; avslutande" if d.get("avslutande") else "")


def _describe_assign(d: dict[str, Any]) -> str:
    text = f"{_insats(d)} (utförare {codes.label(codes.UTFORARE, d.get('utforare'))})"
    return text + ("; byt: övriga insatser avslutade" if d.get("byt") else "")


def _describe_close(d: dict[str, Any]) -> str:
    text = codes.label(codes.SLUTORSAKER, d.get("slutorsak"))
    if d.get("forsorjning"):
        text += "; försörjning " + _sources(d["forsorjning"])
    if d.get("sysselsattning"):
        text += "; sysselsättning " + _sysselsattning(d["sysselsattning"])
    if d.get("ingen_enkat"):
        text += "; enkät avböjd"
    elif d.get("nojd_bemotande") is not None:
        text += f"; nöjd bemötande {d['nojd_bemotande']}, insats {d['nojd_insats']}"
    return text


def _describe_followup(d: dict[str, Any]) -> str:
    return (
        codes.label(codes.SYSSELSATTNING, d.get("sysselsattning"))
        + "; försörjning "
        + _sources(d.get("forsorjning"))
    )


#: The schema version of migration `0011_sus_finsam_narvaro` (its position in
#: `migrations.MIGRATIONS`; 11 once `0010_sigill_kedja` is merged before it): the kinds
#: it adds name it as their `since`, and the migration allows them.
SCHEMA_SUS = 11


def hours(value: Any) -> str:
    """Hours as Swedish text (4, 4,5)."""
    return f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)


def _describe_narvaro(d: dict[str, Any]) -> str:
    text = _insats(d) + ": "
    if d.get("franvaro"):
        text += codes.label(codes.FRANVARO, d["franvaro"]).lower()
        if d.get("forvantat") is not None:
            text += f" ({hours(d['forvantat'])} tim förväntade)"
        if d.get("orsak"):
            text += f"; {d['orsak']}"
        return text
    return text + f"{hours(d.get('timmar'))} tim"


_CASES = "envagin_cli.domain.cases"
_FORSORJNING = Field("forsorjning", CODES)
#: Sysselsättning at intake and closing (several); the follow-up's is one code.
_SYSSELSATTNING = Field("sysselsattning", CODES)

KINDS: tuple[Kind, ...] = (
    Kind(
        "staff",
        "ny handläggare",
        (
            Field("id", CODE, True, param="ident"),
            Field("namn", TEXT, True),
            Field("part", CODE, True),
            Field("roll", CODE, True),
            Field("tjanstgoringsgrad", NUMBER),
        ),
        case=False,
        call="envagin_cli.domain.staff:add",
        rank=-4,
        describe=lambda d: f"{d.get('id')}: {d.get('namn')} ({d.get('part')}, {d.get('roll')})",
    ),
    Kind(
        "staff-deactivate",
        "avaktiverad handläggare",
        (Field("id", CODE, True, param="ident"),),
        case=False,
        call="envagin_cli.domain.staff:deactivate",
        rank=10,
        describe=lambda d: str(d.get("id")),
    ),
    Kind(
        "staff-set",
        "ändrad handläggare",
        (
            Field("id", CODE, True, param="ident"),
            Field("namn", TEXT),
            Field("part", CODE),
            Field("roll", CODE),
            Field("tjanstgoringsgrad", NUMBER),
        ),
        case=False,
        call="envagin_cli.domain.staff:change",
        rank=10,
        since=8,
        describe=lambda d: (
            f"{d.get('id')}: " + ", ".join(f"{k} {v}" for k, v in d.items() if k != "id")
        ),
    ),
    Kind(
        "staff-reactivate",
        "återaktiverad handläggare",
        (Field("id", CODE, True, param="ident"),),
        case=False,
        call="envagin_cli.domain.staff:reactivate",
        rank=10,
        since=8,
        describe=lambda d: str(d.get("id")),
    ),
    Kind(
        "insats-add",
        "ny insats i katalogen",
        (Field("kod", CODE, True), Field("namn", TEXT, True), Field("part", CODE, True)),
        case=False,
        call="envagin_cli.domain.insats:add",
        rank=-3,
        describe=lambda d: f"{d.get('kod')}: {d.get('namn')} ({d.get('part')})",
    ),
    Kind(
        "insats-deactivate",
        "avaktiverad insats i katalogen",
        (Field("kod", CODE, True),),
        case=False,
        call="envagin_cli.domain.insats:deactivate",
        rank=10,
        describe=lambda d: str(d.get("kod")),
    ),
    Kind(
        "goal",
        "ändrat målvärde",
        (
            Field("mal", CODE, True, param="nyckel"),
            Field("varde", NUMBER, True, empty="ingen"),
        ),
        case=False,
        call="envagin_cli.domain.mal:set_goal",
        rank=-2,
        describe=lambda d: f"{d.get('mal')} {'ingen' if d.get('varde') is None else d['varde']}",
    ),
    Kind(
        "goal-add",
        "nytt mål",
        (
            Field("kod", CODE, True),
            Field("text", TEXT, True),
            Field("niva", CODE, True),
            Field("typ", CODE),
            Field("deadline", DATE),
            Field("foljs-upp-av", TEXT, key="uppfoljs_av"),
            Field("rytm", CODE),
            Field("riktning", CODE),
            Field("basar", NUMBER),
            Field("enhet", TEXT),
            Field("kalla", TEXT),
        ),
        case=False,
        call="envagin_cli.domain.mal:add",
        rank=-2,
        since=4,
        describe=lambda d: f"{d.get('kod')}: {d.get('text')}",
    ),
    Kind(
        "goal-status",
        "ny status för en milstolpe",
        (Field("kod", CODE, True), Field("status", CODE, True), Field("kommentar", TEXT, True)),
        case=False,
        call="envagin_cli.domain.mal:set_status",
        rank=-1,
        since=4,
        describe=lambda d: f"{d.get('kod')}: {d.get('status')} ({d.get('kommentar')})",
    ),
    Kind(
        "goal-value",
        "indikatorvärde",
        (
            Field("kod", CODE, True),
            Field("period", CODE, True),
            Field("varde", NUMBER, True),
            Field("kalla", TEXT),
        ),
        case=False,
        call="envagin_cli.domain.mal:add_value",
        rank=-1,
        since=4,
        describe=lambda d: f"{d.get('kod')} {d.get('period')}: {d.get('varde')}",
    ),
    Kind(
        "unit",
        "enhetens uppgifter",
        (
            Field("namn", TEXT, True),
            Field("kommun", TEXT),
            Field("af-kontor", TEXT),
        ),
        case=False,
        call="envagin_cli.domain.enhet:set_unit",
        rank=-4,
        since=5,
        describe=lambda d: (
            f"{d.get('namn')} (kommunens parter: {d.get('kommun')}; AF: {d.get('af_kontor')})"
        ),
    ),
    Kind(
        "finsam",
        "Finsam-insats",
        (Field("namn", TEXT, True), Field("insatser", CODES)),
        case=False,
        call="envagin_cli.domain.enhet:add_finsam",
        rank=-2,
        since=SCHEMA_SUS,
        describe=lambda d: (
            f"{d.get('namn')}: "
            + ("insatserna " + _join(d["insatser"]) if d.get("insatser") else "hela teamet")
        ),
    ),
    Kind(
        "intake",
        "intag",
        (
            Field("personnummer", CODE),
            Field("pseudonym", CODE),
            Field("anonym", FLAG),
            Field("kon", CODE),
            Field("fodelsear", NUMBER),
            Field("skyddad", FLAG),
            Field("remittent", CODE, True),
            _FORSORJNING,
            Field("ansvarig", CODE),
            _SYSSELSATTNING,
            Field("utbildning", CODE),
            Field("tid-offentlig", CODE),
        ),
        case=True,
        case_arg="arende",
        call=f"{_CASES}:intake",
        rank=0,
        once="ett ärende har ett intag.",
        describe=_describe_intake,
    ),
    Kind(
        "consent",
        "samtycke",
        (Field("omfattning", CODES, True),),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:consent",
        rank=1,
        describe=lambda d: _join(d.get("omfattning")),
    ),
    Kind(
        "consent-withdrawn",
        "återkallat samtycke",
        (Field("omfattning", CODES),),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:consent",
        fixed={"aterkalla": True},
        rank=7,
        describe=lambda d: _join(d.get("omfattning")),
    ),
    Kind(
        "map-start",
        "påbörjad kartläggning",
        (Field("handlaggare", CODES, True),),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:map_start",
        rank=3,
        once="ett ärende har en kartläggning.",
        describe=lambda d: "handläggare " + _join(d.get("handlaggare")),
    ),
    Kind(
        "map-done",
        "klar kartläggning",
        (),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:map_done",
        rank=4,
        once="kartläggningen kan bara bli klar en gång.",
    ),
    Kind(
        "tripartite",
        "trepartssamtal",
        (
            Field("handlaggare", CODES, True),
            Field("remittent-handlaggare", TEXT, True),
            Field("avslutande", FLAG),
        ),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:tripartite",
        rank=5,
        describe=_describe_tripartite,
    ),
    Kind(
        "assign",
        "insats",
        (Field("insats", CODE, True), Field("utforare", CODE), Field("byt", FLAG)),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:assign",
        rank=6,
        describe=_describe_assign,
    ),
    Kind(
        "assign-end",
        "avslutad insats",
        (Field("insats", CODE, True),),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:assign_end",
        rank=6,
        describe=_insats,
    ),
    Kind(
        "responsible",
        "byte av ansvarig",
        (Field("ansvarig", CODE, True),),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:responsible",
        rank=2,
        describe=lambda d: f"ny ansvarig {d.get('ansvarig')}",
    ),
    Kind(
        "close",
        "avslut",
        (
            Field("slutorsak", CODE, True),
            _FORSORJNING,
            Field("nojd-bemotande", NUMBER),
            Field("nojd-insats", NUMBER),
            Field("ingen-enkat", FLAG),
            _SYSSELSATTNING,
        ),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:close",
        rank=8,
        once="ett ärende avslutas en gång.",
        describe=_describe_close,
    ),
    Kind(
        "followup",
        "ettårsuppföljning",
        (Field("sysselsattning", CODE, True), Field("forsorjning", CODES, True)),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:followup",
        rank=9,
        once="ettårsuppföljningen görs en gång.",
        describe=_describe_followup,
    ),
    Kind(
        "narvaro",
        "närvaro",
        (
            Field("insats", CODE, True),
            Field("timmar", NUMBER),
            Field("franvaro", CODE),
            Field("forvantat", NUMBER),
            Field("orsak", TEXT),
        ),
        case=True,
        case_arg="ref",
        call=f"{_CASES}:narvaro",
        rank=7,
        since=SCHEMA_SUS,
        describe=_describe_narvaro,
    ),
    Kind(
        "void",
        "makulering",
        (
            Field("handelse-id", NUMBER, True, param="event_id"),
            Field("orsak", TEXT, True),
        ),
        case=True,
        call=f"{_CASES}:void",
        rank=11,
        describe=lambda d: f"makulerar händelse {d.get('handelse_id')}: {d.get('orsak')}",
    ),
)

BY_CODE: dict[str, Kind] = {k.code: k for k in KINDS}
#: Case events, in the state machine's sense (a void is a case event but no state change).
CASE_KINDS = frozenset(k.code for k in KINDS if k.case)

#: Every interchange field: folded name -> the Swedish spelling written in files.
FIELD_NAMES: dict[str, str] = {
    "handelse": "händelse",
    "arende": "ärende",
    "datum": "datum",
    "som": "som",
    "id": "id",
    "namn": "namn",
    "part": "part",
    "roll": "roll",
    "tjanstgoringsgrad": "tjänstgöringsgrad",
    "kod": "kod",
    "mal": "mål",
    "varde": "värde",
    "text": "text",
    "niva": "nivå",
    "typ": "typ",
    "deadline": "deadline",
    "foljs-upp-av": "följs-upp-av",
    "rytm": "rytm",
    "riktning": "riktning",
    "basar": "basår",
    "enhet": "enhet",
    "kalla": "källa",
    "status": "status",
    "kommentar": "kommentar",
    "period": "period",
    "personnummer": "personnummer",
    "pseudonym": "pseudonym",
    "anonym": "anonym",
    "kon": "kön",
    "fodelsear": "födelseår",
    "skyddad": "skyddad",
    "remittent": "remittent",
    "forsorjning": "försörjning",
    "ansvarig": "ansvarig",
    "omfattning": "omfattning",
    "handlaggare": "handläggare",
    "remittent-handlaggare": "remittent-handläggare",
    "avslutande": "avslutande",
    "insats": "insats",
    "utforare": "utförare",
    "byt": "byt",
    "slutorsak": "slutorsak",
    "nojd-bemotande": "nöjd-bemötande",
    "nojd-insats": "nöjd-insats",
    "ingen-enkat": "ingen-enkät",
    "sysselsattning": "sysselsättning",
    "utbildning": "utbildning",
    "tid-offentlig": "tid-offentlig",
    "handelse-id": "händelse-id",
    "orsak": "orsak",
    "kommun": "kommun",
    "af-kontor": "af-kontor",
    "insatser": "insatser",
    "timmar": "timmar",
    "franvaro": "frånvaro",
    "forvantat": "förväntat",
}
#: Fields of which a record gives exactly one, saying what kind of record it is (a day's
#: attendance: its hours or its absence); two records are the same event only when both
#: give the same one (`sameness.same`).
EITHER_OR = ("timmar", "franvaro")
#: The fields every row may give.
COMMON = ("handelse", "arende", "datum", "som")
#: Per kind, the fields a row of it may give (its own and the common ones).
ALLOWED: dict[str, frozenset[str]] = {
    k.code: frozenset(COMMON) | frozenset(k.field_names()) for k in KINDS
}

#: Field name -> its type, over all kinds (a name has one type wherever it appears, but
#: that a list of codes may be one code elsewhere: `sysselsättning` is several at intake
#: and closing, one at the follow-up; compared as a set, one code is a set of one).
FIELD_TYPES: dict[str, str] = {}
for _k in KINDS:
    for _f in _k.fields:
        if FIELD_TYPES.get(_f.name) != CODES:
            FIELD_TYPES[_f.name] = _f.type


def _value(f: Field, value: Any) -> str | None:
    if value is None:
        return f.empty or None
    if f.type == CODES:
        return ",".join(value or [])
    if f.type == FLAG:
        return "ja" if value else "nej"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def event_row(typ: str, data: dict[str, Any]) -> dict[str, str]:
    """The fields of an event (besides händelse, ärende, datum, som) as strings, by the
    table of kinds: each field from its data key, written by its type."""
    row: dict[str, str] = {}
    for f in BY_CODE[typ].fields:
        text = _value(f, data.get(f.data_key))
        if text is not None:
            row[f.name] = text
    return row


def label(code: str) -> str:
    """The Swedish label of an event kind ('intag'); the code itself for an unknown one."""
    kind = BY_CODE.get(code)
    return kind.label if kind else code


def codes_until(version: int) -> tuple[str, ...]:
    """The kinds the schema of `version` allows (its CHECK list on `handelse.typ`)."""
    return tuple(k.code for k in KINDS if k.since <= version)


def _check_table() -> None:
    names = {f for k in KINDS for f in k.field_names()} | set(COMMON)
    missing = names - set(FIELD_NAMES)
    assert not missing, f"fields without a Swedish spelling: {missing}"
    for k in KINDS:
        for f in k.fields:
            assert FIELD_TYPES[f.name] == f.type or {FIELD_TYPES[f.name], f.type} == {
                CODE,
                CODES,
            }, f"{f.name} has two types"


_check_table()
