"""Narrative assist reads commercial sex and minors told every way (issue 14, after the
fourteenth and fifteenth sets were read).

Each test is one mechanism, checked on sentences written for the test (none is a sentence
of a labelled set), with its opposite: a near-miss that must not fire (an adult's own work
with no third party, a caller's own children, a school grade in a call that is not about
trafficking, a job that is only a job).
"""

from __future__ import annotations

import pytest

from tests_support import read_narrative as read


SEX = "SexualExploitation"


# -- a third party is paid for the person ----------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "He drops her at older men's houses on weekends and the men pay him when he picks "
    "her up.",
    "A couple of nights a week her uncle takes her to a party where his friends give him "
    "cash and she has to go upstairs with them.",
    "El padrastro la llevaba con un señor que le daba dinero al padrastro y la dejaba "
    "sola con él.",
    "Los sábados la manda con unos amigos de él que le pagan a él para que ella se acueste "
    "con ellos.",
])
def test_men_paying_someone_else_for_her_is_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "A man at the bus stop asked me for money, I gave him some. Is there a shelter near?",
    "The men pay the contractor for the ride to the farm every morning and for the bunks.",
    "Los hombres le pagan al patrón la renta del cuarto cada semana.",
])
def test_paying_someone_for_a_ride_rent_or_alms_is_not_commercial_sex(narrative):
    result = read(narrative)
    assert SEX not in result["types"], result["spans"]


# -- Spanish verbs in every person -----------------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "El tipo dice que le debo el pasaje y que tengo que pagarlo con clientes.",
    "Aquí tenemos que salir con los clientes y el dueño se queda con la mitad.",
    "Me pega si no atiendo a los clientes, mis papeles los tiene él.",
    "Anoche me pegó porque no quise ir con otro cliente.",
    "Me dijo que me van a poner a trabajar con clientes allá y que le debo el pasaje.",
    "Estaba atendiendo clientes en los cuartos de atrás de la cantina.",
])
def test_serving_clients_in_the_first_person_is_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Trabajo de mesera en una fonda, tengo que atender a los clientes en las mesas y "
    "limpiar la cocina; quiero saber cuánto es el salario mínimo.",
    "Le debo dinero a mi hermano y se lo voy a pagar con mi aguinaldo.",
    "My boss yelled at me because I did not want to go with the client to the site on "
    "Sunday; can he fire me for that?",
])
def test_serving_tables_or_owing_a_brother_is_not_commercial_sex(narrative):
    result = read(narrative)
    assert SEX not in result["types"], result["spans"]


def test_a_debt_in_the_first_person_is_a_debt():
    result = read("El tipo que me trajo dice que le debo 20 mil y no me deja salir.")
    assert "indicator:control.debt" in result["spans"], result["spans"]


def test_wages_owed_to_the_caller_are_not_a_debt_bondage():
    result = read("Mi patrón me debe dos semanas de sueldo y no me contesta.")
    assert "indicator:control.debt" not in result["spans"], result["spans"]


# -- euphemism families and patterns of visits -----------------------------------------------

@pytest.mark.parametrize("narrative", [
    "She said her 'manager' takes everything and she has to see like 8 guys a day.",
    "Men go in every 20 minutes from noon to midnight, the women who live there never "
    "come out.",
    "Entran hombres toda la noche, uno tras otro, y las muchachas nunca salen.",
    "Many men coming in one by one and a man sits in the hallway taking money from them.",
    "A girl is knocking on truck cabs asking if they want 'company'.",
    "Una niña toca las puertas de las cabinas preguntando si quieren 'compañía'.",
    "The agency books the men, takes 40 percent and keeps her passport.",
    "He drives her to other men's houses on weekends and she has to stay the night.",
])
def test_euphemisms_and_patterns_of_visits_are_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "The men come to work all day at the farm and the foreman yells at them.",
    "My grandmother is lonely and looking for company; is there a senior center near us?",
    "The recruiter booked the men on a bus north and took the money for the tickets.",
    "He asked for extra hours this week and the manager said no.",
    "Men come every hour to drop off materials at the site, nobody lives there.",
])
def test_work_visits_company_and_extra_hours_are_not_commercial_sex(narrative):
    # the rules alone: the learned reading may suggest a type for one ordinary sentence at
    # a middling chance ("Men come every hour...": 51%), said in docs/intake.md
    result = read(narrative, model=None)
    assert SEX not in result["types"], result["spans"]
    assert "indicator:sex.euphemisms" not in result["spans"], result["spans"]


# -- online, live-streamed, for gifts or money, a third party taking it -----------------------

@pytest.mark.parametrize("narrative", [
    "A guy she met in a game sends her gift cards to get on video calls and do stuff on "
    "camera.",
    "Un señor le manda recargas para que se conecte por cámara de noche y haga lo que él "
    "le pide.",
    "She is on live right now doing stuff for gifts and her boyfriend takes the payouts.",
    "He set up the stream in his spare room and told him what to do on camera; he kept "
    "the payouts.",
    "Mi novio me pone a hacer directos en una página de cámaras y él cobra todo en su "
    "cuenta.",
    "Her boyfriend forced her to do live shows on a cam website; the money goes to his "
    "account.",
])
def test_live_or_camera_work_for_gifts_or_a_third_party_is_online_sexual_exploitation(
        narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "My son streams video games every night and viewers send him tips; is that allowed at "
    "14?",
    "My grandmother sends the kids gift cards so they can video call her on Sundays.",
    "My friend is 30 and does webcam shows on her own, it's her account and nobody takes "
    "her money. Is that legal?",
    "Mi amiga tiene 30 años y es dama de compañía, ella sola pone sus anuncios, decide "
    "sus clientes y se queda con todo su dinero.",
])
def test_streaming_games_family_calls_and_an_adults_own_work_are_not_exploitation(narrative):
    result = read(narrative)
    assert SEX not in result["types"], result["spans"]


# -- ages written every way, decoys that pose online --------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Two girls who look 14-15 are sold to men at the motel every night by a man who keeps "
    "the money.",
    "A girl in my grade (9th) is on live doing stuff for gifts and her boyfriend takes the "
    "payouts.",
    "A los 16, un hombre la tenía atendiendo clientes en los cuartos de atrás de una "
    "cantina.",
    "Una alumna de 9no grado: un señor la lleva con unos amigos de él que le dan dinero a él.",
    "Un alumno de séptimo grado: su padrino lo vende a hombres en un motel.",
    "Two siblings, boy 14 and girl 12, are sold to men by their aunt who keeps the money.",
    "A sophomore boy is sold to men at the motel by a man who keeps the money.",
])
def test_ages_and_grades_written_every_way_flag_a_minor(narrative):
    result = read(narrative)
    assert result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "My husband hit me last night and took my keys. I have 2 kids (6 and 9) with me at a "
    "friend's place.",
    "Mi compañero tiene quemaduras de segundo grado y el patrón no lo deja ir al médico.",
    "Every night around 9 a van drops the workers at the plant and the boss keeps their "
    "passports.",
    "My sister is a sophomore at the state university and her boyfriend takes all her "
    "money and sells her to men.",
])
def test_own_kids_burns_clock_times_and_college_are_not_a_minor(narrative):
    result = read(narrative)
    assert not result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Investigator posed online as a 15 y/o girl on a social app; a man offered $200 for sex "
    "and was arrested at the motel. No actual minor involved.",
    "Una agente se hizo pasar en una red social por una menor de 14 años; un hombre le "
    "ofreció dinero a cambio de relaciones y fue arrestado.",
])
def test_an_officer_posing_online_as_a_minor_is_a_decoy(narrative):
    result = read(narrative)
    assert result["decoy"] and not result["minor"], result["spans"]


def test_a_girl_who_posed_for_photos_is_no_decoy():
    result = read("She posed for photos as a model; now a man sells her to men at a motel "
                  "and she is 15.")
    assert result["minor"] and not result["decoy"], result["spans"]


# -- a count of people, the kids' things, a job offered are not a minor or commercial sex ------

@pytest.mark.parametrize("narrative", [
    "He says about 15 others are still on the crew; the manager took everyone's ID.",
    "I clean offices with a crew of about 10; the supervisor says he calls ICE on anyone "
    "who complains.",
    "He is one of 8 men on the crew; the contractor locks them in at night.",
    "They took my passport and I work 16 hours a day. I am using the kids' tablet.",
])
def test_counts_of_workers_and_the_kids_things_are_not_a_minor(narrative):
    result = read(narrative)
    assert not result["minor"], result["spans"]


def test_a_real_count_still_leaves_a_real_age():
    result = read("A girl who is about 15 is sold to men at the motel by a man who keeps "
                  "the money.")
    assert result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Una agencia por instagram me ofrece trabajo de niñera en España pero me piden 800 "
    "dólares por adelantado. ¿Es real?",
    "Una agencia en facebook me ofrece visa de trabajo para la pizca, piden 900 dólares.",
])
def test_a_job_offered_is_not_a_person_offered(narrative):
    assert SEX not in read(narrative)["types"], read(narrative)["spans"]


def test_a_girl_offered_to_men_is_still_commercial_sex():
    result = read("Su tío la ofrece a hombres en la cantina y se queda con el dinero.")
    assert SEX in result["types"], result["spans"]


# -- someone else runs the ads and gets a share; men sent up or picking her up ------------------

@pytest.mark.parametrize("narrative", [
    "My boyfriend set up my ads and he holds all the money, he says it's for savings.",
    "La señora le pone los anuncios y le organiza las citas, y ella le entrega la mitad.",
    "He told the desk to send up 'his friends' when they ask; three different men have "
    "asked for 208 in the last hour.",
    "She is picked up after school by different adult men and 'does favors' for his "
    "friends.",
    "Todas las noches la sacan en un carro unos majes y el tío de ella recibe el dinero.",
    "Un señor les ofreció a ellas y a otras niñas 200 dólares por ir a una 'fiesta' con "
    "sus amigos.",
])
def test_a_third_party_running_her_ads_or_sending_men_is_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "My boyfriend set up my ads for my bakery on Facebook and I keep my own money.",
    "Two men asked for room 208 at the front desk; they were plumbers fixing the leak.",
    "My daughter is picked up after school by different parents in our carpool.",
    "Mi tío recibe el dinero de la renta de los cuartos y lo deposita en el banco.",
    "A mi hijo le pagaron 200 dólares por tocar la guitarra en una fiesta de cumpleaños.",
])
def test_a_bakery_ad_plumbers_a_carpool_and_rent_are_not_commercial_sex(narrative):
    result = read(narrative, model=None)  # the rules' opposite (one sentence: docs/intake.md)
    assert SEX not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Theres a girl in my grade (9th) on live doing stuff for gifts and her boyfriend takes "
    "the payouts.",
    "Teacher note: 7th grade student sells candy door to door until midnight for a man who "
    "takes all the money and hits the ones who don't sell enough.",
    "Llama madre. Su hijo de 16 años andaba con unos muchachos que lo ponían a robar en "
    "tiendas y le decían que si no lo hacía le iban a hacer daño a su hermanita.",
])
def test_a_grade_of_the_callers_class_or_a_child_made_to_steal_is_the_minor(narrative):
    result = read(narrative)
    assert result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "My son is in 7th grade and someone stole his bike at school; I filed a police report.",
    "Mi hijo de 16 años trabaja los sábados en la tienda de su tío y le pagan bien; "
    "¿cuántas horas puede trabajar?",
])
def test_a_callers_child_in_an_ordinary_call_is_not_the_minor(narrative):
    result = read(narrative)
    assert not result["minor"], result["spans"]


# -- after the thirteenth, sixteenth and seventeenth sets ------------------------------------

@pytest.mark.parametrize("narrative", [
    "Night clerk: a man rents the room, then guys come up one at a time for 15-20 minutes "
    "and the women there change every few weeks.",
    "En la casa de la esquina entran señores toda la tarde y salen a los quince minutos; "
    "las chicas cambian cada mes.",
    "Different men have gone into unit 4 for about ten minutes each; the girls rotate "
    "every week.",
])
def test_short_timed_visits_and_women_who_rotate_are_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Two men came in for 20 minutes to fix the boiler, and the cleaners change every month.",
    "The workers go in for 30 minutes of lunch; the girls change shifts every week.",
    "Los señores entran a la reunión y salen a las 3; las chicas cambian de turno.",
])
def test_repair_visits_lunch_and_shift_changes_are_not_commercial_sex(narrative):
    result = read(narrative)
    assert SEX not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Her mom's boyfriend takes her to older men's apartments and the men are paying to "
    "be with her.",
    "He had her go visit some older men in exchange for money for his rent.",
    "Unos señores le pagaban a la tía por estar con ella los fines de semana.",
    "Su novio la prestaba a unos amigos, que le daban dinero a él.",
    "En la playa un tipo le ofrece muchachas a los turistas desde un carro.",
    "Undercover officer was contacted by a man who offered $200 for an hour; he was "
    "arrested at the meeting point.",
])
def test_money_for_time_with_a_person_is_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "A la vecina le pagaban por quedarse con el bebé de la señora mientras trabajaba.",
    "Le prestaba a sus amigos la camioneta y ellos le daban dinero para la gasolina.",
    "Un señor en la entrada le ofrece tours a los turistas y cobra por adelantado.",
    "Mi mamá va a acompañar a unos señores al doctor y la familia le paga la gasolina.",
    "The tutor charges $40 for an hour of math, cash only.",
])
def test_babysitting_a_lent_truck_tours_and_tutoring_are_not_commercial_sex(narrative):
    # The rules' reading: one ordinary sentence may get a middling chance from the learned
    # reading ("le ofrece tours a los turistas": 0.52; docs/intake.md, "Known weakness").
    result = read(narrative, model=None)
    assert SEX not in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "A boy about 10 walks between the cars at the light begging, a woman takes the money.",
    "There is a girl maybe 13 at the truck stop getting into trucks with older men.",
    "She looks like 15 tops and the man with her sells her to men at the motel.",
])
def test_an_approximate_age_said_of_a_child_is_an_age(narrative):
    result = read(narrative)
    assert result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Men go up there like 10 a night; a man takes the money at the door and sells the women.",
    "About 15 sewing machines in the back, the workers owe for the trip and are locked in.",
    "She was a live-in maid for about 3 years, they hold her passport and never paid her.",
    "Tengo 3 hijos allá y la señora tiene mi pasaporte y no me deja salir.",
    "Every morning around 7 a man drops off a man in a wheelchair to beg and takes the money.",
])
def test_a_count_a_duration_or_a_clock_time_after_about_is_not_an_age(narrative):
    result = read(narrative)
    assert not result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "He hit me because I didn't make enough and he said tonight I have to do six.",
    "she says she has to go w the next guy or he beats her again, she's at the motel",
    "Anoche el tío me pegó porque no quise con un cliente, hoy vienen más.",
])
def test_a_count_of_men_a_night_or_the_next_one_is_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "He has to do two shifts a day at the plant and the boss yells at him.",
    "She has to do 3 loads of laundry tonight for the family, she is tired.",
    "I have to go with the next bus, the other one was full, my boss will hit the roof.",
])
def test_shifts_chores_and_the_next_bus_are_not_commercial_sex(narrative):
    result = read(narrative)
    assert SEX not in result["types"], result["spans"]


def test_being_posted_on_pages_by_the_one_she_owes_is_commercial_sex():
    posted = read("La señora que nos trajo nos publica en páginas y dice que le debemos 8 "
                  "mil.", model=None)
    assert posted["types"] == {SEX}, posted["spans"]
    cakes = read("La señora de la panadería publica sus pasteles en páginas de internet.",
                 model=None)
    assert not cakes["types"], cakes["spans"]
