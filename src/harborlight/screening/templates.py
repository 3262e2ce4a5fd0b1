"""Interpretable templates for text clusters, chosen by minimum description length.

This follows the idea of InfoShield (Lee et al., ICDE 2021), reimplemented from the paper:
a cluster of near-duplicate ads is summarised by one *template* (constant words and
slots); each member is then encoded as the template plus its slot fills plus any edits.
The template is worth keeping when that encoding is shorter than writing every member out
in full, and the relative saving (``compression``) says how strongly templated the cluster
is. Slots are typed placeholders (``<phone>``, ``<place>``) when extraction found them, and
``[SLOT n]`` for free words that vary.

Costs (bits): every token costs ``log2(V + 1)`` for a cluster vocabulary of ``V`` words;
a slot fill costs its tokens plus an end marker; an edit (a word inserted outside a slot,
or a template word missing) costs a token plus its position, ``log2(L + 1)``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

_TOKEN = re.compile(r"<\w+>|[^\W\d_]+")


def tokens(masked_text: str) -> list[str]:
    return _TOKEN.findall(masked_text)


def build_template(texts: list[str], *, min_support: float = 0.5) -> dict[str, Any] | None:
    """Return the MDL template of a cluster's masked texts, or ``None`` if it does not pay.

    Parameters
    ----------
    texts : list of str
        Masked texts of the cluster members (a sample for large clusters).
    min_support : float
        Share of members that must contain a word of the medoid for it to stay constant.
    """
    sequences = [tokens(text) for text in texts if text]
    sequences = [sequence for sequence in sequences if sequence]
    if len(sequences) < 2:
        return None
    sets = [set(sequence) for sequence in sequences]
    medoid_index = max(range(len(sequences)), key=lambda i: (
        sum(len(sets[i] & other) / (len(sets[i] | other) or 1) for other in sets), -i))
    medoid = sequences[medoid_index]

    # Support of the k-th occurrence of a word: members holding the word at least k times
    # (a bag count, linear time; an alignment per member would cost quadratic time).
    bags = [Counter(sequence) for sequence in sequences]
    seen: Counter = Counter()
    support = []
    for token in medoid:
        seen[token] += 1
        support.append(sum(1 for bag in bags if bag[token] >= seen[token]))
    needed = min_support * len(sequences)
    constants = [token for token, count in zip(medoid, support) if count >= needed]

    fills_by_member = [_align(constants, sequence) for sequence in sequences]
    vocabulary = len({token for sequence in sequences for token in sequence})
    token_bits = math.log2(vocabulary + 1)
    edit_bits = token_bits + math.log2(len(constants) + 2)

    slots: list[int] = []
    for gap in range(len(constants) + 1):
        filled = [tuple(member[0][gap]) for member in fills_by_member if member[0][gap]]
        if len(filled) >= needed and len(set(filled)) > 1:
            slots.append(gap)
    slot_set = set(slots)

    raw_bits = sum(len(sequence) for sequence in sequences) * token_bits
    template_bits = (len(constants) + len(slots)) * token_bits
    member_bits = 0.0
    examples: dict[int, Counter] = {gap: Counter() for gap in slots}
    for fills, missing in fills_by_member:
        for gap, fill in enumerate(fills):
            if gap in slot_set:
                member_bits += (len(fill) + 1) * token_bits
                if fill:
                    examples[gap][" ".join(fill)] += 1
            else:
                member_bits += len(fill) * edit_bits
        member_bits += missing * edit_bits
    total_bits = template_bits + member_bits
    if total_bits >= raw_bits:
        return None

    parts: list[str] = []
    slot_descriptions = []
    for gap in range(len(constants) + 1):
        if gap in slot_set:
            number = len(slot_descriptions) + 1
            parts.append(f"[SLOT {number}]")
            slot_descriptions.append({
                "slot": number,
                "distinct_fills": len(examples[gap]),
                "examples": [fill for fill, _ in examples[gap].most_common(5)],
            })
        if gap < len(constants):
            parts.append(constants[gap])
    typed = sorted({token for token in constants if token.startswith("<")})
    return {
        "text": " ".join(parts),
        "slots": slot_descriptions,
        "typed_slots": typed,
        "members_sampled": len(sequences),
        "bits_raw": round(raw_bits, 1),
        "bits_with_template": round(total_bits, 1),
        "compression": round(1 - total_bits / raw_bits, 3),
    }


def _align(constants: list[str], member: list[str], lookahead: int = 4
           ) -> tuple[list[list[str]], int]:
    """Split ``member`` into the fills of the ``len(constants) + 1`` gaps; count misses.

    Greedy two-pointer alignment: a member word matches the next constant, or a constant a
    few places ahead (the ones skipped are misses), or else fills the current gap. Linear
    time; near-duplicates differ in few places, so greedy choices are rarely wrong.
    """
    fills: list[list[str]] = [[] for _ in range(len(constants) + 1)]
    position, missing = 0, 0
    for token in member:
        if position < len(constants):
            window = constants[position:position + lookahead]
            if token in window:
                skip = window.index(token)
                missing += skip
                position += skip + 1
                continue
        fills[position].append(token)
    missing += len(constants) - position
    return fills, missing
