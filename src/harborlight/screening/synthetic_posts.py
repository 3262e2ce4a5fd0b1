"""Realistic synthetic companionship posts with ground truth: the real-data regression set.

:mod:`synthetic` writes tidy service listings; real posts are messier, and issue 13 lists
what went wrong on them. This generator reproduces each of those patterns in our own,
non-explicit words, so that the engine can be measured on them without real data:

* body measurements (``5'6 • 36b• 125Lbs``), rate lines, post ids, ages and times beside
  the phone number; numbers followed by ``100%``, ``420`` or ``24/7``; emoji decorations
  (``⭕⭕⭕``, ``💯``);
* every phone obfuscation of the issue (see :data:`PHONE_STYLES`);
* handles beside platform words, and platform words inside ordinary words (``ignored``,
  ``instantly``, ``lineups``);
* stock disclaimers and rate lines copied by many unrelated posters (:data:`BOILERPLATE`);
* a site-wide phone on a handful of posts by different posters;
* towns whose names exist in several states (Richmond, Newark, Concord, Arlington ...),
  written in the text and in the location field.

Posters (ground truth ``operator_id``) write in one of several *voices* and one or two
phone styles; some voices and styles are held out (:data:`HELD_OUT_VOICES`,
:data:`HELD_OUT_PHONE_STYLES`) so that tuning on the others can be checked on them. Each
post carries ``truth``: its phone numbers (E.164), handles, places (name, state) and the
patterns it shows. Phone numbers are fictional (``NXX-555-01xx``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from harborlight.screening import resources
from harborlight.screening.synthetic import fictional_area_codes

_EN = "zero one two three four five six seven eight nine".split()
_HOMOPHONES = {"0": ["oh"], "1": ["won"], "2": ["too"], "4": ["for"], "8": ["ate"]}
_TENS = {"2": "twenty", "3": "thirty", "4": "forty", "5": "fifty", "6": "sixty",
         "7": "seventy", "8": "eighty", "9": "ninety"}
_TEENS = {"10": "ten", "11": "eleven", "12": "twelve", "13": "thirteen", "14": "fourteen",
          "15": "fifteen", "16": "sixteen", "17": "seventeen", "18": "eighteen",
          "19": "nineteen"}
_KEYPAD = {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS",
           "8": "TUV", "9": "WXYZ"}
_DECORATIONS = ["🌹", "💯", "⭕", "✨", "💕", "👑", "🌸", "🦋", "💎", "🔥", "❤️", "😘", "🍓"]
_SEPARATOR_EMOJI = ["🌹", "💕", "✨", "🔥", "❤️", "⭐", "🌸", "💎"]


# -- phone styles -------------------------------------------------------------------------

def _groups(d: str) -> tuple[str, str, str]:
    return d[:3], d[3:6], d[6:]


def _plain(d: str, rng: random.Random) -> str:
    a, b, c = _groups(d)
    return rng.choice([f"{a}-{b}-{c}", f"({a}) {b}-{c}", f"{a}.{b}.{c}", d, f"{a} {b} {c}",
                       f"1-{a}-{b}-{c}", f"+1 {a} {b} {c}", f"({a}){b}-{c}"])


def _colons(d: str, rng: random.Random) -> str:
    a, b, c = _groups(d)
    return ":".join(d) if rng.random() < 0.5 else f"{a}:{b}:{c}"


def _x_separated(d: str, rng: random.Random) -> str:
    a, b, c = _groups(d)
    return "x".join(d) if rng.random() < 0.5 else f"{a}x{b}x{c}"


def _emoji_separated(d: str, rng: random.Random) -> str:
    a, b, c = _groups(d)
    sep = rng.choice(_SEPARATOR_EMOJI) * rng.randint(1, 3)
    pad = " " if rng.random() < 0.5 else ""
    return f"{a}{pad}{sep}{pad}{b}{pad}{sep}{pad}{c}"


def _spaced(d: str, rng: random.Random) -> str:
    return " ".join(d)


def _homophones(d: str, rng: random.Random) -> str:
    return " ".join(rng.choice(_HOMOPHONES[x]) if x in _HOMOPHONES and rng.random() < 0.7
                    else _EN[int(x)] for x in d)


def _one_zero_lookalikes(d: str, rng: random.Random) -> str:
    ones, zeros = rng.choice(["!", "I", "l"]), rng.choice(["o", "O"])
    a, b, c = _groups("".join(ones if x == "1" else zeros if x == "0" else x for x in d))
    return rng.choice([f"{a}-{b}-{c}", f"{a} {b} {c}", f"{a}.{b}.{c}"])


def _doubled(d: str, rng: random.Random) -> str:
    a, b, c = _groups(d)
    write = (lambda g: "".join(f"{x}{_EN[int(x)]}" for x in g))
    return f"{write(a)} {write(b)} {write(c)}"


def _split_in_text(d: str, rng: random.Random) -> str:
    a, b, c = _groups(d)
    middle = rng.choice(["is my area code, then", "first and then", "(area code) and the rest",
                         "then", "... ask for me ... then"])
    rest = rng.choice([f"{b}-{c}", f"{b} {c}", f"{b}{c}"])
    return f"{a} {middle} {rest}"


def _keypad(d: str, rng: random.Random) -> str:
    a, b, c = _groups(d)
    word = "".join(rng.choice(_KEYPAD[x]) for x in b)  # 555 -> JKL, KLJ ...
    return rng.choice([f"{a}-{word}-{c}", f"({a}) {word}-{c}"])


def _spoken_pairs(d: str, rng: random.Random) -> str:
    pieces: list[str] = []
    index = 0
    while index < len(d):
        pair = d[index:index + 2]
        if len(pair) == 2 and rng.random() < 0.6 and (pair in _TEENS or (
                pair[0] in _TENS and pair[1] != "0")):
            pieces.append(_TEENS.get(pair) or f"{_TENS[pair[0]]} {_EN[int(pair[1])]}")
            index += 2
        else:
            pieces.append("oh" if d[index] == "0" and rng.random() < 0.5 else _EN[int(d[index])])
            index += 1
    return " ".join(pieces)


def _mixed(d: str, rng: random.Random) -> str:
    def one(x: str) -> str:
        roll = rng.random()
        if roll < 0.4:
            return x
        if roll < 0.7 and x in _HOMOPHONES:
            return _HOMOPHONES[x][0]
        return _EN[int(x)]
    a, b, c = (("".join(one(x) for x in g)) for g in _groups(d))
    return rng.choice([f"({a}){b}-{c}", f"{a} {b} {c}", f"{a}-{b}-{c}"])


def _words_caps(d: str, rng: random.Random) -> str:
    return rng.choice([" ", "-", " . "]).join(_EN[int(x)].upper() for x in d)


# held-out styles: never looked at while tuning
def _hundreds(d: str, rng: random.Random) -> str:
    def three(g: str) -> str:
        rest = g[1:]
        tail = _TEENS.get(rest) or (f"{_TENS[rest[0]]} {_EN[int(rest[1])]}"
                                    if rest[0] in _TENS and rest[1] != "0" else
                                    f"{_EN[int(rest[0])]} {_EN[int(rest[1])]}")
        return f"{_EN[int(g[0])]} hundred {tail}"
    a, b, c = _groups(d)
    return f"{three(a)}, {three(b)}, " + " ".join(_EN[int(x)] for x in c)


def _tilde_underscore(d: str, rng: random.Random) -> str:
    a, b, c = _groups(d)
    return rng.choice(["~".join(d), f"{a}_{b}_{c}", f"{a}~{b}~{c}", "_".join(d)])


def _dotted_words(d: str, rng: random.Random) -> str:
    return ".".join(_EN[int(x)] for x in d)


def _keycap_words(d: str, rng: random.Random) -> str:
    return " ".join(f"{x}\ufe0f\u20e3" if rng.random() < 0.5 else _EN[int(x)] for x in d)


def _bullet_groups(d: str, rng: random.Random) -> str:
    return " • ".join(" ".join(g) for g in _groups(d))


PHONE_STYLES: dict[str, Callable[[str, random.Random], str]] = {
    "plain": _plain, "colons": _colons, "x_separated": _x_separated,
    "emoji_separated": _emoji_separated, "spaced_digits": _spaced,
    "homophones": _homophones, "one_zero_lookalikes": _one_zero_lookalikes,
    "doubled": _doubled, "split_in_text": _split_in_text, "keypad": _keypad,
    "spoken_pairs": _spoken_pairs, "mixed_words_digits": _mixed, "words_caps": _words_caps,
    "hundreds": _hundreds, "tilde_underscore": _tilde_underscore,
    "dotted_words": _dotted_words, "keycap_words": _keycap_words,
    "bullet_groups": _bullet_groups,
}
HELD_OUT_PHONE_STYLES = ("hundreds", "tilde_underscore", "dotted_words", "keycap_words",
                         "bullet_groups")
VOICES = ("classy", "bubbly", "terse", "bilingual", "listing", "agency")
HELD_OUT_VOICES = ("listing", "agency")


# -- text banks -----------------------------------------------------------------------------

BOILERPLATE = [
    "Disclaimer: by contacting me you agree that you are not law enforcement or working "
    "with any agency, and that nothing in this ad is an offer of anything other than my "
    "time and company.",
    "No law enforcement. No pimps. No drama. No games. Serious gentlemen only.",
    "All fees are for time and companionship only. Anything else is a choice made between "
    "two consenting people and is not implied.",
    "💯 REAL PICS 💯 100% ME 💯 NO BAIT AND SWITCH 💯",
    "Please be respectful, clean and on time. Screening required for first time friends, "
    "references from other ladies are welcome.",
    "I do not answer blocked calls, private numbers or emails. Text me with your name, the "
    "time you want and how long.",
    "Ask about my specials. Two hour minimum after midnight. Prices are not negotiable so "
    "please do not ask.",
    "Posting this ad is not an offer of anything illegal. You must be over 21 to contact me.",
    "⭕⭕⭕ NO DEPOSITS ⭕⭕⭕ NO RUSH ⭕⭕⭕ NO GAMES ⭕⭕⭕",
    "Donations are for time only. I reserve the right to refuse anyone for any reason.",
]
PLATFORM_TRAPS = [
    "Texts without a name get ignored.", "I reply instantly to polite texts.",
    "No lineups, no waiting rooms.", "I'm on Instagram for fun but text for dates.",
    "Not on snapchat, text only.", "Instant replies during the day.",
    "Ignore the fake ads, this is really me.", "Follow the lines of the map to find me.",
    "I'm online most nights.", "Snapshots on request.", "No kik, no email, just text.",
]
ADJECTIVES = ["sweet", "bubbly", "classy", "down to earth", "easy going", "fun loving",
              "upscale", "petite", "curvy", "tall", "sophisticated", "playful", "charming",
              "elegant", "laid back", "energetic", "warm", "genuine", "polished", "witty",
              "adventurous", "soft spoken", "chatty", "sunny", "mellow", "spontaneous",
              "silly", "nerdy", "sporty", "artsy", "bookish", "goofy", "bold", "dreamy",
              "quirky", "loyal", "calm", "fierce", "gentle", "cheeky", "curious", "humble",
              "radiant", "zesty", "breezy", "cozy", "daring", "earthy", "flirty", "gracious"]
LOOKS = ["brunette", "blonde", "redhead", "latina", "girl next door", "island girl",
         "southern belle", "city girl", "bombshell", "sweetheart"]
HOBBIES = ["good conversation", "wine and jazz", "long dinners", "museum dates", "beach walks",
           "karaoke nights", "sushi", "hiking trails", "road trips", "shopping sprees",
           "salsa dancing", "movie marathons", "coffee dates", "board games", "yoga",
           "cooking pasta", "rooftop bars", "live music", "bowling", "thrift stores",
           "poetry", "baseball games", "farmers markets", "vinyl records", "arcades",
           "roller skating", "painting", "tacos", "horror movies", "pool parties", "tennis",
           "crossword puzzles", "ramen", "anime", "gardening", "comedy clubs", "jet skis",
           "spa days", "jazz bars", "line dancing", "video games", "camping", "surfing",
           "pottery", "podcasts", "pilates", "bbq", "wine tasting", "kayaking", "tarot"]
WISHES = ["your weekend getaway", "an escape from the ordinary", "your favorite secret",
          "the perfect dinner date", "your new bestie", "a breath of fresh air",
          "the highlight of your week", "your travel buddy", "your little vacation"]
LANDMARKS = ["880", "the mall", "BART", "downtown", "the airport", "I-80", "the marina",
             "the freeway", "the waterfront", "the stadium", "the casino", "Hwy 101"]
WHEN = ["24/7", "late nights", "all weekend", "now till 2am", "mornings and evenings",
        "by appointment", "all day today", "after 6pm", "early birds welcome"]
NAMES = ["Mia", "Lena", "Tina", "Rosa", "Nina", "Kira", "Ava", "Luna", "Jade", "Dana", "Sky",
         "Ruby", "Ivy", "Gia", "Bella", "Nova", "Cleo", "Zoe", "Lily", "Vera", "Katy", "Joy"]
REGIONS = {
    "CA": {"site": "bayarea-listings", "area_codes": ["510", "415", "408", "650", "925", "707",
                                                      "916", "209", "669", "628"],
           "towns": ["oakland", "hayward", "fremont", "newark", "union city", "richmond",
                     "concord", "berkeley", "san leandro", "san jose", "santa clara",
                     "sunnyvale", "milpitas", "walnut creek", "vallejo", "antioch",
                     "pittsburg", "dublin", "pleasanton", "livermore", "san mateo",
                     "daly city", "redwood city", "palo alto", "mountain view", "alameda",
                     "emeryville", "san rafael", "fairfield", "san francisco"],
           "areas": ["East Bay", "South Bay", "Peninsula", "Bay Area", "North Bay"]},
    "TX": {"site": "houston-listings", "area_codes": ["713", "281", "832", "346", "214",
                                                      "972", "469", "817", "409", "936"],
           "towns": ["houston", "pasadena", "baytown", "sugar land", "katy", "humble",
                     "spring", "conroe", "dallas", "arlington", "irving", "plano", "richmond",
                     "pearland", "league city", "denton"],
           "areas": ["Houston area", "Galleria", "Medical Center", "DFW", "Energy Corridor"]},
}
TRAVEL = [("portland", "OR"), ("las vegas", "NV"), ("seattle", "WA"), ("phoenix", "AZ"),
          ("denver", "CO"), ("reno", "NV")]
SITE_PHONE = "+15105550100"


def _measurements(rng: random.Random) -> str:
    feet, inches = rng.randint(4, 5), rng.randint(0, 11)
    cup = rng.choice(["32", "34", "36", "38"]) + rng.choice(["a", "b", "c", "d", "dd", "DD", "C"])
    weight = rng.randint(95, 165)
    waist, hips = rng.randint(22, 30), rng.randint(32, 42)
    return rng.choice([
        f"{feet}'{inches} • {cup}• {weight}Lbs",
        f"{cup[:2]}{cup[2:].upper()}-{waist}-{hips}",
        f"{feet}ft{inches}, {weight}lbs, size {rng.choice([0, 2, 4, 6, 8])}",
        f"Height {feet}'{inches}\" | Weight {weight} | {cup.upper()}",
        f"{cup[:2]}-{waist}-{hips} 💯 natural",
        f"{feet}’{inches} / {weight} lbs / {cup}",
        f"Stats: {cup} {waist} {hips}, {feet}'{inches}, {weight}lb",
        f"{feet}'{inches} petite {weight}lbs",
    ])


def _rates(rng: random.Random) -> str:
    low, mid, high = rng.choice([(80, 150, 250), (100, 160, 260), (120, 200, 300),
                                 (60, 100, 180), (150, 250, 400)])
    return rng.choice([
        f"QV {low} | HH {mid} | H {high}", f"Rates {mid} half {high} full",
        f"{mid} roses hh", f"Donations: {low} / {mid} / {high}", "Ask about my specials",
        f"${mid} special today only", f"{low}/{mid}/{high} no rush",
    ])


# -- posters ----------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _region_numbers(region: str) -> tuple[str, ...]:
    valid = set(fictional_area_codes())
    return tuple(f"+1{code}55501{tail:02d}" for code in REGIONS[region]["area_codes"]
                 if code in valid for tail in range(100) if f"+1{code}55501{tail:02d}"
                 != SITE_PHONE)


def _styles(styles: tuple[str, ...], rng: random.Random) -> list[str]:
    """One or two phone styles; most posters write the number plainly, as on real sites."""
    if "plain" in styles and rng.random() < 0.6:
        return ["plain"] if rng.random() < 0.7 else ["plain", rng.choice(styles)]
    return rng.sample(styles, min(len(styles), rng.choice([1, 1, 2])))


_HANDLES_TAKEN: set[str] = set()


def _handle(name: str, rng: random.Random) -> str:
    """A handle no other poster has (platforms make them unique)."""
    word = rng.choice(["sweet", "lovely", "xo", "its", "real", "the", "miss", "baby"])
    handle = rng.choice([f"{word}{name}{rng.randint(1, 99)}", f"{name}_{word}",
                         f"{word}.{name}", f"{name}{word}{rng.randint(0, 9)}",
                         f"{name}_{rng.randint(10, 99)}"]).lower()
    while handle in _HANDLES_TAKEN:
        handle += str(rng.randint(0, 9))
    _HANDLES_TAKEN.add(handle)
    return handle


_FRAMES = [
    "I'm {name}, a {adj} {look} who loves {hobby}.",
    "Let me be {wish}.",
    "{Adj} and {adj}, into {hobby} and {hobby}.",
    "My friends say I am {adj} and a little {adj}.",
    "Treat yourself to {hobby} with a {adj} {name}.",
    "Nothing beats {hobby} after a long {time}, except maybe {hobby}.",
    "Originally from {origin}, now enjoying {hobby} in the {area}.",
    "I keep my {thing} {adj} and my {thing} even more {adj}.",
    "Ask me about my {thing}, my {thing} or my trip to {origin}.",
    "Weekends are for {hobby}, {hobby} and a good {drink}.",
    "My perfect {time}: {hobby}, a {adj} {drink} and {wish}.",
    "Still thinking about that {drink} in {origin} last {time}.",
    "Fair warning: I laugh at my own {thing} and talk about {hobby} a lot.",
    "You will find me {adj}, {adj} and always on time for {hobby}.",
]
# word lists rather than sentences: hashtags, emoji lists, clipped phrases
_DENSE_FRAMES = [
    "{Adj} {look}, {adj} {thing}, {hobby} and {drink}.",
    "{Origin} {thing}, {adj} {hobby}, {drink} every {time}.",
    "#{hobby} #{drink} #{adj} #{origin} #{thing}",
    "{adj} x {adj} x {hobby} x {thing}",
    "{Hobby} / {hobby} / {drink} / {origin} vibes",
]
ORIGINS = ["Miami", "Chicago", "Manila", "Atlanta", "Puerto Rico", "Vegas", "Denver",
           "New Orleans", "Tijuana", "Honolulu", "Detroit", "Boston", "Memphis", "Phoenix",
           "Nashville", "Cleveland", "San Diego", "Orlando", "Seoul", "Lima"]
THINGS = ["playlist", "nails", "jokes", "cooking", "tattoo", "sneakers", "accent", "dog",
          "garden", "car", "books", "dance moves", "perfume", "smile", "laugh", "camera",
          "plants", "art", "sunglasses", "hats", "stories", "coffee order", "road trips"]
DRINKS = ["margarita", "latte", "glass of wine", "mojito", "boba tea", "smoothie",
          "cold brew", "champagne", "horchata", "matcha", "lemonade", "hot cocoa"]
TIMES = ["day", "week", "night", "summer", "weekend", "shift", "winter", "month"]
_QUIRKS = {
    "you ": "u ", "your ": "ur ", "love": "luv", "and ": "n ", "really": "rly",
    "with ": "wit ", "about ": "bout ", "going": "goin", "the ": "da ", "little": "lil",
}


def _fill(frame: str, name: str, rng: random.Random) -> str:
    pools = {"adj": ADJECTIVES, "look": LOOKS, "hobby": HOBBIES, "wish": WISHES,
             "origin": ORIGINS, "thing": THINGS, "drink": DRINKS, "time": TIMES,
             "area": ["bay", "city", "hills", "valley", "suburbs", "south bay"]}
    out = frame.replace("{name}", name)
    while "{" in out:
        start = out.index("{")
        key = out[start + 1:out.index("}", start)]
        word = rng.choice(pools[key.lower()])
        out = out.replace("{" + key + "}", word.capitalize() if key[0].isupper() else word, 1)
    return out


def _personal(voice: str, name: str, rng: random.Random) -> list[str]:
    """The poster's own sentences, in her own spelling: these make her posts hers."""
    sentences = [_fill(frame, name, rng) for frame in rng.sample(_DENSE_FRAMES, 2)]
    sentences += [_fill(frame, name, rng) for frame in rng.sample(_FRAMES, 3)]
    if voice == "bilingual":
        sentences += [f"Hola papi, soy {name}, muy {rng.choice(['linda', 'dulce', 'bonita'])}.",
                      f"Hablo español e inglés, me encanta {rng.choice(['bailar', 'cocinar'])}"
                      f" y {rng.choice(HOBBIES)}."]
    if voice == "agency":
        sentences = [f"{name} and the girls of {rng.choice(['Velvet', 'Golden', 'Harbor'])} "
                     f"{rng.choice(['Dates', 'Company', 'Society'])} welcome you.",
                     _fill("Our {adj} ladies love {hobby}, {hobby} and {drink}s.", name, rng),
                     f"Booking agent answers {rng.choice(WHEN)}.",
                     _fill("Ask for our {adj} newcomer from {origin}.", name, rng)]
    habits = rng.sample(sorted(_QUIRKS), rng.randint(0, 4))
    spelled = []
    for sentence in sentences:
        for habit in habits:
            sentence = sentence.replace(habit, _QUIRKS[habit])
        spelled.append(sentence)
    own, common = spelled[:2], spelled[2:]
    rng.shuffle(common)
    chosen = own + common[:rng.randint(0, len(common))]
    rng.shuffle(chosen)
    return chosen


def _poster(number: int, voice: str, region: str, styles: tuple[str, ...],
            rng: random.Random, numbers: list[str]) -> dict[str, Any]:
    name = rng.choice(NAMES)
    towns = REGIONS[region]["towns"]
    minimal = rng.random() < 0.3  # a line or two of her own, the rest copied stock text
    return {
        "id": f"op{number:05d}", "voice": voice, "region": region, "name": name,
        "names": [name] + (rng.sample(NAMES, 2) if voice == "agency" else []),
        "phones": [numbers.pop() for _ in range(rng.choice([1, 1, 1, 2, 3]))],
        "styles": _styles(styles, rng),
        "handle": _handle(name, rng) if rng.random() < 0.35 else None,
        "platform": rng.choice(["IG", "Insta", "instagram", "snap", "Snapchat", "kik", "SC",
                                "telegram"]),
        "towns": rng.sample(towns, rng.randint(1, 3)),
        "travel": rng.choice(TRAVEL) if rng.random() < 0.1 else None,
        "age": rng.randint(21, 35),
        "personal": _personal(voice, name, rng)[:2 if minimal else None],
        "boilerplate": rng.sample(BOILERPLATE, rng.choice([0, 1, 1, 2, 3])),
        "measurement": _measurements(rng) if rng.random() < 0.7 else None,
        "rates": _rates(rng) if rng.random() < 0.6 else None,
        "tail": rng.choice(["", "", "100% real", "420 friendly", "24/7", "💯", "⭕⭕⭕"]),
        "emoji": rng.sample(_DECORATIONS, 3),
    }


# -- posts ------------------------------------------------------------------------------------

# per voice: (greetings, contact lines)
_VOICE_LINES = {
    "classy": (["Good evening gentlemen.", "Hello there.", "Welcome, gentlemen."],
               ["Call or text {p}", "Text me at {p}", "You can reach me at {p}"]),
    "bubbly": (["HEY GUYS!!!", "Hiii loves 💕", "Hey hey hey!"],
               ["📱 {p} 📱", "CALL ME {p}!!!", "txt me {p} 😘"]),
    "terse": (["hey", "hi guys", "new here"], ["txt {p}", "{p} text only", "call {p}"]),
    "bilingual": (["Hola papi!", "Hola amor.", "Hey papi!"],
                  ["Llámame {p}", "Text or call {p}", "Mándame texto {p}"]),
    "listing": (["• NEW PHOTOS •", "• AVAILABLE •", "• BACK IN TOWN •"],
                ["• Contact: {p}", "• Phone: {p}", "• Text: {p}"]),
    "agency": (["Welcome to our agency.", "Now booking.", "New faces this week."],
               ["Book with our agent: {p}", "Reservations {p}", "Our line {p}"]),
}
_HANDLE_LINES = ["{w}: {h}", "{w} @{h}", "add my {w} {h}", "Follow me on {w} @{h}",
                 "{w} ➡️ {h}", "{w} - {h}"]


def _place_line(voice: str, town: str, rng: random.Random) -> str:
    shown = town.title() if voice != "terse" else town
    landmark = rng.choice(LANDMARKS)
    return rng.choice([f"Located in {shown} near {landmark}.", f"Now in {shown}!",
                       f"{shown} incall near {landmark}.", f"Visiting {shown} this week only.",
                       f"In {shown} all week."])


def _voice(text: str, voice: str, rng: random.Random) -> str:
    if voice == "terse":
        return text.lower().rstrip(".")
    if voice == "bubbly":
        words = text.split(" ")
        return " ".join(w.upper() if rng.random() < 0.15 else w for w in words) + \
            rng.choice(["", "!!", " 💕", " ✨"])
    return text


def _contact(poster: dict[str, Any], rng: random.Random) -> tuple[list[str], list[str], str]:
    """Lines with the phone(s) shown in one post, the numbers, and the style used."""
    index = rng.randrange(len(poster["phones"]))
    shown = poster["phones"][index:index + 2] if rng.random() < 0.3 else \
        [poster["phones"][index]]
    style = rng.choice(poster["styles"])
    lines = []
    for number in shown:
        written = PHONE_STYLES[style](number[2:], rng)
        if poster["tail"] and rng.random() < 0.8:
            written = f"{written} {poster['tail']}"
        lines.append(rng.choice(_VOICE_LINES[poster["voice"]][1]).format(p=written))
    return lines, list(shown), style


def _location_field(poster: dict[str, Any], town: str, rng: random.Random) -> str:
    areas = REGIONS[poster["region"]]["areas"]
    return rng.choice([f"{town.title()}, {rng.choice(areas)}", town.title(), town,
                       rng.choice(areas), "", f"{town.title()}, {poster['region']}"])


def _post(poster: dict[str, Any], index: int, rng: random.Random,
          with_site_phone: bool) -> dict[str, Any]:
    voice, region = poster["voice"], poster["region"]
    town = rng.choice(poster["towns"])
    places = [(town, region)]
    patterns = {f"voice:{voice}"}
    lines = _opening(poster, town, rng, patterns)
    if poster["travel"] and rng.random() < 0.5:
        lines.append(f"Visiting {poster['travel'][0].title()} next week.")
        places.append(poster["travel"])
    if poster["rates"]:
        lines.append(poster["rates"])
        patterns.add("rates")
    contact, phones, style = _contact(poster, rng)
    patterns.update({f"style:{style}"} | ({"number_tail"} if poster["tail"] else set()))
    lines += contact
    handles = _handle_line(poster, rng, lines, patterns)
    lines += _closing(poster, rng, patterns)
    if with_site_phone:
        lines.append("Trouble with this ad? Site help line 510-555-0100.")
        phones.append(SITE_PHONE)
        patterns.add("site_phone")
    if any(e in line for line in lines for e in ("⭕", "💯")) or voice == "bubbly":
        patterns.add("emoji")
    return {"title": _title(poster, town, rng), "body": _body(poster, lines, town, rng),
            "location": _location_field(poster, town, rng),
            "truth": {"phones": phones, "handles": handles,
                      "places": [list(place) for place in places],
                      "patterns": sorted(patterns), "phone_style": style, "voice": voice}}


def _opening(poster: dict[str, Any], town: str, rng: random.Random, patterns: set[str]
             ) -> list[str]:
    """Greeting, her own sentences (one dropped now and then), measurements, place."""
    voice = poster["voice"]
    lines = [rng.choice(_VOICE_LINES[voice][0])] if rng.random() < 0.6 else []
    personal = list(poster["personal"])
    if len(personal) > 2 and rng.random() < 0.3:
        personal.pop(rng.randrange(len(personal)))
    lines += [_voice(sentence, voice, rng) for sentence in personal]
    if poster["measurement"]:
        lines.append(poster["measurement"])
        patterns.add("measurement")
    lines.append(_place_line(voice, town, rng))
    return lines


def _handle_line(poster: dict[str, Any], rng: random.Random, lines: list[str],
                 patterns: set[str]) -> list[str]:
    if not poster["handle"] or rng.random() >= 0.7:
        return []
    platform = poster["platform"]
    template = "{w}: {h}" if platform == "SC" else rng.choice(_HANDLE_LINES)
    lines.append(template.format(w=platform, h=poster["handle"]))
    patterns.add("handle")
    return [poster["handle"]]


def _closing(poster: dict[str, Any], rng: random.Random, patterns: set[str]) -> list[str]:
    """A platform word inside an ordinary word now and then, then her stock text."""
    lines = []
    if rng.random() < 0.25:
        lines.append(rng.choice(PLATFORM_TRAPS))
        patterns.add("platform_words")
    if poster["boilerplate"]:
        lines += poster["boilerplate"]
        patterns.add("boilerplate")
    return lines


def _title(poster: dict[str, Any], town: str, rng: random.Random) -> str:
    emoji = poster["emoji"]
    return rng.choice([f"{emoji[2]} {poster['name']} in {town.title()} {emoji[2]}",
                       f"{rng.choice(ADJECTIVES).title()} {rng.choice(LOOKS)} - "
                       f"{poster['age']}", f"New in {town.title()} {emoji[0]}",
                       f"{poster['name']} {rng.choice(WHEN)}"])


def _body(poster: dict[str, Any], lines: list[str], town: str, rng: random.Random) -> str:
    """Lines joined in the voice's way, and the site's own footer (the same on every post
    of the site: boilerplate with a post id, the poster's age and a location)."""
    body = ("\n" if poster["voice"] in ("terse", "listing") else " ").join(lines)
    if poster["voice"] == "bubbly":
        body = f"{poster['emoji'][0]} {body} {poster['emoji'][1]}"
    footer = (f"\n• Poster's age: {poster['age']}\n• Location: "
              f"{_location_field(poster, town, rng) or town.title()}\n• Post ID: "
              f"{rng.randint(10_000_000, 99_999_999)} "
              f"{REGIONS[poster['region']]['site'].split('-')[0]}")
    return body + footer


class _Numbers(list):
    """A region's fictional numbers, local ones first; a number is never given twice."""

    def __init__(self, numbers: list[str], taken: set[str]):
        super().__init__(numbers)
        self.taken = taken

    def pop(self, index: int = -1) -> str:
        number = super().pop(index)
        while number in self.taken:
            number = super().pop(index)
        self.taken.add(number)
        return number


def _number_pool(rng: random.Random) -> dict[str, list[str]]:
    """Fictional numbers per region, shuffled; each region falls back on the others'."""
    others = [n for n in _all_us_numbers() if n != SITE_PHONE]
    taken: set[str] = set()
    pools = {}
    for region in REGIONS:
        local = list(_region_numbers(region))
        rng.shuffle(local)
        local_set = set(local)
        rest = [n for n in others if n not in local_set]
        rng.shuffle(rest)
        pools[region] = _Numbers(rest + local, taken)  # pop() takes local numbers first
    return pools


@lru_cache(maxsize=None)
def _all_us_numbers() -> tuple[str, ...]:
    return tuple(f"+1{code}55501{tail:02d}" for code in fictional_area_codes()
                 for tail in range(100))


def generate_posts(n: int, seed: int = 0, *, voices: tuple[str, ...] | None = None,
                   phone_styles: tuple[str, ...] | None = None,
                   region_shares: dict[str, float] | None = None,
                   site_phone_share: float = 0.005) -> Iterator[dict[str, Any]]:
    """Yield ``n`` realistic posts with ground truth (``operator_id`` and ``truth``).

    Parameters
    ----------
    n, seed : int
        Number of posts and random seed (same seed, same posts).
    voices, phone_styles : tuple of str, optional
        Writing voices and phone styles to draw from; by default those not held out.
    region_shares : dict, optional
        Share of posters per region (``CA``, ``TX``); mostly one site and state by default.
    site_phone_share : float
        Share of posts that also show the site's own help line.
    """
    rng = random.Random(seed)
    _HANDLES_TAKEN.clear()
    voices = voices or tuple(v for v in VOICES if v not in HELD_OUT_VOICES)
    styles = phone_styles or tuple(s for s in PHONE_STYLES if s not in HELD_OUT_PHONE_STYLES)
    shares = region_shares or {"CA": 0.85, "TX": 0.15}
    pools = _number_pool(rng)
    active: list[list] = []  # [poster, posts left]
    made = 0
    start = date(2017, 3, 1)
    for index in range(n):
        if not active or rng.random() < 0.3:
            made += 1
            region = rng.choices(list(shares), weights=list(shares.values()))[0]
            poster = _poster(made, rng.choice(voices), region, styles, rng, pools[region])
            active.append([poster, 1 if rng.random() < 0.4 else rng.randint(2, 40)])
        slot = rng.randrange(len(active))
        poster = active[slot][0]
        post = _post(poster, index, rng, rng.random() < site_phone_share)
        active[slot][1] -= 1
        if active[slot][1] <= 0:
            active.pop(slot)
        yield {"id": f"post{index:07d}", "title": post["title"], "body": post["body"],
               "posted_at": (start + timedelta(days=rng.randrange(120))).isoformat(),
               "site": REGIONS[poster["region"]]["site"], "location": post["location"],
               "operator_id": poster["id"], "truth": post["truth"]}
