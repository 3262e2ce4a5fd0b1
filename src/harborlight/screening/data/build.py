"""Rebuild the generated data files of the screening engine (a developer tool, not run time).

    python -m harborlight.screening.data.build

* ``us_places.csv``: every US place name with the states that have a place of that name and
  the number of standard ZIP codes each holds (the size used to rank namesakes), from the
  ``zipcodes`` package (US Postal Service data, MIT licence).
* ``area_codes.csv``: the state each North American area code serves, from the same source.
* ``common_words.txt``: everyday English and Spanish words (Faker's word lists, MIT) plus the
  words of ad boilerplate listed in ``ad_words.txt``. A word after a platform name ("snap
  today") or a capitalised word at the start of a sentence ("Hope to see you") is not a
  handle or a town when it is one of these.

The engine reads only the generated files; neither ``zipcodes`` nor Faker is imported at
run time.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).parent
_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split())


def build_places() -> int:
    import zipcodes

    sizes: Counter = Counter()
    for entry in zipcodes.list_all():
        if entry["zip_code_type"] == "STANDARD" and entry["state"] in _STATES:
            sizes[(entry["city"].lower(), entry["state"])] += 1
    rows = sorted(sizes.items(), key=lambda item: (item[0][0], -item[1], item[0][1]))
    with open(HERE / "us_places.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "state", "zips"])
        for (name, state), zips in rows:
            writer.writerow([name, state, zips])
    return len(rows)


def build_area_codes() -> int:
    import zipcodes

    states: dict[str, Counter] = defaultdict(Counter)
    for entry in zipcodes.list_all():
        if entry["state"] in _STATES:
            for code in entry.get("area_codes") or []:
                states[code][entry["state"]] += 1
    with open(HERE / "area_codes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["area_code", "state"])
        for code in sorted(states):
            writer.writerow([code, states[code].most_common(1)[0][0]])
    return len(states)


def build_common_words() -> int:
    from faker.providers.lorem.en_US import Provider as English
    from faker.providers.lorem.es_ES import Provider as Spanish

    words = {word.lower() for word in (*English.word_list, *Spanish.word_list)
             if word.isalpha()}
    extra = (HERE / "ad_words.txt").read_text(encoding="utf-8").split()
    words.update(word.lower() for word in extra if not word.startswith("#"))
    (HERE / "common_words.txt").write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
    return len(words)


if __name__ == "__main__":
    print(f"us_places.csv: {build_places()} rows")
    print(f"area_codes.csv: {build_area_codes()} rows")
    print(f"common_words.txt: {build_common_words()} words")
