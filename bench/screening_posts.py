"""Figures of the screening engine on realistic generated posts (issue 13), per pattern.

Used by ``screening_quality.py``; run alone for the posts only:

    python bench/screening_posts.py --n 6000 --seed 5

Per pattern of :mod:`harborlight.screening.synthetic_posts` (measurement lines, stock
text, platform words, numbers followed by 100%/420/24/7, each phone style and writing
voice): phone recall and precision over (post, number) pairs and the share of posts whose
numbers are all found and nothing else; handles (false ones, and those cut out of
ordinary words); operator clusters (ARI, pairwise precision and recall) and the top 20
leads (mixed operators, leads without a shared contact or distinctive shared text);
places (state right, wrong, flagged ambiguous). Styles and voices held out of tuning are
reported on their own.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from math import comb
from typing import Any

from harborlight.screening import screen
from harborlight.screening.pipeline import Settings
from harborlight.screening.places import state_of
from harborlight.screening.synthetic_posts import (
    HELD_OUT_PHONE_STYLES, HELD_OUT_VOICES, PHONE_STYLES, VOICES, generate_posts)

KEY = b"benchmark-key-not-secret-0123456789"
_WORDS = re.compile(r"[a-z0-9_.]+")


def pair_scores(truth: list[str], predicted: list[str]) -> dict[str, float]:
    """Adjusted Rand index and pairwise precision, recall and F1 from pair counts."""
    joint = sum(comb(v, 2) for v in Counter(zip(truth, predicted)).values())
    true_pairs = sum(comb(v, 2) for v in Counter(truth).values())
    found_pairs = sum(comb(v, 2) for v in Counter(predicted).values())
    expected = true_pairs * found_pairs / comb(len(truth), 2)
    maximum = (true_pairs + found_pairs) / 2
    ari = (joint - expected) / (maximum - expected) if maximum != expected else 1.0
    precision = joint / found_pairs if found_pairs else 1.0
    recall = joint / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"ari": ari, "precision": precision, "recall": recall, "f1": f1}


def posts(n: int, seed: int, held_out: bool) -> list[dict[str, Any]]:
    """Posts in the tuned styles, or in the held-out ones only (with a few tuned ones so
    that posters still mix)."""
    if not held_out:
        return list(generate_posts(n, seed))
    return list(generate_posts(n, seed, voices=HELD_OUT_VOICES,
                               phone_styles=HELD_OUT_PHONE_STYLES + ("plain",)))


def contacts_by_pattern(items: list[dict[str, Any]]) -> tuple[dict, dict]:
    """Per pattern: phone counts (tp, fp, fn, posts, exact); and handle counts."""
    ads = Settings(key=KEY, reveal_contacts=True).pipeline().transform(
        [dict(item) for item in items])
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    handles = {"true": 0, "found": 0, "false": 0, "fragments": 0, "missed": 0,
               "examples": Counter()}
    for item, ad in zip(items, ads):
        found = {i["value"] for i in ad["extracted"]["identifiers"] if i["kind"] == "phone"}
        truth = set(item["truth"]["phones"])
        for pattern in item["truth"]["patterns"] + ["all posts"]:
            counts = per[pattern]
            counts[0] += len(found & truth)
            counts[1] += len(found - truth)
            counts[2] += len(truth - found)
            counts[3] += 1
            counts[4] += found == truth
        _count_handles(ad, item, handles)
    return per, handles


def _count_handles(ad: dict[str, Any], item: dict[str, Any], handles: dict) -> None:
    found = {i["value"] for i in ad["extracted"]["identifiers"] if i["kind"] == "handle"}
    truth = set(item["truth"]["handles"])
    words = set(_WORDS.findall(ad["view"].text))
    handles["true"] += len(truth)
    handles["found"] += len(found)
    handles["missed"] += len(truth - found)
    for handle in found - truth:
        handles["false"] += 1
        handles["examples"][handle] += 1
        if handle not in words:  # only ever seen inside a longer word
            handles["fragments"] += 1


def networks(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Operator clusters, top-20 leads and places from one ``screen`` run."""
    result = screen(items, key=KEY)
    by_id = {ad["id"]: ad for ad in result.ads}
    truth = [item["operator_id"] for item in items]
    predicted = [by_id[item["id"]]["network_id"] or f"single:{item['id']}" for item in items]
    operator = {item["id"]: item["operator_id"] for item in items}
    top = result.networks[:20]
    mixed = sum(1 for lead in top if len({operator[m] for m in lead["members"]}) > 1)
    unsupported = sum(1 for lead in top if not _supported(lead))
    grades = Counter(lead["support"]["grade"] for lead in top)
    text_only = screen(items, key=KEY, linker_params={"link_kinds": ()})
    by_text = {ad["id"]: ad["network_id"] or f"single:{ad['id']}" for ad in text_only.ads}
    return {"scores": pair_scores(truth, predicted), "networks": len(result.networks),
            "mixed": sum(1 for lead in result.networks
                         if len({operator[m] for m in lead["members"]}) > 1),
            "top_mixed": mixed, "top_unsupported": unsupported, "top_grades": dict(grades),
            "hubs": result.hubs, "places": places(items, by_id),
            "boilerplate": result.summary["boilerplate_shingles"],
            "text_only": pair_scores(truth, [by_text[item["id"]] for item in items]),
            "text_mixed": sum(1 for lead in text_only.networks
                              if len({operator[m] for m in lead["members"]}) > 1)}


def _supported(lead: dict[str, Any]) -> bool:
    return any(edge["kind"] == "contact" for edge in lead["edges"]) or any(
        edge["kind"] == "text" and edge["shared_distinctive_shingles"] >= 6
        for edge in lead["edges"])


def places(items: list[dict[str, Any]], by_id: dict[str, Any]) -> dict[str, Any]:
    """Each true town: found, in the right state, flagged ambiguous when wrong."""
    counts = Counter()
    for item in items:
        found: dict[str, tuple[str, str]] = {}
        ad = by_id[item["id"]]
        for label, source in zip(ad["places"], ad["place_sources"]):
            found[label.rsplit(", ", 1)[0].lower()] = (state_of(label), source)
        for name, state in item["truth"]["places"]:
            counts["named"] += 1
            if name not in found:
                counts["missed"] += 1
                continue
            got, source = found[name]
            counts["right" if got == state else "wrong"] += 1
            if got != state and source == "largest namesake":
                counts["wrong but flagged ambiguous"] += 1
            counts[f"settled by {source}"] += 1
    return dict(counts)


def print_report(title: str, items: list[dict[str, Any]]) -> None:
    per, handles = contacts_by_pattern(items)
    print(f"\n### {title}: {len(items)} posts\n")
    print("| pattern | posts | phone recall | phone precision | posts exact |")
    print("| --- | --- | --- | --- | --- |")
    for pattern, (tp, fp, fn, count, exact) in sorted(per.items(), key=_order):
        print(f"| {pattern} | {count} | {tp / max(tp + fn, 1):.4f} | "
              f"{tp / max(tp + fp, 1):.4f} | {exact / count:.4f} |")
    examples = ", ".join(f"{h} ({c})" for h, c in handles["examples"].most_common(5))
    print(f"\nhandles: {handles['true']} true, {handles['found']} found, {handles['missed']} "
          f"missed, {handles['false']} false ({handles['fragments']} cut out of ordinary "
          f"words){'; e.g. ' + examples if examples else ''}")
    found = networks(items)
    scores = found["scores"]
    site_hub = [hub for hub in found["hubs"] if hub["masked"] == "+1-XXX-XXX-XX00"]
    print(f"operators: ARI {scores['ari']:.4f}, pairwise precision {scores['precision']:.4f}, "
          f"recall {scores['recall']:.4f}, F1 {scores['f1']:.4f}; {found['networks']} "
          f"networks ({found['mixed']} mixing operators), {len(found['hubs'])} hub "
          f"identifiers (site help line: "
          f"{'hub, %d ads, %d unrelated groups' % (site_hub[0]['ads'], site_hub[0]['unrelated_groups']) if site_hub else 'not a hub'}), "
          f"{found['boilerplate']} boilerplate runs of words")
    text = found["text_only"]
    print(f"text links only (no contact links): ARI {text['ari']:.4f}, pairwise precision "
          f"{text['precision']:.4f}, recall {text['recall']:.4f}; {found['text_mixed']} "
          f"networks mixing operators")
    print(f"top 20 leads: {found['top_mixed']} mix operators, {found['top_unsupported']} "
          f"without a shared contact or distinctive shared text; support {found['top_grades']}")
    place = found["places"]
    named = max(place.get("named", 0), 1)
    print(f"places: {place.get('named', 0)} towns named, right state "
          f"{place.get('right', 0) / named:.4f}, wrong {place.get('wrong', 0)} (of which "
          f"flagged ambiguous {place.get('wrong but flagged ambiguous', 0)}), missed "
          f"{place.get('missed', 0)}; settled by "
          + ", ".join(f"{k[11:]} {v}" for k, v in sorted(place.items())
                      if k.startswith("settled by")))


def _order(item: tuple[str, Any]) -> tuple[int, str]:
    name = item[0]
    return (0 if name == "all posts" else 2 if ":" in name else 1, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    print(f"realistic posts, seed {args.seed}; voices {', '.join(VOICES)}; held out: voices "
          f"{', '.join(HELD_OUT_VOICES)}, styles {', '.join(HELD_OUT_PHONE_STYLES)} "
          f"(of {len(PHONE_STYLES)})")
    print_report("styles seen while tuning", posts(args.n, args.seed, held_out=False))
    print_report("held-out voices and phone styles", posts(args.n, args.seed + 1,
                                                           held_out=True))
    print_report("a daily batch (held-out styles)", posts(2000, args.seed + 2, held_out=True))


if __name__ == "__main__":
    main()
