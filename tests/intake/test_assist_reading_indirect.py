"""Narrative assist reads what short tips tell indirectly (issue 14, after the eighteenth to
twenty-first sets were read): commercial sex and online sexual exploitation said without
naming them, minors' ages said every way, forced labour told through its conditions, and
wage complaints that are not forced labour.

Each test is one mechanism of the catalog (vocab/indicators.json), checked on sentences
written for the test (none is a sentence of a labelled set), with its opposite: a
near-miss that must not fire.
"""

from __future__ import annotations

import pytest

from tests_support import read_narrative as read


SEX = "SexualExploitation"
LABOUR = "ForcedLabour"


# -- commercial sex told indirectly ----------------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Mi prima está en un cuarto con un tipo que la prostituye, no la deja salir.",
    "He sells my friend to guys at the rest area every weekend.",
    "The owner offers the girls to the drivers at night in the back rooms.",
    "El hombre me pega y me pone con hombres en el apartamento.",
    "El tipo la tiene trabajando con hombres en una casa del centro.",
    "Dicen que en ese piso reciben clientes toda la noche y él cobra.",
    "Her stepbrother keeps sending her to the trucks after midnight.",
    "Her older cousin sets her up with men at hotels near the airport.",
    "Last summer a man had her meet men at his apartment.",
    "He told her she could make money with his friends on Saturday.",
    "Men pay at the door and the man takes them upstairs one at a time.",
    "El dueño la está mandando con un cliente ahorita mismo.",
    "The women go with the guys he points to and then he collects.",
    "Un señor les quita el dinero que les dan los clientes.",
    "Trabaja en un puticlub de la carretera y dice que le deben el billete.",
    "Las muchachas se van con los clientes al motel de enfrente.",
    "A un grupo de muchachas de la secundaria les pagan por estar con sus amigos.",
])
def test_commercial_sex_told_indirectly_is_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "He sells used tires to guys at the flea market every weekend.",
    "El capataz me pone con los hombres de la cuadrilla a cargar costales.",
    "The coach sets her up with a tutor for math after school.",
    "The manager had her meet the new suppliers at the warehouse.",
    "He wants to make money with his friends by opening a taco truck.",
    "Guys pay at the door for the concert and the band starts at nine.",
    "El dueño manda a la mesera con un cliente para tomarle la orden.",
    "Las muchachas se van con sus papás al hotel de la playa en vacaciones.",
])
def test_sales_jobs_and_outings_are_not_commercial_sex(narrative):
    result = read(narrative, model=None)  # the cues' opposites: the rules alone
    assert SEX not in result["types"], result["spans"]


# -- online sexual exploitation: images or a camera for pay ----------------------------------

@pytest.mark.parametrize("narrative", [
    "A man on a game keeps asking my niece for pics and offered her 30 dollars for each.",
    "He promised my son robux if he sent him videos.",
    "Un tipo le pide fotos a mi hermanita y le manda recargas para el juego.",
    "Un señor le ofreció tarjetas de regalo a cambio de videos a mi sobrina.",
    "The guy says he will send her $100 if she turns on the camera for him.",
    "She gets money on cashapp from an older man for pictures.",
])
def test_images_or_a_camera_for_pay_is_online_sexual_exploitation(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "My daughter sells her drawings online and gets money on paypal for each one.",
    "Le pedí fotos del carro al vendedor antes de mandar el dinero.",
    "He sent me the pictures of the apartment and asked for the deposit.",
])
def test_selling_art_or_photos_of_things_is_not_online_sexual_exploitation(narrative):
    result = read(narrative)
    assert SEX not in result["types"], result["spans"]


# -- a minor's age said every way ------------------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Mi ahijada de 13 le manda videos a un hombre que le paga con tarjetas de regalo.",
    "My nephew (hes 12) was offered robux by a man if he sent him pics.",
    "Hay una muchacha que no tiene ni 15 y el dueño la manda con un cliente.",
    "Las chamacas no tienen más de 14 años y el tipo las pone con hombres.",
    "Una niña que se ve de 13 y un señor la está mandando con un cliente.",
    "A girl who looks like a high schooler and a man sending her to the trucks.",
])
def test_a_minors_age_said_every_way_raises_the_minor_flag(narrative):
    result = read(narrative)
    assert result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Mi hermano de 15 años y yo vamos a la feria el domingo, ¿hay información?",
    "The man at the store says hes 15 minutes away with the delivery.",
    "No tiene ni 15 dólares para el camión, ¿hay ayuda para transporte?",
])
def test_a_sibling_a_time_or_an_amount_is_not_a_minor_exploited(narrative):
    result = read(narrative)
    assert not result["minor"], result["spans"]


# -- forced labour told through its conditions -----------------------------------------------

@pytest.mark.parametrize("narrative", [
    "The cooks at the diner work for room and board only, the owner keeps the rest.",
    "Al lavaplatos el dueño le paga solo con comida y un colchón en la bodega.",
    "The roofing crew gets dropped off and picked up by the boss every day at the site.",
    "Workers at the packing plant ride in with the foreman, and he cashes their checks.",
    "Al ayudante de cocina lo traen y lo recogen en una camioneta, y el patrón le retiene "
    "el cheque.",
    "The farmhands say they work the fields to pay for the trip and can't change employers.",
    "El contratista les cobró el viaje y dice que si se quejan los denuncia a extranjería; "
    "trabajan en la obra.",
    "The crew on the boat never leave the ship, the captain says they owe for the gear.",
    "Una muchacha trabaja de interna en una casa, la señora le tiene el pasaporte y no la "
    "deja salir.",
])
def test_forced_labour_told_through_its_conditions_is_forced_labour(narrative):
    result = read(narrative)
    assert LABOUR in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "My boss is making me work doubles and won't pay overtime, is that legal?",
    "Trabajo limpiando oficinas y me deben dos semanas, no tengo papeles, ¿me pueden "
    "deportar si reclamo?",
    "My brother lost money in a romance scam online, who do we call?",
    "My sister works at the hotel, drives herself to work and keeps her own paycheck.",
])
def test_wage_complaints_and_a_scam_victim_are_not_forced_labour(narrative):
    result = read(narrative)
    assert LABOUR not in result["types"], result["spans"]


# -- more ways commercial sex is told (second round) -----------------------------------------

@pytest.mark.parametrize("narrative", [
    "At night the owner makes them go to rooms with men at the motel.",
    "El dueño las mete a los cuartos con los traileros y él cobra.",
    "On weekends she is driven to a house where men visit.",
    "A las muchachas les pagan por 'acompañar' a los señores en las fiestas.",
    "Dice que tiene que 'trabajar con clientes' para pagar el pasaje.",
    "El tipo le manda fotos de ella a hombres para que vayan al motel.",
    "The room gets a steady stream of visitors, all men, each one 15-20 minutes.",
    "Los hombres les dan dinero al chofer y una de las muchachas se sube con ellos.",
    "El hombre la llevaba con sus amigos y le daban dinero a él.",
    "A senior brags he gets paid when the girls meet guys after school.",
])
def test_commercial_sex_told_another_way_is_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "The bellhop takes the guests to rooms with a view on the third floor.",
    "Tiene que trabajar con clientes difíciles en el banco todo el día.",
    "Los trabajadores le dan dinero a él por el transporte a la granja.",
    "My brother gets paid when the customers pick up their orders.",
])
def test_rooms_bank_clients_and_rides_are_not_commercial_sex(narrative):
    result = read(narrative, model=None)  # the rules' opposite (one sentence: docs/intake.md)
    assert SEX not in result["types"], result["spans"]


# -- forced begging and forced street selling ------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Un señor deja a dos muchachos vendiendo dulces en los semáforos y en la noche les "
    "quita todo el dinero.",
    "Su tía lo lleva al metro a pedir con un cartel todos los días.",
    "A man drops her off at the exit ramp at 7 and picks her up at dark and takes the cup "
    "from her.",
    "La madrina la pone a vender chicles en la luz roja y si no trae 200 pesos no come.",
])
def test_street_selling_or_begging_for_someone_who_takes_the_money_is_forced_labour(narrative):
    result = read(narrative)
    assert LABOUR in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Mi hijo vende dulces en la escuela para su viaje de fin de curso.",
    "My aunt drops me off at school at 7 and picks me up at 3.",
    "We sell tamales at the market on Sundays and keep what we make.",
])
def test_selling_for_oneself_or_a_school_run_is_not_forced_labour(narrative):
    result = read(narrative)
    assert LABOUR not in result["types"], result["spans"]


# -- labour said through where they work and live --------------------------------------------

@pytest.mark.parametrize("narrative", [
    "Two cooks at the buffet work open to close every single day and sleep upstairs.",
    "The men from the paving company live in sheds out back and owe him for the bus.",
    "Vendemos revistas de puerta en puerta, el jefe tiene nuestros pasaportes y dice que "
    "debemos el motel.",
    "A la muchacha la tienen cosiendo de noche en el taller y no le pagan.",
    "The crew on the fishing boat owe the captain for their gear and he keeps their IDs.",
])
def test_work_with_its_conditions_told_plainly_is_forced_labour(narrative):
    result = read(narrative)
    assert LABOUR in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "The diner is open to close every day and I love working the morning shift there.",
    "Mi primo trabaja en una compañía de pavimentación y vive en su propia casa.",
    "We went fishing on my uncle's fishing boat last weekend.",
])
def test_a_workplace_named_alone_is_not_forced_labour(narrative):
    result = read(narrative, model=None)  # the cues' opposites: the rules alone
    assert LABOUR not in result["types"], result["spans"]


# -- ages, ads and sending men, third round ---------------------------------------------------

@pytest.mark.parametrize("narrative", [
    "En la pizca hay dos muchachos de 14 o 15 años y el contratista les pega con el cinturón.",
    "Unos señores llevan chicas del colegio a fiestas y les pagan por 'acompañar'.",
    "Llegan muchachas con el suéter de la secundaria y los hombres le pagan al señor.",
    "My friend (shes a junior at my high school) has to leave with the big spenders.",
    "A girl in our youth group (freshman) says her uncle sells her to men.",
])
def test_ages_said_as_a_range_a_school_or_a_uniform_raise_the_minor_flag(narrative):
    result = read(narrative)
    assert result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Busco empleo para mi hermano, tiene de 20 a 25 años de experiencia en la obra.",
    "Mi hija estudia en el colegio y quiere información sobre prevención para un trabajo.",
])
def test_experience_or_a_school_project_is_not_a_minor_exploited(narrative):
    result = read(narrative)
    assert not result["minor"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "At the rest area a woman goes cab to cab every night and a man waits in a sedan.",
    "The guy who brings men over to her keeps her locked in.",
    "There's an ad with her pics on one of those sites and her boyfriend posted it.",
    "El señor me manda donde 'amigos' todas las noches y me quitó el pasaporte.",
])
def test_going_cab_to_cab_sending_men_and_ads_with_her_photos_are_commercial_sex(narrative):
    result = read(narrative)
    assert SEX in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "A boy goes car to car asking for money at the lights and a man takes it.",
    "My neighbour put up an ad with his photos of the old truck he wants to sell.",
    "He brings guys over to watch the game on Sundays.",
])
def test_begging_car_to_car_a_puppy_ad_and_friends_over_are_not_commercial_sex(narrative):
    result = read(narrative)
    assert SEX not in result["types"], result["spans"]


# -- fourth round: street selling, hours, a phone, and what is not coercion ---------------------

@pytest.mark.parametrize("narrative", [
    "A group of young guys sell phone cases at the station. A man collects the money every "
    "hour and keeps their passports.",
    "Lo ponían a vender (ya sabe qué) en la plaza y le decían que les debía.",
    "Las muchachas del salón trabajan desde las 8 hasta las 9 de la noche los 7 días y "
    "no tienen días libres.",
    "One worker asked to use a phone and the crew leader pulled him back to the van; the "
    "landscaping crew eats in the truck.",
])
def test_street_selling_drugs_hours_and_a_phone_refused_are_forced_labour(narrative):
    result = read(narrative)
    assert LABOUR in result["types"], result["spans"]


@pytest.mark.parametrize("narrative", [
    "Is it illegal for the restaurant to schedule me on Sundays without asking?",
    "Mi jefe del taller dice que si no vengo el sábado me corre, ¿es legal?",
    "A man took their daughter to live with him; she says she loves him and works at a shop.",
])
def test_a_legal_question_an_absence_and_a_daughter_who_moved_are_not_forced_labour(narrative):
    result = read(narrative)
    assert LABOUR not in result["types"], result["spans"]
