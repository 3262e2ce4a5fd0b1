"""Offline geocoding: ZIP codes and cities from the embedded table, distances."""

from __future__ import annotations

import socket

import pytest

from harborlight.referrals.geocoding import UnknownPlace, bounding_box, haversine_km, locate


def test_it_places_a_zip_code_at_its_centroid():
    place = locate("77002")
    assert place.label.startswith("77002 (Houston, TX)")
    assert 29.6 < place.latitude < 29.9 and -95.5 < place.longitude < -95.2


def test_it_accepts_zip_plus_four():
    assert locate("02139-4307").label == locate("02139").label


def test_it_places_a_city_with_its_state_and_ignores_case_and_accents():
    houston = locate("houston, tx")
    assert houston.label == "Houston, TX"
    assert locate("St. Louis, MO").label == locate("Saint Louis, MO").label
    assert locate("Sañ Antonio, TX").label == "San Antonio, TX"


def test_it_asks_for_the_state_of_a_city_found_in_several_states():
    with pytest.raises(UnknownPlace, match="Add the state"):
        locate("Springfield")


@pytest.mark.parametrize("text, message", [
    ("", "Enter a city"), ("00000", "not in the directory"), ("1234", "not a 5-digit"),
    ("Qwertyville", "No US city"), ("Houston, ZZ", "No city called"), ("x" * 101, "at most 100"),
])
def test_it_explains_unknown_places(text, message):
    with pytest.raises(UnknownPlace, match=message):
        locate(text)


def test_it_never_opens_a_network_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("geocoding tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert locate("Seattle, WA").latitude > 47


def test_it_measures_great_circle_distances():
    # Houston to Atlanta is about 1,130 km by air; a point to itself is 0.
    houston, atlanta = (29.7604, -95.3698), (33.7490, -84.3880)
    assert haversine_km(*houston, *atlanta) == pytest.approx(1130, rel=0.01)
    assert haversine_km(*houston, *houston) == 0


def test_it_draws_a_bounding_box_that_contains_the_radius():
    lat, lon = 40.0, -100.0
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, 50)
    for bearing_point in [(max_lat, lon), (min_lat, lon), (lat, max_lon), (lat, min_lon)]:
        assert haversine_km(lat, lon, *bearing_point) >= 49.9
