"""The level's and the minor flag's boundaries read from a caller's narrative (issue 14,
after the errors of final-blind-h were read, 2026-12-07 evening).

Each test names one mechanism and checks it on sentences written for the test (none is a
sentence of a labelled set), with its opposite. ``model=None`` reads with the rules alone,
where a test is about a cue and not about the learned reading.
"""

from __future__ import annotations

import pytest

from tests_support import read_narrative as read

LABOUR = "ForcedLabour"


# -- unpaid wages, a broken promise or a vulnerability alone are signs, not control -----------

@pytest.mark.parametrize("narrative", [
    "They work 16 hours a day, seven days a week, sleep on the floor of the warehouse and "
    "haven't been paid since March.",
    "Trabajan 14 horas diarias todos los días en la granja, duermen ahí y no les pagan desde "
    "hace dos meses.",
])
def test_forced_work_with_unpaid_wages_alone_is_standard(narrative):
    result = read(narrative, model=None)
    assert LABOUR in result["types"], result["spans"]
    assert result["level"] == "standard", (result["level"], result["spans"])


# -- who threatens, and how the worker is treated ---------------------------------------------

@pytest.mark.parametrize("narrative", [
    "My landlord is threatening to call immigration on me because I'm late on rent. He's not "
    "my boss, I work at a warehouse and I'm paid fine.",
    "El casero amenaza con llamar a migración porque debemos dos meses de renta. Trabajo en "
    "una fábrica y me pagan bien.",
    "Mi vecina tiene una empleada que limpia de lunes a viernes; le paga el salario mínimo, "
    "la trata bien y la empleada vive en su casa.",
])
def test_a_threat_from_a_landlord_or_a_worker_paid_and_treated_well_is_no_forced_labour(
        narrative):
    result = read(narrative, model=None)
    assert LABOUR not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    # the same work with a means of control
    "The owner of the car wash makes the men work twelve hours a day, hasn't paid them since "
    "March and keeps their passports in his office.",
    "En la granja los obligan a trabajar todos los días, no les pagan y el patrón les dice "
    "que si se van los denuncia a migración.",
    # the employer threatening, even when the pay is good
    "My boss at the warehouse is threatening to call immigration on me if I quit. He keeps "
    "my passport.",
    "El dueño de la panadería le paga bien pero le dice que si se va lo reporta a "
    "inmigración y le tiene el pasaporte.",
])
def test_forced_labour_with_a_means_of_control_is_high_even_when_the_pay_is_good(narrative):
    result = read(narrative, model=None)
    assert LABOUR in result["types"], result["spans"]
    assert result["level"] == "high", (result["level"], result["spans"])


# -- said free: a sign alone is information ---------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "trabajo de mesera en un bar, el dueño nos multa si llegamos tarde. me puedo ir cuando "
    "quiera pero me parece un robo. es legal?",
    "My cousin dances at a club downtown. She says she chose it, pays her own rent and nobody "
    "tells her what to do. Our grandma thinks she is being trafficked.",
])
def test_a_sign_alone_where_the_person_is_said_free_is_information(narrative):
    result = read(narrative, model=None)
    assert "signal:no_case_said" in result["keys"], result["spans"]
    assert result["level"] == "information", (result["level"], result["spans"])


@pytest.mark.parametrize("narrative", [
    "trabajo de mesera en un bar, el dueño no me deja ir cuando quiero y me multa si llego "
    "tarde.",
    "My cousin dances at a club downtown. She is not free to leave; a man drives her there "
    "every night.",
])
def test_not_free_is_not_said_free(narrative):
    assert "signal:no_case_said" not in read(narrative, model=None)["keys"]


# -- ages in more forms ----------------------------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Una red obligaba a niñas de entre 13 y 17 años a prostituirse en hoteles de la costa.",
    "Two siblings (13 and 15) are forced to beg at the intersection until 2am and hand their "
    "uncle all the money.",
    "encontré en el celular de mi hija de 13 mensajes de un hombre que le ofrece dinero por "
    "verse con él y le pide fotos.",
    "hi im youth shelter staff. we have a 17 yo boy who ran from his sponsor. the sponsor "
    "had him on a roofing crew and kept his pay for a debt.",
])
def test_ages_as_ranges_brackets_and_without_years_flag_a_minor(narrative):
    result = read(narrative, model=None)
    assert result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    # hours, not ages
    "Los obligan a trabajar de 8 a 12 horas en la obra y no les pagan; el patrón les quitó "
    "los pasaportes.",
    # a sentence in years
    "The crew leader who kept their passports faces between 10 and 15 years in prison.",
    # the caller's own children beside the case
    "He took my passport and makes me work every day for nothing. We have two kids (5 and 8) "
    "at home.",
])
def test_hours_sentences_and_a_callers_own_children_are_no_minor(narrative):
    result = read(narrative, model=None)
    assert not result["minor"], result["spans"]


# -- refusing is not denying; a lock-out is not a lock-in -------------------------------------

def test_when_she_refuses_he_hits_her_is_violence_and_she_denies_it_is_not():
    assert "indicator:control.physical-abuse" in read(
        "Trabaja en la casa sin salario. Cuando se niega le pega.", model=None)["keys"]
    assert "indicator:control.physical-abuse" not in read(
        "Trabaja en la casa. Ella niega que le peguen.", model=None)["keys"]


def test_locked_out_or_a_bathroom_break_is_no_restraint_and_locked_in_is():
    for narrative in ("The uncle locked them out of the apartment when they came back short.",
                      "la supervisora no nos deja ir al baño más de dos veces por turno."):
        keys = read(narrative, model=None)["keys"]
        assert "signal:restraint_told" not in keys and \
            "indicator:control.cannot-leave" not in keys, narrative
    keys = read("The uncle locked them in the apartment when they came back short.",
                model=None)["keys"]
    assert "signal:restraint_told" in keys


# -- where the caller is "right now" -----------------------------------------------------------

def test_at_his_place_right_now_is_now_and_at_home_right_now_is_not():
    now = read("im 15 and my cousin makes me meet guys he finds on an app. i'm at his "
               "apartment rn.", model=None)
    assert "signal:immediate" in now["keys"] and now["level"] == "emergency", now["spans"]
    home = read("im 16. a guy posted me on a site and i went with 2 guys. now he says i owe "
                "him for the hotel. i'm at home rn.", model=None)
    assert "signal:immediate" not in home["keys"], home["spans"]


# -- a child now in care: it stopped ----------------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "soy educador. un chico de 17 años nos contó que en verano unos hombres lo obligaban a "
    "vender droga y le pegaban. ahora está con nosotros.",
    "Two siblings (13 and 15) were removed last week from an uncle who had them selling "
    "roses in bars every night. Kids now in foster placement.",
])
def test_a_child_now_in_care_is_a_stopped_case(narrative):
    result = read(narrative, model=None)
    assert "signal:stopped" in result["keys"], result["spans"]
    assert result["level"] != "emergency", (result["level"], result["spans"])


# -- decoys said in more ways ---------------------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "A man was charged after he agreed to pay $80 to have sex with a 15-year-old girl, "
    "actually an undercover sheriff's investigator.",
    "Joint op: undercover posed as 15yo on a chat app. Suspect arranged to meet at a hotel "
    "for money.",
    "Anoche un agente usó un perfil de 'niña de 13' en una app y un sujeto llegó con dinero.",
    "Hicimos un operativo con un perfil falso de una muchacha de 15; llegaron dos hombres.",
])
def test_a_persona_said_in_more_ways_is_a_decoy_and_no_minor(narrative):
    result = read(narrative, model=None)
    assert result["decoy"] and not result["minor"], result["spans"]
