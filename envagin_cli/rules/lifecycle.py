"""The case state machine: the one place that decides whether an event may happen.

A case's state is never stored as the truth; it is the replay of its effective events
(not voided, not voids) in date order. Events on the same date are ordered by their place
in the lifecycle (intake, consent, responsible, mapping, meetings, insatser, withdrawal,
close, follow-up) and then by registration order, except where the two contradict: a
consent registered after a withdrawal of the same day that names one of its scopes was
given again after it, so it goes after that withdrawal (`ordered`). A new event is
accepted when the replay of all effective events plus the new one breaks no rule, so late
registration of something that happened earlier is normal, and an event that would make
an existing one impossible is refused, naming that event.

Rules (DOMAIN.md "The case lifecycle", "Order and corrections"):
- the intake is the first event; consent ≥ intake;
- mapping, meetings and insatser need a given, not withdrawn, `samverkan` consent;
  the date of the first `samverkan` consent is the enrolment date;
- one mapping per case, done ≥ its start; an insats ends ≥ its start; a person is in a
  given insats at most once at a time; `byt` ends every active insats that day;
- a case is closed once; the close is ≥ every event but the follow-up, and ends every
  active insats that day; `ej-malgrupp`/`avbojt` only before enrolment; an enrolled case
  needs the survey answered or declined;
- the follow-up happens once, ≥ first insats + 11 months, before or after the close.

What is due next (`due`, read by `idag`, `cases` and the next-step line after each
registration) is decided here too, from the same state:
- consent missing after an intake: within 14 days of the intake (the plan's two weeks);
- a started mapping: done within 14 days of its start;
- after a finished mapping, the tripartite meeting: within 14 days of the mapping;
- the one-year follow-up: in its window, first insats + 11 months to + 18 months (a
  closed case too; after 18 months it is missed, no longer work to do);
- a withdrawn samverkan consent on an open case: close the case within 14 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from envagin_cli.rules import codes, event_kinds
from envagin_cli.rules.dates import add_months
from envagin_cli.rules.errors import Regelfel

#: Labels, same-day order and once-only reasons: read from the one table of event kinds.
TYPNAMN: dict[str, str] = {k.code: k.label for k in event_kinds.KINDS}
_RANK: dict[str, int] = {k.code: k.rank for k in event_kinds.KINDS if k.case and k.code != "void"}
# Ending an insats winds work down, so it is allowed after a withdrawal.
_ONCE: dict[str, str] = {k.code: k.once for k in event_kinds.KINDS if k.once}

_LAST = float("inf")  # a new event sorts after the registered ones of its date and kind

_JOINT_WORK = frozenset({"map-start", "map-done", "tripartite", "assign"})


@dataclass(slots=True)
class Handelse:
    """One case event as the state machine sees it."""

    id: int | None
    typ: str
    datum: date
    data: dict[str, Any]

    def sort_key(self) -> tuple[date, int, float]:
        return (self.datum, _RANK[self.typ], _LAST if self.id is None else self.id)

    def namn(self) -> str:
        ref = "den nya händelsen" if self.id is None else f"händelse {self.id}"
        return f"{TYPNAMN[self.typ]} {self.datum.isoformat()} ({ref})"


@dataclass(slots=True)
class Insatsperiod:
    lopnr: int
    insats: str
    utforare: str
    start: date
    slut: date | None = None


@dataclass(slots=True)
class Arendelage:
    """The state of one case after replaying its effective events."""

    intag: date | None = None
    identitet_id: int | None = None
    remittent: str | None = None
    ansvarig: str | None = None
    intag_forsorjning: list[str] = field(default_factory=list)
    #: The SUS instrument at intake (each optional) and sysselsättning at closing.
    intag_sysselsattning: list[str] = field(default_factory=list)
    utbildning: str | None = None
    tid_offentlig: str | None = None
    samtycken: set[str] = field(default_factory=set)
    inskriven: date | None = None
    statistik: bool = False
    samverkan_aterkallad: date | None = None
    statistik_aterkallad: date | None = None
    kartlaggning_start: date | None = None
    kartlaggning_klar: date | None = None
    trepart: date | None = None
    insatser: list[Insatsperiod] = field(default_factory=list)
    avslutad: date | None = None
    slutorsak: str | None = None
    nojd_bemotande: int | None = None
    nojd_insats: int | None = None
    ingen_enkat: bool = False
    avslut_forsorjning: list[str] = field(default_factory=list)
    avslut_sysselsattning: list[str] = field(default_factory=list)
    uppfoljd: date | None = None
    sysselsattning: str | None = None
    uppfoljning_forsorjning: list[str] = field(default_factory=list)
    #: Attendance: (insats, day) -> the event that records it (one per insats and day).
    narvaro: dict[tuple[str, date], int | None] = field(default_factory=dict)

    @property
    def forsta_insats(self) -> date | None:
        return min((p.start for p in self.insatser), default=None)

    def aktiva(self) -> list[Insatsperiod]:
        return [p for p in self.insatser if p.slut is None]

    def uppfoljning_tidigast(self) -> date | None:
        first = self.forsta_insats
        if first is None:
            return None
        return add_months(first, codes.FOLLOW_UP_FROM_MONTHS)


@dataclass(frozen=True, slots=True)
class Uppgift:
    """Something due in a case: what (`kod`, and in Swedish `vad`), by when (`senast`),
    and from when it may be done (`fran`, the follow-up window's opening)."""

    kod: str
    vad: str
    senast: date
    fran: date | None = None


#: What is due, by code (the `--fas`-like codes of `idag --json` and `cases --json`).
UPPGIFTER = {
    "samtycke": "samtycke saknas",
    "kartlaggning": "kartläggningen klar",
    "trepart": "trepartssamtal",
    "uppfoljning": "ettårsuppföljning",
    "aterkallat": "avsluta: samtycket återkallat",
}


def due(
    *,
    intag: date | None,
    inskriven: date | None,
    kartlaggning_start: date | None,
    kartlaggning_klar: date | None,
    trepart: date | None,
    forsta_insats: date | None,
    avslutad: date | None,
    uppfoljd: date | None,
    samverkan_aterkallad: date | None,
    slutorsak: str | None,
) -> list[Uppgift]:
    """What is due in a case with these dates (the module's rules), most urgent first."""
    from datetime import timedelta

    two_weeks = timedelta(days=codes.MAPPING_DAYS)
    found: list[Uppgift] = []
    if avslutad is None and intag is not None:
        if samverkan_aterkallad is not None:
            found.append(
                Uppgift("aterkallat", UPPGIFTER["aterkallat"], samverkan_aterkallad + two_weeks)
            )
        elif inskriven is None:
            found.append(Uppgift("samtycke", UPPGIFTER["samtycke"], intag + two_weeks))
        if kartlaggning_start is not None and kartlaggning_klar is None:
            found.append(
                Uppgift("kartlaggning", UPPGIFTER["kartlaggning"], kartlaggning_start + two_weeks)
            )
        if (
            kartlaggning_klar is not None
            and trepart is None
            and forsta_insats is None
            and samverkan_aterkallad is None
        ):
            found.append(Uppgift("trepart", UPPGIFTER["trepart"], kartlaggning_klar + two_weeks))
    if forsta_insats is not None and uppfoljd is None and slutorsak != codes.FELREGISTRERING:
        found.append(
            Uppgift(
                "uppfoljning",
                UPPGIFTER["uppfoljning"],
                add_months(forsta_insats, codes.FOLLOW_UP_UNTIL_MONTHS),
                add_months(forsta_insats, codes.FOLLOW_UP_FROM_MONTHS),
            )
        )
    return sorted(found, key=lambda u: u.senast)


def open_now(u: Uppgift, idag: date) -> bool:
    """Whether a due item is work to do as of `idag`: a follow-up only inside its window
    (before it opens it cannot be done, after it closes it is missed); the rest once due."""
    if u.fran is not None:
        return u.fran <= idag <= u.senast
    return True


def next_step(s: Arendelage, nr: str) -> str:
    """What comes next in a case and by when, in one Swedish sentence."""
    items = due(
        intag=s.intag,
        inskriven=s.inskriven,
        kartlaggning_start=s.kartlaggning_start,
        kartlaggning_klar=s.kartlaggning_klar,
        trepart=s.trepart,
        forsta_insats=s.forsta_insats,
        avslutad=s.avslutad,
        uppfoljd=s.uppfoljd,
        samverkan_aterkallad=(s.samverkan_aterkallad if "samverkan" not in s.samtycken else None),
        slutorsak=s.slutorsak,
    )
    texts = {
        "samtycke": "registrera samtycket (samtycke ÄRENDE --omfattning samverkan,statistik) "
        "senast {senast}",
        "kartlaggning": "kartläggningen ska vara klar (kartlägg ÄRENDE --klar) senast {senast}",
        "trepart": "trepartssamtal (trepart ÄRENDE) senast {senast}",
        "uppfoljning": "ettårsuppföljning (uppföljning ÄRENDE) {fran} – {senast}",
        "aterkallat": "samtycket är återkallat: avsluta ärendet (avsluta ÄRENDE) senast {senast}",
    }
    for u in items:
        if u.kod != "uppfoljning" or s.avslutad is not None or len(items) == 1:
            text = texts[u.kod].format(senast=u.senast.isoformat(), fran=_iso_or(u.fran))
            return text.replace("ÄRENDE", nr) + "."
    if s.avslutad is not None:
        return "ärendet är avslutat; inget mer att göra."
    if s.kartlaggning_start is None:
        return f"påbörja kartläggningen (kartlägg {nr} --start --handläggare ID)."
    if not s.aktiva():
        return f"placera i en insats (placera {nr} --insats KOD)."
    return f"följ insatsen; avsluta ärendet (avsluta {nr}) när den är klar."


def _iso_or(d: date | None) -> str:
    return d.isoformat() if d else "–"


class _Brott(Exception):
    """A rule broken by one event during the replay."""


def _check_once(events: list[Handelse], ny: Handelse) -> None:
    typ = ny.typ
    if typ in _ONCE:
        for earlier in events:
            if earlier.typ == typ:
                raise Regelfel(
                    f"Ärendet har redan {earlier.namn()}; {_ONCE[typ]} Makulera den först om "
                    "den var fel."
                )


def _late_consent(e: Handelse, withdrawals: list[Handelse]) -> bool:
    """Whether consent `e` was registered after a withdrawal of its day naming one of its
    scopes (a consent given again after it, not before it)."""
    scopes = set(e.data["omfattning"])
    return any(
        w.datum == e.datum
        and (e.id is None or (w.id is not None and w.id < e.id))
        and scopes & set(w.data["omfattning"])
        for w in withdrawals
    )


def ordered(events: list[Handelse]) -> list[Handelse]:
    """The events in the order they happened: by date, same-day place and registration,
    with a consent given again on the day of its withdrawal after that withdrawal."""
    out = sorted(events, key=Handelse.sort_key)
    withdrawals = [e for e in out if e.typ == "consent-withdrawn"]
    if not withdrawals or not any(
        e.typ == "consent" and _late_consent(e, withdrawals) for e in out
    ):
        return out

    def key(e: Handelse) -> tuple[date, int, float]:
        if e.typ == "consent" and _late_consent(e, withdrawals):
            return (e.datum, _RANK["consent-withdrawn"], _LAST if e.id is None else e.id)
        return e.sort_key()

    return sorted(out, key=key)


def in_force(events: list[Handelse], datum: date) -> list[str]:
    """The consent scopes in force at the end of `datum` (the events up to that day)."""
    state = replay([e for e in events if e.datum <= datum])
    return [s for s in codes.SAMTYCKEN if s in state.samtycken]


def add_last(events: list[Handelse], state: Arendelage, ny: Handelse) -> None:
    """Apply `ny` in place to the state of `events`, when `ny` sorts after all of them.

    The same rules as `replay`, without replaying the case (imports add events in order).
    On a refusal the state may be half-changed: the caller must replay it again.
    """
    _check_once(events, ny)
    intake = events[0] if events and events[0].typ == "intake" else None
    try:
        _apply(state, ny, intake)
    except _Brott as brott:
        raise Regelfel(str(brott)) from None


def replay(events: list[Handelse], ny: Handelse | None = None) -> Arendelage:
    """Replay the effective events (plus `ny`), raising `Regelfel` on the first broken rule."""
    if ny is not None:
        _check_once(events, ny)
    in_order = ordered([*events, *([ny] if ny else [])])
    state = Arendelage()
    intake = next((e for e in in_order if e.typ == "intake"), None)
    for event in in_order:
        try:
            _apply(state, event, intake)
        except _Brott as brott:
            reason = str(brott)
            if ny is None or event is ny:
                raise Regelfel(reason) from None
            raise Regelfel(
                f"{reason} Det gäller {event.namn()}, som inte längre går ihop med "
                f"{ny.namn()}. Makulera eller rätta den händelsen först."
            ) from None
    return state


def _apply(state: Arendelage, e: Handelse, intake: Handelse | None) -> None:
    d = e.data
    if e.typ == "intake":
        if state.intag is not None:
            raise _Brott("Ärendet har redan ett intag.")
        state.intag = e.datum
        state.identitet_id = d.get("identitet_id")
        state.remittent = d["remittent"]
        state.ansvarig = d.get("ansvarig")
        state.intag_forsorjning = list(d.get("forsorjning", []))
        state.intag_sysselsattning = list(d.get("sysselsattning") or [])
        state.utbildning = d.get("utbildning")
        state.tid_offentlig = d.get("tid_offentlig")
        return
    if state.intag is None:
        when = f" ({intake.datum.isoformat()})" if intake else ""
        raise _Brott(
            f"{TYPNAMN[e.typ].capitalize()} {e.datum.isoformat()} ligger före ärendets intag{when}."
        )
    if state.avslutad is not None and e.typ != "followup":
        raise _Brott(
            f"Ärendet avslutades {state.avslutad.isoformat()}; {TYPNAMN[e.typ]} "
            f"{e.datum.isoformat()} kan inte ligga efter avslutet."
        )
    if e.typ in _JOINT_WORK:
        _kraver_samverkan(state, e)
    handler = _HANDLERS[e.typ]
    handler(state, e)


def _kraver_samverkan(state: Arendelage, e: Handelse) -> None:
    if state.samverkan_aterkallad is not None and "samverkan" not in state.samtycken:
        raise _Brott(
            f"Samtycket till samverkan återkallades {state.samverkan_aterkallad.isoformat()}; "
            f"{TYPNAMN[e.typ]} {e.datum.isoformat()} kan inte registreras efter det. "
            "Avsluta ärendet eller registrera ett nytt samtycke."
        )
    if "samverkan" not in state.samtycken:
        raise _Brott(
            f"Ärendet saknar samtycke till samverkan den {e.datum.isoformat()}; "
            f"{TYPNAMN[e.typ]} kräver det. Registrera först: envagin consent ÄRENDE "
            "--omfattning samverkan,statistik (med samtyckets datum)."
        )


def _consent(state: Arendelage, e: Handelse) -> None:
    scopes = list(e.data["omfattning"])
    state.samtycken.update(scopes)
    if "samverkan" in scopes:
        if state.inskriven is None:
            state.inskriven = e.datum
        state.samverkan_aterkallad = None
    if "statistik" in scopes:
        state.statistik = True
        state.statistik_aterkallad = None


def _withdraw(state: Arendelage, e: Handelse) -> None:
    scopes = list(e.data["omfattning"])
    missing = [s for s in scopes if s not in state.samtycken]
    if missing:
        raise _Brott(
            f"Det finns inget gällande samtycke ({', '.join(missing)}) att återkalla "
            f"den {e.datum.isoformat()}."
        )
    for scope in scopes:
        state.samtycken.discard(scope)
        if scope == "samverkan":
            state.samverkan_aterkallad = e.datum
        else:
            state.statistik_aterkallad = e.datum


def _map_start(state: Arendelage, e: Handelse) -> None:
    if state.kartlaggning_start is not None:
        raise _Brott(
            f"Kartläggningen påbörjades redan {state.kartlaggning_start.isoformat()}; "
            "ett ärende har en kartläggning (makulera den gamla om den var fel)."
        )
    state.kartlaggning_start = e.datum


def _map_done(state: Arendelage, e: Handelse) -> None:
    if state.kartlaggning_start is None:
        raise _Brott(
            f"Ingen kartläggning är påbörjad den {e.datum.isoformat()}; "
            "registrera först: envagin map ÄRENDE --start --handläggare ID."
        )
    if state.kartlaggning_klar is not None:
        raise _Brott(f"Kartläggningen är redan klar ({state.kartlaggning_klar.isoformat()}).")
    state.kartlaggning_klar = e.datum


def _tripartite(state: Arendelage, e: Handelse) -> None:
    if not e.data.get("avslutande") and state.trepart is None:
        state.trepart = e.datum


def _assign(state: Arendelage, e: Handelse) -> None:
    code = e.data["insats"]
    if e.data.get("byt"):
        for period in state.aktiva():
            period.slut = e.datum
    for period in state.aktiva():
        if period.insats == code:
            raise _Brott(
                f"Personen är redan i insatsen {code} sedan {period.start.isoformat()}; "
                "avsluta den först (--avsluta) eller använd --byt."
            )
    state.insatser.append(Insatsperiod(len(state.insatser) + 1, code, e.data["utforare"], e.datum))


def _assign_end(state: Arendelage, e: Handelse) -> None:
    code = e.data["insats"]
    for period in state.aktiva():
        if period.insats == code:
            period.slut = e.datum
            return
    active = ", ".join(p.insats for p in state.aktiva()) or "inga"
    raise _Brott(
        f"Ingen pågående insats {code} den {e.datum.isoformat()} att avsluta (pågående: {active})."
    )


def in_insats(state: Arendelage, insats: str, day: date) -> bool:
    """Whether the case is in `insats` on `day` (its start up to and with its end)."""
    return any(
        p.insats == insats and p.start <= day and (p.slut is None or day <= p.slut)
        for p in state.insatser
    )


def _narvaro(state: Arendelage, e: Handelse) -> None:
    code = e.data["insats"]
    if not in_insats(state, code, e.datum):
        raise _Brott(
            f"insats: ärendet är inte i insatsen {code} den {e.datum.isoformat()}; närvaro "
            "registreras bara de dagar ärendet är i insatsen (se envagin visa ÄRENDE)."
        )
    key = (code, e.datum)
    if key in state.narvaro:
        earlier = state.narvaro[key]
        which = f" (händelse {earlier})" if earlier is not None else ""
        raise _Brott(
            f"Närvaron i {code} den {e.datum.isoformat()} är redan registrerad{which}; "
            "rätta den med envagin rätta HÄNDELSE-ID."
        )
    state.narvaro[key] = e.id


def _responsible(state: Arendelage, e: Handelse) -> None:
    state.ansvarig = e.data["ansvarig"]


def _close(state: Arendelage, e: Handelse) -> None:
    d = e.data
    reason = d["slutorsak"]
    if state.inskriven is not None and reason in codes.SLUTORSAKER_FORE_INSKRIVNING:
        raise _Brott(
            f"slutorsak: '{reason}' gäller bara ärenden som avslutas före inskrivning; "
            f"ärendet skrevs in {state.inskriven.isoformat()}."
        )
    if state.inskriven is None and reason not in codes.SLUTORSAKER_EJ_INSKRIVEN:
        allowed = ", ".join(sorted(codes.SLUTORSAKER_EJ_INSKRIVEN))
        raise _Brott(
            f"slutorsak: ärendet skrevs aldrig in (inget samtycke till samverkan före "
            f"{e.datum.isoformat()}); tillåtna slutorsaker är då: {allowed}."
        )
    answered = d.get("nojd_bemotande") is not None or d.get("nojd_insats") is not None
    if state.inskriven is not None and reason != "felregistrering":
        if not answered and not d.get("ingen_enkat"):
            raise _Brott(
                "Avslutsmötets enkät saknas: ange --nöjd-bemötande N --nöjd-insats N (1–5) "
                "eller --ingen-enkät om personen avböjde."
            )
        if not d.get("forsorjning"):
            raise _Brott("försörjning: ange försörjningskällorna vid avslut (--försörjning).")
    for period in state.aktiva():
        period.slut = e.datum
    state.avslutad = e.datum
    state.slutorsak = reason
    state.nojd_bemotande = d.get("nojd_bemotande")
    state.nojd_insats = d.get("nojd_insats")
    state.ingen_enkat = bool(d.get("ingen_enkat"))
    state.avslut_forsorjning = list(d.get("forsorjning", []))
    state.avslut_sysselsattning = list(d.get("sysselsattning") or [])


def _followup(state: Arendelage, e: Handelse) -> None:
    if state.uppfoljd is not None:
        raise _Brott(
            f"Ärendet är redan uppföljt ({state.uppfoljd.isoformat()}); "
            "ettårsuppföljningen görs en gång."
        )
    earliest = state.uppfoljning_tidigast()
    if earliest is None:
        raise _Brott(
            f"Ärendet har ingen insats före {e.datum.isoformat()}; ettårsuppföljningen "
            "räknas från första insatsens start."
        )
    if e.datum < earliest:
        raise _Brott(
            f"Ettårsuppföljningen får göras tidigast {earliest.isoformat()} "
            f"({codes.FOLLOW_UP_FROM_MONTHS} månader efter första insatsen {state.forsta_insats})."
        )
    state.uppfoljd = e.datum
    state.sysselsattning = e.data["sysselsattning"]
    state.uppfoljning_forsorjning = list(e.data.get("forsorjning", []))


_HANDLERS = {
    "consent": _consent,
    "consent-withdrawn": _withdraw,
    "map-start": _map_start,
    "map-done": _map_done,
    "tripartite": _tripartite,
    "assign": _assign,
    "assign-end": _assign_end,
    "responsible": _responsible,
    "close": _close,
    "followup": _followup,
    "narvaro": _narvaro,
}

# Every case kind of the table has its rule here (the intake and voids are handled by the
# replay itself): a new kind without one fails on import, not on first use.
assert set(_HANDLERS) | {"intake", "void"} == event_kinds.CASE_KINDS, "a case kind has no rule"


#: The case events a handläggare may register next, in lifecycle order (the `h` list of
#: `envagin tui`), each with a representative value for the probe in `allowed_next`.
_PROBES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("consent", {"omfattning": ["samverkan", "statistik"]}),
    ("consent-withdrawn", {}),
    ("responsible", {"ansvarig": ""}),
    ("map-start", {"handlaggare": []}),
    ("map-done", {}),
    ("tripartite", {"avslutande": False}),
    ("assign", {"insats": "", "utforare": "", "byt": False}),
    ("assign-end", {}),
    ("close", {"slutorsak": codes.FELREGISTRERING}),
    ("followup", {"sysselsattning": "", "forsorjning": []}),
)


def allowed_next(events: list[Handelse], idag: date) -> list[str]:
    """The case events that the state machine accepts on `idag` after `events` (the
    effective ones): each kind is replayed once with a representative value (the current
    consent to withdraw, a running insats to end, a new insats to start)."""
    try:
        now = replay(events)
    except Regelfel:
        return []
    found = []
    for typ, data in _PROBES:
        probe = dict(data)
        if typ == "consent-withdrawn":
            if not now.samtycken:
                continue
            probe["omfattning"] = sorted(now.samtycken)
        if typ == "assign-end":
            if not now.aktiva():
                continue
            probe["insats"] = now.aktiva()[0].insats
        try:
            replay(events, Handelse(None, typ, idag, probe))
        except Regelfel:
            continue
        found.append(typ)
    return found
