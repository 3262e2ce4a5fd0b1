"""Narrative assist reads mechanisms, not phrasings (issue 14, after the sixth set).

Each test names one mechanism read from the sixth set's errors and checks it on sentences
written for the test (none is a sentence of a labelled set), with its opposite: a caller's
own children, a decoy, a job that is only a job, a threat that is not one.
"""

from __future__ import annotations

import pytest

from harborlight.intake.assist import codings_of, evidence, suggest
from harborlight.vocab.indicators import build_catalog
from harborlight.vocab.triage import decide_level, load_rules


def read(narrative: str) -> dict:
    catalog = build_catalog()
    found = suggest(narrative, catalog)
    codings = codings_of(found)
    level = decide_level(evidence(narrative, {}, catalog, found=found), load_rules(),
                         catalog.release).level
    for suggestion in found:  # every coding stays explainable: its span is the text
        assert narrative[suggestion.start:suggestion.end] == suggestion.text
    return {"types": codings.get("vic_TypeOfExploitation", set()),
            "minor": "Yes" in codings.get("minor_involved", set()), "level": level,
            "keys": {s.key for s in found},
            "spans": {s.key: s.text for s in found}}


# -- ages in every form ------------------------------------------------------------------

@pytest.mark.parametrize("age", [
    "she can't be more than thirteen",
    "the girl is 16 tops",
    "a girl, 15 at most,",
    "the girl (F, 16)",
    "a JUV FEMALE APPROX 14 YOA",
    "a girl, 16 y/o,",
    "a girl in grade 9",
    "an 8th grader",
    "una muchacha que no tiene más de trece años",
    "una niña que tendrá unos doce años",
    "una muchacha (M, 16)",
    "una chica de segundo de secundaria",
])
def test_an_age_in_any_form_flags_a_minor_in_commercial_sex(age):
    result = read(f"Caller says {age} is sold to men at the motel every night by a man "
                  "who keeps the money.")
    assert result["minor"], result["spans"]
    assert "SexualExploitation" in result["types"]


@pytest.mark.parametrize("narrative", [
    # the caller's own children, named in a threat
    "I clean and cook all day in his house and he never pays me; he says if I call the "
    "police they will take my kids away, my son is 9.",
    # a decoy
    "An undercover officer posed online as a girl who can't be more than fifteen; the man "
    "who answered the ad was arrested.",
])
def test_a_callers_child_or_a_decoy_is_not_a_minor_involved(narrative):
    assert not read(narrative)["minor"]


# -- dispatch shorthand --------------------------------------------------------------------

def test_dispatch_shorthand_is_read_as_words_and_the_span_is_what_was_written():
    narrative = ("CAD 1180 | 01:10 | RP ADV JUV MALE APPROX 13 YOA AT TRUCK STOP KNOCKING ON "
                 "TRUCK DOORS, ADULT MALE IN VEH WATCHING. ONGOING.")
    result = read(narrative)
    assert result["minor"] and "SexualExploitation" in result["types"]
    assert result["level"] == "emergency"
    assert result["spans"]["coding:minor_involved:Yes"].startswith("JUV") or \
        "YOA" in result["spans"]["coding:minor_involved:Yes"]


# -- commercial sex read from what happens -------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Two women wait by the highway; cars pull up and they get in, and a man in a van takes "
    "the cash from the drivers.",
    "A guy collects the money from the men at the door of room 12 while a woman is inside.",
    "El encargado cobra a los hombres en la puerta del cuarto donde está una muchacha.",
    "Su novio le consigue clientes y se queda con todo el dinero.",
    "A man rents rooms every night for three women and posts them on an escort site.",
])
def test_commercial_sex_is_read_from_the_scene(narrative):
    result = read(narrative)
    assert result["types"] == {"SexualExploitation"}, result["spans"]


@pytest.mark.parametrize("narrative", [
    "He collects the money from the customers at the door of the restaurant.",
    "She rents rooms to students and takes the rent from them every month.",
])
def test_a_business_taking_money_is_not_commercial_sex(narrative):
    assert "SexualExploitation" not in read(narrative)["types"]


# -- labour read from work and a means of control -----------------------------------------

@pytest.mark.parametrize("narrative", [
    "My husband's aunt brought me here; I clean and cook all day in her house, she doesn't "
    "pay me and says if I leave she will call immigration.",
    "La tía de mi esposo me trajo a su casa; limpio y cocino todo el día, no me paga y dice "
    "que si me voy me va a quitar a mis hijos.",
    "He works at the tire shop every night to pay back his cousin for the crossing; the "
    "cousin says he will send him back.",
    "Trabaja en la obra de noche para pagarle al enganchador el viaje y le dicen que lo van "
    "a regresar.",
])
def test_labour_is_read_from_work_and_a_means_of_control(narrative):
    result = read(narrative)
    assert result["types"] & {"ForcedLabour", "Servitude"}, result["spans"]
    assert "SexualExploitation" not in result["types"]
    assert result["level"] in ("high", "emergency")


def test_work_to_pay_off_a_debt_with_clients_is_not_labour():
    result = read("They said I owed them for the bus and had to work with clients to pay it off.")
    assert "ForcedLabour" not in result["types"]


def test_a_job_alone_or_a_partner_is_not_forced_labour():
    assert not read("I clean and cook for a family in town; they pay me every Friday.")["types"]


def test_a_threat_after_an_if_clause_still_counts_but_the_if_part_does_not():
    result = read("He says if I go to the police they will take my kids away.")
    assert "indicator:control.threat-family" in result["keys"]
    assert "indicator:control.cannot-leave" not in read(
        "If she tried to leave, nobody knows what would happen.")["keys"]


# -- immediacy from dialogue and tense -----------------------------------------------------

def test_immediacy_makes_an_emergency_only_with_a_minor_or_violence():
    adult = read("Operator: Is he there? Caller: He's out right now. He makes me clean his "
                 "house all day with no pay and keeps my passport.")
    assert adult["level"] == "high"
    minor = read("Caller: It's happening now, a girl who can't be more than fourteen is "
                 "knocking on truck doors at the truck stop.")
    assert minor["level"] == "emergency"
    violence = read("RP STATES WORKERS AT THE QUARRY ARE LOCKED IN A TRAILER AT NIGHT, BOSS "
                    "STRUCK ONE WITH A PIPE TONIGHT.")
    assert violence["level"] == "emergency"


def test_an_intake_forms_current_field_says_it_is_now():
    result = read("Client (F, 20). Boyfriend sets up meetings with men and keeps her earnings. "
                  "Violence: hit her yesterday. Current: with him at a motel.")
    assert result["types"] == {"SexualExploitation"} and result["level"] == "emergency"


# -- children selling or begging for an adult -----------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Two little boys, maybe eight, sell candy at the light; a man drops them off at dawn, "
    "picks them up at night and takes the money.",
    "Unos niños de unos nueve años venden chicles en el semáforo; un señor los deja en la "
    "mañana, los recoge en la noche y se lleva el dinero.",
])
def test_children_selling_for_an_adult_who_takes_the_money_is_forced_begging(narrative):
    result = read(narrative)
    assert result["minor"] and "ForcedLabour" in result["types"], result["spans"]
    assert "SexualExploitation" not in result["types"]


def test_a_parent_picking_up_a_child_is_not_forced_begging():
    result = read("I drop my kids off at school at eight and pick them up at three; I keep "
                  "the money for their lunches.")
    assert not result["types"] and not result["minor"]


# -- after the seventh set (home visits, transport staff, union organisers) ----------------

@pytest.mark.parametrize("narrative", [
    "A girl of 14 works at the dry cleaner's every night; her wages go to the aunt who brought "
    "her, and she cannot leave until the aunt is paid.",
    "The foreman pays the boys' wages to the man who drove them up from the border; the boys "
    "say they cannot go home until the man is paid.",
    "A los muchachos les pagan el sueldo al señor que los trajo y no pueden irse hasta que "
    "lo paguen.",
])
def test_wages_paid_to_someone_else_are_read_as_forced_labour(narrative):
    result = read(narrative)
    assert "ForcedLabour" in result["types"], result["spans"]
    assert "SexualExploitation" not in result["types"]


def test_a_paycheck_paid_into_a_bank_is_not_forced_labour():
    assert not read("Her wages go to the bank every Friday and she pays her own rent.")["types"]


def test_fares_taken_out_of_wages_and_birth_certificates_are_means_of_control():
    keys = read("The agency takes the airfare out of her wages and keeps the children's birth "
                "certificates.")["keys"]
    assert {"indicator:control.debt", "indicator:control.documents-held"} <= keys
    keys = read("El encargado les descuenta el pasaje y guarda sus actas de nacimiento.")["keys"]
    assert {"indicator:control.debt", "indicator:control.documents-held"} <= keys


def test_pay_kept_against_a_debt_with_a_client_for_money_is_both_types():
    result = read("The owner keeps their pay to cover a 'housing debt', and on Saturdays she "
                  "takes one of the women to a hotel to spend the night with a client for money.")
    assert result["types"] == {"ForcedLabour", "SexualExploitation"}, result["spans"]


def test_overtime_is_not_a_euphemism_for_commercial_sex():
    result = read("Los choferes reclaman que no les pagan las horas extras; ya presentaron la "
                  "queja ante la junta.")
    assert not result["types"] and result["level"] == "information"


def test_arriving_soon_to_someone_waiting_makes_a_minors_case_an_emergency():
    result = read("Bus steward: a boy of 15 travelling alone says he must work for a man to pay "
                  "back the ticket and the man has his papers. Arriving in 20 minutes; the man "
                  "is waiting for him.")
    assert result["minor"] and "ForcedLabour" in result["types"]
    assert result["level"] == "emergency"
    adult = read("Gate agent: our flight lands in 20 minutes and a passenger asked where to find "
                 "the bus to the city.")
    assert adult["level"] == "information"


def test_work_six_days_a_week_is_going_on_now():
    result = read("Her son, a boy of 16, works on a roofing crew six days a week to pay back his "
                  "cousin for the crossing.")
    assert result["level"] == "emergency" and result["minor"]


# -- after re-reading the fifth set (appeals, interpreters, web forms, survivors, Spanglish) --

@pytest.mark.parametrize("narrative", [
    "my cousin is only 15 and her bf is making her do dates con señores at the hotel",
    "la vecina tiene solo 15 y su novio la pone a trabajar con men en el motel",
])
def test_spanglish_commercial_sex_and_an_age_with_only(narrative):
    result = read(narrative)
    assert result["types"] == {"SexualExploitation"} and result["minor"], result["spans"]


def test_a_clitic_after_and_closes_a_spanish_if_clause():
    result = read("Le decía que la iban a deportar si hablaba con alguien y la obligó a limpiar y "
                  "cocinar sin sueldo; le retenía el pasaporte.")
    assert "ForcedLabour" in result["types"], result["spans"]
    assert "indicator:control.documents-held" in result["keys"]


def test_first_person_hotels_and_an_age_not_yet_reached():
    assert read("Me llevaban a moteles a atender hombres y él se quedaba con el dinero."
                )["types"] == {"SexualExploitation"}
    result = read("The jury found he knew the girl had not reached the age of eighteen when he "
                  "sold her to men at truck stops.")
    assert result["minor"] and result["types"] == {"SexualExploitation"}


def test_money_from_them_is_commercial_sex_only_when_them_are_men():
    begging = read("Four small children sell gum at the station until midnight and a man "
                   "collects the money from them.")
    assert begging["types"] == {"ForcedLabour", "ForcedBegging"} or (
        "SexualExploitation" not in begging["types"] and begging["types"]), begging["spans"]
    sex = read("A girl, about 15, is picked up by men at night and her aunt gets money from them.")
    assert "SexualExploitation" in sex["types"]


def test_being_made_to_scam_people_is_forced_criminality():
    result = read("They took our passports and made us pretend to be investors online to cheat "
                  "people; whoever missed the target was beaten.")
    assert "ForcedLabour" in result["types"]
    assert "coding:exploitation_form:ForcedCriminality" in result["keys"]


# -- probes from the issue's own examples --------------------------------------------------

def test_a_watcher_is_a_means_of_control_and_men_pulling_up_is_commercial_sex():
    result = read("Men pull up by the laundromat and she gets in their cars; a man in a grey "
                  "van watches her all night.")
    assert result["types"] == {"SexualExploitation"}, result["spans"]
    assert "indicator:control.cannot-leave" in result["keys"]
    assert "indicator:control.cannot-leave" not in read(
        "My husband watches the kids while I work nights.")["keys"]


def test_charging_each_man_at_the_door_is_commercial_sex():
    result = read("Hay una muchacha en el cuarto 9, un tipo cobra en la puerta a cada hombre "
                  "que entra.")
    assert result["types"] == {"SexualExploitation"}, result["spans"]


def test_an_active_present_progressive_is_going_on_now():
    result = read("He's making his nephew, 16 y/o, work at the car wash to pay back the crossing.")
    assert "signal:ongoing" in result["keys"]
    assert result["level"] == "emergency"


@pytest.mark.parametrize("narrative", [
    "I am 16 and work at a grocery store after school to pay back my parents for my phone.",
    "The crew leader deducts the rent from our pay but we can leave whenever we want.",
    "Trabajo en el taller de mi tío, me paga cada viernes y ahorro para pagarle el préstamo "
    "del carro.",
])
def test_repaying_family_or_an_agreed_deduction_is_not_debt_bondage(narrative):
    result = read(narrative)
    assert not result["types"] and result["level"] == "information", result["spans"]
