import pytest

from harborlight.screening.errors import ConfigProblem
from harborlight.screening.extract import check_region
from harborlight.screening.normalise import normalise
from harborlight.screening.phones import find_phones
from harborlight.screening.synthetic import STYLES, adversarial_contacts


def phones(text: str, region: str = "US") -> list[str]:
    view = normalise(text)
    return [m.e164 for m in find_phones(view.text, region, original=text, origin=view.origin)]


@pytest.mark.parametrize("text, expected", [
    ("call for80 2sixseven one9zerofor", "+14802671904"),
    ("two zero two five five five zero one four three", "+12025550143"),
    ("tres uno dos cinco cinco cinco cero uno ocho ocho", "+13125550188"),
    ("seis uno siete 555 cero uno 9 9", "+16175550199"),
    ("2*0*2*5*5*5*0*1*4*3", "+12025550143"),
    ("202-555-o1l3", "+12025550113"),
    ("4\ufe0f\u20e30\ufe0f\u20e38\ufe0f\u20e3 555 0123", "+14085550123"),
    ("(312) 555.0188", "+13125550188"),
    ("+1 202 555 0143", "+12025550143"),
    ("703-555-oloo", "+17035550100"),
    ("dos cero dos cinco cinco cinco cero uno cuarenta y tres", "+12025550143"),
    ("TWO-OH-TWO five five five zero one forty three", "+12025550143"),
])
def test_it_decodes_obfuscated_numbers(text, expected):
    assert phones(text) == [expected]


@pytest.mark.parametrize("text", [
    "someone will phone you at four",
    "rates $80 to $150, age 24, suite 204",
    "open 9 to 5, since 2019",
    "as is, one owner, two tires",
    "posted 2026-11-23 10:30, updated 2026-11-24",
    "$80 $120 $150 $200 $250 $300",
])
def test_it_finds_no_number_in_ordinary_text(text):
    assert phones(text) == []


def test_it_separates_numbers_written_back_to_back():
    assert phones("call 9 / 2025550143 / 3125550188") == ["+12025550143", "+13125550188"]
    assert phones("2 0 2 . 5 5 5 . 0 1 4 3 $80 $120") == ["+12025550143"]


def test_it_uses_the_default_region():
    assert phones("020 7946 0958", region="GB") == ["+442079460958"]
    assert phones("020 7946 0958", region="US") == []


def test_it_rejects_an_unknown_region():
    with pytest.raises(ConfigProblem):
        check_region("XX")


def test_it_flags_obscured_but_not_plain_numbers():
    plain = normalise("call 202-555-0143")
    assert not find_phones(plain.text, "US")[0].obscured
    tricky = "call 2O2*555*0143"
    view = normalise(tricky)
    assert find_phones(view.text, "US", original=tricky, origin=view.origin)[0].obscured


def test_it_meets_recall_and_precision_on_the_adversarial_set():
    items = adversarial_contacts(600, seed=7)
    assert len(items) >= 500
    assert {item["style"] for item in items} >= set(STYLES)
    true_positive = false_positive = false_negative = 0
    for item in items:
        found, truth = set(phones(item["text"])), set(item["phones"])
        true_positive += len(found & truth)
        false_positive += len(found - truth)
        false_negative += len(truth - found)
    assert true_positive / (true_positive + false_negative) >= 0.98
    assert true_positive / (true_positive + false_positive) >= 0.99


# -- issue 13: what real ads do -----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("9:1:6:5:5:5:0:1:2:3", "+19165550123"),                        # colons
    ("916:555:0123", "+19165550123"),
    ("9x1x6x5x5x5x0x1x2x3", "+19165550123"),                        # x separators
    ("916 🌹🌹🌹 555 🌹🌹🌹 0123", "+19165550123"),                    # emoji between groups
    ("9 1 6 5 5 5 0 1 2 3", "+19165550123"),                        # spaced single digits
    ("nine won six five five five oh won too three", "+19165550123"),  # homophones
    ("for won five five five five oh won ate ate", "+14155550188"),
    ("9!6-555-O!23", "+19165550123"),                               # ! and O
    ("9I6 555 0l23", "+19165550123"),                               # I and l
    ("916-555-o1oo", "+19165550100"),                               # o and oo
    ("9nine1one6six 5five5five5five 0zero1one2two3three", "+19165550123"),  # doubled
    ("text 916 is my area code, then 555-0123", "+19165550123"),    # split across the text
    ("916-KJL-0123", "+19165550123"),                               # keypad capitals
    ("sixty one nine five fifty five oh one twenty three", "+16195550123"),  # spoken pairs
    ("nine sixteen five five five zero one two three", "+19165550123"),
    ("(nine1six)5five5-0won2three", "+19165550123"),                # mixed words and digits
    ("four hundred fifteen, five hundred fifty five, oh one two three", "+14155550123"),
])
def test_it_decodes_the_obfuscations_real_ads_use(text, expected):
    assert phones(text) == [expected]


@pytest.mark.parametrize("text", [
    "5'6 • 36b• 125Lbs",
    "Stats: 34C-24-36, 5ft4, 120lbs, size 4",
    "⭕⭕⭕ NO DEPOSITS ⭕⭕⭕ 💯 REAL PICS 💯",
    "Height 5'4\" | Weight 118 | 32DD, 24yo, 2 hrs min",
    "QV 80 | HH 150 | H 250, Donations: 100 / 160 / 260",
    "Poster's age: 24 • Post ID: 48213907",
    "call me lol! ok! see you at 10:30pm",
])
def test_it_reads_no_number_in_measurements_rates_or_emoji(text):
    assert phones(text) == []


@pytest.mark.parametrize("text", [
    "5'6 • 36b• 125Lbs call 916-555-0123",
    "call 916-555-0123 100% real",
    "916 555 0123 420 friendly",
    "9165550123 24/7",
    "Donations: 150 / 250 / 400 📱 NINE . ONE . SIX . FIVE . FIVE . FIVE . ZERO . ONE . TWO . THREE",
    "QV 80 | HH 150 | H 250\n9 1 6 5 5 5 0 1 2 3",
    "Call me 916-555-0123!!!",
])
def test_it_keeps_the_area_code_when_numbers_stand_beside_the_phone(text):
    assert phones(text) == ["+19165550123"]


def test_it_reads_a_bang_between_groups_as_a_separator():
    assert phones("202!555!0143") == ["+12025550143"]
