"""Directory search: by service, language, population and distance from a place."""

from __future__ import annotations

import pytest

from harborlight.referrals.geocoding import locate
from harborlight.referrals.models import ServiceProvider


@pytest.fixture
def directory(cast):
    def add(name, lat, lon, **kwargs):
        return ServiceProvider.objects.create(organisation=cast.own, name=name, latitude=lat,
                                              longitude=lon, **kwargs)

    return {
        "houston": add("Houston Shelter", 29.76, -95.37, services=["shelter"],
                       languages=["en", "es"], populations=["adults"]),
        "katy": add("Katy Clinic", 29.79, -95.82, services=["medical"], languages=["en"],
                    populations=["youth"], open_24_7=True),
        "dallas": add("Dallas Legal", 32.78, -96.80, services=["legal", "shelter"],
                      languages=["vi"], populations=["adults"]),
        "unplaced": add("Somewhere Shelter", None, None, services=["shelter"]),
        "theirs": ServiceProvider.objects.create(organisation=cast.other, name="Not ours",
                                                 latitude=29.76, longitude=-95.37,
                                                 services=["shelter"]),
    }


def names(hits):
    return [hit.provider.name for hit in hits]


def test_it_filters_by_service_language_and_population(cast, directory):
    own = ServiceProvider.objects.filter(organisation=cast.own)
    assert names(own.search(service="shelter")) == ["Dallas Legal", "Houston Shelter",
                                                    "Somewhere Shelter"]
    assert names(own.search(service="shelter", language="es")) == ["Houston Shelter"]
    assert names(own.search(population="youth")) == ["Katy Clinic"]
    assert names(own.search(open_24_7=True)) == ["Katy Clinic"]


def test_it_orders_by_distance_and_keeps_to_the_radius(cast, directory):
    own = ServiceProvider.objects.filter(organisation=cast.own)
    hits = own.search(near=locate("77002"))
    assert names(hits) == ["Houston Shelter", "Katy Clinic", "Dallas Legal"]
    assert hits[0].distance_km < 5 and 35 < hits[1].distance_km < 55
    assert 350 < hits[2].distance_km < 400
    assert names(own.search(near=locate("77002"), radius_km=80)) == ["Houston Shelter",
                                                                     "Katy Clinic"]
    assert names(own.search(near=locate("Dallas, TX"), radius_km=50,
                            service="shelter")) == ["Dallas Legal"]


def test_it_shows_only_the_users_organisations_directory(cast, signed_in_client, directory):
    from harborlight.accounts.models import Role

    response = signed_in_client(cast.role(Role.CASEWORKER)).get("/directory/",
                                                                {"service": "shelter"})
    assert response.status_code == 200
    assert b"Houston Shelter" in response.content
    assert b"Not ours" not in response.content


def test_it_searches_near_a_place_from_the_page(cast, signed_in_client, directory):
    from harborlight.accounts.models import Role

    response = signed_in_client(cast.role(Role.CASEWORKER)).get(
        "/directory/", {"near": "Houston, TX", "radius": "25"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Providers nearest Houston, TX" in content
    assert "Houston Shelter" in content and "Dallas Legal" not in content
    assert " mi</td>" in content


@pytest.mark.parametrize("query, message", [
    ({"near": "Qwertyville"}, "No US city called"),
    ({"near": "Springfield"}, "Add the state"),
    ({"radius": "25"}, "Enter a city or ZIP code to search by distance"),
    ({"service": "teleportation"}, "Select a valid choice"),
])
def test_it_explains_bad_searches_next_to_the_field(cast, signed_in_client, directory, query,
                                                    message):
    from harborlight.accounts.models import Role

    response = signed_in_client(cast.role(Role.CASEWORKER)).get("/directory/", query)
    assert response.status_code == 400
    assert message in response.content.decode()
