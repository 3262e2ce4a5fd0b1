"""Places: towns named in ads settled in the right state, ambiguity said out loud."""

import csv

import pytest

from harborlight.screening import screen
from harborlight.screening.extract import extract
from harborlight.screening.normalise import normalise
from harborlight.screening.places import (Mention, PlaceResolver, find_mentions,
                                          location_states, settle)

KEY = b"places-test-key-0123456789abcdef"


def places_of(text: str, location: str = "") -> list[tuple[str, str | None, str | None]]:
    ad = {"id": "a1", "text": text, "location": location}
    found = extract(ad, normalise(text), key=KEY, region="US")["places"]
    return [(place["name"], place["state"], place["resolved_by"]) for place in found]


def test_it_settles_a_namesake_with_the_ads_own_location_field():
    assert places_of("Visiting Richmond this week", "Richmond, CA") == [
        ("richmond", "CA", "location"), ("richmond", "CA", "location")]


def test_it_settles_a_town_with_the_state_written_beside_it():
    assert places_of("Now in Newark, CA near the mall") == [("newark", "CA", "stated")]


def test_it_leaves_a_namesake_open_without_evidence_in_the_ad():
    assert places_of("Located in Concord near the freeway") == [("concord", None, None)]


@pytest.mark.parametrize("text", [
    "Spring specials all week", "Ask for Katy, she is sweet", "Hope to see you soon",
    "long beach walks and sushi",
])
def test_it_does_not_read_ordinary_words_or_names_as_towns(text):
    assert places_of(text) == []


def test_it_reads_a_list_of_towns_after_one_cue():
    text = "Location: Oakland, Hayward, San Leandro"
    view = normalise(text)
    assert [name for name, *_ in find_mentions(view.text, text, view.original_span)] == [
        "oakland", "hayward", "san leandro"]


def test_it_reads_whole_segments_of_the_location_field():
    assert location_states("oakland, east bay") == (["oakland"], set())
    assert location_states("hayward/union city, ca") == (["hayward", "union city"], {"CA"})


def test_it_learns_a_sites_region_and_settles_open_places_with_it():
    resolver = PlaceResolver()
    resolver.partial_fit(["bay"] * 4 + ["other"], [["CA"], ["CA"], ["CA"], ["TX"], []])
    open_richmond = settle("richmond", None, None, [])
    assert resolver.region("bay") == "CA" and resolver.region("other") is None
    settled = resolver.resolve(open_richmond, "bay", set())
    assert (settled.state, settled.resolved_by) == ("CA", "site region")
    by_phone = resolver.resolve(open_richmond, "other", {"TX"})
    assert (by_phone.state, by_phone.resolved_by) == ("TX", "area code")
    guessed = resolver.resolve(open_richmond, "other", set())
    assert (guessed.state, guessed.resolved_by) == ("VA", "largest namesake")
    houston = resolver.resolve(settle("houston", None, None, []), "other", set())
    assert (houston.state, houston.resolved_by) == ("TX", "dominant namesake")


def test_it_prefers_a_given_site_region():
    resolver = PlaceResolver(site_regions={"bay": "CA"})
    resolver.partial_fit(["bay"] * 3, [["TX"]] * 3)
    assert resolver.resolve(Mention("newark", None, ("NJ", "DE", "CA"), None, None),
                            "bay", set()).state == "CA"


def test_it_keeps_bay_area_towns_in_california_end_to_end(tmp_path):
    towns = ["Milpitas", "Hayward", "Walnut Creek", "Emeryville", "San Leandro", "Oakland"]
    ads = [{"id": f"t{i}", "site": "bayarea-listings", "location": town,
            "body": f"Now in {town}! Call 510-555-01{i:02d}"} for i, town in enumerate(towns)]
    ads += [{"id": "richmond", "site": "bayarea-listings",
             "body": "Visiting Richmond this week. Call 650-555-0150"},
            {"id": "newark", "site": "bayarea-listings",
             "body": "In Newark all week. Call 650-555-0151"},
            {"id": "elsewhere", "site": "unknown-site", "body": "In Concord all week."}]
    result = screen(ads, key=KEY)
    result.write(tmp_path)
    with open(tmp_path / "ads.csv", encoding="utf-8") as handle:
        cities = {row["id"]: row["cities"] for row in csv.DictReader(handle)}
    assert cities["richmond"] == "Richmond, CA" and cities["newark"] == "Newark, CA"
    assert cities["elsewhere"] == "Concord, CA (ambiguous)"
