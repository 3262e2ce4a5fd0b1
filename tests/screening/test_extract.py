import pytest

from harborlight.screening.contacts import identifier_hash
from harborlight.screening.extract import extract
from harborlight.screening.normalise import normalise

KEY = b"another-test-key-0123456789abcdef"


def run(text: str, reveal: bool = False, key: bytes = KEY, **fields) -> dict:
    ad = {"id": "a1", "text": text, **fields}
    return extract(ad, normalise(text), key=key, region="US", reveal_contacts=reveal)


def test_it_extracts_identifiers_with_spans_in_the_original_text():
    text = "Ｃall ２０２·555·０1４3 or mail ana.b (at) example [dot] com, ig: @sunny_day"
    found = run(text)["identifiers"]
    kinds = sorted(item["kind"] for item in found)
    assert kinds == ["email", "handle", "phone"]
    phone = next(item for item in found if item["kind"] == "phone")
    start, end = phone["span"]
    assert text[start:end] == "２０２·555·０1４3"
    assert phone["obscured"]


def test_it_stores_keyed_hashes_and_masked_forms_not_raw_contacts():
    found = run("call 202-555-0143")["identifiers"][0]
    assert found["hash"] == identifier_hash(KEY, "phone", "+12025550143")
    assert found["hash"] != identifier_hash(b"x" * 32, "phone", "+12025550143")
    assert found["masked"] == "+1-XXX-XXX-XX43"
    assert "value" not in found
    assert "2025550143" not in repr(found)


def test_it_keeps_the_raw_number_only_when_asked():
    assert run("call 202-555-0143", reveal=True)["identifiers"][0]["value"] == "+12025550143"


def test_it_extracts_ages_prices_places_and_names():
    text = "Ask for Maria, 23 years. Age: 24. From $80. In Chicago and Texas."
    found = run(text)
    assert [age["value"] for age in found["ages"]] == [23, 24]
    assert [price["value"] for price in found["prices"]] == [80]
    assert {place["name"] for place in found["places"]} == {"chicago", "texas"}
    assert [name["value"] for name in found["names"]] == ["maria"]
    start, end = found["names"][0]["span"]
    assert text[start:end] == "Maria"


def test_it_ignores_lower_case_words_after_name_phrases():
    assert run("I am available now, ask for details")["names"] == []


def test_it_masks_slots_in_the_text_for_templates():
    masked = run("Ask for Maria, 23 years. Call 202-555-0143 in Chicago.")["masked_text"]
    for placeholder in ("<name>", "<age>", "<phone>", "<place>"):
        assert placeholder in masked
    assert "maria" not in masked and "0143" not in masked


def test_it_reads_structured_contact_fields():
    found = run("no contact in text", phone="(202) 555-0143", image_hash="ABCDEF0123")
    assert sorted(item["kind"] for item in found["identifiers"]) == ["image", "phone"]


# -- issue 13: handles only beside whole platform words ---------------------------------------

def handles(text: str) -> list[str]:
    return [item["value"] for item in run(text, reveal=True)["identifiers"]
            if item["kind"] == "handle"]


@pytest.mark.parametrize("text", [
    "Texts without a name get ignored.",
    "I reply instantly to polite texts, no lineups.",
    "I'm on Instagram for fun but text for dates.",
    "Not on snapchat, text only. Snapshots on request.",
    "Ignore the fake ads; I'm online most nights; follow the lines of the map.",
    "No kik, no email, just text 916-555-0123.",
])
def test_it_cuts_no_handle_out_of_ordinary_words(text):
    assert handles(text) == []


@pytest.mark.parametrize("text, handle", [
    ("IG: mia_22", "mia_22"),
    ("add my snap mia_22", "mia_22"),
    ("Follow me on Instagram @lena.sweet", "lena.sweet"),
    ("snapchat ➡️ sweetlena", "sweetlena"),
    ("SC: lenab", "lenab"),
    ("kik me: lena_b", "lena_b"),
    ("insta - lenasweet", "lenasweet"),
    ("telegram sweetlena", "sweetlena"),
])
def test_it_reads_handles_beside_platform_words(text, handle):
    assert handles(text) == [handle]


def test_it_does_not_read_a_handle_as_an_email():
    found = run("Insta @its.mia or mail mia.b@example.com", reveal=True)["identifiers"]
    assert sorted((item["kind"], item["value"]) for item in found) == [
        ("email", "mia.b@example.com"), ("handle", "its.mia")]
