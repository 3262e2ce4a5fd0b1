"""The triage level read from a caller's narrative: stopped or ongoing, told or seen, now
or later (issue 14, after the eighteenth to twenty-first sets).

Each test names one mechanism and checks it on sentences written for the test (none is a
sentence of a labelled set), with its opposite: the phrase that must not trigger it.
"""

from __future__ import annotations

import pytest

from tests_support import read_narrative as read

STOPPED = "signal:stopped"


# -- a minor's exploitation said to have stopped ---------------------------------------------

@pytest.mark.parametrize("narrative", [
    "My niece is 15. A man was taking her to parties where men paid him. She's staying with "
    "us now and says she's done with him.",
    "A 14-year-old told her teacher that her stepdad sent her to men for money. She has "
    "lived with her grandmother since March.",
    "Mi sobrina de 15 años iba a fiestas donde hombres le pagaban al novio. Ahora vive con "
    "su abuela desde hace un mes.",
    "La niña de 14 años volvió a la casa hace tres días; el novio la llevaba con hombres que "
    "le pagaban a él.",
    "My neighbour's girl is 16; a guy set up dates with men who paid him. She stopped going "
    "in the fall.",
])
def test_a_minor_exploited_then_safe_with_family_is_high_not_emergency(narrative):
    result = read(narrative)
    assert STOPPED in result["keys"], result["spans"]
    assert result["level"] == "high", (result["level"], result["spans"])


@pytest.mark.parametrize("narrative", [
    # lives with a relative, no time said: where she lives, not that it stopped
    "My niece is 15 and lives with her grandmother; a man picks her up every night and "
    "takes her to men who pay him.",
    # a past incident before what is happening right now
    "The crew leader left two kids at a gas station last month. A girl of 16 is selling "
    "for him on our street right now and he takes all her money.",
    # arrival, and 'since' a time: it goes on
    "She came here last year; since last spring a man has been sending men to her room.",
    # the crew left someone on the road: not leaving the exploiter
    "The boss hit my friend and left him on the side of the road.",
    # school dropped, not the exploiter
    "Escuela: dejó de ir. El tío lo pone a trabajar de noche para pagar el viaje.",
])
def test_where_a_minor_lives_or_a_past_incident_is_not_a_stop(narrative):
    assert STOPPED not in read(narrative)["keys"], read(narrative)["spans"]


# -- restriction told, or only never seen going out -------------------------------------------

SEEN = "signal:movement_seen"
TOLD = "signal:restraint_told"


@pytest.mark.parametrize("narrative", [
    "A crew works the orchard behind my house from dawn to dark and the guys there never "
    "leave the place; the foreman brings them groceries.",
    "Hay un local de masajes donde entran hombres a todas horas; las muchachas viven ahí y "
    "nunca las vemos salir.",
    "The women at the nail salon are dropped off and picked up by the same van every day, "
    "12 hours a day.",
])
def test_never_seen_leaving_is_a_sign_not_a_told_restriction(narrative):
    result = read(narrative)
    assert SEEN in result["keys"] and TOLD not in result["keys"], result["spans"]
    assert result["level"] != "high" and result["level"] != "emergency", result["spans"]


@pytest.mark.parametrize("narrative", [
    # told: locked in, beside what is seen
    "The guys at the orchard never leave; the foreman locks the bunkhouse at night and "
    "they work from dawn to dark.",
    # told in Spanish
    "En el local de masajes las muchachas viven ahí, nunca salen y el dueño no las deja "
    "salir; entran hombres a todas horas.",
])
def test_a_told_restriction_beside_what_is_seen_still_restricts(narrative):
    result = read(narrative)
    assert TOLD in result["keys"], result["spans"]
    assert result["level"] in ("high", "emergency"), result["spans"]


@pytest.mark.parametrize("phrase", [
    "she can never leave the house",
    "they are not allowed to go out",
    "no pueden salir nunca",
])
def test_cannot_leave_said_with_never_is_told_not_seen(phrase):
    keys = read(f"My cousin cleans for a family all day; {phrase}.")["keys"]
    assert SEEN not in keys


# -- a sign alone where the narrative says the person is free, on their own, or scammed --------

@pytest.mark.parametrize("narrative", [
    "My roommate owes the landlord two months and he keeps asking. She can quit her job "
    "anytime, she just wants to know where to get rent help.",
    "Mi hermana trabaja en un bar de alterne, dice que va por su cuenta, que nadie le quita "
    "nada. ¿Dónde puede pedir información de salud?",
    "A guy on a dating app made me send him gift cards for his 'stuck package' and blocked "
    "me. Is this where I report a scam?",
])
def test_a_sign_alone_with_the_person_said_free_is_information(narrative):
    result = read(narrative)
    assert "signal:no_case_said" in result["keys"], result["spans"]
    if not result["types"]:
        assert result["level"] == "information", result["spans"]


@pytest.mark.parametrize("narrative", [
    # told free, but a type with its means of control is still read: the level stays
    "The owner keeps their passports and they owe him for the trip; he says they can quit "
    "anytime but they have nowhere to go. They work in his kitchen 14 hours a day.",
])
def test_said_free_does_not_lower_a_case_with_a_type(narrative):
    result = read(narrative)
    assert result["types"], result["spans"]
    assert result["level"] in ("high", "emergency"), result["spans"]


@pytest.mark.parametrize("narrative", [
    "He says she can't quit until the debt is paid.",
    "Nadie la ayuda; el dueño le quita el dinero.",
    "They are scammed into working for nothing and cannot leave the compound.",
])
def test_no_case_said_needs_the_person_said_free_not_any_negation(narrative):
    assert "signal:no_case_said" not in read(narrative)["keys"], read(narrative)["spans"]


def test_no_mention_of_forced_work_negates_it():
    assert not read("Caller's partner takes her paycheck. No mention of being made to work "
                    "for anyone.")["types"]
    # Opposite: the forced work said, with no mention of pay, stays.
    assert read("He makes her work in his store every day; no mention of pay, and he keeps "
                "her passport.")["types"]


# -- happening now, as callers say it ---------------------------------------------------------

IMMEDIATE = "signal:immediate"


@pytest.mark.parametrize("narrative", [
    "My 13-year-old cousin is on facetime right now with a man who says he will pay her if "
    "she does what he says on camera.",
    "A 14-year-old girl is being sold to men in room 12 by a man who takes the money. I'm "
    "still parked outside, please send someone.",
    "Estoy en el spa, el dueño me encerró en el cuarto de atrás y me pegó. Manden a alguien.",
    "Mi sobrina de 14 años está en una videollamada con un señor que le paga por desnudarse "
    "en la cámara, está llorando.",
])
def test_now_told_as_callers_tell_it_is_immediate(narrative):
    result = read(narrative)
    assert IMMEDIATE in result["keys"], result["spans"]
    assert result["level"] == "emergency", (result["level"], result["spans"])


@pytest.mark.parametrize("narrative", [
    "Can you send me some information about the signs of trafficking for a class?",
    "I was crying a lot when I left that job last year; they never paid the overtime.",
    "I'm still at the same factory, they pay every Friday and I go home at five.",
])
def test_a_request_a_past_feeling_or_a_workplace_is_not_now(narrative):
    assert IMMEDIATE not in read(narrative)["keys"], read(narrative)["spans"]


@pytest.mark.parametrize("narrative", [
    "On the boat the captain says nobody goes home until we pay for the gear; we've been "
    "out 40 days and he beat a man yesterday.",
    "I'm 16 on a sales crew; the leader hit a boy last night and they keep my phone.",
])
def test_held_at_work_now_with_violence_is_ongoing_and_an_emergency(narrative):
    result = read(narrative)
    assert "signal:ongoing" in result["keys"], result["spans"]
    assert result["level"] == "emergency", (result["level"], result["spans"])


def test_a_trip_that_ends_and_things_kept_that_are_not_theirs_are_not_held():
    result = read("We've been out 3 days on the boat and everyone goes home on Friday; the "
                  "captain keeps the tools and the gear in the hold.")
    assert result["level"] in ("information", "standard"), (result["level"], result["spans"])


# -- an adult's own sex work told in the first person ----------------------------------------

@pytest.mark.parametrize("narrative", [
    "I'm 29, independent, I do sex work on my own and set my own rates; nobody takes a cut. "
    "Someone stole my phone. Who can help with that?",
    "Hago trabajo sexual por mi cuenta, nadie me obliga. ¿Ustedes ayudan con vivienda?",
    "Two adult women were doing sex work in a room they had booked themselves, no one else "
    "around; they left when asked. Is there anything to report?",
])
def test_an_adults_own_sex_work_in_the_first_person_is_no_case(narrative):
    result = read(narrative)
    assert "signal:no_case_said" in result["keys"], result["spans"]
    if "SexualExploitation" not in result["types"]:
        assert result["level"] == "information", (result["level"], result["spans"])


@pytest.mark.parametrize("narrative", [
    "He sets up my dates and he keeps my money; if I say no he hits me.",
    "The pt says she has to see 6 men a night and he keeps her money.",
])
def test_someone_else_keeping_her_money_is_not_her_own_work(narrative):
    result = read(narrative)
    assert "signal:no_case_said" not in result["keys"], result["spans"]


# -- stopped, blocked, escaped or not yet begun -------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "My 14-year-old niece was sending pictures to a man on snap for money; we blocked him "
    "and took her phone.",
    "Mi hija de 13 años: un hombre le pide fotos y le ofrece clientes que pagan bien. Ella no "
    "ha ido. Tengo capturas.",
    "Tengo 16, un señor me ponía a ir con hombres en un bar. Ya me escapé anoche, estoy con "
    "una vecina.",
    "A 15-year-old was going to hotels with men for an older girl who kept half; she stopped "
    "a few weeks ago.",
])
def test_a_minor_whose_exploitation_stopped_or_has_not_begun_is_high(narrative):
    result = read(narrative)
    assert STOPPED in result["keys"], result["spans"]
    assert result["level"] != "emergency", (result["level"], result["spans"])


@pytest.mark.parametrize("narrative", [
    # ran away from home: where she went is where it happens
    "Una muchacha de 15 años que se escapó de su casa vive con un tipo que la pone con sus "
    "amigos.",
    # not gone to school: the work goes on
    "The boy is 14 and hasn't gone to school since March; his uncle makes him work nights.",
])
def test_running_away_from_home_or_missing_school_is_not_a_stop(narrative):
    assert STOPPED not in read(narrative)["keys"], read(narrative)["spans"]


def test_a_minor_said_free_with_no_type_is_information_and_a_minor_exploited_is_not():
    free = read("My 16-year-old son works weekends at his uncle's shop, gets paid cash and "
                "can stop any time. What are the hour limits for teens?")
    assert "signal:no_case_said" in free["keys"], free["spans"]
    if not free["types"]:
        assert free["level"] == "information", (free["level"], free["spans"])
    # Opposite: a minor exploited, where someone else is said to be in control.
    held = read("My 15-year-old niece has to see men for money at a motel and the man keeps "
                "it all; she is not allowed to leave.")
    assert "signal:no_case_said" not in held["keys"]
    assert held["level"] in ("high", "emergency"), (held["level"], held["spans"])


@pytest.mark.parametrize("narrative", [
    "My brother paid a smuggler to bring him; he paid it all off last spring and works at a "
    "car wash, nobody controls him. Now the guy texts asking for interest. Is this for you?",
    "Vine con coyote hace dos años, ya pagué todo, trabajo en una fábrica y estoy bien. "
    "¿Hay visa para quien sufrió en el camino?",
])
def test_a_debt_paid_off_and_a_person_said_free_is_no_forced_labour(narrative):
    result = read(narrative)
    assert "ForcedLabour" not in result["types"], result["spans"]
    assert result["level"] in ("information", "standard"), (result["level"], result["spans"])


def test_a_debt_still_owed_with_control_stays_forced_labour():
    result = read("He says we still owe for the trip, keeps our passports and makes us work "
                  "in his fields from dawn to dark; nobody can leave.")
    assert "ForcedLabour" in result["types"], result["spans"]
    assert result["level"] in ("high", "emergency")
