"""Who is the worker, who is in control, and what is only said in passing (issue 14, after
the errors of four blind training sets were read, 2026-12-07 night).

Each test names one mechanism and checks it on sentences written for the test (none is a
sentence of a labelled set), with its opposite. ``model=None`` reads with the rules alone.
"""

from __future__ import annotations

import pytest

from tests_support import read_narrative as read

LABOUR = "ForcedLabour"
SEX = "SexualExploitation"


# -- a caller's partner as the worker, not the one in control ---------------------------------

@pytest.mark.parametrize("narrative", [
    "I'm calling for my husband, who is working at a meat plant through a broker. The broker "
    "keeps his passport and says they'll report him to immigration if he quits.",
    "Mi esposo se fue a trabajar a una pesquera; el dueño les quitó las cédulas y los "
    "amenaza con denunciarlos si reclaman.",
])
def test_a_partner_who_works_under_control_is_the_worker(narrative):
    assert LABOUR in read(narrative, model=None)["types"]


def test_a_partner_who_controls_the_money_is_still_no_employer():
    result = read("My husband takes my paycheck from the cleaning company every Friday and "
                  "won't let me see my family.", model=None)
    assert LABOUR not in result["types"], result["spans"]


# -- the worker is said to have his papers; owed to, not owing -----------------------------------

def test_has_his_passport_said_of_the_worker_is_no_document_held():
    result = read("My husband went to work on a farm up north, he calls every night, he's "
                  "fine, has his passport, but the employer paid him late once.", model=None)
    assert "indicator:control.documents-held" not in result["keys"]
    assert LABOUR not in result["types"]


def test_a_worker_who_is_owed_overtime_owes_no_debt():
    calm = read("One of my guys says he's owed overtime from his last employer. Who do I "
                "call?", model=None)
    assert "indicator:control.debt" not in calm["keys"]
    owing = read("The crew boss says he owes $4,000 for the ride and the room and can't "
                 "quit until it's paid.", model=None)
    assert "indicator:control.debt" in owing["keys"]


# -- said in passing: a negated causative, a scam told to the caller, talking every day -------

def test_never_had_her_do_sex_work_is_no_commercial_sex():
    said_not = read("She left an abusive relationship; the ex never had her do sex work or "
                    "any job for him. She wants shelter information.", model=None)
    assert SEX not in said_not["types"]
    said = read("The ex had her do sex work with men he found online and kept the money.",
                model=None)
    assert SEX in said["types"]


def test_a_romance_scam_aimed_at_the_caller_is_no_forced_criminality():
    victim = read("He sent $3,000 to a woman he met online; it was a scam. Referred to "
                  "romance scam resources.", model=None)
    assert LABOUR not in victim["types"]
    compound = read("My brother is held in a compound and forced to run romance scams on "
                    "the phone twelve hours a day.", model=None)
    assert LABOUR in compound["types"]


def test_talking_every_day_is_no_long_hours_and_working_every_day_is():
    calm = read("Mi hija trabaja en una panadería; hablan todos los días por videollamada "
                "y dice estar bien.", model=None)
    assert "indicator:labour.excessive-hours" not in calm["keys"]
    hours = read("Trabaja en la panadería de 5 de la mañana a 10 de la noche todos los días.",
                 model=None)
    assert "indicator:labour.excessive-hours" in hours["keys"]


def test_nothing_said_about_threats_is_no_threat():
    result = read("He said it's been going on a while but hasn't said anything about being "
                  "hurt or threatened.", model=None)
    assert "indicator:control.threats" not in result["keys"]
    assert "indicator:control.threats" in read("He said the boss threatened him.",
                                               model=None)["keys"]


def test_possible_victims_among_clients_is_no_commercial_sex():
    assert SEX not in read("Soy dueño de un restaurante y quiero capacitar a mi personal para "
                           "identificar posibles víctimas entre clientes.", model=None)["types"]


# -- children begging or selling for a minder; chained workers; a child asleep in class --------

@pytest.mark.parametrize("narrative", [
    "En la esquina unos niños chiquitos piden plata y un hombre los vigila desde un auto; "
    "recién le pegó a uno que se sentó a descansar.",
    "On weekends the 12-year-old and his brother sell flowers at intersections for a family "
    "friend who keeps the money.",
])
def test_children_begging_or_selling_for_a_minder_is_forced_labour(narrative):
    result = read(narrative, model=None)
    assert LABOUR in result["types"], result["spans"]


def test_children_selling_for_their_own_school_trip_is_not():
    assert LABOUR not in read("The kids sell candy after church for their school trip; the "
                              "teacher keeps a list.", model=None)["types"]


def test_workers_chained_at_night_cannot_leave():
    result = read("Workers are chained in a shed at night on a ranch after one tried to run.",
                  model=None)
    assert "indicator:control.cannot-leave" in result["keys"]
    assert LABOUR in result["types"]


def test_a_child_who_falls_asleep_in_class_is_no_one_elses_sleeping_child():
    result = read("15yo girl at my daughter's school cooks and cleans for her host family "
                  "all night and falls asleep in class. She's there now.", model=None)
    assert result["minor"]
    assert result["level"] == "emergency"
    assert not read("My kids are asleep, he says he'll take them, and I'm 34.",
                    model=None)["minor"]


# -- work told in the worker's own words; commercial sex told by a quota or a friend who pays -----

@pytest.mark.parametrize("narrative", [
    "ayuda estoy en una casa trabajando de limpieza, la señora me pega y no me deja salir, "
    "ella tiene mis papeles",
    "My husband is at a construction job abroad; the company took his passport and hasn't "
    "paid him in four months.",
    "He is on a cruise ship galley contract; the agency withheld his seaman's book and says "
    "he'll pay a penalty if he disembarks.",
])
def test_work_told_in_the_workers_words_with_control_is_forced_labour(narrative):
    assert LABOUR in read(narrative, model=None)["types"]


def test_cleaning_hotel_rooms_is_no_domestic_work():
    result = read("Trabaja de limpieza en un hotel del centro y le pagan cada quincena.",
                  model=None)
    assert "coding:vic_ForcedLabourIndustry:T_ActivitiesOfHouseholdsAsEmployers" \
        not in result["keys"]


@pytest.mark.parametrize("narrative", [
    "he takes all my money and if i dont make 800 a night he chokes me",
    "la señora que me trajo dice que le debo el pasaje y que tengo que seguir en el privé "
    "hasta pagar",
])
def test_a_nightly_quota_or_a_brothel_named_locally_is_commercial_sex(narrative):
    assert SEX in read(narrative, model=None)["types"]


def test_a_sales_target_is_no_nightly_quota():
    result = read("At the call centre, if we don't make 40 calls a day the manager gives us "
                  "a warning.", model=None)
    assert SEX not in result["types"]


# -- the writer's own conclusion: no sign of trafficking -----------------------------------------

@pytest.mark.parametrize("narrative", [
    "Caller met a woman online who asked for money for a plane ticket, then vanished. No "
    "indicators of exploitation; likely a romance scam.",
    "Mujer de 35 años que hace trabajo sexual por cuenta propia, alquila su piso y nadie le "
    "cobra. Pregunta por regularización. No hay indicios de trata.",
])
def test_a_conclusion_of_no_trafficking_withdraws_a_type_read_from_signs(narrative):
    result = read(narrative, model=None)
    assert not result["types"], result["spans"]
    assert result["level"] == "information"


def test_no_sign_of_force_is_an_observation_not_a_conclusion():
    result = read("A man rents two rooms by the week in cash; different men visit one room for "
                  "twenty minutes each and pay him at the car. No signs of force seen.",
                  model=None)
    assert SEX in result["types"], result["spans"]


def test_a_conclusion_gives_way_to_a_means_of_control():
    result = read("No indicators of trafficking at first, but on a second call she said the "
                  "owner keeps her passport and won't let her leave the restaurant.",
                  model=None)
    assert LABOUR in result["types"], result["spans"]


# -- more workplaces; crimes someone else directs ---------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Six workers on a residential build say the crew boss holds their passports and that "
    "they owe him $4,000 each for transport.",
    "Vine a coger café; el finquero nos quitó las cédulas y no nos deja salir ni el domingo.",
    "She works at a fast-food franchise; the manager holds her ID and says she owes $3,000 "
    "for the crossing and can't quit until it's paid.",
    "a mi hermano de 12 lo mandaban a pedir en el metro y una señora se quedaba con todo",
])
def test_more_workplaces_with_control_are_forced_labour(narrative):
    assert LABOUR in read(narrative, model=None)["types"]


@pytest.mark.parametrize("narrative", [
    "Last summer an older cousin had him and two friends steal catalytic converters and said "
    "he'd handle their families if they stopped.",
    "The 17-year-old had been directed by an adult gang member to commit break-ins under "
    "threat of violence toward his siblings.",
])
def test_crimes_directed_by_someone_else_are_forced_criminality(narrative):
    result = read(narrative, model=None)
    assert "indicator:forms.forced-criminality" in result["keys"]
    assert LABOUR in result["types"]


def test_a_crime_done_alone_is_no_forced_criminality():
    result = read("He was arrested for break-ins last year and did them on his own to buy "
                  "a car.", model=None)
    assert "indicator:forms.forced-criminality" not in result["keys"]


def test_a_farm_estate_named_as_a_party_place_is_no_workplace():
    result = read("Un amigo le ofreció plata por acompañar a unos señores en una finca el fin "
                  "de semana.", model=None)
    assert "coding:vic_ForcedLabourIndustry:A_AgricultureForestryAndFishing" \
        not in result["keys"]
