"""The state machine (`rules/lifecycle.py`) and the code lists (`rules/codes.py`), rule by
rule and boundary by boundary, without a register: fast enough to run for every mutant of
`bench/mutation.py` (docs/utveckling.md), and each list pinned so that dropping a member
fails a test."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from envagin_cli.rules import codes, lifecycle
from envagin_cli.rules.errors import Regelfel, Valideringsfel
from envagin_cli.rules.lifecycle import Handelse

D = date.fromisoformat


class Case:
    """Events numbered in registration order."""

    def __init__(self, intake: str = "2014-03-01") -> None:
        self.events: list[Handelse] = []
        self.add("intake", intake, remittent="af", forsorjning=["a-kassa"], ansvarig="as")

    def add(self, typ: str, day: str, **data: Any) -> Case:
        self.events.append(Handelse(len(self.events) + 1, typ, D(day), data))
        return self

    def consent(self, day: str, *scopes: str) -> Case:
        return self.add("consent", day, omfattning=list(scopes or ("samverkan", "statistik")))

    def withdraw(self, day: str, *scopes: str) -> Case:
        return self.add("consent-withdrawn", day, omfattning=list(scopes))

    def assign(self, day: str, insats: str = "syv", **more: Any) -> Case:
        return self.add("assign", day, insats=insats, utforare="syv", **more)

    def close(self, day: str, reason: str = "arbete", **more: Any) -> Case:
        data: dict[str, Any] = {"slutorsak": reason, "forsorjning": ["lon"], "ingen_enkat": True}
        data.update(more)
        return self.add("close", day, **{k: v for k, v in data.items() if v is not None})

    def state(self) -> lifecycle.Arendelage:
        return lifecycle.replay(self.events)

    def refused(self, typ: str, day: str, **data: Any) -> str:
        with pytest.raises(Regelfel) as info:
            lifecycle.replay(self.events, Handelse(None, typ, D(day), data))
        return str(info.value)


def enrolled(day: str = "2014-03-02") -> Case:
    return Case().consent(day)


# --- order -------------------------------------------------------------------------------


def test_same_day_order_is_the_lifecycle_then_registration() -> None:
    ranks = {k: lifecycle._RANK[k] for k in ("intake", "consent", "responsible", "map-start")}
    assert list(ranks.values()) == sorted(ranks.values())
    assert lifecycle._RANK["consent-withdrawn"] < lifecycle._RANK["close"]
    assert lifecycle._RANK["close"] < lifecycle._RANK["followup"]
    new = Handelse(None, "assign", D("2014-03-05"), {})
    old = Handelse(7, "assign", D("2014-03-05"), {})
    assert old.sort_key() < new.sort_key()
    assert new.namn() == "insats 2014-03-05 (den nya händelsen)"
    assert old.namn() == "insats 2014-03-05 (händelse 7)"


def test_a_consent_given_again_the_day_of_its_withdrawal_goes_after_it() -> None:
    case = enrolled().withdraw("2014-05-01", "samverkan").consent("2014-05-01", "samverkan")
    state = case.state()
    assert "samverkan" in state.samtycken and state.samverkan_aterkallad is None
    case.add("map-start", "2014-05-01", handlaggare=["as"])
    assert case.state().kartlaggning_start == D("2014-05-01")
    # As a new event too.
    case2 = enrolled().withdraw("2014-05-01", "samverkan")
    state2 = lifecycle.replay(
        case2.events, Handelse(None, "consent", D("2014-05-01"), {"omfattning": ["samverkan"]})
    )
    assert "samverkan" in state2.samtycken


def test_a_consent_registered_before_the_withdrawal_of_its_day_stays_before_it() -> None:
    case = Case().consent("2014-05-01", "samverkan").withdraw("2014-05-01", "samverkan")
    assert "samverkan" not in case.state().samtycken
    assert case.state().samverkan_aterkallad == D("2014-05-01")
    # The withdrawal as the new event, after a consent of its day.
    given = Case().consent("2014-05-01", "samverkan")
    state = lifecycle.replay(
        given.events,
        Handelse(None, "consent-withdrawn", D("2014-05-01"), {"omfattning": ["samverkan"]}),
    )
    assert state.samverkan_aterkallad == D("2014-05-01") and not state.samtycken


def test_a_same_day_consent_of_another_scope_keeps_the_lifecycle_order() -> None:
    case = enrolled().withdraw("2014-05-01", "samverkan").consent("2014-05-01", "statistik")
    ordered = lifecycle.ordered(case.events)
    assert [e.typ for e in ordered][-2:] == ["consent", "consent-withdrawn"]
    # A withdrawal of another day does not move a consent.
    other = enrolled().withdraw("2014-04-30", "samverkan").consent("2014-05-01", "samverkan")
    assert [e.id for e in lifecycle.ordered(other.events)] == [1, 2, 3, 4]
    assert "samverkan" in other.state().samtycken


def test_in_force_reads_the_scopes_at_the_end_of_a_day() -> None:
    case = Case().consent("2014-03-02", "samverkan").consent("2014-03-05", "statistik")
    assert lifecycle.in_force(case.events, D("2014-03-01")) == []
    assert lifecycle.in_force(case.events, D("2014-03-02")) == ["samverkan"]
    assert lifecycle.in_force(case.events, D("2014-03-05")) == ["samverkan", "statistik"]
    case.withdraw("2014-03-06", "samverkan")
    assert lifecycle.in_force(case.events, D("2014-03-06")) == ["statistik"]


# --- intake, once-only kinds ---------------------------------------------------------------


def test_once_only_kinds_name_the_earlier_event() -> None:
    case = enrolled().add("map-start", "2014-03-03", handlaggare=["as"])
    message = case.refused("map-start", "2014-03-04", handlaggare=["as"])
    assert message == (
        "Ärendet har redan påbörjad kartläggning 2014-03-03 (händelse 3); ett ärende har en "
        "kartläggning. Makulera den först om den var fel."
    )
    assert "redan intag 2014-03-01 (händelse 1)" in Case().refused(
        "intake", "2014-03-02", remittent="af"
    )


def test_events_before_the_intake_and_a_second_intake() -> None:
    case = Case("2014-03-10")
    message = case.refused("consent", "2014-03-09", omfattning=["samverkan"])
    assert message == "Samtycke 2014-03-09 ligger före ärendets intag (2014-03-10)."
    case.consent("2014-03-10")  # the intake's own day
    with pytest.raises(Regelfel, match=r"^Ärendet har redan ett intag\.$"):
        lifecycle.replay(
            [*case.events, Handelse(9, "intake", D("2014-03-11"), {"remittent": "af"})]
        )
    state = lifecycle.replay(case.events[:1])
    assert (state.intag, state.remittent, state.ansvarig) == (D("2014-03-10"), "af", "as")
    assert state.intag_forsorjning == ["a-kassa"]


def test_add_last_applies_the_same_rules_in_place() -> None:
    case = enrolled()
    state = case.state()
    lifecycle.add_last(case.events, state, Handelse(None, "assign", D("2014-03-05"), {
        "insats": "syv", "utforare": "syv"
    }))  # fmt: skip
    assert state.forsta_insats == D("2014-03-05")
    with pytest.raises(Regelfel, match="före ärendets intag"):
        lifecycle.add_last([], lifecycle.Arendelage(), Handelse(None, "consent", D("2014-03-05"), {
            "omfattning": ["samverkan"]
        }))  # fmt: skip
    with pytest.raises(Regelfel, match="före ärendets intag \\(2014-03-01\\)"):
        lifecycle.add_last(
            case.events,
            lifecycle.Arendelage(),
            Handelse(None, "consent", D("2014-02-05"), {"omfattning": ["samverkan"]}),
        )
    with pytest.raises(Regelfel, match="redan intag"):
        lifecycle.add_last(case.events, state, Handelse(None, "intake", D("2014-03-05"), {}))


# --- consent -------------------------------------------------------------------------------


def test_consent_sets_enrolment_once_and_statistik() -> None:
    case = Case().consent("2014-03-02", "statistik")
    state = case.state()
    assert (state.inskriven, state.statistik) == (None, True)
    case.consent("2014-03-04", "samverkan").consent("2014-03-09", "samverkan")
    state = case.state()
    assert state.inskriven == D("2014-03-04")
    only_samverkan = Case().consent("2014-03-02", "samverkan").state()
    assert only_samverkan.statistik is False and only_samverkan.inskriven == D("2014-03-02")


def test_joint_work_needs_samverkan_and_says_which_rule() -> None:
    case = Case().consent("2014-03-02", "statistik")
    for typ, data in (
        ("map-start", {"handlaggare": ["as"]}),
        ("tripartite", {}),
        ("assign", {"insats": "syv", "utforare": "syv"}),
    ):
        message = case.refused(typ, "2014-03-05", **data)
        assert message.startswith("Ärendet saknar samtycke till samverkan den 2014-03-05;")
    case.consent("2014-03-03", "samverkan").withdraw("2014-03-04", "samverkan")
    message = case.refused("tripartite", "2014-03-05")
    assert message.startswith("Samtycket till samverkan återkallades 2014-03-04; trepartssamtal")
    # A mapping started before the withdrawal cannot be completed after it either.
    mapped = enrolled().add("map-start", "2014-03-03", handlaggare=["as"])
    mapped.withdraw("2014-03-04", "samverkan")
    assert mapped.refused("map-done", "2014-03-05").startswith(
        "Samtycket till samverkan återkallades 2014-03-04; klar kartläggning 2014-03-05"
    )
    # Responsible and ending an insats are not joint work.
    case.add("responsible", "2014-03-06", ansvarig="mk")
    assert case.state().ansvarig == "mk"


def test_withdrawal_of_a_scope_not_in_force_is_refused_and_dates_are_kept() -> None:
    case = Case().consent("2014-03-02", "samverkan")
    assert case.refused("consent-withdrawn", "2014-03-05", omfattning=["statistik"]) == (
        "Det finns inget gällande samtycke (statistik) att återkalla den 2014-03-05."
    )
    case.withdraw("2014-03-05", "samverkan")
    state = case.state()
    assert state.samverkan_aterkallad == D("2014-03-05") and state.statistik_aterkallad is None
    both = enrolled().withdraw("2014-03-06", "statistik").state()
    assert both.statistik_aterkallad == D("2014-03-06") and both.samverkan_aterkallad is None
    again = enrolled().withdraw("2014-03-06", "statistik").consent("2014-03-07", "statistik")
    assert again.state().statistik_aterkallad is None


# --- mapping, meetings ---------------------------------------------------------------------


def test_mapping_start_done_and_their_refusals() -> None:
    case = enrolled()
    assert case.refused("map-done", "2014-03-05") == (
        "Ingen kartläggning är påbörjad den 2014-03-05; registrera först: "
        "envagin map ÄRENDE --start --handläggare ID."
    )
    case.add("map-start", "2014-03-03", handlaggare=["as"]).add("map-done", "2014-03-17")
    state = case.state()
    assert (state.kartlaggning_start, state.kartlaggning_klar) == (D("2014-03-03"), D("2014-03-17"))
    with pytest.raises(lifecycle._Brott, match="Kartläggningen påbörjades redan 2014-03-03"):
        lifecycle._map_start(state, Handelse(None, "map-start", D("2014-03-20"), {}))
    with pytest.raises(lifecycle._Brott, match=r"Kartläggningen är redan klar \(2014-03-17\)"):
        lifecycle._map_done(state, Handelse(None, "map-done", D("2014-03-20"), {}))


def test_the_first_tripartite_meeting_counts_not_a_closing_one() -> None:
    case = enrolled().add("tripartite", "2014-03-05", avslutande=True)
    assert case.state().trepart is None
    case.add("tripartite", "2014-03-06").add("tripartite", "2014-03-09")
    assert case.state().trepart == D("2014-03-06")


# --- insatser ---------------------------------------------------------------------------


def test_two_insatser_on_one_day_and_the_same_one_twice() -> None:
    case = enrolled().assign("2014-03-05", "syv").assign("2014-03-05", "vux")
    state = case.state()
    assert [(p.lopnr, p.insats) for p in state.insatser] == [(1, "syv"), (2, "vux")]
    assert case.refused("assign", "2014-03-06", insats="syv", utforare="syv") == (
        "Personen är redan i insatsen syv sedan 2014-03-05; avsluta den först (--avsluta) "
        "eller använd --byt."
    )
    state = case.assign("2014-03-07", "art", byt=True).state()
    assert [(p.insats, p.slut) for p in state.insatser] == [
        ("syv", D("2014-03-07")),
        ("vux", D("2014-03-07")),
        ("art", None),
    ]
    assert [p.insats for p in state.aktiva()] == ["art"]
    assert state.forsta_insats == D("2014-03-05")


def test_ending_an_insats() -> None:
    case = enrolled()
    assert case.refused("assign-end", "2014-03-05", insats="syv") == (
        "Ingen pågående insats syv den 2014-03-05 att avsluta (pågående: inga)."
    )
    case.assign("2014-03-05", "vux").assign("2014-03-05", "art")
    assert "(pågående: vux, art)" in case.refused("assign-end", "2014-03-06", insats="syv")
    case.add("assign-end", "2014-03-06", insats="art")
    state = case.state()
    assert [(p.insats, p.slut) for p in state.insatser] == [
        ("vux", None),
        ("art", D("2014-03-06")),
    ]
    # After a withdrawal an insats may still be ended.
    case.withdraw("2014-03-07", "samverkan").add("assign-end", "2014-03-08", insats="vux")
    assert case.state().aktiva() == []


# --- close -----------------------------------------------------------------------------------


def test_close_before_enrolment_allows_only_its_reasons() -> None:
    for reason in sorted(codes.SLUTORSAKER_EJ_INSKRIVEN):
        state = Case().add("close", "2014-03-05", slutorsak=reason).state()
        assert state.slutorsak == reason and state.avslutad == D("2014-03-05")
    message = Case().refused("close", "2014-03-05", slutorsak="arbete")
    assert message == (
        "slutorsak: ärendet skrevs aldrig in (inget samtycke till samverkan före 2014-03-05); "
        "tillåtna slutorsaker är då: annat, avbojt, ej-malgrupp, felregistrering, flyttat, okand."
    )


def test_reasons_only_before_enrolment_are_refused_after_it() -> None:
    for reason in sorted(codes.SLUTORSAKER_FORE_INSKRIVNING):
        message = enrolled().refused("close", "2014-03-05", slutorsak=reason, ingen_enkat=True)
        assert message == (
            f"slutorsak: '{reason}' gäller bara ärenden som avslutas före inskrivning; "
            "ärendet skrevs in 2014-03-02."
        )
    for reason in sorted(codes.SLUTORSAKER_EJ_INSKRIVEN - codes.SLUTORSAKER_FORE_INSKRIVNING):
        enrolled().close("2014-03-05", reason)


def test_an_enrolled_close_needs_the_survey_and_income_sources() -> None:
    case = enrolled()
    survey = case.refused("close", "2014-03-05", slutorsak="arbete", forsorjning=["lon"])
    assert survey == (
        "Avslutsmötets enkät saknas: ange --nöjd-bemötande N --nöjd-insats N (1–5) "
        "eller --ingen-enkät om personen avböjde."
    )
    income = case.refused("close", "2014-03-05", slutorsak="arbete", ingen_enkat=True)
    assert income == "försörjning: ange försörjningskällorna vid avslut (--försörjning)."
    # One answer is enough; felregistrering needs neither.
    for answer in ({"nojd_bemotande": 4}, {"nojd_insats": 5}):
        state = enrolled().close("2014-03-05", ingen_enkat=None, **answer).state()
        assert state.ingen_enkat is False
    assert enrolled().add("close", "2014-03-05", slutorsak="felregistrering").state().avslutad
    state = enrolled().close("2014-03-05", nojd_bemotande=4, nojd_insats=3, ingen_enkat=None)
    done = state.state()
    assert (done.nojd_bemotande, done.nojd_insats, done.avslut_forsorjning) == (4, 3, ["lon"])
    declined = enrolled().close("2014-03-05").state()
    assert declined.ingen_enkat is True and declined.nojd_bemotande is None


def test_close_ends_insatser_and_nothing_but_a_follow_up_comes_after() -> None:
    case = enrolled().assign("2014-03-05").close("2014-06-01")
    assert [p.slut for p in case.state().insatser] == [D("2014-06-01")]
    assert case.refused("assign", "2014-06-02", insats="vux", utforare="vux") == (
        "Ärendet avslutades 2014-06-01; insats 2014-06-02 kan inte ligga efter avslutet."
    )
    # The same day: the close comes last.
    case2 = enrolled().assign("2014-03-05").close("2014-06-01")
    case2.add("assign-end", "2014-06-01", insats="syv")
    assert case2.state().avslutad == D("2014-06-01")


def test_an_event_that_breaks_a_later_one_names_it() -> None:
    case = enrolled().assign("2014-03-10")
    message = case.refused("consent-withdrawn", "2014-03-05", omfattning=["samverkan"])
    assert message.endswith(
        "Det gäller insats 2014-03-10 (händelse 3), som inte längre går ihop med återkallat "
        "samtycke 2014-03-05 (den nya händelsen). Makulera eller rätta den händelsen först."
    )


# --- follow-up ---------------------------------------------------------------------------


def test_follow_up_needs_an_insats_and_eleven_months() -> None:
    case = enrolled()
    assert case.refused("followup", "2015-03-05", sysselsattning="arbete") == (
        "Ärendet har ingen insats före 2015-03-05; ettårsuppföljningen räknas från första "
        "insatsens start."
    )
    assert case.state().uppfoljning_tidigast() is None
    case.assign("2014-03-31")
    assert case.state().uppfoljning_tidigast() == D("2015-02-28")
    assert case.refused("followup", "2015-02-27", sysselsattning="arbete") == (
        "Ettårsuppföljningen får göras tidigast 2015-02-28 (11 månader efter första "
        "insatsen 2014-03-31)."
    )
    case.add("followup", "2015-02-28", sysselsattning="arbete", forsorjning=["lon"])
    state = case.state()
    assert (state.uppfoljd, state.sysselsattning, state.uppfoljning_forsorjning) == (
        D("2015-02-28"),
        "arbete",
        ["lon"],
    )
    with pytest.raises(lifecycle._Brott, match=r"Ärendet är redan uppföljt \(2015-02-28\)"):
        lifecycle._followup(state, Handelse(None, "followup", D("2015-03-01"), {}))


def test_follow_up_after_the_close() -> None:
    case = enrolled().assign("2014-03-05").close("2014-06-01")
    case.add("followup", "2015-02-05", sysselsattning="studier")
    assert case.state().uppfoljd == D("2015-02-05")


# --- the code lists, pinned ----------------------------------------------------------------


def test_the_code_lists_are_the_domains() -> None:
    assert {"projektledare", "teamledare"} == codes.LEDNINGSROLLER
    assert {"ej-malgrupp", "avbojt"} == codes.SLUTORSAKER_FORE_INSKRIVNING
    assert {
        "ej-malgrupp",
        "avbojt",
        "felregistrering",
        "flyttat",
        "annat",
        "okand",
    } == codes.SLUTORSAKER_EJ_INSKRIVEN
    assert {"arbete", "studier"} == codes.ARBETE_STUDIER
    assert {
        "arbetsrehabilitering",
        "praktik",
        "af-insats",
        "vard",
        "sjukersattning",
        "sol",
        "lss",
    } == codes.RATT_STOD
    assert {"lon", "studiemedel", "annan", "ingen"} == codes.EJ_OFFENTLIG
    assert {
        "forsorjningsstod",
        "aktivitetsstod",
        "a-kassa",
        "etablering",
        "sjukpenning",
        "sjukersattning",
        "aktivitetsersattning",
    } == codes.OFFENTLIG
    assert codes.MAPPING_DAYS == 14
    assert codes.FOLLOW_UP_FROM_MONTHS == 11
    assert codes.FOLLOW_UP_UNTIL_MONTHS == 18
    assert codes.INSTALLNINGAR_STANDARD == {"inloggning": "strikt"}
    # Every sub-list names codes of its list.
    assert set(codes.SLUTORSAKER) >= codes.SLUTORSAKER_EJ_INSKRIVEN
    assert codes.SLUTORSAKER_FORE_INSKRIVNING <= codes.SLUTORSAKER_EJ_INSKRIVEN
    assert set(codes.SLUTORSAKER) >= codes.RATT_STOD
    assert set(codes.ROLLER) >= codes.LEDNINGSROLLER


def test_counted_cases() -> None:
    assert codes.counted(0, None) and codes.counted(False, "arbete")
    assert not codes.counted(1, "arbete") and not codes.counted(0, "felregistrering")
    assert codes.counted_sql("a") == (
        "a.makulerad = 0 AND (a.slutorsak IS NULL OR a.slutorsak <> 'felregistrering')"
    )
    assert codes.counted_sql() == (
        "makulerad = 0 AND (slutorsak IS NULL OR slutorsak <> 'felregistrering')"
    )


def test_goal_labels() -> None:
    key = codes.MALNYCKLAR["inflode"]
    assert key.label(150.0) == "Inflöde: nya deltagare (150 per år)"
    assert key.label(12.5) == "Inflöde: nya deltagare (12,5 per år)"
    assert key.label(None) == "Inflöde: nya deltagare"
    assert codes.MALNYCKLAR["nojda"].label(None) == "Nöjda med bemötande och vägledning/insats"


def test_fold_and_codes_as_typed() -> None:
    assert codes.fold("  Ej_Målgrupp ") == "ej-malgrupp"
    assert codes.fold("a - - b") == "a-b"
    assert codes.parse_code("Vård/behandling", codes.SLUTORSAKER, "slutorsak") == "vard"
    assert codes.parse_code("ART", codes.INSATSER, "insats") == "art"
    assert codes.parse_code("EJ MÅLGRUPP", codes.SLUTORSAKER, "slutorsak") == "ej-malgrupp"
    with pytest.raises(Valideringsfel) as near:
        codes.parse_code("arbetee", codes.SLUTORSAKER, "slutorsak")
    assert str(near.value).startswith("slutorsak: okänd kod 'arbetee'; menade du 'arbete'?")
    with pytest.raises(Valideringsfel) as far:
        codes.parse_code("x" * 50, codes.KON, "kön")
    assert str(far.value) == f"kön: okänd kod '{'x' * 40}…'. Tillåtna: kvinna, man."
    assert codes.parse_codes(["lon,lon", " ", "studiemedel"], codes.FORSORJNING, "f") == [
        "lon",
        "studiemedel",
    ]
    with pytest.raises(Valideringsfel, match=r"^f: ange minst en kod\. Tillåtna: kvinna, man\.$"):
        codes.parse_codes([","], codes.KON, "f", required=True)
    assert codes.parse_codes([], codes.KON, "f") == []


def test_income_sources_in_the_lists_order_and_ingen_alone() -> None:
    assert codes.parse_forsorjning(["ingen"], required=True) == ["ingen"]
    assert codes.parse_forsorjning(["sjukpenning,lon"], required=True) == ["lon", "sjukpenning"]
    with pytest.raises(Valideringsfel, match="kan inte kombineras"):
        codes.parse_forsorjning(["ingen,lon"], required=True)
    with pytest.raises(Valideringsfel, match="ange minst en kod"):
        codes.parse_forsorjning([], required=True)
    assert codes.parse_forsorjning([], required=False) == []


def test_labels_and_hints() -> None:
    assert codes.label(codes.SLUTORSAKER, None) == ""
    assert codes.label(codes.SLUTORSAKER, "vard") == "Vård/behandling"
    assert codes.label(codes.INSATSER, "art") == "ART"
    assert codes.label(codes.KON, "okänd") == "okänd"
    assert codes.hint("arbte", ["arbete", "studier"]) == "; menade du 'arbete'?"
    assert codes.hint("zzzz", ["arbete"]) == ""
    assert codes.close_to("Studie", ["studier", "Studier"]) == ["studier"]


def test_codes_by_label_and_the_shown_value_at_its_length_limit() -> None:
    # A label unlike its code, in a list of (label, party) pairs.
    assert codes.parse_code("supported employment", codes.INSATSER, "insats") == "se"
    # A near miss on a label is answered with its code.
    with pytest.raises(Valideringsfel) as near:
        codes.parse_code("Vård/behandlin", codes.SLUTORSAKER, "slutorsak")
    assert str(near.value).startswith("slutorsak: okänd kod 'Vård/behandlin'; menade du 'vard'?")
    for length, shown in ((40, "y" * 40), (41, "y" * 40 + "…")):
        with pytest.raises(Valideringsfel) as info:
            codes.parse_code("y" * length, codes.KON, "kön")
        assert str(info.value) == f"kön: okänd kod '{shown}'. Tillåtna: kvinna, man."


def test_at_most_two_guesses_best_first() -> None:
    assert len(codes.close_to("arbet", ["arbete", "arbeta", "arbets"])) == 2  # of three
    assert codes.close_to("arbet", ["arbete", "zzzzzz", "arbeta"]) == ["arbete", "arbeta"]
    assert codes.hint("arbet", ["arbete", "arbeta"]) == "; menade du 'arbete' eller 'arbeta'?"
