"""Code lists of DOMAIN.md and the one function that reads a code typed by a user.

Codes are ASCII; a user may type the Swedish spelling (å/ä/ö), any case, `_` or a space
for `-`, or the Swedish label itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from envagin_cli.rules.errors import Valideringsfel

PARTER: dict[str, str] = {
    "fs": "Försörjningsstöd (IFO)",
    "ac": "Arbetscentrum",
    "af": "Arbetsförmedlingen",
    "fk": "Försäkringskassan",
    "sf": "Samordningsförbundet",
}

AKTORER: dict[str, str] = {
    "vux": "Vuxenutbildningen",
    "syv": "Studie- och yrkesvägledning",
    "bus": "Budget- och skuldrådgivning",
    "po": "Personligt ombud",
    "vc": "Vårdcentral",
    "psyk": "Öppen psykiatri",
    "sof": "Sociala företag",
}

#: Who may carry out an insats: the parties and the other actors.
UTFORARE: dict[str, str] = {**PARTER, **AKTORER}

ROLLER: dict[str, str] = {
    "socialsekreterare": "Socialsekreterare",
    "arbetsmarknadssekreterare": "Arbetsmarknadssekreterare",
    "arbetsformedlare": "Arbetsförmedlare",
    "forsakringshandlaggare": "Försäkringshandläggare",
    "projektledare": "Projektledare",
    "teamledare": "Teamledare",
    "ovrig": "Övrig",
}

#: Roles that may change goals, run gallring or export personnummer.
LEDNINGSROLLER = frozenset({"projektledare", "teamledare"})

REMITTENTER: dict[str, str] = {
    "egen": "Egenanmälan",
    "fs": "Försörjningsstöd (IFO)",
    "ac": "Arbetscentrum",
    "af": "Arbetsförmedlingen",
    "fk": "Försäkringskassan",
    "vc": "Vårdcentral",
    "psyk": "Öppen psykiatri",
    "po": "Personligt ombud",
    "vux": "Vuxenutbildningen",
    "syv": "Studie- och yrkesvägledning",
    "bus": "Budget- och skuldrådgivning",
    "sf": "Samordningsförbundet",
    "annan": "Annan",
}

SLUTORSAKER: dict[str, str] = {
    "arbete": "Arbete",
    "studier": "Studier",
    "arbetsrehabilitering": "Arbetslivsinriktad rehabilitering",
    "praktik": "Praktik",
    "af-insats": "Fortsatt insats hos Arbetsförmedlingen",
    "vard": "Vård/behandling",
    "sjukersattning": "Sjuk- eller aktivitetsersättning",
    "sol": "Sysselsättning enligt SoL",
    "lss": "Daglig verksamhet enligt LSS",
    "flyttat": "Flyttat från kommunen",
    "avbrutet": "Avbrutet/samtycke återkallat",
    "annat": "Annat",
    "okand": "Okänd",
    "ej-malgrupp": "Ej målgrupp",
    "avbojt": "Avböjt",
    "felregistrering": "Felregistrering",
}

#: Closing reasons that only a case closed before enrolment may have.
SLUTORSAKER_FORE_INSKRIVNING = frozenset({"ej-malgrupp", "avbojt"})
#: Closing reasons a case that was never enrolled may have.
SLUTORSAKER_EJ_INSKRIVEN = frozenset(
    {"ej-malgrupp", "avbojt", "felregistrering", "flyttat", "annat", "okand"}
)
ARBETE_STUDIER = frozenset({"arbete", "studier"})
RATT_STOD = frozenset(
    {"arbetsrehabilitering", "praktik", "af-insats", "vard", "sjukersattning", "sol", "lss"}
)

FORSORJNING: dict[str, str] = {
    "lon": "Lön/eget företag",
    "studiemedel": "Studiemedel",
    "forsorjningsstod": "Försörjningsstöd",
    "aktivitetsstod": "Aktivitetsstöd/utvecklingsersättning",
    "a-kassa": "A-kassa",
    "etablering": "Etableringsersättning",
    "sjukpenning": "Sjukpenning/rehabiliteringspenning",
    "sjukersattning": "Sjukersättning",
    "aktivitetsersattning": "Aktivitetsersättning",
    "annan": "Annan",
    "ingen": "Ingen egen försörjning",
}
_FORSORJNING_ORDNING = {code: i for i, code in enumerate(FORSORJNING)}
EJ_OFFENTLIG = frozenset({"lon", "studiemedel", "annan", "ingen"})
OFFENTLIG = frozenset(FORSORJNING) - EJ_OFFENTLIG

SYSSELSATTNING: dict[str, str] = {
    "arbete": "Arbete",
    "studier": "Studier",
    "arbetssokande": "Aktivt arbetssökande",
    "ovrigt": "Övrigt",
}

#: Highest completed education at intake (the three ISCED bands of SUS).
UTBILDNING: dict[str, str] = {
    "forgymnasial": "Förgymnasial (ISCED 0–2)",
    "gymnasial": "Gymnasial (ISCED 3–4)",
    "eftergymnasial": "Eftergymnasial (ISCED 5–8)",
    "okand": "Okänd",
}

#: Time in public support (offentlig försörjning) before intake.
TID_OFFENTLIG: dict[str, str] = {
    "under-1-ar": "Under 1 år",
    "1-2-ar": "1–2 år",
    "2-5-ar": "2–5 år",
    "over-5-ar": "Över 5 år",
    "okand": "Okänd",
}

#: Age groups at enrolment (enrolment year minus year of birth): (key, label, lowest age).
#: Someone younger than 16 is counted in the first group.
ALDERSGRUPPER: tuple[tuple[str, str, int], ...] = (
    ("16-24", "16–24 år", 0),
    ("25-29", "25–29 år", 25),
    ("30-49", "30–49 år", 30),
    ("50-64", "50–64 år", 50),
    ("65-", "65 år och äldre", 65),
)


def aldersgrupp(alder: int) -> str:
    """The age group of an age at enrolment (its key in `ALDERSGRUPPER`)."""
    found = ALDERSGRUPPER[0][0]
    for key, _label, lowest in ALDERSGRUPPER:
        if alder >= lowest:
            found = key
    return found


#: Närvaro: the kinds of absence from an insats on a day.
FRANVARO: dict[str, str] = {
    "giltig": "Giltig frånvaro",
    "ogiltig": "Ogiltig frånvaro",
    "sjuk": "Sjuk",
}

KON: dict[str, str] = {"kvinna": "Kvinna", "man": "Man"}

SAMTYCKEN: dict[str, str] = {
    "samverkan": "Samverkan mellan parterna",
    "statistik": "Statistik för uppföljning",
}

#: Default insats catalogue: code -> (label, party).
INSATSER: dict[str, tuple[str, str]] = {
    "fordjupad-kartlaggning": ("Fördjupad kartläggning och vägledning", "ac"),
    "arbetstraning": ("Arbetsträning hos Arbetscentrum", "ac"),
    "arbetstraning-sof": ("Arbetsträning i socialt företag", "sof"),
    "mobilisering": ("Mobiliseringskurs", "ac"),
    "repulse": ("Repulse", "fs"),
    "art": ("ART", "fs"),
    "af-program": ("Arbetsförmedlingens program", "af"),
    "se": ("Supported Employment", "ac"),
    "sius": ("SIUS", "af"),
    "samordnad-rehab": ("Samordnad rehabilitering", "fk"),
    "syv": ("Studie- och yrkesvägledning", "syv"),
    "budget-skuld": ("Budget- och skuldrådgivning", "bus"),
    "vux": ("Vuxenutbildning", "vux"),
    "resursradet": ("Resursrådet", "sf"),
    "praktik": ("Praktik", "ac"),
    "matchning": ("Coachning och matchning", "ac"),
}

#: The one rule for which cases count in figures: not voided, not a felregistrering.
#: (SQL over `arende`; the report's queries and the partial indexes use the same terms.)
FELREGISTRERING = "felregistrering"


def counted_sql(alias: str = "") -> str:
    """The SQL terms of a case that counts in figures (`alias.` before each column)."""
    a = f"{alias}." if alias else ""
    return f"{a}makulerad = 0 AND ({a}slutorsak IS NULL OR {a}slutorsak <> '{FELREGISTRERING}')"


def counted(makulerad: object, slutorsak: str | None) -> bool:
    """The same rule for one case row."""
    return not makulerad and slutorsak != FELREGISTRERING


#: Time limits of the lifecycle (DOMAIN.md): the mapping is late after 14 days; the
#: follow-up may be made from 11 months after the first insats, and counts as work to do
#: until 18 months (then as missed).
MAPPING_DAYS = 14
FOLLOW_UP_FROM_MONTHS = 11
FOLLOW_UP_UNTIL_MONTHS = 18


@dataclass(frozen=True)
class Malnyckel:
    """An individual-level goal: its key, name, unit, the plan's target and its report label.

    `rubrik` may name the target as `{mal}`: the report shows the stored target there.
    """

    namn: str
    enhet: str
    standard: float | None
    rubrik: str
    rubrik_utan_mal: str = ""

    def label(self, target: float | None) -> str:
        if target is None:
            return self.rubrik_utan_mal or self.rubrik
        return self.rubrik.format(mal=f"{target:g}".replace(".", ","))


MALNYCKLAR: dict[str, Malnyckel] = {
    "inflode": Malnyckel(
        "Nya deltagare per år",
        "antal per år",
        200.0,
        "Inflöde: nya deltagare ({mal} per år)",
        "Inflöde: nya deltagare",
    ),
    "ettar": Malnyckel(
        "I arbete, studier eller egen försörjning vid ettårsuppföljningen",
        "procent",
        40.0,
        "I arbete, studier eller egen försörjning ett år efter påbörjad insats",
    ),
    "nojda": Malnyckel(
        "Nöjda med bemötande och vägledning/insats",
        "procent",
        90.0,
        "Nöjda med bemötande och vägledning/insats",
    ),
    "ratt-stod": Malnyckel(
        "Rätt stöd för dem som inte gick till arbete/studier",
        "procent",
        None,
        "Rätt stöd för dem som inte gick till arbete/studier",
    ),
    "offentlig": Malnyckel(
        "Minskad offentlig försörjning, intag → avslut",
        "procentenheter",
        None,
        "Minskad offentlig försörjning, intag → avslut (procentenheter)",
    ),
}


_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "_": "-", " ": "-"})


def fold(text: str) -> str:
    """Lower-case, strip, å/ä/ö as a/a/o, `_` and spaces as `-`."""
    return "-".join(part for part in text.strip().lower().translate(_FOLD).split("-") if part)


def close_to(value: str, candidates: Iterable[str]) -> list[str]:
    """The candidates a typo most likely meant (difflib), best first; compared folded."""
    import difflib

    by_fold: dict[str, str] = {}
    for c in candidates:
        by_fold.setdefault(fold(c), c)
    return [by_fold[m] for m in difflib.get_close_matches(fold(value), by_fold, n=2, cutoff=0.6)]


def hint(value: str, candidates: Iterable[str]) -> str:
    """ "; menade du 'arbete'?" for a likely typo, else ""."""
    close = close_to(value, candidates)
    if not close:
        return ""
    return "; menade du " + " eller ".join(f"'{c}'" for c in close) + "?"


def _allowed(codes: Iterable[str]) -> str:
    return ", ".join(codes)


def parse_code(value: str, codes: Mapping[str, object], field: str) -> str:
    """Return the code that `value` names, or raise naming the field and the allowed codes."""
    if value in codes:  # the common case in files and scripts: the code itself
        return value
    key = fold(value)
    if key in codes:
        return key
    for code, label in codes.items():
        text = label[0] if isinstance(label, tuple) else label
        if isinstance(text, str) and fold(text) == key:
            return code
    shown = value if len(value) <= 40 else value[:40] + "…"
    labels = {
        (v[0] if isinstance(v, tuple) else v): k for k, v in codes.items() if isinstance(v, str)
    }
    near = close_to(value, [*codes, *labels])
    meant = list(dict.fromkeys(labels.get(c, c) for c in near))
    guess = ("; menade du " + " eller ".join(f"'{c}'" for c in meant) + "?") if meant else ""
    raise Valideringsfel(
        f"{field}: okänd kod '{shown}'{guess} Tillåtna: {_allowed(codes)}."
        if guess
        else f"{field}: okänd kod '{shown}'. Tillåtna: {_allowed(codes)}."
    )


def parse_codes(
    values: Iterable[str], codes: Mapping[str, object], field: str, *, required: bool = False
) -> list[str]:
    """Codes given as one or more values, each possibly comma-separated; duplicates dropped."""
    result: list[str] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                code = parse_code(part, codes, field)
                if code not in result:
                    result.append(code)
    if required and not result:
        raise Valideringsfel(f"{field}: ange minst en kod. Tillåtna: {_allowed(codes)}.")
    return result


def parse_forsorjning(values: Iterable[str], *, required: bool) -> list[str]:
    """Income sources; `ingen` cannot be combined with another source."""
    result = parse_codes(values, FORSORJNING, "försörjning", required=required)
    if "ingen" in result and len(result) > 1:
        raise Valideringsfel(
            "försörjning: 'ingen' (ingen egen försörjning) kan inte kombineras med andra källor."
        )
    return sorted(result, key=_FORSORJNING_ORDNING.__getitem__)


def parse_sysselsattning(values: Iterable[str] | str) -> list[str]:
    """Sysselsättning at intake or closing: several codes (a list, or one comma-separated
    text), in the code list's order."""
    result = parse_codes(
        [values] if isinstance(values, str) else values, SYSSELSATTNING, "sysselsättning"
    )
    order = list(SYSSELSATTNING)
    return sorted(result, key=order.index)


def label(codes: Mapping[str, object], code: str | None) -> str:
    """The Swedish label of a code ('' for None)."""
    if code is None:
        return ""
    value = codes.get(code, code)
    if isinstance(value, tuple):
        return str(value[0])
    return str(value)


#: Register settings and their values (`envagin inställning set NYCKEL VÄRDE`), with what
#: each value means; the first value is a new register's.
INSTALLNINGAR: dict[str, dict[str, str]] = {
    "inloggning": {
        "strikt": "var och en registrerar som sig själv, enligt sin inloggning",
        "fri": "delad terminal, --som anger vem som registrerar",
    },
}
INSTALLNINGAR_STANDARD: dict[str, str] = {k: next(iter(v)) for k, v in INSTALLNINGAR.items()}


def target_histories(
    rows: Iterable[tuple[str, float | None, str | None]],
) -> dict[str, list[tuple[str | None, float | None]]]:
    """Rows of (key, value, from day or None) in the order they were set -> each key's
    values in the order they apply: by day (None, the start, first), then as set."""
    found: dict[str, list[tuple[str | None, float | None]]] = {}
    for key, value, fran in rows:
        found.setdefault(key, []).append((fran, value))
    for history in found.values():
        history.sort(key=lambda row: row[0] or "")
    return found


def target_on(
    history: dict[str, list[tuple[str | None, float | None]]], key: str, day: str
) -> float | None:
    """The target in effect on `day` (ISO): the last value set from that day or before,
    else none."""
    value = None
    for fran, varde in history.get(key, []):
        if fran is None or fran <= day:
            value = varde
    return value
