"""Find the towns an ad names and settle which state each one is in.

Many US town names exist in several states (Richmond: VA, CA, TX ...; Newark: NJ, DE, CA
...). Reading every Richmond as the largest one, in Virginia, moves Bay Area ads across
the country. A place is therefore settled from the strongest evidence at hand, in this
order, and the output says which evidence it was:

1. ``unique``: the name exists in one state only;
2. ``stated``: the ad writes the state beside it (``Oakland, CA``);
3. ``location``: a state named in the ad's own location field, or the state of a place
   there that is not ambiguous;
4. ``text``: a state named in the ad's text;
5. ``site region``: the state most of the site's ads are in (learned from the batch and
   the history, or given by the caller);
6. ``area code``: the state of one of the ad's phone numbers;
7. ``dominant namesake`` when one namesake has ten times the ZIP codes of any other
   (Detroit, MI; Houston, TX), else ``largest namesake``: the one with the most ZIP codes,
   reported as *ambiguous*.

Steps 1-4 need only the ad (they run with the per-ad pipeline); 5-7 need the batch
(:class:`PlaceResolver`). In free text a town counts only after a place cue ("in",
"near", "visiting", "location:" ...) or before "incall"/"area", so that "Spring specials"
or "ask for Katy" are not towns; the location field is read whole.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as importlib_resources

from harborlight.screening import resources

RESOLVED_BY = ("unique", "stated", "location", "text", "site region", "area code",
               "dominant namesake", "largest namesake", "state")
_CUES_BEFORE = frozenset("in near at from visiting located around outside downtown "
                         "location locations en cerca".split())
_CUES_AFTER = frozenset("incall incalls outcall outcalls area".split())
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
_UP_TO_THREE_WORDS = re.compile(r"[a-z]+(?:['’][a-z]+)?(?: [a-z]+(?:['’][a-z]+)?){0,2}")
_CUE_BEFORE = re.compile(r"\b(?:" + "|".join(sorted(_CUES_BEFORE, key=len, reverse=True))
                         + r")\b[:\s]+")
_CUE_AFTER = re.compile(r"\b(?:" + "|".join(sorted(_CUES_AFTER, key=len, reverse=True))
                        + r")\b")
_US_STATES = {
    "AL": "alabama", "AK": "alaska", "AZ": "arizona", "AR": "arkansas", "CA": "california",
    "CO": "colorado", "CT": "connecticut", "DE": "delaware", "DC": "district of columbia",
    "FL": "florida", "GA": "georgia", "HI": "hawaii", "ID": "idaho", "IL": "illinois",
    "IN": "indiana", "IA": "iowa", "KS": "kansas", "KY": "kentucky", "LA": "louisiana",
    "ME": "maine", "MD": "maryland", "MA": "massachusetts", "MI": "michigan",
    "MN": "minnesota", "MS": "mississippi", "MO": "missouri", "MT": "montana",
    "NE": "nebraska", "NV": "nevada", "NH": "new hampshire", "NJ": "new jersey",
    "NM": "new mexico", "NY": "new york", "NC": "north carolina", "ND": "north dakota",
    "OH": "ohio", "OK": "oklahoma", "OR": "oregon", "PA": "pennsylvania",
    "RI": "rhode island", "SC": "south carolina", "SD": "south dakota", "TN": "tennessee",
    "TX": "texas", "UT": "utah", "VT": "vermont", "VA": "virginia", "WA": "washington",
    "WV": "west virginia", "WI": "wisconsin", "WY": "wyoming"}
_STATE_BY_NAME = {name: code for code, name in _US_STATES.items()}
_STATED = re.compile(r",\s*([a-z]{2})\b")
_LIST_SEPARATOR = re.compile(r"\s*(?:[,/&•|]|\band\b|\by\b)\s*(?:and\s+)?")
_FIELD_SEPARATORS = re.compile(r"[,/|;•\n]+")


@dataclass(frozen=True, slots=True)
class Mention:
    """A town named in an ad: its gazetteer name, span (None in the location field),
    candidate states (most ZIP codes first) and the state settled so far, if any."""

    name: str
    span: tuple[int, int] | None
    candidates: tuple[str, ...]
    state: str | None
    resolved_by: str | None


@lru_cache(maxsize=None)
def _gazetteer() -> tuple[dict[str, tuple[str, ...]], dict[tuple[str, str], int]]:
    text = importlib_resources.files("harborlight.screening.data").joinpath(
        "us_places.csv").read_text(encoding="utf-8")
    states: dict[str, list[tuple[int, str]]] = defaultdict(list)
    sizes: dict[tuple[str, str], int] = {}
    for row in csv.DictReader(io.StringIO(text)):
        states[row["name"]].append((-int(row["zips"]), row["state"]))
        sizes[(row["name"], row["state"])] = int(row["zips"])
    names = {name: tuple(state for _zips, state in sorted(rows))
             for name, rows in states.items()}
    for alias, name in (("st ", "saint "), ("ft ", "fort "), ("mt ", "mount ")):
        for full in [n for n in names if n.startswith(name)]:
            short = alias + full[len(name):]
            if short not in names:
                names[short] = names[full]
                sizes.update({(short, st): sizes[(full, st)] for st in names[full]})
    return names, sizes


def gazetteer() -> dict[str, tuple[str, ...]]:
    """Town name -> states that have a town of that name, the largest (most ZIPs) first."""
    return _gazetteer()[0]


def town_size(name: str, state: str) -> int:
    """Standard ZIP codes of the town (0 if unknown): 1 is a village, 30 a city."""
    return _gazetteer()[1].get((name, state), 0)


@lru_cache(maxsize=None)
def area_code_states() -> dict[str, str]:
    """North American area code -> the state it serves."""
    text = importlib_resources.files("harborlight.screening.data").joinpath(
        "area_codes.csv").read_text(encoding="utf-8")
    return {row["area_code"]: row["state"] for row in csv.DictReader(io.StringIO(text))}


def phone_states(e164_numbers: Iterable[str]) -> set[str]:
    """States of the area codes of US numbers (``+1NXX...``)."""
    codes = area_code_states()
    return {codes[n[2:5]] for n in e164_numbers if n.startswith("+1") and n[2:5] in codes}


def _words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _longest_name(words: list[re.Match], index: int, text: str) -> tuple[str, int] | None:
    """The longest gazetteer name starting at word ``index`` (up to three words)."""
    names = gazetteer()
    for size in (3, 2, 1):
        if index + size > len(words):
            continue
        first, last = words[index], words[index + size - 1]
        phrase = text[first.start():last.end()]
        if " ".join(phrase.split()) != phrase:  # names are single-spaced words
            continue
        if phrase in names:
            return phrase, size
    return None


def _name_at(text: str, position: int) -> tuple[str, int, int] | None:
    """The longest gazetteer name (up to three words) starting at ``position``."""
    phrase = _UP_TO_THREE_WORDS.match(text, position)
    if phrase is None:
        return None
    names = gazetteer()
    words = phrase.group().split(" ")
    for size in (3, 2, 1):
        name = " ".join(words[:size])
        if len(words) >= size and name in names:
            return name, position, position + len(name)
    return None


def _candidates(text: str) -> list[int]:
    """Where a cued town may start: after a cue word ("in", "near", "visiting",
    "location:" ...), or up to three words before "incall"/"area"."""
    starts = {match.end() for match in _CUE_BEFORE.finditer(text)}
    for match in _CUE_AFTER.finditer(text):
        before = _WORD.finditer(text, max(match.start() - 40, 0), match.start())
        starts.update(word.start() for word in list(before)[-3:])
    return sorted(starts)


def _capitalised(original: str, span: tuple[int, int]) -> bool:
    """Whether the name starts with a capital in the original ad."""
    return original[span[0]:span[0] + 1].isupper()


def find_mentions(text: str, original: str, original_span, *, skip: Iterable[tuple[int, int]]
                  = ()) -> list[tuple[str, tuple[int, int], tuple[int, int], str | None]]:
    """Towns in free text: ``(name, span in text, original span, state written beside it)``.

    Only places after a cue are looked up (the gazetteer has 15,000 names); towns listed
    after a cued one ("Oakland, Hayward, San Leandro") count too, unless they are everyday
    words. ``original_span`` maps a span of ``text`` (the normalised view) to the
    original; ``skip`` holds original spans already taken (stated names: "ask for Katy").
    """
    common = resources.common_words()
    taken = list(skip)
    found: list[tuple[str, tuple[int, int], tuple[int, int], str | None]] = []
    for position in _candidates(text):
        listed = False
        while True:
            hit = _name_at(text, position)
            if hit is None or (found and position < found[-1][1][1]):
                break
            name, start, end = hit
            span = original_span(start, end)
            if name in common and (listed or not _capitalised(original, span)):
                break  # "Spring", "Humble": a town only right after a cue, in capitals
            if any(span[0] < b and span[1] > a for a, b in taken):
                break
            stated = _STATED.match(text, end)
            code = stated.group(1).upper() if stated else None
            found.append((name, (start, end), span, code if code in _US_STATES else None))
            after = _LIST_SEPARATOR.match(text, stated.end() if stated else end)
            if after is None or after.end() == (stated.end() if stated else end):
                break
            position, listed = after.end(), True
    return found


def location_states(location: str) -> tuple[list[str], set[str]]:
    """Towns in a location field and the states it names.

    The field is cut at commas, slashes and bars; a segment is a town when it is exactly a
    town's name ("Oakland, East Bay": Oakland, and not the town of Bay, Arkansas).
    """
    names = gazetteer()
    towns: list[str] = []
    states: set[str] = set()
    for segment in _FIELD_SEPARATORS.split(location):
        segment = " ".join(_WORD.findall(segment))
        if segment.upper() in _US_STATES and len(segment) == 2:
            states.add(segment.upper())
        elif segment in _STATE_BY_NAME:
            states.add(_STATE_BY_NAME[segment])
        elif segment in names:
            towns.append(segment)
            # a village named like a region ("Peninsula", "South Bay") vouches for nothing
            if len(names[segment]) == 1 and town_size(segment, names[segment][0]) > 1:
                states.add(names[segment][0])
    return towns, states


def text_states(text: str) -> set[str]:
    """US states written out in full in the ad's text ("visiting from Texas")."""
    return {code for name, code in _STATE_BY_NAME.items()
            if name in text and re.search(rf"\b{name}\b", text)}


def settle(name: str, span: tuple[int, int] | None, stated: str | None,
           evidence: list[tuple[str, set[str]]]) -> Mention:
    """Settle one mention from the ad's own evidence, in :data:`RESOLVED_BY` order."""
    candidates = gazetteer()[name]
    if len(candidates) == 1:
        return Mention(name, span, candidates, candidates[0], "unique")
    if stated in candidates:
        return Mention(name, span, candidates, stated, "stated")
    for source, states in evidence:
        matching = [state for state in candidates if state in states]
        if len(matching) == 1:
            return Mention(name, span, candidates, matching[0], source)
    return Mention(name, span, candidates, None, None)


def state_name(code: str) -> str | None:
    """``CA`` -> ``california``; None for an unknown code."""
    return _US_STATES.get((code or "").upper())


def state_of(place_label: str) -> str:
    """The postal code of a label made by :func:`label`."""
    if ", " in place_label:
        return place_label.rsplit(", ", 1)[1]
    return _STATE_BY_NAME.get(place_label.lower(), "")


def state_mention(code: str) -> Mention:
    """A whole state named in the text ("visiting from Texas")."""
    return Mention(_US_STATES[code], None, (code,), code, "state")


def label(mention_name: str, state: str) -> str:
    """``Richmond, CA``; a whole state reads as its name (``Texas``)."""
    if _STATE_BY_NAME.get(mention_name) == state:
        return mention_name.title()
    return f"{mention_name.title()}, {state}"


class PlaceResolver:
    """Batch step: learn each site's region, then settle what the ads left open.

    Parameters
    ----------
    site_regions : dict of str to str, optional
        Known region (postal state code) of some sites; learned regions never override them.
    min_share : float
        Share of a site's settled places that must lie in one state for it to be the site's
        region.
    """

    def __init__(self, *, site_regions: dict[str, str] | None = None, min_share: float = 0.6):
        self.site_regions = site_regions
        self.min_share = min_share

    def partial_fit(self, sites: Iterable[str], settled_states: Iterable[Iterable[str]]
                    ) -> "PlaceResolver":
        """Count, per site, the states of places the ads settled on their own evidence."""
        if not hasattr(self, "site_states_"):
            self.site_states_: dict[str, Counter] = defaultdict(Counter)
        for site, states in zip(sites, settled_states):
            self.site_states_[site].update(states)
        self._regions: dict[str, str | None] = {}
        return self

    def load(self, site_states: dict[str, dict[str, int]]) -> "PlaceResolver":
        """Restore saved counts (``{site: {state: places}}``)."""
        self.site_states_ = defaultdict(Counter, {site: Counter(counts)
                                                  for site, counts in site_states.items()})
        self._regions = {}
        return self

    def region(self, site: str) -> str | None:
        """The site's region: given, or the state of most of its settled places."""
        cache = self.__dict__.setdefault("_regions", {})
        if site not in cache:
            cache[site] = self._region(site)
        return cache[site]

    def _region(self, site: str) -> str | None:
        given = (self.site_regions or {}).get(site)
        if given:
            return given
        counts = getattr(self, "site_states_", {}).get(site)
        if not counts:
            return None
        state, count = counts.most_common(1)[0]
        return state if count >= self.min_share * sum(counts.values()) else None

    def resolve(self, mention: Mention, site: str, phones: set[str]) -> Mention:
        """Settle an open mention: site region, then area code, then the namesake with the
        most ZIP codes (ambiguous unless it dwarfs the others)."""
        if mention.state is not None:
            return mention
        region = self.region(site)
        if region in mention.candidates:
            return Mention(mention.name, mention.span, mention.candidates, region, "site region")
        matching = [state for state in mention.candidates if state in phones]
        if len(matching) == 1:
            return Mention(mention.name, mention.span, mention.candidates, matching[0],
                           "area code")
        largest = mention.candidates[0]
        sizes = sorted((town_size(mention.name, state) for state in mention.candidates),
                       reverse=True)
        dominant = sizes[0] >= 10 and sizes[0] >= 10 * sizes[1]  # Detroit, MI; Houston, TX
        return Mention(mention.name, mention.span, mention.candidates, largest,
                       "dominant namesake" if dominant else "largest namesake")
