"""Narrative assist reads mechanisms, not phrasings (issue 14, after the sixth set).

Each test names one mechanism read from the sixth set's errors and checks it on sentences
written for the test (none is a sentence of a labelled set), with its opposite: a caller's
own children, a decoy, a job that is only a job, a threat that is not one.
"""

from __future__ import annotations

import pytest

from harborlight.intake.assist import suggest
from harborlight.vocab.indicators import build_catalog
from tests_support import read_narrative as read


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
    # an age guessed, or a range of two
    "a girl, maybe 13 or 14,",
    "una niña como de 12 o 13",
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


@pytest.mark.parametrize("narrative", [
    "Caller says like 14 girls are sold to men at the motel by a man who keeps the money.",
    "Caller says the girls come at like 10, and are sold to men at the motel by a man who "
    "keeps the money.",
    "La que llama dice que como de 12 mujeres son vendidas a hombres en el motel por un "
    "señor que se queda con el dinero.",
    "Caller says the women, around 10 at night, are sold to men at the motel by a man who "
    "keeps the money.",
])
def test_a_guessed_number_that_is_not_an_age_flags_no_minor(narrative):
    result = read(narrative, model=None)
    assert "SexualExploitation" in result["types"]
    assert not result["minor"], result["spans"]


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
    assert not read("I clean and cook for a family in town; they pay me every Friday.",
                    model=None)["types"]  # the cues' opposite: the rules alone


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


def test_where_someone_is_at_this_moment_or_how_long_ago_says_it_is_now():
    # The now told as where someone is ("he's in the shower right now", "they are there
    # now", "está en la sala de espera en este momento"), "this morning", "two hours ago".
    assert read("He brought guys to the room and hit me when I said no. He's in the shower "
                "right now.")["level"] == "emergency"
    assert read("Workers sleep in a bunkhouse locked from the outside. The foreman hit him "
                "with a shovel handle this morning for asking to be paid.")["level"] == "emergency"
    assert "signal:immediate" in read("Su novio la obliga a pararse en la avenida y le pega. "
                                      "Él está en la sala de espera en este momento.")["keys"]
    assert "signal:immediate" in read("A man rented room 9 two hours ago with two girls.")["keys"]
    # Opposites: where someone is now that it is over, or an age said with 'now'.
    assert "signal:immediate" not in read("I'm 19 now. When I was 16 he made me work at his "
                                          "laundromat with no pay.")["keys"]
    assert "signal:immediate" not in read("She is in college now; back then her boss kept her "
                                          "passport.")["keys"]


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
    # The rules' level: the learned reading may hold back an emergency that rests on the
    # present tense alone (learned.not-urgent, tests/intake/test_narrative_model.py).
    result = read("Her son, a boy of 16, works on a roofing crew six days a week to pay back his "
                  "cousin for the crossing.", model=None)
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
    result = read("He's making his nephew, 16 y/o, work at the car wash to pay back the crossing.",
                  model=None)  # the rules' level, as above
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


# -- after the ninth set (written blind): texting style, immediacy, sex by what happens, ---
# -- labour from work and control, grades at school, children named only in a threat --------

@pytest.mark.parametrize("narrative", [
    "my cousin is a high-school junior and a guy she met online sells her to men at parties "
    "and keeps the cash",
    "Una alumna de secundaria, la vecina, es vendida a hombres en un motel por su novio.",
    "A man admitted recruiting two freshmen at a local high school and selling them to "
    "older men on weekends.",
])
def test_a_grade_at_school_is_a_minor(narrative):
    assert read(narrative)["minor"], read(narrative)["spans"]


def test_a_high_school_teacher_or_a_college_sophomore_is_not_a_minor():
    for narrative in ("A high-school teacher says a colleague sells women to men at a motel and "
                      "keeps the money.",
                      "A college sophomore says her boyfriend sells her to men and keeps the "
                      "money."):
        assert not read(narrative)["minor"], narrative


THREAT_TO_CHILDREN = ("He made three women he met at a bus station sell themselves at rest "
                      "areas and threatened to take their children if they stopped working "
                      "for him.")


def test_children_named_only_in_a_threat_are_not_the_minor_involved():
    result = read(THREAT_TO_CHILDREN)
    assert not result["minor"], result["spans"]
    # Commercial sex, by the rules' strong sign (the rules alone say nothing more); the
    # learned reading (L2 1e-5 since the late night of 2026-12-07) also reads "stopped
    # working for him" as forced labour at 0.64, an overreach it is allowed in a narrative
    # this long (assist.RulesHold), measured on whole tips in bench/.
    assert "SexualExploitation" in result["types"], result["spans"]
    assert read(THREAT_TO_CHILDREN, model=None)["types"] == {"SexualExploitation"}
    # the opposite: a child who is exploited, in a sentence that also holds a threat
    exploited = read("He threatened the mother and forced her children to work in his fields "
                     "every day; the oldest is 12.")
    assert exploited["minor"], exploited["spans"]


def test_forced_to_sell_themselves_is_commercial_sex_however_far_the_verb():
    result = read("The couple coerced four young women they had met at a church shelter into "
                  "selling themselves along the highway.")
    assert result["types"] == {"SexualExploitation"}, result["spans"]
    goods = read("The couple coerced four young men they had met at a church shelter into "
                 "selling candy along the highway, and kept their passports.")
    assert "SexualExploitation" not in goods["types"], goods["spans"]


def test_men_paying_for_a_person_in_a_back_room_is_sex_not_bar_work():
    for narrative in ("My neighbour's girl works at a bar where men pay the owner to take her "
                      "upstairs to a room; he keeps her passport.",
                      "Su sobrina trabaja en un bar donde los clientes pagan para llevarla a un "
                      "cuarto; el dueño le quitó la identificación."):
        assert read(narrative)["types"] == {"SexualExploitation"}, read(narrative)["spans"]
    guests = read("At the inn the guests pay to take a room upstairs and I clean them; the owner "
                  "pays me every Friday.")
    assert "SexualExploitation" not in guests["types"], guests["spans"]


def test_paid_acts_on_a_video_call_are_online_sexual_exploitation():
    result = read("my niece (14) says some man pays her to do things on webcam and says hell "
                  "share the clips if she quits", model=None)  # the rules' level, as above
    assert "SexualExploitation" in result["types"], result["spans"]
    assert "coding:exploitation_form:OnlineSexualExploitation" in result["keys"]
    assert result["minor"] and result["level"] == "emergency"
    tutoring = read("A man pays my niece to help his son with homework on video chat every "
                    "week.")
    assert not tutoring["types"], tutoring["spans"]


@pytest.mark.parametrize("narrative", [
    "im in the blue palms motel rm 12 rn. he says i got a date at 11 and he hit me. im 16",
    "My friend just phoned from a motel by the highway, the man she is with slapped her and "
    "took her phone, he has her seeing men for money.",
])
def test_a_present_location_or_a_call_just_made_makes_it_an_emergency(narrative):
    result = read(narrative)
    assert "signal:immediate" in result["keys"], result["spans"]
    assert result["level"] == "emergency"


def test_a_past_stay_at_a_motel_or_the_hotel_business_is_not_now():
    for narrative in ("Two years ago she was at a motel where a man sold her to men and hit "
                      "her; she lives with her aunt now.",
                      "He is in the hotel business and once hit a worker."):
        assert "signal:immediate" not in read(narrative)["keys"], narrative


def test_still_living_with_the_exploiter_is_going_on_now():
    result = read("A 15-year-old girl was brought from Guatemala by a man who said she would go "
                  "to school; she cleans his house and cooks all day, he says she owes him for "
                  "the trip. She still lives with him.", model=None)  # the rules' level
    assert "signal:ongoing" in result["keys"] and result["minor"]
    assert result["level"] == "emergency", result["spans"]


def test_an_indictment_in_the_present_tense_is_a_past_case_not_an_emergency():
    result = read("A federal indictment charges three men with sex trafficking of minors; they "
                  "allegedly sold two 15-year-old girls to men at motels and beat them.")
    assert "signal:concluded" in result["keys"]
    assert result["level"] == "high" and result["minor"]
    tip = read("A man sells two 15-year-old girls to men at the motel on 5th street and "
               "beats them.")
    assert tip["level"] == "emergency"


def test_work_and_control_of_papers_and_pay_is_forced_labour_in_texting_style():
    result = read("lady at the nail spot by the mall sleeps in the back room, the boss keeps "
                  "her passport and her wages. she works 7 days")
    assert result["types"] == {"ForcedLabour"}, result["spans"]
    assert result["level"] == "high"


def test_having_quit_does_not_undo_documents_kept_but_a_wage_claim_is_information():
    crew = read("Two years ago I sold magazines door to door with a crew; the crew boss kept "
                "our passports and we never got the money they promised. I quit in May.")
    assert crew["types"] == {"ForcedLabour"}, crew["spans"]
    assert crew["level"] == "high"
    claim = read("I quit the bakery last month and the owner owes me three weeks of pay; I have "
                 "my papers and just want to file a wage claim.")
    assert not claim["types"] and claim["level"] == "information", claim["spans"]


def test_a_malformed_unless_support_or_threat_pattern_is_refused():
    import json

    from harborlight.vocab.loader import VocabularyError, read_package_file
    from harborlight.vocab.narrative import parse_reading

    good = json.loads(read_package_file("harborlight.vocab", "narrative.json"))
    parse_reading(json.dumps(good))
    for damage in ("count", "pattern"):
        doc = json.loads(json.dumps(good))
        if damage == "count":
            doc["context"][-1]["unless_support"] = "two"
        else:
            doc["minor"]["threat_before"] = "(threat"
        with pytest.raises(VocabularyError):
            parse_reading(json.dumps(doc))


# -- the tenth set read (2026-12-07): short tips ------------------------------------------

@pytest.mark.parametrize("tip", [
    "Men keep going into the house on Birch Road, each one stays about 20 minutes and drives "
    "off again.",
    "a ese departamento llegan hombres a cada rato y se quedan media hora nada mas",
])
def test_men_staying_a_short_while_at_a_home_is_commercial_sex(tip):
    result = read(tip)
    assert result["types"] == {"SexualExploitation"}, result["spans"]


def test_people_coming_and_going_at_a_business_is_not_commercial_sex():
    result = read("Patients come and go at the dentist's office next door every half hour, "
                  "it is very busy.")
    assert not result["types"], result["spans"]


def test_a_person_offered_at_a_price_is_commercial_sex_and_a_room_is_not():
    person = read("I heard him on the phone saying she's available tonight, one fifty, "
                  "she is 15.")
    assert person["types"] == {"SexualExploitation"}, person["spans"]
    assert person["minor"] and person["level"] == "emergency"
    # the rules' opposite (the learned reading gives this one sentence commercial sex at
    # 0.61: a known weakness of word weights on one ordinary sentence, docs/intake.md)
    room = read("The motel clerk said the room is available tonight for $150.", model=None)
    assert not room["types"] and room["level"] == "information", room["spans"]


def test_men_paying_her_while_he_keeps_it_is_commercial_sex_and_a_gift_is_not():
    paid = read("Her boyfriend takes her to parties where his friends pay her cash and he "
                "keeps it.")
    assert paid["types"] == {"SexualExploitation"}, paid["spans"]
    gift = read("Her boyfriend takes her to parties where his friends gave her a birthday "
                "present.", model=None)  # the cue's opposite: the rules alone
    assert not gift["types"], gift["spans"]
    amigos = read("La obligaban a atender a amigos que le pagaban a él.")
    assert amigos["types"] == {"SexualExploitation"}, amigos["spans"]


def test_paying_a_child_to_undress_on_video_calls_is_online_sexual_exploitation():
    result = read("Un señor por internet le paga a mi sobrina para que se quite la ropa en "
                  "videollamadas.")
    assert result["types"] == {"SexualExploitation"}, result["spans"]
    assert "coding:exploitation_form:OnlineSexualExploitation" in result["keys"]
    tutor = read("Un tutor le cobra a mi sobrina por videollamada para repasar matemáticas.")
    assert not tutor["types"], tutor["spans"]


def test_street_vending_whose_takings_someone_else_collects_is_forced_begging():
    result = read("A boy sells roses at the lights on Main Street; a woman in a parked car "
                  "collects all the money from him every hour.")
    assert "ForcedBegging" in result["types"], result["spans"]
    assert "coding:exploitation_form:ForcedBegging" in result["keys"]
    own = read("My neighbour's boy sells lemonade on the corner and keeps the money for a "
               "new bike.")
    assert not own["types"] and own["level"] == "information", own["spans"]


def test_a_negation_that_opens_a_condition_does_not_deny_what_follows_it():
    ruled = read("Su novio le consigue citas con hombres y si no va él le pega.")
    assert "indicator:control.physical-abuse" in ruled["keys"], ruled["spans"]
    spared = read("Su novio le consigue citas con hombres; dice que si él no le pega, ella "
                  "se queda.")
    assert "indicator:control.physical-abuse" not in spared["keys"], spared["spans"]
    quota = read("The crew sells magazines door to door, and if they don't make quota they "
                 "don't eat.")
    assert "indicator:sex.quota" not in quota["keys"], quota["spans"]


@pytest.mark.parametrize("now, then", [
    ("About 10 min ago I heard a man yelling and something slamming in the flat where men "
     "come and go all night.",
     "Ten years ago I heard a man yelling in the flat where men came and went all night."),
    ("Hace 15 min escuché gritos y golpes en la casa donde llegan hombres y se quedan media "
     "hora.",
     "Hace diez años escuché gritos en la casa donde llegaban hombres."),
])
def test_violence_heard_minutes_ago_is_now_and_years_ago_is_not(now, then):
    assert "signal:immediate" in read(now)["keys"], read(now)["spans"]
    assert read(now)["level"] == "emergency"
    assert "signal:immediate" not in read(then)["keys"], read(then)["spans"]
    assert read(then)["level"] != "emergency"


def test_minutes_are_not_an_age():
    result = read("Men come and go at that house and stay 20-30 min; about 10 min ago one "
                  "of them left.")
    assert not result["minor"], result["spans"]


def test_workers_still_held_while_the_caller_got_out_is_ongoing():
    held = read("The captain of the fishing boat took our passports and hit one man with a "
                "rope. I got off last week but the others are still on the boat.")
    assert "signal:ongoing" in held["keys"] and held["level"] == "emergency", held["spans"]
    out = read("The captain of the fishing boat took our passports and hit one man with a "
               "rope. All of us got off in March and went home.")
    assert out["level"] != "emergency", out["spans"]


def test_the_callers_own_child_whose_story_it_is_is_the_minor():
    victim = read("my daughter is 14\na man she met in a game says he will post her photos "
                  "unless she sends more")
    assert victim["minor"] and victim["types"] == {"SexualExploitation"}, victim["spans"]
    passing = read("my daughter is 14\nmy husband hit me last night and I want to leave with "
                   "her")
    assert not passing["minor"], passing["spans"]


def test_spanish_note_age_shorthand_is_an_age_but_an_adult_or_a_time_is_not():
    minor = read("V masculino, 17 a, trabaja en una obra; el maestro le retiene el pago y le "
                 "tiene el pasaporte.")
    assert minor["minor"], minor["spans"]
    adult = read("V masculino, 37 a, trabaja en una obra; el maestro le retiene el pago y le "
                 "tiene el pasaporte.")
    assert not adult["minor"], adult["spans"]


def test_a_real_minor_found_in_a_sting_keeps_the_minor_flag():
    both = read("He agreed to pay an undercover officer posing as a 15-year-old for sex, and "
                "a 16-year-old girl he had been advertising was found in his car.")
    assert both["minor"] and "coding:decoy_minor:Yes" in both["keys"], both["spans"]
    decoy = read("He agreed to pay an undercover officer posing as a 15-year-old for sex and "
                 "was arrested at the motel.")
    assert not decoy["minor"] and "coding:decoy_minor:Yes" in decoy["keys"], decoy["spans"]


def test_long_hours_and_living_on_site_alone_are_standard_and_with_papers_held_high():
    signs = read("Las muchachas del taller trabajan de 7 de la mañana a 11 de la noche y "
                 "duermen arriba del taller.")
    assert signs["types"] == {"ForcedLabour"} and signs["level"] == "standard", signs["spans"]
    held = read("Las muchachas del taller trabajan de 7 de la mañana a 11 de la noche, "
                "duermen arriba del taller y el dueño les quitó los pasaportes.")
    assert held["level"] == "high", held["spans"]


# -- after the eleventh set was read (issue 14) --------------------------------------------
# Each mechanism below came from the eleventh set's errors; the sentences are new.

@pytest.mark.parametrize("narrative", [
    "Report for the record: eight adults paid a guide to cross them. None report "
    "forced work, debts, threats or papers taken; they were going to join family.",
    "Para registro: seis adultos le pagaron a un guía para cruzar. Ninguno menciona "
    "trabajo forzado, deudas ni amenazas; iban con sus familias.",
])
def test_a_negation_covers_the_list_it_opens(narrative):
    # The rules' reading: word weights do not read a denial (the learned reading gives the
    # English one forced labour at 0.52; docs/intake.md, "Known weakness").
    result = read(narrative, model=None)
    assert not result["types"], result["spans"]
    assert result["level"] == "information"


def test_a_new_clause_after_a_negation_is_not_in_its_list():
    # "no pay, the owner keeps ..." says two things; only the first is denied
    result = read("At the car wash there's no pay, the owner keeps their passports and they "
                  "sleep in the back, and he says he'll call immigration or the police.")
    assert "indicator:control.documents-held" in result["keys"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Police note: a fight between neighbours on Vineyard Road, one man injured; nothing "
    "about work or sex.",
    "Riña en la calle Granjas, un herido; no hay nada de trabajo ni de sexo.",
])
def test_a_street_named_after_a_trade_is_an_address_not_a_sector(narrative):
    result = read(narrative)
    assert not result["types"], result["spans"]
    assert not any(key.startswith("coding:vic_ForcedLabourIndustry") for key in result["keys"])


def test_a_sector_word_that_is_not_an_address_still_names_the_sector():
    result = read("They work in the vineyard from dawn to dark and the boss keeps their "
                  "passports; they can't leave.")
    assert "ForcedLabour" in result["types"], result["spans"]
    assert any(key.startswith("coding:vic_ForcedLabourIndustry") for key in result["keys"])


@pytest.mark.parametrize("narrative", [
    "My cousin still owes the man who crossed him about three thousand and pays him a bit "
    "each month from his factory job; he comes and goes, has his own job and was never "
    "threatened. Does he have to keep paying?",
    "Mi primo todavía le debe al que lo cruzó y le paga cada mes de su sueldo de la "
    "fábrica; entra y sale, tiene su propio trabajo y vino por voluntad propia. ¿Tiene que "
    "seguir pagando?",
])
def test_a_debt_owed_by_someone_free_is_not_forced_labour(narrative):
    result = read(narrative)
    assert not result["types"], result["spans"]
    assert not result["minor"]
    assert result["level"] in ("information", "standard")


def test_a_debt_worked_off_by_someone_held_is_forced_labour():
    result = read("My cousin owes the man who crossed him and works at his factory to pay "
                  "the debt; the man keeps his papers and says he'll hurt his family if he "
                  "leaves.")
    assert "ForcedLabour" in result["types"], result["spans"]
    assert result["level"] in ("high", "emergency")


@pytest.mark.parametrize("narrative", [
    "Three women work at the dry cleaner 13 hours a day with no pay until their debt for "
    "the trip is gone; some nights the owner takes two of them to a motel to see clients.",
    "Tres muchachas trabajan en la cocina económica, no les pagan hasta que salden el "
    "pasaje y en la noche el dueño se las lleva a atender clientes a un motel.",
])
def test_pay_held_until_a_debt_is_cleared_is_labour_beside_the_commercial_sex(narrative):
    result = read(narrative)
    assert "ForcedLabour" in result["types"], result["spans"]
    assert "SexualExploitation" in result["types"], result["spans"]


def test_a_debt_paid_off_by_seeing_men_is_sex_only():
    result = read("A man brought her here with the promise of a job at a hotel, then said "
                  "she owed him $20,000 and had to pay it off by being with men in his "
                  "apartments.")
    assert result["types"] == {"SexualExploitation"}, result["spans"]


@pytest.mark.parametrize("narrative", [
    "La traen de pueblo en pueblo atendiendo clientes en hoteles y él tiene su credencial.",
    "En esa casa la tienen atendiendo señores y no la dejan salir.",
])
def test_atender_clientes_is_commercial_sex(narrative):
    result = read(narrative)
    assert "SexualExploitation" in result["types"], result["spans"]


def test_attending_customers_at_a_counter_is_not_commercial_sex():
    # The rules' reading: the learned reading gives this one sentence commercial sex at
    # 0.53 (docs/intake.md, "Known weakness").
    result = read("Mi hermana atiende a los clientes en la tienda de abarrotes de 9 a 5 y "
                  "le pagan cada semana.", model=None)
    assert "SexualExploitation" not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "The family keeps a woman from abroad who cooks, cleans and watches their kids every "
    "day; they took her passport and she's not allowed out.",
    "Una señora de fuera limpia, cocina y cuida a los niños de la familia todo el día; le "
    "quitaron el pasaporte y no la dejan salir.",
])
def test_household_tasks_and_childcare_with_control_is_domestic_servitude(narrative):
    result = read(narrative)
    assert result["types"] & {"ForcedLabour", "Servitude"}, result["spans"]
    assert not result["minor"]  # the children are the employers'
    assert result["level"] in ("high", "emergency")


def test_a_nanny_who_is_paid_and_free_is_a_job():
    result = read("Our nanny cooks, cleans and watches the kids on weekdays; she is paid "
                  "every Friday, goes home every night and is free to quit.")
    assert not result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Note: juvenile (7th grade per school ID) says a man made him sell pills at the park "
    "after school and keeps the money.",
    "Menor de 15 a. refiere que unos sujetos lo obligan a vender droga en la esquina.",
    "Una alumna de tercer grado nos contó que un hombre le paga para que se desnude en "
    "videollamadas mientras otros pagan por verla.",
])
def test_a_minor_without_an_age_in_years(narrative):
    result = read(narrative)
    assert result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "He still owes the guy like four thousand and pays it off from his job; nobody forces "
    "him to work.",
    "Llamó la vecina de una fonda; dice que el dueño no le paga a su cocinero.",
])
def test_money_and_a_word_after_de_are_not_ages(narrative):
    assert not read(narrative)["minor"]


def test_drugs_then_made_to_sell_is_forced_criminality():
    result = read("The boy was picked up with pills. He said a man made him sell after "
                  "school and threatened his mother if he quit.")
    assert "ForcedLabour" in result["types"], result["spans"]


def test_selling_drugs_without_being_made_to_is_not_forced_criminality():
    result = read("The boy was picked up with pills. He says he sold them to buy shoes and "
                  "nobody made him.")
    assert "ForcedLabour" not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Se los llevan a trabajar a la fuerza en la ladrillera y no les pagan.",
    "They make the men work against their will at the quarry.",
])
def test_work_by_force_is_forced_labour(narrative):
    assert "ForcedLabour" in read(narrative)["types"]


def test_a_forceful_boss_is_not_work_by_force():
    result = read("My boss is very forceful but pays on time and I can quit whenever.")
    assert not result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "A 15-year-old was made to sell herself to men by her boyfriend last year; she is safe "
    "now and in foster care, and wants counselling.",
    "A mi sobrina de 15 años la ponían a estar con hombres por dinero; eso fue hace dos "
    "años, ya está a salvo con nosotros y quiere una psicóloga.",
])
def test_a_minor_now_safe_is_high_not_emergency(narrative):
    result = read(narrative)
    assert result["minor"] and "SexualExploitation" in result["types"], result["spans"]
    assert result["level"] == "high"


def test_a_minor_still_there_is_emergency():
    result = read("A 15-year-old is made to sell herself to men by her boyfriend; he took "
                  "her to the motel tonight.")
    assert result["level"] == "emergency"


def test_spanish_clitic_order_la_lleva_a_moteles_is_read():
    # "la lleva a moteles", "la sube a páginas de anuncios": the pronoun before the verb
    result = read("Su pareja la pone a trabajar en las noches, la sube a páginas de anuncios "
                  "y la lleva a moteles; le quita lo que gana.")
    assert result["types"] == {"SexualExploitation"}, result["spans"]


def test_taken_to_hotels_for_a_trip_is_not_commercial_sex():
    result = read("Su mamá la lleva a hoteles cuando viajan a los torneos de natación.")
    assert not result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "her ex makes her do live videos for guys who pay him and says he'll post her pics if "
    "she stops",
    "su novio la obliga a hacer videos en vivo para unos tipos que le pagan a él",
])
def test_made_to_do_paid_live_videos_is_online_sexual_exploitation(narrative):
    assert "SexualExploitation" in read(narrative)["types"], read(narrative)["spans"]


def test_a_paid_video_job_she_chose_is_not_exploitation():
    result = read("My sister does cooking videos online and the channel pays her every "
                  "month; she loves it.")
    assert not result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Kids on a sales crew going door to door; the leader keeps their money and leaves "
    "anyone behind in a strange town if they don't sell enough.",
    "Los muchachos venden de puerta en puerta y el jefe se queda con el dinero; si no "
    "venden lo suficiente los deja tirados en otra ciudad.",
])
def test_a_sales_crew_threatened_with_abandonment_is_forced_labour(narrative):
    result = read(narrative)
    assert "ForcedLabour" in result["types"], result["spans"]
    assert result["level"] in ("high", "emergency")


def test_a_crew_that_drives_everyone_home_is_not_abandonment():
    result = read("Our sales crew goes door to door on weekends; the leader pays us each "
                  "Friday and drives everyone home at night.", model=None)  # the rules alone
    assert not result["types"], result["spans"]


# -- after the fourteenth and fifteenth sets: labour and triage levels --------------------

@pytest.mark.parametrize("narrative", [
    "We host an au pair from Brazil through an agency; she has her own room, a day off "
    "every week and I just want to know the rules on hours.",
    "Mi vecina tiene una niñera de Guatemala que trabaja muchas horas, pero se va a su "
    "casa cada fin de semana. Solo quería preguntar cuánto se le debe pagar.",
    "The news said three men were charged for collecting smuggling fees from migrants at "
    "the border; is that the same as trafficking?",
    "A recruiter was convicted of visa fraud for selling petitions for jobs that never "
    "existed. Do you have training on this?",
])
def test_a_job_or_a_crime_named_as_context_is_not_a_sign_of_trafficking(narrative):
    """Words about the setting (a nanny, an au pair, smuggling fees, visa fraud) are not
    signs: nothing points to trafficking, so the level is the lowest."""
    result = read(narrative)
    assert not result["types"], result["spans"]
    assert result["level"] == "information", result["spans"]


@pytest.mark.parametrize("narrative", [
    "We are drafting a code of conduct for our drivers. Can you share resources about labor "
    "trafficking indicators in trucking?",
    "Soy periodista y preparamos un programa sobre trata laboral en el campo. ¿Tienen a "
    "alguien para una entrevista?",
])
def test_a_question_about_the_subject_is_not_a_case(narrative):
    result = read(narrative, model=None)  # the rules' opposite
    assert not result["types"] and result["level"] == "information", result["spans"]


def test_the_subject_named_in_a_case_still_counts():
    result = read("My brother is a victim of labor trafficking: the farm boss keeps his "
                  "passport and he cannot leave.", model=None)
    assert result["types"] == {"ForcedLabour"}, result["spans"]


def test_a_live_in_nanny_whose_passport_is_held_still_points_to_trafficking():
    result = read("Our neighbours' nanny lives with them; they keep her passport and she "
                  "has not had a day off in months.")
    assert result["level"] in ("standard", "high", "emergency"), result["spans"]


@pytest.mark.parametrize("narrative", [
    "My husband hit me again tonight. He is asleep now and I need a shelter for tomorrow.",
    "Mi esposo me pegó hoy en la noche y ahora está dormido, necesito un refugio.",
])
def test_violence_at_home_tonight_without_exploitation_is_not_an_emergency(narrative):
    result = read(narrative)
    assert result["level"] != "emergency", result["spans"]


@pytest.mark.parametrize("narrative", [
    "He keeps our passports and tonight he hit one of the workers with a pipe in front of "
    "everyone.",
    "Nos tiene encerrados en la bodega y ahorita le pegó a un compañero.",
])
def test_violence_now_against_someone_held_or_exploited_is_an_emergency(narrative):
    assert read(narrative)["level"] == "emergency", read(narrative)["spans"]


@pytest.mark.parametrize("narrative", [
    "Since he got here they make him hold and sell pills out of an apartment; he gets no "
    "money.",
    "The men who paid his way have him make a run across town every night and say he "
    "still owes them.",
    "They drive the kids to malls and have them steal perfume to resell.",
    "Los que le pagaron el viaje lo pusieron a vender droga en una esquina.",
    "Unos muchachos mayores lo ponían a robar en tiendas.",
])
def test_forced_criminality_told_plainly_is_forced_labour(narrative):
    result = read(narrative)
    assert "ForcedLabour" in result["types"], result["spans"]
    assert "coding:exploitation_form:ForcedCriminality" in result["keys"]


@pytest.mark.parametrize("narrative", [
    "My boss makes me sell insurance door to door and I hate it.",
    "He had me make a run to the store for milk.",
    "Mi hijo vende dulces para la excursión de su escuela.",
])
def test_an_errand_or_a_sales_job_is_not_forced_criminality(narrative):
    assert not read(narrative)["types"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative", [
    "Un señor lo llevaba a pedir dinero en los semáforos con un letrero y se quedaba con "
    "todo.",
    "Hay dos niños pidiendo todo el día en la avenida y una mujer pasa y les quita lo que "
    "han juntado.",
    "A woman has the kids stand at off-ramps with cardboard signs and takes everything "
    "they collect.",
    "Una niña vende chicles en la entrada del mercado y el hombre que la cuida le pega si "
    "no vende.",
])
def test_begging_handed_over_or_punished_is_forced_begging(narrative):
    result = read(narrative)
    assert "ForcedBegging" in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Mi hijo le pide dinero a su papá y se queda con todo el cambio.",
    "A man was begging at the light and a police officer took him to a shelter.",
])
def test_asking_for_money_is_not_forced_begging(narrative):
    # The rules read no type at all; the learned reading, retrained on 2026-12-07 (night),
    # reads the second sentence alone as sex at a chance of 0.56 ("man", "shelter"): one
    # ordinary sentence, the precision it is not measured on (docs/bench/intake.md). It
    # must still not read begging.
    assert not read(narrative, model=None)["types"], read(narrative, model=None)["spans"]
    assert "ForcedLabour" not in read(narrative)["types"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative, sign", [
    ("The contractor says if he quits he must pay the whole lease at once.", "control.threats"),
    ("The agency told her she pays a fine of 2000 if she cancels.", "control.threats"),
    ("The boss says if they leave before the season ends they lose their visa.",
     "control.threats"),
    ("El patrón dice que si nos vamos nos demanda por el contrato.", "control.threats"),
    ("El contratista dice que si se van los denuncia a migración.",
     "control.threat-deportation"),
    ("dice q si me voy llama a la migra", "control.threat-deportation"),
])
def test_a_penalty_lawsuit_or_report_for_leaving_is_a_threat(narrative, sign):
    assert f"indicator:{sign}" in read(narrative)["keys"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative", [
    "If I quit, can they sue me for the uniform?",
    "If he leaves he has to give two weeks notice.",
    "Si renuncio, ¿me tienen que pagar las horas extras?",
    "She said she will call me in the morning.",
])
def test_a_question_about_quitting_or_notice_is_not_a_threat(narrative):
    keys = read(narrative)["keys"]
    assert not {"indicator:control.threats", "indicator:control.threat-deportation"} & keys


def test_labour_with_a_penalty_for_leaving_is_high():
    result = read("Mi hermano trabaja en una obra; el contratista tiene su pasaporte y dice "
                  "que si se va tiene que pagar todo de golpe.")
    assert "ForcedLabour" in result["types"], result["spans"]
    assert result["level"] in ("high", "emergency")


@pytest.mark.parametrize("narrative, sign", [
    ("El señor que me trajo dice que le debo 20 mil del pasaje.", "control.debt"),
    ("El patrón nos descuenta la renta y siempre salimos debiendo.", "control.debt"),
    ("Dice que le debemos el viaje desde Honduras.", "control.debt"),
    ("Tiene mi pasaporte en su oficina para que no se pierda.", "control.documents-held"),
    ("Tiene nuestros papeles para la nómina y no los devuelve.", "control.documents-held"),
    ("Me quitaron el pasaporte al llegar.", "control.documents-held"),
    ("No me dejan salir de la casa.", "control.cannot-leave"),
    ("Here the contractor take our passports and visas.", "control.documents-held"),
])
def test_first_person_and_a_missing_subject_in_the_caller_s_words(narrative, sign):
    assert f"indicator:{sign}" in read(narrative)["keys"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative, sign", [
    ("Le debo una disculpa a mi jefe.", "control.debt"),
    ("Ella tiene sus papeles y vive con nosotros.", "control.documents-held"),
    ("Yo tengo mis papeles en regla.", "control.documents-held"),
    ("I need to take my passport to the consulate.", "control.documents-held"),
])
def test_own_papers_or_an_apology_owed_are_not_control(narrative, sign):
    assert f"indicator:{sign}" not in read(narrative)["keys"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative", [
    "Le llamo porque mi esposo está en una obra en otro estado; el contratista no les paga "
    "y les dice que si se van los denuncia a migración.",
    "My husband called me from the farm: last night the boss shot at a worker who tried "
    "to leave, and they take their phones.",
])
def test_a_spouse_who_is_the_worker_does_not_speak_against_labour(narrative):
    """'mi esposo' is context against labour when the spouse is the one in control; a
    caller's spouse who works there or calls from there is the person exploited."""
    result = read(narrative)
    assert "ForcedLabour" in result["types"], result["spans"]
    assert result["level"] in ("high", "emergency")


@pytest.mark.parametrize("narrative", [
    "My husband took my passport after a fight and hits me; I work at a bank and keep my "
    "own salary.",
    "Mi esposo me pega y me quita el dinero que gano en la fábrica.",
])
def test_a_spouse_in_control_is_still_not_labour(narrative):
    assert "ForcedLabour" not in read(narrative)["types"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative", [
    "El martes el contratista le quebró la nariz a un compañero con un tubo.",
    "The foreman broke his finger with a hammer for working slow.",
    "The boss shot at a worker who tried to leave.",
    "I saw the foreman smack one of the boys in the head just now.",
    "El patrón le dio un manotazo al muchacho por pedir su pago.",
])
def test_an_injury_done_to_a_worker_is_violence(narrative):
    assert "indicator:control.physical-abuse" in read(narrative)["keys"]


def test_an_injury_at_play_is_not_violence():
    assert "indicator:control.physical-abuse" not in read(
        "My son broke his arm playing soccer at school.")["keys"]


@pytest.mark.parametrize("narrative", [
    "Mi hermano está en un barco camaronero; el capitán les quitó los pasaportes y no los "
    "deja bajar.",
    "He drives a truck for a small company that holds his papers and says he owes 20,000.",
    "My aunt works live-in for a family; she cooks, cleans and cares for the grandmother "
    "and they keep her passport.",
])
def test_who_the_person_works_for_is_read_in_more_trades(narrative):
    result = read(narrative)
    assert result["types"] & {"ForcedLabour", "Servitude"}, result["spans"]
    assert result["level"] in ("high", "emergency")


def test_a_captain_or_a_company_without_control_is_no_case():
    result = read("The captain of our fishing trip was great and the company refunded us.")
    assert not result["types"] and result["level"] == "information", result["spans"]


@pytest.mark.parametrize("narrative", [
    "Si juntaba poco no le daba de cenar.",
    "She did not let them eat until they brought back enough.",
])
def test_food_withheld_as_a_punishment_is_control(narrative):
    assert "indicator:control.necessities-withheld" in read(narrative)["keys"]


def test_no_snacks_before_dinner_is_not_control():
    assert "indicator:control.necessities-withheld" not in read(
        "My mother did not let us eat candy before dinner.")["keys"]


@pytest.mark.parametrize("narrative, sign", [
    ("The nurses signed contracts with penalties for leaving early and the owner kept them "
     "on by threatening lawsuits and the loss of their immigration status.", "control.threats"),
    ("Dice que si deja de trabajar le van a hacer algo a su mamá.", "control.threat-family"),
    ("When he asked to leave they showed him a photo of his mother's house back home.",
     "control.threat-family"),
    ("El tío cobra su cheque completo por lo que debe del camino.", "control.debt"),
])
def test_threats_told_as_callers_tell_them(narrative, sign):
    assert f"indicator:{sign}" in read(narrative)["keys"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative, sign", [
    ("My sister sent me photos of her kids at the park.", "control.threat-family"),
    ("The library charges fines for late books.", "control.threats"),
])
def test_family_photos_or_library_fines_are_not_threats(narrative, sign):
    assert f"indicator:{sign}" not in read(narrative)["keys"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative", [
    "Me trajeron con una oferta de trabajo de mesera, pero al llegar me dijeron que debo el "
    "pasaje y que lo pago atendiendo hombres en un apartamento; me quitaron el pasaporte.",
    "A man recruited her for a job in Miami as a waitress, but it was seeing clients in a "
    "back room for money and he kept her passport.",
])
def test_the_job_promised_as_the_lure_is_not_the_work_done(narrative):
    result = read(narrative)
    assert "SexualExploitation" in result["types"], result["spans"]
    assert "ForcedLabour" not in result["types"], result["spans"]


def test_a_job_promised_and_then_done_is_still_labour():
    result = read("Le ofrecieron trabajo en una fábrica y ahora trabaja 16 horas en la "
                  "fábrica sin pago; el patrón le quitó el pasaporte.")
    assert "ForcedLabour" in result["types"], result["spans"]


def test_a_clitic_before_the_verb_of_forcing_reads_as_forced_criminality():
    result = read("Al llegar me quitaron el pasaporte y me obligaron a fingir que era otra "
                  "persona en internet para robarle los ahorros a la gente.")
    assert "ForcedLabour" in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "The captain says we dont get off until the end of the season; we are not allowed on "
    "the dock.",
    "Cuando llegan a puerto el capitán no los deja bajar.",
    "Duerme en el cuarto de lavado y solo sale acompañada.",
    "Solo salimos al pueblo el domingo con el mayordomo.",
    "The contractor says we cannot change employer or go to town.",
])
def test_movement_restricted_on_a_boat_or_in_a_camp_is_not_being_free_to_leave(narrative):
    assert "indicator:control.cannot-leave" in read(narrative)["keys"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative", [
    "We only go out to the store with the kids on Sundays.",
    "Passengers are not allowed on the dock after 10 pm for safety.",
])
def test_a_family_outing_or_a_dock_rule_is_not_restraint(narrative):
    assert "indicator:control.cannot-leave" not in read(narrative)["keys"]


def test_made_to_work_the_street_is_commercial_sex_not_forced_labour():
    street = read("Mi hermana está con el padrote, la obliga a trabajar la calle cada noche "
                  "y le quita todo.", model=None)
    assert street["types"] == {"SexualExploitation"}, street["spans"]
    field = read("Al muchacho lo obligan a trabajar en el campo de sol a sol y no le pagan.",
                 model=None)
    assert field["types"] == {"ForcedLabour"}, field["spans"]


@pytest.mark.parametrize("narrative", [
    "Trabaja en una lavandería y cobra su sueldo. No reporta que la obliguen a trabajar.",
    "The caller does not say that anyone forces her to work.",
])
def test_a_report_said_not_to_have_been_made_negates_what_it_introduces(narrative):
    """Call notes: 'No reporta que la obliguen a trabajar' denies the forced work (for the
    rules: the learned reading's word weights do not read a denial, docs/intake.md)."""
    assert not read(narrative, model=None)["types"], read(narrative, model=None)["spans"]


def test_a_denial_of_one_thing_leaves_the_next_clause_standing():
    result = read("No reporta golpes, pero dice que la obligan a trabajar 16 horas y el "
                  "patrón le quitó el pasaporte.")
    assert "ForcedLabour" in result["types"], result["spans"]


def test_work_told_with_its_hours_is_labour_also_beside_commercial_sex():
    # A trade worked with its hours is labour's own evidence: in a story that is also
    # commercial sex, both stay ('both' needs 2 own points for labour, 3 for sex).
    mixed = read("My cousin works in the kitchen at a seafood place 14 hours a day, no days "
                 "off. On weekends the owner makes her go out with customers and they pay him.")
    assert {"ForcedLabour", "SexualExploitation"} <= set(mixed["types"])
    # Opposite: commercial sex with the money kept, no work told, stays sex alone.
    sex = read("Her boyfriend makes her go out with customers on weekends and they pay him; "
               "he keeps all her money.")
    assert "ForcedLabour" not in sex["types"]
    # Opposite: long hours alone, no trade and no control, are no case.
    assert not read("I have been doing 16 hour days studying for my exams.")["types"]


@pytest.mark.parametrize("narrative", [
    "Dice que unos hombres la tienen en un hotel y que esta noche la van a llevar con "
    "clientes.",
    "Estoy en un departamento con otras dos niñas; el hombre nos trae hombres todos los días.",
    "Le dijeron que si no paga la deuda la van a vender a unos señores.",
])
def test_men_brought_to_them_or_clients_to_come_is_commercial_sex(narrative):
    result = read(narrative, model=None)
    assert "SexualExploitation" in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "El contratista nos trae hombres nuevos cada semana para la obra.",
    "Mañana me van a poner con clientes en la tienda; es mi primer día de cajera.",
])
def test_new_workers_brought_in_or_a_shop_s_customers_are_not_commercial_sex(narrative):
    result = read(narrative, model=None)
    assert "SexualExploitation" not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Aquí me dijo que tenía que 'trabajar' con hombres para pagar la renta y me amenaza "
    "con la migra.",
    "Le dijeron que tenía que acompañar a empresarios y que le cobraban una deuda de $10,000.",
])
def test_commercial_sex_told_as_work_in_any_tense_and_in_quotes_is_commercial_sex(narrative):
    result = read(narrative, model=None)
    assert result["types"] == {"SexualExploitation"}, result["spans"]


@pytest.mark.parametrize("narrative, sign", [
    ("El dueño pone a algunas compañeras a 'atender' a sus amigos en la noche.",
     "indicator:sex.euphemisms"),
    ("En la noche el dueño la lleva a un bar para que 'atienda' clientes en cuartos.",
     "indicator:sex.euphemisms"),
])
def test_serving_his_friends_or_clients_in_rooms_is_a_sign_of_commercial_sex(narrative, sign):
    assert sign in read(narrative, model=None)["keys"]


@pytest.mark.parametrize("narrative", [
    "Mi trabajo es acompañar a los clientes a ver casas en venta.",
    "La patrona la lleva a la tienda para que atienda clientes en la caja.",
    "Tenía que trabajar con hombres mayores que yo en la obra, y me costó al principio.",
])
def test_a_sales_job_a_shop_counter_or_a_building_site_is_not_commercial_sex(narrative):
    result = read(narrative, model=None)
    assert "indicator:sex.euphemisms" not in result["keys"], result["spans"]
    assert "SexualExploitation" not in result["types"], result["spans"]


def test_quotation_marks_around_a_euphemism_do_not_hide_it_and_spans_point_to_the_text():
    quoted = "Me dijo que tenía que \u201ctrabajar\u201d con hombres."
    result = read(quoted, model=None)
    assert result["types"] == {"SexualExploitation"}, result["spans"]
    found = suggest(quoted, build_catalog(), model=None)
    [sign] = [s for s in found if s.key == "indicator:sex.commercial-sex-controlled"]
    assert quoted[sign.start:sign.end] == sign.text == "tenía que \u201ctrabajar\u201d con hombres"


@pytest.mark.parametrize("narrative", [
    "El señor me trajo para 'trabajar con hombres' y no me deja salir.",
    "Mi hija se metió a la vida por un hombre; ahora está en un bar y él la vigila.",
    "Las pone a 'dar servicio' a hombres en un hotel y les quita el celular.",
    "Su nuera la mandaba a atender a unos amigos en un taller a cambio de dinero.",
    "The women pour drinks, but after closing they have to go out with customers; the owner "
    "holds their passports.",
    "Now she says he makes her work at clubs and hotels with men and takes all the money.",
])
def test_commercial_sex_told_as_service_the_life_or_going_out_with_customers(narrative):
    result = read(narrative, model=None)
    assert "SexualExploitation" in result["types"], result["spans"]
    assert "ForcedLabour" not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative, not_type", [
    ("He makes her work in the kitchen with men from the crew and never pays her.",
     "SexualExploitation"),
    ("Vine a trabajar con hombres en la obra y el patrón nos paga cada viernes.",
     "SexualExploitation"),
    ("Nos quitaban el pasaporte y nos amenazaban con vendernos a otra empresa.",
     "SexualExploitation"),  # sold on to another scam company: not commercial sex
    ("From 2016 to 2019 my husband made me work in massage parlors; he kept my ID.",
     "ForcedLabour"),  # the massage business's "work" is the commercial sex
])
def test_work_beside_men_a_sale_to_another_company_or_a_parlour_keep_their_type(narrative,
                                                                               not_type):
    result = read(narrative, model=None)
    assert not_type not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "My cousin is on a roofing crew; the boss just punched him and has his passport. They're "
    "still on the roof on Main near the CVS.",
    "I'm a driver, I just dropped off a girl who can't be more than 14 at the motel on Garland; "
    "a man in his 30s took her arm and she looked scared.",
    "Estoy en una casa en Naucalpan trabajando de planchadora, la señora me encierra con llave "
    "y ayer me quemó el brazo con la plancha.",
])
def test_just_now_still_there_or_a_victim_in_a_house_is_happening_now(narrative):
    result = read(narrative, model=None)
    assert "signal:immediate" in result["keys"], result["spans"]
    assert result["level"] == "emergency", result["spans"]


@pytest.mark.parametrize("narrative", [
    "I just dropped off my resume at the motel on Garland; the manager was nice.",
    "The workers are still on the payroll although the farm closed last year.",
    "Estoy en una casa de cultura dando clases de guitarra los sábados.",
])
def test_an_errand_a_payroll_or_a_class_is_not_happening_now(narrative):
    result = read(narrative, model=None)
    assert result["level"] != "emergency", result["spans"]
    assert not result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "La señora le quemó la mano con la plancha porque no terminó a tiempo.",
    "He burned her arm with a cigarette when she asked for her pay.",
])
def test_a_burn_inflicted_is_violence(narrative):
    assert "indicator:control.physical-abuse" in read(narrative, model=None)["keys"]


def test_a_burn_at_work_by_accident_or_a_sunburn_is_not_violence():
    for narrative in ("Se quemó la mano con el aceite en la cocina y la llevaron al doctor.",
                      "He got a sunburn on his arms picking strawberries."):
        assert "indicator:control.physical-abuse" not in read(narrative, model=None)["keys"]


@pytest.mark.parametrize("narrative", [
    "ED social worker referral: adult female, construction injury (fall); the employer refuses "
    "workers comp.",
    "The manager threatened to fire her if she refused a double shift.",
    "Caller is a student who works at a diner. She has her documents and lives in a dorm.",
    "Trabajo en un restaurante y me pagan poco. ¿Esto es explotación laboral o trata?",
])
def test_an_accident_a_threat_to_fire_her_own_papers_or_a_question_is_not_forced_labour(
        narrative):
    result = read(narrative, model=None)
    assert not result["types"], result["spans"]
    assert result["level"] in ("information", "standard"), result["spans"]


@pytest.mark.parametrize("narrative, sign", [
    ("The foreman beat him and the injury to his face needed stitches.",
     "indicator:control.physical-abuse"),
    ("He threatened to beat her if she quit.", "indicator:control.threats"),
    ("She says he has her passport and won't give it back.", "indicator:control.documents-held"),
    ("He keeps her passport in his safe.", "indicator:control.documents-held"),
    ("Nos tenían en esclavitud en la finca, sin paga.", "indicator:labour.named"),
])
def test_violence_a_threat_to_harm_and_papers_kept_by_another_still_count(narrative, sign):
    assert sign in read(narrative, model=None)["keys"]
