"""Turn linked ads into ranked leads: one per network, with the evidence for its rank.

A lead shows what an analyst needs to judge a network without opening every ad: members,
the *edges* that hold it together (each shared contact, and each pair of ads joined by
distinctive shared text with its similarity and share of rare shingles), a *support grade*
(shared contacts > handles or distinctive text), the reused template with its
distinctive words, the places and time span (movement), and the count of distinct stated
names and ages (several people advertised by one operator). Scoring terms, weights and
the factor of each support grade are data (``data/lead_scoring.json``): a network held by
weaker links ranks lower whatever its size.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from harborlight.screening import resources
from harborlight.screening.fingerprint import gram_hashes, token_hashes
from harborlight.screening.link import CONTACT_KINDS, Linker, UnionFind
from harborlight.screening.places import state_of
from harborlight.screening.records import AdRecord
from harborlight.screening.templates import build_template

def gettext_noop(text: str) -> str:
    """Marks a sentence for Harborlight's catalogue of translations (locale/es): the pages
    say each reason in the reader's language from ``reason_parts``; the engine imports
    nothing of Django and writes English."""
    return text


GRADES = {"contact": gettext_noop("shared contacts (phone, email or image) join every ad"),
          "text": gettext_noop("a shared handle or distinctive shared text is needed to join "
                               "every ad")}
# The kinds of identifier, as a reason names them.
IDENTIFIER_WORDS = (gettext_noop("phone"), gettext_noop("email"), gettext_noop("image"),
                    gettext_noop("handle"))
EDGES_SHOWN = 30
_TEMPLATE_TOKEN = re.compile(r"\[SLOT \d+\]|\S+")


def network_id(root_ad_id: str) -> str:
    """Stable network name derived from its earliest ad (so it survives new batches)."""
    return "net-" + hashlib.sha256(root_ad_id.encode("utf-8")).hexdigest()[:12]


def build_leads(records: Sequence[AdRecord], linker: Linker, *, only_ads: range | None = None,
                template_sample: int = 6) -> list[dict[str, Any]]:
    """Ranked leads for every network of two or more ads.

    Parameters
    ----------
    records : list of AdRecord
        Compact per-ad records, indexed like the linker's ads.
    linker : Linker
        A finalised linker (networks, text clusters, text edges, hubs, boilerplate model).
    only_ads : range, optional
        Keep only networks with at least one ad in this index range (the current run).
    template_sample : int
        Members of the largest text cluster whose texts the template is built from.
    """
    if not records:
        return []
    network_roots = linker.networks_.roots()
    members: dict[int, list[int]] = defaultdict(list)
    for index, root in enumerate(network_roots):
        members[root].append(index)
    wanted = None if only_ads is None else {network_roots[index] for index in only_ads}
    text_roots = linker.texts_.roots()
    edges_by_network = _text_edges_by_network(linker, network_roots)
    scoring = resources.lead_scoring()
    leads = []
    for root, ads in members.items():
        if len(ads) < 2 or (wanted is not None and root not in wanted):
            continue
        leads.append(_lead(root, ads, records, text_roots, linker, scoring,
                           edges_by_network.get(root, []), template_sample))
    leads.sort(key=lambda lead: (-lead["score"], lead["network_id"]))
    for rank, lead in enumerate(leads, start=1):
        lead["rank"] = rank
    return leads


def _text_edges_by_network(linker: Linker, network_roots: list[int]
                           ) -> dict[int, list[tuple[int, int, float, float, float]]]:
    """Each network's text edges: ``(ad, ad, similarity, shared distinctive shingles,
    rare share)``, the strongest first (computed for all edges at once)."""
    edges = linker.text_edges
    if not len(edges):
        return {}
    a, b = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64)
    similarity = edges[:, 2]
    counts = linker.shingle_counts_
    shared = similarity * (counts[a, 1] + counts[b, 1]) / (1 + similarity)
    shortest = np.maximum(np.minimum(counts[a, 0], counts[b, 0]), 1)
    rare = np.minimum(shared / shortest, 1.0)
    grouped: dict[int, list[tuple[int, int, float, float, float]]] = defaultdict(list)
    for row in np.argsort(-shared, kind="stable").tolist():
        grouped[network_roots[a[row]]].append(
            (int(a[row]), int(b[row]), float(similarity[row]), float(shared[row]),
             float(rare[row])))
    return grouped


def _shared_identifiers(ads: list[int], records: Sequence[AdRecord], hubs: dict
                        ) -> list[dict[str, Any]]:
    carriers: dict[str, list[int]] = defaultdict(list)
    info: dict[str, tuple[str, str]] = {}
    for index in ads:
        for kind, digest, masked in records[index]["identifiers"]:
            if not carriers[digest] or carriers[digest][-1] != index:
                carriers[digest].append(index)
            info[digest] = (kind, masked)
    return sorted(({"kind": info[d][0], "masked": info[d][1], "hash": d, "ads": len(s),
                    "members": [records[i]["id"] for i in s], "hub": d in hubs,
                    "_indices": s}
                   for d, s in carriers.items() if len(s) > 1),
                  key=lambda item: (-item["ads"], item["kind"], item["hash"]))


def _text_edge(edge: tuple[int, int, float, float, float], records: Sequence[AdRecord]
               ) -> dict[str, Any]:
    a, b, similarity, shared, rare = edge
    return {"kind": "text", "ads": [records[a]["id"], records[b]["id"]],
            "similarity": round(similarity, 3),
            "shared_distinctive_shingles": round(shared, 1), "rare_share": round(rare, 3)}


def support(ads: list[int], shared: list[dict[str, Any]]) -> str:
    """``contact`` when shared contacts alone join every member, else ``text``."""
    position = {ad: i for i, ad in enumerate(ads)}
    forest = UnionFind()
    forest.add(len(ads))
    for item in shared:
        if item["kind"] in CONTACT_KINDS and not item["hub"]:
            first = position[item["_indices"][0]]
            for other in item["_indices"][1:]:
                forest.union(first, position[other])
    return "contact" if len(set(forest.roots())) == 1 else "text"


def _lead(root: int, ads: list[int], records: Sequence[AdRecord], text_roots: list[int],
          linker: Linker, scoring: dict[str, Any],
          edges: list[tuple[int, int, float, float, float]], template_sample: int
          ) -> dict[str, Any]:
    hubs = getattr(linker, "hubs_", {})
    shared = _shared_identifiers(ads, records, hubs)
    text_edges = [_text_edge(edge, records) for edge in edges[:EDGES_SHOWN]]
    grade = support(ads, shared)
    template = _template(ads, records, text_roots, linker, template_sample)
    facts = _facts(ads, records)
    evidence = _evidence(len(ads), shared, template, facts, scoring["terms"])
    factor = scoring["support"][grade]
    score = factor * sum(scoring["terms"][name]["weight"] * value
                         for name, value in evidence.items())
    linking = [item for item in shared if not item["hub"]]
    parts = _reasons(len(ads), grade, linking, text_edges, template, facts)
    return {
        "network_id": network_id(records[root]["id"]),
        "score": round(score, 3),
        "size": len(ads),
        "support": {"grade": grade, "meaning": GRADES[grade], "factor": factor},
        "reasons": [part["text"] % part["values"] for part in parts],
        "reason_parts": parts,
        "evidence": {name: round(value, 3) for name, value in evidence.items()},
        "edges": _edges(linking, text_edges),
        "members": [records[i]["id"] for i in ads],
        "shared_identifiers": [{k: v for k, v in item.items() if not k.startswith("_")}
                               for item in shared],
        "template": template,
        "cities": facts["cities"], "states": facts["states"],
        "first_seen": facts["first_seen"], "last_seen": facts["last_seen"],
        "distinct_names": facts["names"], "distinct_ages": facts["ages"],
        "indicators": facts["indicators"],
    }


def _edges(linking: list[dict[str, Any]], text_edges: list[dict[str, Any]]
           ) -> list[dict[str, Any]]:
    """The edges that hold a network together, contacts first, capped for reading."""
    contact_edges = [{"kind": "contact", "identifier_kind": item["kind"],
                      "masked": item["masked"], "ads": item["members"]} for item in linking]
    plain_text = [{k: v for k, v in edge.items() if not k.startswith("_")}
                  for edge in text_edges]
    return (contact_edges + plain_text)[:EDGES_SHOWN]


def _template(ads: list[int], records: Sequence[AdRecord], text_roots: list[int],
              linker: Linker, sample: int) -> dict[str, Any] | None:
    clusters: dict[int, list[int]] = defaultdict(list)
    for index in ads:
        clusters[text_roots[index]].append(index)
    largest = max(clusters.values(), key=lambda group: (len(group), -group[0]))
    if len(largest) < 2:
        return None
    texts = [records[i]["masked_text"] for i in largest if records[i]["masked_text"]]
    template = build_template(texts[:sample])
    if template is not None:
        template["ads"] = len(largest)
        template["members"] = [records[i]["id"] for i in largest]
        template["distinctive_text"] = distinctive_text(template["text"], linker)
    return template


def distinctive_text(template_text: str, linker: Linker) -> str:
    """The template with its stock text cut out (``…``): the words that link its ads."""
    tokens = _TEMPLATE_TOKEN.findall(template_text)
    span = linker.boilerplate_span
    words = [t for t in tokens if not t.startswith("[")]
    if len(words) < span:
        return template_text
    hashes, offsets = token_hashes([" ".join(words)])
    if len(hashes) != len(words):  # a token the shingler splits differently: keep it all
        return template_text
    grams, starts = gram_hashes(hashes, offsets, span)
    stock = starts[linker.boilerplate_.posters(grams) >= linker.min_posters - 0.5]
    covered = np.zeros(len(words), dtype=bool)
    for start in stock.tolist():
        covered[start:start + span] = True
    pieces: list[str] = []
    word_index = 0
    for token in tokens:
        if token.startswith("["):
            pieces.append(token)
            continue
        if not covered[word_index]:
            pieces.append(token)
        elif not pieces or pieces[-1] != "…":
            pieces.append("…")
        word_index += 1
    return " ".join(pieces)


def _facts(ads: list[int], records: Sequence[AdRecord]) -> dict[str, Any]:
    cities: Counter = Counter()
    ambiguous: set[str] = set()
    names: set[str] = set()
    ages: set[int] = set()
    dates: list[str] = []
    indicators: Counter = Counter()
    for index in ads:
        record = records[index]
        for place, source in set(zip(record["places"], record["place_sources"])):
            cities[place] += 1
            if source == "largest namesake":
                ambiguous.add(place)
        names.update(record["names"])
        ages.update(record["ages"])
        if record["posted_at"]:
            dates.append(record["posted_at"])
        indicators.update(record["indicators"])
    return {"cities": [{"place": place, "ads": count, "ambiguous": place in ambiguous}
                       for place, count in sorted(cities.items(),
                                                  key=lambda pair: (-pair[1], pair[0]))],
            "states": sorted({state_of(place) for place in cities} - {""}),
            "settled_places": len([p for p in cities if p not in ambiguous]),
            "first_seen": min(dates) if dates else None,
            "last_seen": max(dates) if dates else None,
            "names": len(names), "ages": len(ages),
            "indicators": dict(sorted(indicators.items())),
            "mean_score": sum(records[i]["score"] for i in ads) / len(ads)}


def _evidence(size: int, shared: list[dict[str, Any]], template: dict[str, Any] | None,
              facts: dict[str, Any], terms: dict[str, Any]) -> dict[str, float]:
    return {
        "size": math.log2(size),
        "shared_identifier": 1.0 if any(not item["hub"] for item in shared) else 0.0,
        "template": template["compression"] if template else 0.0,
        # movement counts only places the ads settled themselves, not guessed namesakes
        "cities": min(max(facts["settled_places"] - 1, 0), terms["cities"].get("cap", 4)),
        "names": min(max(facts["names"] - 1, 0), terms["names"].get("cap", 4)),
        "ages": min(max(facts["ages"] - 1, 0), terms["ages"].get("cap", 4)),
        "ad_score": facts["mean_score"],
    }


def _reasons(size: int, grade: str, linking: list[dict[str, Any]],
             text_edges: list[dict[str, Any]], template: dict[str, Any] | None,
             facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Why a lead ranks where it does: each reason a sentence and its values
    (``{"text": ..., "values": {...}}``; the sentence with its values is the English)."""
    reasons = []

    def say(text: str, **values: Any) -> None:
        reasons.append({"text": text, "values": values})

    say(gettext_noop("%(size)d ads linked; %(grade)s"), size=size, grade=GRADES[grade])
    for item in linking[:10]:
        say(gettext_noop("%(ads)d ads share %(kind)s %(masked)s"), ads=item["ads"],
            kind=item["kind"], masked=item["masked"])
    if len(linking) > 10:
        say(gettext_noop("%(count)d more shared identifiers"), count=len(linking) - 10)
    for edge in text_edges[:5]:
        say(gettext_noop("ads %(first)s and %(second)s share distinctive text (similarity "
                         "%(similarity).2f, about %(pairs).0f rare word pairs, %(share)d%% of "
                         "the shorter ad)"),
            first=edge["ads"][0], second=edge["ads"][1], similarity=edge["similarity"],
            pairs=edge["shared_distinctive_shingles"], share=round(100 * edge["rare_share"]))
    if len(text_edges) > 5:
        say(gettext_noop("%(count)d more text links (see edges)"), count=len(text_edges) - 5)
    if template:
        say(gettext_noop("%(ads)d ads reuse one template with %(slots)d free slot(s) "
                         "(compression %(compression).2f); distinctive words: %(words)s"),
            ads=template["ads"], slots=len(template["slots"]),
            compression=template["compression"],
            words=template["distinctive_text"][:160])
    ambiguous = [city["place"] for city in facts["cities"] if city["ambiguous"]]
    if len(facts["cities"]) > 1:
        say(gettext_noop("ads in %(places)d places (%(states)d states)"),
            places=len(facts["cities"]), states=len(facts["states"]))
    if ambiguous:
        say(gettext_noop("ambiguous place names read as the largest namesake: %(places)s"),
            places=", ".join(ambiguous[:5]))
    if facts["names"] > 1:
        say(gettext_noop("%(count)d distinct stated names"), count=facts["names"])
    if facts["ages"] > 1:
        say(gettext_noop("%(count)d distinct stated ages"), count=facts["ages"])
    for indicator, count in Counter(facts["indicators"]).most_common():
        say(gettext_noop("indicator %(indicator)s in %(count)d ads"), indicator=indicator,
            count=count)
    return reasons
