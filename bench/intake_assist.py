"""Precision and recall of narrative assist, per HTCDS coding, on the labelled narratives.

    python bench/intake_assist.py [--data tests/intake/data/labelled_narratives.jsonl]
                                  [--per-value]

The set (161 short narratives written for this project, see
tests/intake/data/README.md) covers sex and labour trafficking of adults and minors,
domestic servitude, forced marriage, grooming, and calls that are not trafficking (labour
disputes, runaways, domestic violence, requests for information). Each narrative is
labelled with the codings a trained operator would record from that text alone.

The set is split by id: odd-numbered narratives are the development half (their errors
may be read to improve the catalog's cues in general terms), even-numbered ones are held
out and never read while editing cues. ``--split`` picks one half; the report gives both.

Scoring counts (narrative, field, value) triples: a suggestion is a true positive when the
label has that value, a false positive when it does not; a labelled value that was not
suggested is a false negative. Nothing in the catalog's cues was written from these
sentences; the score is what the published indicator lists give on new text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harborlight.intake.assist import codings_of, suggest  # noqa: E402
from harborlight.vocab.indicators import CODED_FIELDS, build_catalog  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "intake" / "data" / "labelled_narratives.jsonl"
NON_TRAFFICKING = {"labour_dispute", "runaway", "domestic_violence", "information", "other"}


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(items: list[dict]) -> tuple[dict, dict]:
    catalog = build_catalog()
    per_field: dict[str, Counter] = {field: Counter() for field in CODED_FIELDS}
    per_value: dict[tuple[str, str], Counter] = {}
    for item in items:
        found = codings_of(suggest(item["text"], catalog))
        for field in CODED_FIELDS:
            truth = set(item["codings"].get(field, []))
            guess = found.get(field, set())
            for value in truth | guess:
                outcome = ("tp" if value in truth and value in guess else
                           "fp" if value in guess else "fn")
                per_field[field][outcome] += 1
                per_value.setdefault((field, value), Counter())[outcome] += 1
    return per_field, per_value


def in_split(item: dict, split: str) -> bool:
    number = int(item["id"].lstrip("N"))
    return split == "all" or (split == "development") == (number % 2 == 1)


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "n/a"


def row(name: str, counts: Counter) -> str:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return (f"| {name} | {tp + fn} | {tp} | {fp} | {fn} | {ratio(tp, tp + fp)} | "
            f"{ratio(tp, tp + fn)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--per-value", action="store_true", help="also score each code")
    parser.add_argument("--split", choices=["all", "development", "held-out"], default="all")
    args = parser.parse_args()
    items = [item for item in load(args.data) if in_split(item, args.split)]
    print(f"split: {args.split}")
    groups = Counter(item["group"] for item in items)
    other = sum(count for group, count in groups.items() if group in NON_TRAFFICKING)
    print(f"{len(items)} narratives ({len(items) - other} trafficking or grooming, "
          f"{other} not trafficking)\n")
    per_field, per_value = score(items)
    print("| coding | labelled | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for field in CODED_FIELDS:
        print(row(field, per_field[field]))
    if args.per_value:
        print("\n| code | labelled | TP | FP | FN | precision | recall |")
        print("|---|---|---|---|---|---|---|")
        for (field, value), counts in sorted(per_value.items()):
            print(row(f"{field} = {value}", counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
