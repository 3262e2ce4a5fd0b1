import re

from harborlight.screening.normalise import normalise
from harborlight.screening.phones import find_phones
from harborlight.screening.synthetic import STYLES, _fictional_numbers, generate_ads

EXPLICIT = re.compile(r"\b(sex\w*|escort\w*|nude\w*|erotic\w*|sensual\w*|adult|xxx|fetish)\b",
                      re.IGNORECASE)


def test_it_writes_non_explicit_ads_with_fictional_numbers_only():
    ads = list(generate_ads(400, seed=5))
    fictional = set(_fictional_numbers()) | {"+12025550100"}  # the sites' help line
    assert all(n[5:10] == "55501" for n in fictional if n.startswith("+1"))
    assert all(n[3:].startswith(("20794", "1", "77009")) for n in fictional
               if n.startswith("+44"))
    assert not any(EXPLICIT.search(ad["title"] + " " + ad["body"]) for ad in ads)
    for ad in ads:
        view = normalise(ad["body"])
        for match in find_phones(view.text, "US", original=ad["body"], origin=view.origin):
            assert match.e164 in fictional, match.e164


def test_it_covers_operators_noise_and_several_cities():
    ads = list(generate_ads(400, seed=5, slots=2))
    operators: dict[str, set[str]] = {}
    for ad in ads:
        if ad["operator_id"]:
            operators.setdefault(ad["operator_id"], set()).add(ad["location"])
    assert any(len(cities) > 1 for cities in operators.values())
    assert sum(1 for ad in ads if not ad["operator_id"]) > 40
    assert len(STYLES) >= 15
