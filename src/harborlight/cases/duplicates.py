"""Find people recorded twice within one organisation, without plaintext in the database.

Blocking (which rows to look at) uses keyed blind indexes only: the exact identifiers
(email, mobile phone, identity number) and two phonetic keys (first + second name; second
name + birth year). Scoring (how alike two candidates are) then decrypts the few rows
found and compares them in memory. Nothing crosses organisations.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db.models import Q

from harborlight.cases.models import Person
from harborlight.security.fields import normalise

BLOCKING_INDEXES = {
    "email_index": "same email", "mobile_phone_index": "same mobile phone",
    "identity_number_index": "same identity number",
    "phonetic_name_index": "names sound alike",
    "phonetic_birth_index": "second name sounds alike, same birth year",
}
THRESHOLD = 0.5
MAX_CANDIDATES = 200


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


def index_values(person: Person) -> dict[str, str]:
    """The blocking index values of ``person`` (computed, so unsaved people work too)."""
    values = {}
    for name in BLOCKING_INDEXES:
        index_field = Person._meta.get_field(name)
        value = index_field.index_for(getattr(person, index_field.source))
        if value:
            values[name] = value
    return values


def name_similarity(a: Person, b: Person) -> float:
    left = normalise("name", f"{a.first_name} {a.second_name}")
    right = normalise("name", f"{b.first_name} {b.second_name}")
    if not left.strip() or not right.strip():
        return 0.0
    return SequenceMatcher(None, left, right).ratio()


def score(person: Person, other: Person, shared: list[str]) -> Candidate:
    reasons = [BLOCKING_INDEXES[name] for name in shared]
    similarity = name_similarity(person, other)
    exact = any(name in shared for name in ("email_index", "mobile_phone_index",
                                             "identity_number_index"))
    value = 0.3 * similarity
    if exact:
        value += 0.6
    if "phonetic_name_index" in shared:
        value += 0.3
    if "phonetic_birth_index" in shared:
        value += 0.35
    if isinstance(person.birthdate, datetime.date) and person.birthdate == other.birthdate:
        value += 0.2
        reasons.append("same date of birth")
    return Candidate(other, round(min(value, 1.0), 2), reasons)


def find_duplicates(person: Person, limit: int = 10) -> list[Candidate]:
    """Likely duplicates of ``person`` in its organisation, best first."""
    values = index_values(person)
    if not values:
        return []
    blocking = Q()
    for name, value in values.items():
        blocking |= Q(**{name: value})
    others = (Person.objects.current().filter(organisation_id=person.organisation_id)
              .filter(blocking).exclude(pk=person.pk).select_related("case")[:MAX_CANDIDATES])
    found = []
    for other in others:
        shared = [name for name, value in values.items() if getattr(other, name) == value]
        candidate = score(person, other, shared)
        if candidate.score >= THRESHOLD:
            found.append(candidate)
    found.sort(key=lambda c: -c.score)
    return found[:limit]
