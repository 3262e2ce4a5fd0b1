"""Narrative assist: exact spans, negation, type from evidence, minors and decoys, Spanish."""

from __future__ import annotations

import time

import pytest

from harborlight.intake import triage
from harborlight.intake.assist import codings_of, suggest
from harborlight.intake.triage import create_tip
from harborlight.vocab.indicators import build_catalog
from harborlight.vocab.narrative import Text, load_reading


def test_it_suggests_indicators_and_codings_with_exact_spans():
    narrative = "He took their passports and they work 16 hours a day with no days off."
    suggestions = suggest(narrative, build_catalog())
    keys = {s.key for s in suggestions}
    assert "indicator:control.documents-held" in keys
    assert "indicator:labour.excessive-hours" in keys
    assert "coding:vic_MethodsOfControl:WithholdsDocuments" in keys
    assert "coding:vic_MethodsOfControl:ExcessiveWorkingHours" in keys
    for suggestion in suggestions:
        assert narrative[suggestion.start:suggestion.end] == suggestion.text


def test_it_ignores_a_negated_cue():
    narrative = "There were no bruises. Nobody threatened anyone. She was not locked in."
    keys = {s.key for s in suggest(narrative, build_catalog())}
    assert "indicator:control.physical-abuse" not in keys
    assert "indicator:control.threats" not in keys
    assert "indicator:control.cannot-leave" not in keys


def test_it_flags_a_minor_from_an_age():
    codings = codings_of(suggest("A 14-year-old girl is selling sex for a pimp.",
                                 build_catalog()))
    assert codings["minor_involved"] == {"Yes"}
    assert "SexualExploitation" in codings["vic_TypeOfExploitation"]


def test_it_suggests_nothing_for_an_empty_narrative():
    assert suggest("", build_catalog()) == []


def test_it_cuts_the_narrative_into_marked_and_plain_pieces():
    from harborlight.intake.assist import segments

    narrative = "He took their passports. Later they owed a debt. Nothing else."
    pieces = segments(narrative, suggest(narrative, build_catalog()))
    assert "".join(text for text, _ in pieces) == narrative
    marked = [text for text, is_marked in pieces if is_marked]
    assert any("passports" in text for text in marked)
    assert any("owed" in text for text in marked)
    assert not any("Nothing else" in text for text in marked)


def test_it_suggests_relation_and_recruitment_codings_that_triage_does_not_count(cast):
    from harborlight.intake.models import Tip

    narrative = "Her uncle sold her to a man she met on Instagram."
    keys = {s.key for s in suggest(narrative, build_catalog())}
    assert "coding:vic_RelationshipToTrafficker:Familial" in keys
    assert "coding:vic_MethodOfRecruitment:ThroughOnlineSocialNetworks" in keys
    tip, _ = create_tip(cast.own, narrative="They met at a party through "
                                    "her friends.", channel="call")
    codings = {s.key for s in triage.suggestions(tip)}
    assert "coding:vic_MethodOfRecruitment:ThroughFriendsOrSocialEvents" in codings
    assert triage.evidence(tip).indicators == {}
    assert tip.triage_reasons[0]["rule"] == "default"


# -- issue 14: type from evidence, minors, decoys, Spanish, forms ---------------------------


def _codings(narrative: str) -> dict[str, set[str]]:
    return codings_of(suggest(narrative, build_catalog()))


def test_it_never_decides_a_type_from_a_means_of_control_alone():
    sex = _codings("He recruited women online, posted them for commercial sex at motels and "
                   "kept the money they made.")
    assert sex["vic_TypeOfExploitation"] == {"SexualExploitation"}
    assert "TakesEarnings" in sex["vic_MethodsOfControl"]
    assert "vic_TypeOfExploitation" not in _codings("Her boyfriend keeps all her money.")


def test_it_recognises_forced_labour_and_suggests_its_industry():
    codings = _codings("They forced her to work in their restaurant, took her passport and "
                       "told her immigration would arrest her if she left.")
    assert codings["vic_TypeOfExploitation"] == {"ForcedLabour"}
    assert codings["vic_ForcedLabourIndustry"] == {"I_AccommodationAndFoodServiceActivities"}
    sex = _codings("He sold her for sex to men he met at a restaurant.")
    assert "vic_ForcedLabourIndustry" not in sex  # an industry only with forced labour


def test_it_shows_the_spans_that_decided_the_type():
    narrative = ("The crew boss holds their passports and they sleep in the barn on the farm. "
                 "He says they owe him $4,000.")
    coding = next(s for s in suggest(narrative, build_catalog())
                  if s.key == "coding:vic_TypeOfExploitation:ForcedLabour")
    said = {text for _, _, text in coding.evidence}
    assert any("passports" in text for text in said) and any("farm" in text for text in said)
    for start, end, text in coding.evidence:
        assert narrative[start:end] == text


def test_it_does_not_call_a_wage_dispute_forced_labour():
    assert "vic_TypeOfExploitation" not in _codings(
        "My boss at the restaurant hasn't paid me for two weeks and I work 12 hours a day. "
        "I quit on Friday.")


@pytest.mark.parametrize("narrative, absent", [
    ("She was not forced to work there; she goes home every night.", "ForcedLabour"),
    ("No la obligan a trabajar, ella se va a su casa todas las noches.", "ForcedLabour"),
])
def test_it_reads_negations_in_both_languages(narrative, absent):
    assert absent not in _codings(narrative).get("vic_TypeOfExploitation", set())


def test_it_does_not_count_the_if_part_of_a_condition():
    keys = {s.key for s in suggest("He asked what happens if he tried to leave the job.",
                                   build_catalog())}
    assert "indicator:control.cannot-leave" not in keys
    threat = {s.key for s in suggest("They said they would kill his family if he tried to "
                                     "leave.", build_catalog())}
    assert "indicator:control.threat-family" in threat  # a threat is said that way


def test_it_reads_spanish_with_or_without_accents():
    with_accents = _codings("Mi sobrina tiene 15 años, el dueño del bar le quitó los papeles "
                            "y no la dejan salir.")
    without = _codings("Mi sobrina tiene 15 anos, el dueno del bar le quito los papeles y no "
                       "la dejan salir.")
    assert with_accents == without
    assert with_accents["minor_involved"] == {"Yes"}
    assert {"WithholdsDocuments", "PsychologicalAbuse"} <= with_accents["vic_MethodsOfControl"]
    assert with_accents["vic_TypeOfExploitation"] == {"ForcedLabour"}


def test_it_keeps_spans_on_text_typed_with_combining_accents():
    narrative = "La nin\u0303a tiene 14 an\u0303os y la venden a hombres."
    for suggestion in suggest(narrative, build_catalog()):
        assert narrative[suggestion.start:suggestion.end] == suggestion.text
    assert _codings(narrative)["minor_involved"] == {"Yes"}
    assert Text(narrative).folded.startswith("La nin")


@pytest.mark.parametrize("narrative", [
    "The defendant caused the victim, who had not attained eighteen years of age, to engage "
    "in a commercial sex act.",
    "He trafficked a juvenile for commercial sex at motels.",
    "The fifteen-year-old was sold for sex by her aunt.",
    "She is in 8th grade and a man sells her to his friends.",
    "Es una menor de edad y la venden a hombres.",
    "Está en secundaria y su novio la obliga a ver hombres.",
    "A teenager is being pimped out of a motel.",
])
def test_it_flags_a_minor_from_words_grades_and_legal_phrasing(narrative):
    assert _codings(narrative).get("minor_involved") == {"Yes"}


def test_it_codes_a_decoy_and_raises_no_minor_flag_in_a_sting():
    codings = _codings("He was arrested after arranging to pay for sex with a 14-year-old girl; "
                       "the girl was an undercover officer posing as a minor.")
    assert codings["decoy_minor"] == {"Yes"}
    assert "minor_involved" not in codings
    assert codings["vic_TypeOfExploitation"] == {"SexualExploitation"}


@pytest.mark.parametrize("narrative", [
    "My husband hit me last night. My kids are asleep right now. I need a shelter.",
    "Mi novio me pega y me revisa el teléfono. Tengo dos niños de 4 y 7 años.",
    "My 13-year-old is being bullied at school. I need advice.",
])
def test_it_raises_no_minor_flag_without_a_child_in_a_trafficking_story(narrative):
    assert "minor_involved" not in _codings(narrative)


def test_it_maps_forced_criminality_to_forced_labour_with_a_note():
    found = suggest("A gang forces my nephew to sell drugs to pay a debt and took his ID.",
                    build_catalog())
    form = next(s for s in found if s.key == "coding:exploitation_form:ForcedCriminality")
    assert "no code for forced criminality" in form.note
    assert "coding:vic_TypeOfExploitation:ForcedLabour" in {s.key for s in found}


def test_it_codes_online_sexual_exploitation_as_remote_interactive_services():
    codings = _codings("Her boyfriend makes her do webcam shows for paying viewers and keeps "
                       "the money.")
    assert codings["vic_TypeOfSexExploitation"] == {"RemoteInteractiveServices"}
    assert codings["exploitation_form"] == {"OnlineSexualExploitation"}


def test_it_recognises_euphemisms_for_commercial_sex():
    for narrative in ["Her 'boyfriend' gets her dates and she has a client tonight.",
                      "My friend is in the life and her daddy takes everything she makes.",
                      "Mi prima tiene que verse con hombres que su novio consigue por internet."]:
        assert _codings(narrative)["vic_TypeOfExploitation"] == {"SexualExploitation"}, narrative


def test_it_gives_the_sentence_that_says_it_is_happening_now():
    narrative = "I called earlier. A 12-year-old is being sold to men right now at the motel."
    signal = next(s for s in suggest(narrative, build_catalog()) if s.key == "signal:immediate")
    assert signal.sentence == "A 12-year-old is being sold to men right now at the motel."
    quiet = {s.key for s in suggest("My kids are asleep right now.", build_catalog())}
    assert "signal:immediate" not in quiet  # "now" counts only beside danger


def test_it_reads_a_narrative_within_ten_milliseconds_typically():
    """Not a benchmark (bench/intake_assist.py --speed is); a guard against a pattern
    that backtracks badly on a long narrative."""
    narrative = ("The defendant recruited workers and kept their passports. " * 40)[:8000]
    catalog, started = build_catalog(), time.perf_counter()
    suggest(narrative, catalog)
    assert time.perf_counter() - started < 2.0
    assert load_reading().threshold >= 1


# -- texting and note-taking shorthand, quotation marks ------------------------------------

@pytest.mark.parametrize("narrative, typed", [
    ("im 17 n my moms bf makes me go w his friends for money. hes home rn", "im 17"),
    ("CR reports girl approx 13-14 w/ adult M at truck stop going truck to truck rn", "rn"),
    ("tengo 16 y el novio de mi mama me obliga a estar con sus amigos x dinero, q hago", "16"),
])
def test_it_reads_texting_and_call_note_shorthand(narrative, typed):
    found = suggest(narrative, build_catalog())
    codings = codings_of(found)
    assert codings["vic_TypeOfExploitation"] == {"SexualExploitation"}
    assert codings["minor_involved"] == {"Yes"}
    for suggestion in found:  # spans still point into what was typed
        assert narrative[suggestion.start:suggestion.end] == suggestion.text
    assert any(s.text == typed or typed in s.text for s in found)


def test_it_keeps_shorthand_inside_words_and_numbers_as_written():
    text = Text("I'd say the F-1 visa is fine; 5k owed", load_reading().shorthand)
    assert text.folded == "I'd say the F-1 visa is fine; 5k owed"
    assert Text("CR is V", load_reading().shorthand).folded == "caller is victim"
    assert Text("cr is v", load_reading().shorthand).folded == "cr is v"  # only as written


def test_a_dispatch_status_in_capitals_is_happening_now_a_word_in_a_sentence_is_not():
    status = suggest("JUV FEMALE APPROX 14 AT TRUCK STOP W ADULT MALE. ONGOING.", build_catalog(),
                     model=None)
    assert "signal:immediate" in {s.key for s in status}
    sentence = suggest("The abuse is ongoing; she lives with him.", build_catalog(), model=None)
    assert "signal:immediate" not in {s.key for s in sentence}


def test_quotation_marks_are_dropped_around_words_but_an_apostrophe_inside_one_stays():
    text = Text("Dijo que tenía que 'trabajar' con \"clientes\"; she's 16, don't ask",
                load_reading().shorthand)
    assert text.folded == "Dijo que tenia que trabajar con clientes; she's 16, don't ask"
    start = text.folded.index("trabajar")
    assert text.span(start, start + len("trabajar con"))[2] == "trabajar' con"


def test_it_reads_a_word_in_quotation_marks_as_the_word():
    codings = _codings("Dice que su prima está 'en la vida'; su \"papi\" le pone cuota y no la "
                       "deja ver a su familia.")
    assert codings["vic_TypeOfExploitation"] == {"SexualExploitation"}


@pytest.mark.parametrize("narrative", [
    "Caller: wage theft complaint, restaurant owes him 3 wks pay. Free to leave, has his docs.",
    "Reclamo laboral: restaurante le debe dos semanas. Tiene sus papeles, puede irse.",
    "Llamante reporta violencia doméstica; nada de trabajo forzado ni explotación sexual.",
    "Mi jefe me debe la renta de este mes y ya no quiero trabajar ahí.",
])
def test_it_does_not_read_a_wage_claim_or_its_own_papers_as_control(narrative):
    found = suggest(narrative, build_catalog(), model=None)  # the cues' opposites: rules alone
    assert "vic_TypeOfExploitation" not in codings_of(found)
    keys = {s.key for s in found}
    assert not keys & {"indicator:control.debt", "indicator:control.documents-held",
                       "indicator:control.sexual-abuse"}


def test_it_does_not_read_a_callers_own_partner_at_work_as_forced_labour():
    narrative = "Mi novio me pegó anoche. Ahorita está en el trabajo. ¿A dónde puedo ir?"
    found = suggest(narrative, build_catalog())
    assert "vic_TypeOfExploitation" not in codings_of(found)
    assert "signal:immediate" not in {s.key for s in found}  # he is away, not at the door


@pytest.mark.parametrize("narrative, form", [
    ("now he's in a compound doing crypto scams, they shock workers with tasers",
     "ForcedCriminality"),
    ("ahora está en un complejo haciendo estafas de criptomonedas, les dan descargas "
     "eléctricas si no cumplen la meta", "ForcedCriminality"),
    ("a boy about 10 walks between the cars every evening asking for money, a woman waits "
     "in a car and takes it from him", "ForcedBegging"),
])
def test_it_recognises_todays_forms_described_without_their_names(narrative, form):
    assert _codings(narrative)["exploitation_form"] == {form}


@pytest.mark.parametrize("narrative", [
    "What happened: my coworkers are not allowed to leave and the owner holds their "
    "passports | Anyone under 18: no",
    "Qué pasó: el dueño tiene sus pasaportes y no los dejan salir | ¿Menores de 18?: no sé",
])
def test_it_reads_a_forms_question_answered_no_as_no(narrative):
    assert "minor_involved" not in _codings(narrative)
    assert _codings(narrative.replace(": no", ": yes").replace(": no sé", ": sí"))


@pytest.mark.parametrize("narrative", [
    "I was 15 when my mom's boyfriend started selling me to his friends.",
    "My ex used to make me do live shows on camera for strangers who paid him.",
    "Tenía 15 años cuando el novio de mi mamá empezó a venderme a sus amigos.",
])
def test_it_reads_a_survivors_own_account_in_the_first_person(narrative):
    assert _codings(narrative)["vic_TypeOfExploitation"] == {"SexualExploitation"}
