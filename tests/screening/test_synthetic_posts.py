"""The realistic post generator: every pattern of issue 13, fictional numbers, held-out styles."""

import re

from harborlight.screening.synthetic_posts import (HELD_OUT_PHONE_STYLES, HELD_OUT_VOICES,
                                                   PHONE_STYLES, VOICES, generate_posts)

EXPLICIT = re.compile(r"\b(sex\w*|escort\w*|nude\w*|erotic\w*|sensual\w*|adult|xxx|fetish)\b",
                      re.IGNORECASE)


def test_it_writes_every_pattern_of_the_issue_without_explicit_words():
    posts = list(generate_posts(1500, seed=3))
    patterns = {pattern for post in posts for pattern in post["truth"]["patterns"]}
    assert {"measurement", "rates", "number_tail", "boilerplate", "platform_words",
            "handle", "emoji", "site_phone"} <= patterns
    tuned = {s for s in PHONE_STYLES if s not in HELD_OUT_PHONE_STYLES}
    assert {p.split(":", 1)[1] for p in patterns if p.startswith("style:")} == tuned
    assert {p.split(":", 1)[1] for p in patterns if p.startswith("voice:")} == \
        set(VOICES) - set(HELD_OUT_VOICES)
    assert not any(EXPLICIT.search(post["title"] + " " + post["body"]) for post in posts)


def test_it_uses_fictional_numbers_and_unique_handles():
    posts = list(generate_posts(1500, seed=4))
    numbers = {number for post in posts for number in post["truth"]["phones"]}
    assert numbers and all(re.fullmatch(r"\+1\d{3}55501\d\d", n) for n in numbers)
    owners: dict[str, set[str]] = {}
    for post in posts:
        for number in post["truth"]["phones"] + post["truth"]["handles"]:
            owners.setdefault(number, set()).add(post["operator_id"])
    shared = {n for n, ops in owners.items() if len(ops) > 1}
    assert shared == {"+15105550100"}  # only the site's help line spans posters


def test_it_holds_styles_out_until_asked_and_repeats_itself_by_seed():
    held = list(generate_posts(300, seed=5, voices=HELD_OUT_VOICES,
                               phone_styles=HELD_OUT_PHONE_STYLES))
    assert {post["truth"]["voice"] for post in held} == set(HELD_OUT_VOICES)
    assert {post["truth"]["phone_style"] for post in held} <= set(HELD_OUT_PHONE_STYLES)
    assert list(generate_posts(50, seed=6)) == list(generate_posts(50, seed=6))
