"""Synthetic, non-explicit service-listing ads with ground truth, for tests and benchmarks.

Nothing here describes real people. Listings are neutral services ("relaxation therapy",
"home cleaning", "modelling work", "hostess jobs", "nanny wanted"); phone numbers are in
the fictional US range 555-0100..555-0199 (with valid area codes) and the UK ranges Ofcom
reserves for drama; emails use the reserved ``example.*`` domains.

Each *operator* (ground truth ``operator_id``) owns one text template with 1-4 varying free
slots, 1-2 rotating phones (an ad shows one or two of them, so rotation chains them; some
operators show only an email),
sometimes an email or handle, several cities, names and ages; each ad writes its phone in
one obfuscation style (see :data:`STYLES`). *Noise* ads are unrelated one-offs. A few ads
carry the site's own help line, which the hub guard must ignore.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import phonenumbers

STYLES = ("plain", "dots", "stars", "spaced", "words_en", "words_es", "mixed", "leet",
          "fullwidth", "keycap", "circled", "zero_width", "bars", "slashes", "bangs",
          "parens", "international", "caps_hyphen_words", "oh_for_zero", "tens_en",
          "tens_es", "mixed_languages", "spaced_groups")

_TENS_EN = {"2": "twenty", "3": "thirty", "4": "forty", "5": "fifty", "6": "sixty",
            "7": "seventy", "8": "eighty", "9": "ninety"}
_TENS_ES = {"2": "veinte", "3": "treinta", "4": "cuarenta", "5": "cincuenta", "6": "sesenta",
            "7": "setenta", "8": "ochenta", "9": "noventa"}


def _pair_words(pair: str, tens: dict[str, str], units: list[str], joiner: str) -> str:
    """Two digits as one number word when they read naturally ('43' -> 'forty three')."""
    first, second = pair
    if first in tens and second != "0":
        return f"{tens[first]}{joiner}{units[int(second)]}"
    return f"{units[int(first)]} {units[int(second)]}"

_EN = "zero one two three four five six seven eight nine".split()
_ES = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()
_CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
_LEET = {"0": "o", "1": "l"}
_HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р"}  # Cyrillic lookalikes

CATEGORIES = {
    "relaxation therapy": [
        "Relaxation therapy sessions in {city} near the {a} {b}.",
        "We use {a} oils and {b} music.", "Our studio offers {v1} relaxation therapy.",
        "Ask about the {a} package with {b} tea.", "Our {a} room looks onto the {b}.",
        "Walk-ins welcome, {a} parking by the {b}.", "Hot stones, {a} towels and {b} blankets.",
        "Book a quiet hour, {a} and {b} on request.",
    ],
    "home cleaning": [
        "Home cleaning service in {city}, {a} and {b} included.",
        "We clean apartments near the {a} {b}.", "Our {v1} cleaners bring supplies.",
        "Deep cleaning of every {a} and {b}.", "Move-out cleaning, {a} {b} on request.",
        "Weekly plans with {a} and {b} care.", "We handle {a} stains and {b} dust.",
        "Ask for the {a} {b} discount.",
    ],
    "modelling work": [
        "Modelling work for new faces in {city}, {a} and {b} shoots.",
        "Photo shoots for {a} catalogues and {b} brands.", "We are looking for {v1} models.",
        "Portfolio shoot at the {a} {b}.", "Casting this week for {a} and {b} campaigns.",
        "Travel to {a} shoots paid by the {b} agency.", "Fashion, {a} and {b} work.",
        "Weekly pay, {a} hours, {b} team.",
    ],
    "hostess jobs": [
        "Hostess jobs in {city} at {a} restaurants and {b} events.",
        "Greet guests at the {a} {b}.", "We hire {v1} hostesses every week.",
        "Evening shifts at {a} and {b} venues.", "Uniform provided, {a} tips, {b} meals.",
        "Start this weekend at the {a} {b}.", "Bilingual applicants for {a} and {b} guests.",
        "Apply by text, {a} and {b} welcome.",
    ],
    "nanny wanted": [
        "Nanny wanted for a family in {city} near the {a} {b}.",
        "Care for two children who love {a} and {b}.", "We need a {v1} nanny with references.",
        "Help with {a} homework and {b} meals.", "Live-in room next to the {a} {b}.",
        "Weekday afternoons, {a} trips and {b} games.", "First aid and {a} {b} a plus.",
        "Loving home, {a} garden, {b} pay.",
    ],
}
GENERAL_FRAMES = [
    "Family run since the {a} {b} opened.", "We speak English, Spanish and {a}.",
    "Find us behind the {a} {b}.", "Mention the {a} {b} when you call.",
    "Reviews praise our {a} and {b}.", "Parking next to the {a} {b}.",
    "Rated best {a} {b} in the area.", "Bring your {a}, we bring the {b}.",
    "Every visit ends with {a} and {b}.", "Gift cards for {a} and {b} lovers.",
]
FILLERS = {
    "v1": ["friendly", "kind", "warm", "calm", "caring", "cheerful", "gentle", "patient",
           "helpful", "polite", "reliable", "quiet", "attentive", "careful"],
    "v2": ["mornings", "evenings", "weekends", "late nights", "afternoons", "all day",
           "early mornings", "holidays", "weekdays"],
    "v3": ["fresh", "clean", "cosy", "bright", "modern", "spacious", "private", "relaxing",
           "comfortable"],
    "v4": ["today", "tonight", "this week", "right now", "soon", "anytime", "this weekend",
           "by appointment"],
}
EXTRA = [
    "Open {v2}.", "Our rooms are {v3} and quiet.", "Call {v4} to book.", "Our {v1} staff help you.",
    "Ask about our {v3} new space.", "Available {v2} for you.", "Message us {v4}.",
]
CUES = [
    "Young and friendly team.", "Discreet and professional.", "Trustworthy and reliable staff.",
    "Latina and Asian staff.", "New in town this week only.",
    "No experience needed, housing provided, cash daily.", "Our girls are waiting.",
]
NAMES = ["Maria", "Anna", "Sofia", "Lina", "Mia", "Elena", "Julia", "Nina", "Rosa", "Clara",
         "Lucia", "Eva", "Ines", "Olga", "Dana", "Vera", "Tina", "Sara", "Lea", "Iris"]
CITIES = ["Chicago", "Houston", "Phoenix", "Dallas", "Austin", "Seattle", "Denver", "Boston",
          "Atlanta", "Miami", "Tampa", "Orlando", "Portland", "Las Vegas", "Nashville",
          "Detroit", "Memphis", "Baltimore", "Sacramento", "Omaha", "Tulsa", "Cleveland",
          "Pittsburgh", "Cincinnati", "Newark", "Buffalo", "Richmond", "Boise"]
NOISE_WORDS = ("bike sofa lamp guitar tutor lessons garden plumber painter movers piano desk "
               "kayak tent laptop repair puppy kitten chairs table mirror rug books camera "
               "drums violin coaching spanish math yoga pottery bakery catering wedding dj "
               "photography fence roofing tiles flooring bicycle scooter stroller crib toys "
               "vintage records jacket boots dresser shelves printer monitor phone case "
               "aquarium plants seeds tractor trailer boat canoe skis snowboard").split()
SITES = ["listings-one", "classifieds-two", "board-three"]


@lru_cache(maxsize=None)
def fictional_area_codes() -> tuple[str, ...]:
    """US area codes for which ``NXX-555-01xx`` is valid to ``phonenumbers``."""
    codes = []
    for area in range(201, 990):
        number = phonenumbers.parse(f"{area}5550150", "US")
        if phonenumbers.is_valid_number(number):
            codes.append(str(area))
    return tuple(codes)


# UK numbers Ofcom reserves for drama (national significant numbers, 10 digits each).
_UK_DRAMA_RANGES = ("2079460", "1134960", "1144960", "1154960", "1164960", "1174960",
                    "1184960", "1214960", "1314960", "1414960", "1514960", "1614960",
                    "1914980", "1632960", "7700900")


@lru_cache(maxsize=None)
def _fictional_numbers() -> tuple[str, ...]:
    """Every fictional number the generator may use, as E.164 (about 60,000)."""
    numbers = [f"+1{area}55501{tail:02d}" for area in fictional_area_codes()
               for tail in range(100)]
    numbers.remove("+12025550100")  # reserved for the sites' own help line
    for prefix in _UK_DRAMA_RANGES:
        block = [f"+44{prefix}{tail:03d}" for tail in range(1000)]
        if phonenumbers.is_valid_number(phonenumbers.parse(block[500])):
            numbers.extend(block)
    return tuple(numbers)


def _phone_pool(rng: random.Random) -> Iterator[str]:
    """Fictional numbers in random order; recycled (so shared by chance) once exhausted."""
    numbers = list(_fictional_numbers())
    while True:
        rng.shuffle(numbers)
        yield from numbers


def write_phone(e164: str, style: str, rng: random.Random) -> str:
    """Write a fictional E.164 number in one obfuscation style."""
    if e164.startswith("+1"):
        return obfuscate(e164[2:], style, rng)
    national = e164[3:]
    if style == "international":
        return f"+44 {national[:2]} {national[2:6]} {national[6:]}"
    return "+44 " + obfuscate(national, style, rng)


def obfuscate(digits: str, style: str, rng: random.Random) -> str:
    """Write a 10-digit US number in one obfuscation style."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    if style == "plain":
        return f"{a}-{b}-{c}"
    if style == "dots":
        return f"{a}.{b}.{c}"
    if style == "stars":
        return "*".join(digits)
    if style == "spaced":
        return " ".join(digits)
    if style == "words_en":
        return " ".join(_EN[int(d)] for d in digits)
    if style == "words_es":
        return " ".join(_ES[int(d)] for d in digits)
    if style == "mixed":
        parts = []
        for d in digits:
            if rng.random() < 0.5:
                parts.append(d)
            else:
                parts.append("for" if d == "4" and rng.random() < 0.5 else _EN[int(d)])
        cuts = sorted(rng.sample(range(1, 10), 2))
        return " ".join("".join(parts[i:j]) for i, j in zip([0] + cuts, cuts + [10]))
    if style == "leet":
        return f"{a}-{b}-" + "".join(_LEET.get(d, d) for d in c)
    if style == "fullwidth":
        return "".join(chr(0xFF10 + int(d)) for d in f"{a}{b}{c}")[:3] + "·" + \
            "".join(chr(0xFF10 + int(d)) for d in b) + "·" + \
            "".join(chr(0xFF10 + int(d)) for d in c)
    if style == "keycap":
        return "".join(f"{d}\ufe0f\u20e3" for d in digits)
    if style == "circled":
        return "".join(_CIRCLED[int(d)] for d in digits)
    if style == "zero_width":
        return "\u200b".join(f"{a}{b}{c}")
    if style == "bars":
        return f"{a}|{b}|{c}"
    if style == "slashes":
        return f"{a}/{b}/{c}"
    if style == "bangs":
        return f"{a}!{b}!{c}"
    if style == "parens":
        return f"({a}) {b}-{c}"
    if style == "international":
        return f"+1 {a} {b} {c}"
    if style == "caps_hyphen_words":
        return "-".join(_EN[int(d)].upper() for d in digits)
    if style == "oh_for_zero":
        return " ".join("oh" if d == "0" else _EN[int(d)] for d in digits)
    if style == "tens_en":
        return " ".join(_EN[int(d)] for d in digits[:6]) + " " + \
            _pair_words(digits[6:8], _TENS_EN, _EN, " ") + " " + \
            _pair_words(digits[8:], _TENS_EN, _EN, " ")
    if style == "tens_es":
        return " ".join(_ES[int(d)] for d in digits[:6]) + " " + \
            _pair_words(digits[6:8], _TENS_ES, _ES, " y ") + " " + \
            _pair_words(digits[8:], _TENS_ES, _ES, " y ")
    if style == "mixed_languages":
        return " ".join((_EN if i % 2 else _ES)[int(d)] for i, d in enumerate(digits))
    if style == "spaced_groups":
        return " . ".join(" ".join(group) for group in (a, b, c))
    raise ValueError(f"unknown style {style!r}")


def _homoglyphs(text: str, rng: random.Random) -> str:
    return "".join(_HOMOGLYPHS[ch] if ch in _HOMOGLYPHS and rng.random() < 0.3 else ch
                   for ch in text)


def _operator(number: int, rng: random.Random, phones: Iterator[str],
              slots: int | None) -> dict[str, Any]:
    category = rng.choice(sorted(CATEGORIES))
    no_phone = rng.random() < 0.15  # some operators advertise an email or handle only
    frames = rng.sample(CATEGORIES[category], 3) + rng.sample(GENERAL_FRAMES, 3)
    # operator-level words make each operator's template its own
    sentences = [frame.replace("{a}", rng.choice(NOISE_WORDS)).replace(
        "{b}", rng.choice(NOISE_WORDS)) for frame in frames]
    count = slots if slots is not None else rng.randint(1, 4)
    slot_names = ["v1", "v2", "v3", "v4"][:count]
    for name in slot_names:
        if not any("{" + name + "}" in s for s in sentences):
            sentences.append(rng.choice([s for s in EXTRA if "{" + name + "}" in s]))
    sentences = [s for s in sentences if all("{" + n + "}" not in s or n in slot_names
                                             for n in FILLERS)]
    rng.shuffle(sentences)
    business = f"{rng.choice(NOISE_WORDS).title()} {rng.choice(FILLERS['v3']).title()} " \
               f"{rng.choice(['Studio', 'Agency', 'Services', 'Team', 'Group', 'House'])}"
    return {
        "id": f"op{number:06d}", "category": category, "sentences": sentences,
        "slots": slot_names, "business": business,
        "phones": [] if no_phone else [next(phones) for _ in range(rng.randint(1, 2))],
        "email": f"{business.split()[0].lower()}{number}@example.com"
        if no_phone or rng.random() < 0.2 else None,
        "handle": f"{business.split()[0].lower()}_{number}" if rng.random() < 0.15 else None,
        "cities": rng.sample(CITIES, rng.randint(1, 4)),
        "names": rng.sample(NAMES, rng.randint(1, 3)),
        "ages": rng.sample(range(19, 40), rng.randint(1, 3)),
        "cue": rng.choice(CUES) if rng.random() < 0.5 else None,
        "price": rng.choice([60, 80, 100, 120, 150]),
    }


def _typos(text: str, rate: float, rng: random.Random) -> str:
    """Swap two neighbouring letters in about ``rate`` of the words."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) > 3 and word.isalpha() and rng.random() < rate:
            at = rng.randrange(len(word) - 1)
            words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return " ".join(words)


def _operator_ad(op: dict[str, Any], rng: random.Random, style: str, shuffle: float = 0.0,
                 typo_rate: float = 0.0) -> tuple[str, str, str]:
    fills = {name: rng.choice(FILLERS[name]) for name in FILLERS}
    city = rng.choice(op["cities"])
    sentences = list(op["sentences"])
    if rng.random() < shuffle:
        first, second = rng.sample(range(len(sentences)), 2)
        sentences[first], sentences[second] = sentences[second], sentences[first]
    body = " ".join(s.format(city=city, **fills) for s in sentences)
    if typo_rate:
        body = _typos(body, typo_rate, rng)
    body = f"{op['business']}. {body}"
    if op["cue"]:
        body += " " + op["cue"]
    body += f" Ask for {rng.choice(op['names'])}, {rng.choice(op['ages'])} years."
    body += f" From ${op['price']}."
    shown: list[str] = []
    if op["phones"]:
        index = rng.randrange(len(op["phones"]))
        shown = op["phones"][index:index + 2] if rng.random() < 0.4 else [op["phones"][index]]
    if rng.random() < 0.1 and (op["email"] or op["handle"]):
        shown = []
    for phone in shown:
        body += f" Call {write_phone(phone, style, rng)}."
    if op["email"] and rng.random() < 0.5:
        body += f" Email {op['email']}." if rng.random() < 0.5 else \
            f" Email {op['email'].replace('@', ' (at) ').replace('.com', ' dot com')}."
    if op["handle"] and rng.random() < 0.5:
        body += f" Insta @{op['handle']}."
    if style == "plain" and rng.random() < 0.3:
        body = _homoglyphs(body, rng)
    title = f"{op['category'].title()} in {city}"
    return title, body, city


_NOISE_FRAMES = [
    "Selling {0} and {1}.", "Also offering {2} {3} help.", "Pick up near the {4} shop.",
    "{5} included.", "Ask about {6} or {7}.", "Barely used {0}, works with any {3}.",
    "Moving sale: {1}, {4} and {6}.", "Need a {2} for my {5}?", "Cash or trade for {7}.",
    "Weekend {0} lessons for {4} fans.", "Free {6} with every {1}.", "Lost {3} found near {5}.",
]


def _noise_ad(rng: random.Random, phones: Iterator[str], phone_share: float
              ) -> tuple[str, str, str]:
    words = rng.sample(NOISE_WORDS, 8)
    city = rng.choice(CITIES)
    frames = rng.sample(_NOISE_FRAMES, rng.randint(2, 5))
    body = " ".join(frame.format(*words) for frame in frames)
    if rng.random() < phone_share:
        style = rng.choice(["plain", "dots", "parens"])
        body += f" Call {write_phone(next(phones), style, rng)}."
    elif rng.random() < 0.3:
        body += f" Email {words[1]}{rng.randrange(10**6)}@example.org."
    return f"{words[0].title()} for sale in {city}", body, city


def generate_ads(n: int, seed: int = 0, *, slots: int | None = None, noise_share: float = 0.3,
                 ads_per_operator: tuple[int, int] = (3, 40), hub_share: float = 0.02,
                 shuffle: float = 0.0, typo_rate: float = 0.0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic ads with ground-truth ``operator_id`` ("" for noise ads).

    Parameters
    ----------
    n, seed : int
        Number of ads and random seed (same seed, same ads).
    slots : int, optional
        Free varying slots in every operator template (1-4); random per operator if None.
    noise_share : float
        Share of unrelated one-off ads.
    ads_per_operator : (int, int)
        Range of ads per operator.
    hub_share : float
        Share of ads that also show the site's own help line.
    shuffle : float
        Share of operator ads whose template sentences swap two places (harder linking).
    typo_rate : float
        Share of template words with two letters swapped (harder linking).
    """
    rng = random.Random(seed)
    pool = _phone_pool(rng)
    # About 60,000 fictional numbers exist: unrelated ads get fewer phones as n grows, so
    # that a million ads fit without recycling numbers (recycling would link by chance).
    noise_phone_share = 0.6 * min(1.0, 20_000 / max(n, 1))
    start = date(2026, 1, 1)
    operators: list[tuple[dict[str, Any], int]] = []
    number = 0
    for index in range(n):
        if rng.random() < noise_share:
            title, body, city = _noise_ad(rng, pool, noise_phone_share)
            operator_id = ""
        else:
            if not operators or rng.random() < 0.04:
                number += 1
                remaining = rng.randint(*ads_per_operator)
                operators.append((_operator(number, rng, pool, slots), remaining))
            position = rng.randrange(len(operators))
            op, remaining = operators[position]
            title, body, city = _operator_ad(op, rng, rng.choice(STYLES), shuffle, typo_rate)
            if remaining <= 1:
                operators.pop(position)
            else:
                operators[position] = (op, remaining - 1)
            operator_id = op["id"]
        if rng.random() < hub_share:
            body += " Site help line 202-555-0100."
        yield {
            "id": f"ad{index:08d}", "title": title, "body": body,
            "posted_at": (start + timedelta(days=rng.randrange(300))).isoformat(),
            "site": rng.choice(SITES), "location": city, "operator_id": operator_id,
        }


def adversarial_contacts(n: int = 600, seed: int = 7) -> list[dict[str, Any]]:
    """Obfuscated contact strings with their true E.164 numbers (``phones``).

    About one in six strings holds no phone but decoy numbers (prices, ages, dates,
    postcodes), so precision is measured too. Every style in :data:`STYLES` appears.
    """
    rng = random.Random(seed)
    pool = _phone_pool(rng)
    contexts = ["Call {p} now", "text me at {p}", "contact: {p} ask for Ana", "{p}",
                "Reach us {p} anytime", "New number {p} (old one off)", "wa {p} thanks",
                "llámame al {p}", "book via {p} before 9"]
    decoys = ["Rates from $80 to $150, age 24", "Open 9 to 5, suite 204, zip 60614",
              "Since 2019, 4.9 stars from 312 reviews", "Room 12, floor 3, 45 min sessions",
              "Only 2 spots left for 10/12", "Code 5550 for the gate, unit 18",
              "Posted 2026-11-23 10:30, updated 2026-11-24", "$80 $120 $150 $200 $250 $300",
              "Zip codes 60614 60615 60616 served", "Sizes 2 4 6 8 10 12 14 16 sold out",
              "Open one to five, twenty four seven online", "Call after 5, ask for room 101",
              "Ref 555-0143 (no area code, not dialable)", "Order 12 pcs, lot 34 56"]
    items = []
    for index in range(n):
        if index % 6 == 5:
            items.append({"text": rng.choice(decoys), "phones": [], "style": "decoy"})
            continue
        style = STYLES[index % len(STYLES)]
        count = 2 if rng.random() < 0.15 else 1
        numbers = [next(pool) for _ in range(count)]
        text = " / ".join(rng.choice(contexts).format(p=write_phone(d, style, rng))
                          for d in numbers)
        if rng.random() < 0.3:  # decoy numbers beside the real one
            text += " " + rng.choice(decoys)
        if rng.random() < 0.2:  # random capitals: "TwO zErO"
            text = "".join(ch.upper() if rng.random() < 0.3 else ch for ch in text)
        items.append({"text": text, "phones": numbers, "style": style})
    return items
