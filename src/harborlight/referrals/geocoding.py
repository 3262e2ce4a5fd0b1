"""Offline geocoding of US cities and ZIP codes, and distances between points.

Coordinates come from the ``zipcodes`` package (MIT), which embeds a table of US ZIP
codes with their centroids (GeoNames, CC BY 4.0; USPS); nothing is ever fetched from
another host, so the place a caseworker searches near never leaves the server. A city's
point is the mean of its ZIP centroids::

    >>> locate("77002")            # a ZIP code (ZIP+4 is cut to five digits)
    Place(label='77002 (Houston, TX)', latitude=29.75..., longitude=-95.36...)
    >>> locate("Houston, TX")      # a city with its state
    >>> locate("Houston")          # a city without a state, if only one state has it

Unknown places, and city names found in several states, raise :class:`UnknownPlace` with
a message a person can act on.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from harborlight.errors import InputError

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
_ZIP = re.compile(r"^\s*(\d{5})(?:[-\s]?\d{4})?\s*$")
_CITY_STATE = re.compile(r"^\s*(?P<city>.+?)\s*(?:,\s*(?P<state>[A-Za-z]{2}))?\s*$")


class UnknownPlace(InputError):
    """The text names no ZIP code or city we know, or names a city in several states."""

    field = "near"


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (mean Earth radius; error under 0.5%)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, radius_km: float
                 ) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) containing every point within ``radius_km``.

    Used to narrow a database query before the exact haversine test; it errs wide.
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(latitude))
    dlon = 180.0 if cos_lat < 1e-6 else min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM
                                                                             * cos_lat)))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[.\-']", " ", plain.casefold())
    plain = re.sub(r"^(saint|st)\s", "saint ", plain)
    return re.sub(r"\s+", " ", plain).strip()


@functools.cache
def _tables() -> tuple[dict[str, tuple[str, str, float, float]],
                       dict[str, dict[str, tuple[str, float, float]]]]:
    """Load the embedded ZIP table once per process (about a second; the first search near
    a place pays it): ZIP -> (city, state, lat, lon), and city key -> state -> (name, mean
    lat, mean lon). Plain tuples keep it quick to build and small in memory."""
    import zipcodes

    by_zip: dict[str, tuple[str, str, float, float]] = {}
    sums: dict[tuple[str, str], list] = {}
    for row in zipcodes.list_all():
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
        city, state = row["city"], row.get("state", "")
        by_zip[row["zip_code"]] = (city, state, lat, lon)
        for name in (city, *row.get("acceptable_cities", ())):
            entry = sums.get((_key(name), state))
            if entry is None:
                sums[(_key(name), state)] = [name, lat, lon, 1]
            else:
                entry[1] += lat
                entry[2] += lon
                entry[3] += 1
    by_city: dict[str, dict[str, tuple[str, float, float]]] = defaultdict(dict)
    for (key, state), (name, lat, lon, count) in sums.items():
        by_city[key][state] = (f"{name}, {state}", lat / count, lon / count)
    return by_zip, dict(by_city)


def locate(text: str) -> Place:
    """The point for a US ZIP code, "City, ST" or a city name found in one state only."""
    text = (text or "").strip()
    if not text:
        raise UnknownPlace("Enter a city (for example \"Houston, TX\") or a 5-digit ZIP code.")
    if len(text) > 100:
        raise UnknownPlace("A place is at most 100 characters.")
    by_zip, by_city = _tables()
    zip_match = _ZIP.match(text)
    if zip_match:
        code = zip_match.group(1)
        if code not in by_zip:
            raise UnknownPlace(f"ZIP code {code} is not in the directory's US ZIP table. "
                               "Check the number, or enter a city.")
        city, state, lat, lon = by_zip[code]
        return Place(f"{code} ({city}, {state})", lat, lon)
    if text.isdigit():
        raise UnknownPlace(f"\"{text}\" is not a 5-digit ZIP code.")
    match = _CITY_STATE.match(text)
    city, state = _key(match.group("city")), (match.group("state") or "").upper()
    states = by_city.get(city, {})
    if state:
        if state in states:
            return Place(*states[state])
        raise UnknownPlace(f"No city called \"{match.group('city')}\" in {state}. Check the "
                           "spelling and state, or enter a ZIP code.")
    if len(states) == 1:
        return Place(*next(iter(states.values())))
    if not states:
        raise UnknownPlace(f"No US city called \"{text}\" is known. Check the spelling, add "
                           "the state (\"Houston, TX\"), or enter a ZIP code.")
    listed = ", ".join(sorted(states)[:8]) + (" ..." if len(states) > 8 else "")
    raise UnknownPlace(f"\"{text}\" is a city in {len(states)} states ({listed}). Add the "
                       "state, for example \"" + f"{text}, {min(states)}\".")
