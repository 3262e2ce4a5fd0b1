"""Turn linked ads into ranked leads: one per network, with the reasons for its rank.

A lead shows what an analyst needs to judge a network without opening every ad: members,
the identifiers they share (masked), the reused template, the cities and time span
(movement), and the count of distinct stated names and ages (several people advertised by
one operator). Scoring terms and weights are data (``data/lead_scoring.json``).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from harborlight.screening import resources
from harborlight.screening.records import AdRecord
from harborlight.screening.templates import build_template


def network_id(root_ad_id: str) -> str:
    """Stable network name derived from its earliest ad (so it survives new batches)."""
    return "net-" + hashlib.sha256(root_ad_id.encode("utf-8")).hexdigest()[:12]


def build_leads(records: Sequence[AdRecord], network_roots: list[int], text_roots: list[int],
                hubs: set[str], *, only_ads: range | None = None,
                template_sample: int = 6) -> list[dict[str, Any]]:
    """Ranked leads for every network of two or more ads.

    Parameters
    ----------
    records : list of dict
        Compact per-ad records, indexed like the linker's ads.
    network_roots, text_roots : list of int
        Root ad index of each ad in the network and text-cluster forests.
    hubs : set of str
        Identifier hashes the hub guard ignored (not reported as shared).
    only_ads : range, optional
        Keep only networks with at least one ad in this index range (the current run).
    """
    members: dict[int, list[int]] = defaultdict(list)
    for index, root in enumerate(network_roots):
        members[root].append(index)
    wanted = None
    if only_ads is not None:
        wanted = {network_roots[index] for index in only_ads}
    terms = resources.lead_scoring()["terms"]
    leads = []
    for root, ads in members.items():
        if len(ads) < 2 or (wanted is not None and root not in wanted):
            continue
        leads.append(_lead(root, ads, records, text_roots, hubs, terms, template_sample))
    leads.sort(key=lambda lead: (-lead["score"], lead["network_id"]))
    for rank, lead in enumerate(leads, start=1):
        lead["rank"] = rank
    return leads


def _lead(root: int, ads: list[int], records: Sequence[AdRecord], text_roots: list[int],
          hubs: set[str], terms: dict[str, Any], template_sample: int) -> dict[str, Any]:
    identifier_ads: dict[str, set[int]] = defaultdict(set)
    identifier_info: dict[str, tuple[str, str]] = {}
    cities: Counter = Counter()
    names: set[str] = set()
    ages: set[int] = set()
    dates: list[str] = []
    indicator_counts: Counter = Counter()
    for index in ads:
        record = records[index]
        for kind, digest, masked in record["identifiers"]:
            identifier_ads[digest].add(index)
            identifier_info[digest] = (kind, masked)
        for place in set(record["places"]):
            cities[place] += 1
        names.update(name.lower() for name in record["names"])
        ages.update(record["ages"])
        if record["posted_at"]:
            dates.append(record["posted_at"])
        indicator_counts.update(record["indicators"])
    shared = sorted(
        ({"kind": identifier_info[d][0], "masked": identifier_info[d][1], "hash": d,
          "ads": len(s), "hub": d in hubs}
         for d, s in identifier_ads.items() if len(s) > 1),
        key=lambda item: (-item["ads"], item["kind"], item["hash"]))

    clusters: dict[int, list[int]] = defaultdict(list)
    for index in ads:
        clusters[text_roots[index]].append(index)
    largest = max(clusters.values(), key=lambda group: (len(group), -group[0]))
    template = None
    if len(largest) > 1:
        texts = [records[i]["masked_text"] for i in largest if records[i]["masked_text"]]
        template = build_template(texts[:template_sample])
        if template is not None:
            template["ads"] = len(largest)
            template["members"] = [records[i]["id"] for i in largest]

    mean_score = sum(records[i]["score"] for i in ads) / len(ads)
    evidence = {
        "size": math.log2(len(ads)),
        "shared_identifier": 1.0 if any(not item["hub"] for item in shared) else 0.0,
        "template": template["compression"] if template else 0.0,
        "cities": min(max(len(cities) - 1, 0), terms["cities"].get("cap", 4)),
        "names": min(max(len(names) - 1, 0), terms["names"].get("cap", 4)),
        "ages": min(max(len(ages) - 1, 0), terms["ages"].get("cap", 4)),
        "ad_score": mean_score,
    }
    score = sum(terms[name]["weight"] * value for name, value in evidence.items())
    reasons = [f"{len(ads)} ads linked"]
    linking = [item for item in shared if not item["hub"]]
    for item in linking[:10]:
        reasons.append(f"{item['ads']} ads share {item['kind']} {item['masked']}")
    if len(linking) > 10:
        reasons.append(f"{len(linking) - 10} more shared identifiers")
    if template:
        reasons.append(f"{template['ads']} ads reuse one template with {len(template['slots'])} "
                       f"free slot(s) (compression {template['compression']:.2f})")
    if len(cities) > 1:
        reasons.append(f"ads in {len(cities)} places")
    if len(names) > 1:
        reasons.append(f"{len(names)} distinct stated names")
    if len(ages) > 1:
        reasons.append(f"{len(ages)} distinct stated ages")
    for indicator, count in indicator_counts.most_common():
        reasons.append(f"indicator {indicator} in {count} ads")
    root_id = records[root]["id"]
    return {
        "network_id": network_id(root_id),
        "score": round(score, 3),
        "size": len(ads),
        "reasons": reasons,
        "evidence": {name: round(value, 3) for name, value in evidence.items()},
        "members": [records[i]["id"] for i in ads],
        "shared_identifiers": shared,
        "template": template,
        "cities": [{"place": place, "ads": count} for place, count in sorted(
            cities.items(), key=lambda pair: (-pair[1], pair[0]))],
        "first_seen": min(dates) if dates else None,
        "last_seen": max(dates) if dates else None,
        "distinct_names": len(names),
        "distinct_ages": len(ages),
        "indicators": dict(sorted(indicator_counts.items())),
    }
