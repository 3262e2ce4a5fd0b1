"""Narrative assist: rules alone vs rules + a small learned reading, leave-one-set-out.

    python bench/intake_loso.py                 # the LOSO table (~40 files: an hour or more)
    python bench/intake_loso.py --held-out narratives_thirtysecond.jsonl ...  # some sets only
    python bench/intake_loso.py --ship          # train on every set, write the shipped weights
    python bench/intake_loso.py --nested        # experiment: thresholds by nested LOSO
    python bench/intake_loso.py --no-augment | --words-only | --remove 0 | --alone 0.5
                                                # experiments (--remove 0: never withdraw)

Each labelled file in tests/intake/data/ is one set. For each set, the model
(:mod:`harborlight.vocab.narrative_model`) is trained on all the *other* sets and scored on
that one, through the product's own calls (``suggest``/``evidence``/``decide_level`` with
the model passed in); the held-out set is never read for training or for choosing.
The combination is :func:`harborlight.intake.assist.learned`: the model may add a type or
the minor flag the rules missed, with its spans, and withdraw a sex or labour type the
rules decided below ``assist.LEARNED_WITHDRAWS`` (0.5), naming the words against it.
Default configuration (the shipped one): words, word pairs and the characters 3-5 inside
words; each narrative is trained on twice, with the rules' evidence and with its words
alone (the rules miss things on new styles, and a model trained only beside tuned rules
learns to copy them); a type is added at a chance >= 0.5 (0.4 until the late night of
2026-12-07; 0.9 for one short sentence: ``assist.LEARNED_SHORT``), the minor flag at
>= 0.4 (only beside a type: 0.6 until a leave-one-set-out over the eight newest strangers'
sets, 1,500 tips, gave minor P/R 0.944/0.802 at 0.6 and 0.928/0.879 at 0.4), the level
signals (urgent, coerced; trained on the labelled level, read with every feature) at
>= 0.5; L2 1e-5. The L2 penalty was 3e-4 until the late night of 2026-12-07 (1e-3 before
that day): trained without the six newest strangers' sets (1,500 tips) and scored on them
and on final-blind-i and -j (400), the model alone took type right 0.893 / 0.927 / 0.949 /
0.953 at 3e-4 / 1e-4 / 3e-5 / 1e-5 (0.955 at 3e-6; 800 steps instead of 400 changed
nothing), and the product 0.905 -> 0.942 on the 1,500 and 0.860 -> 0.900 on the 400. With
that reading the rules keep the last word on the type only where the narrative gives few
words to weigh or its context speaks against a type (``assist.learned``' docstring).

``labelled_narratives.jsonl`` (the issue-3 set) has no language, style or triage level and
an older labelling policy: its type and minor flag are read from its codings, it is used
for training and scored as its own row, but left out of the totals (and of level).

Caveat, said in the table too: the rules were tuned by reading the errors of every set
(the ninth's and then the tenth's on 2026-12-07; the eighth, written blind by the lead,
is counted as a development set from then on too, as the lead asked), so "rules alone" on
every set is a training score, not a held-out one. The model's LOSO figures are held out for the model,
not for the rules it builds on; a held-out figure for the rules needs a new set.

``--ship`` trains on all the sets with the default configuration and writes
``src/harborlight/vocab/narrative_model.json`` (reproducible: the same data gives the same
file, byte for byte).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from intake_assist import DATA, ROOT, load, start_django, type_of  # noqa: E402

from harborlight.intake.assist import codings_of, evidence, read_by, suggest, view_of  # noqa: E402
from harborlight.vocab import narrative_model as nm  # noqa: E402
from harborlight.vocab.indicators import build_catalog  # noqa: E402
from harborlight.vocab.triage import decide_level, load_rules  # noqa: E402

OLD_SET = "labelled_narratives.jsonl"
BLIND_FOR_RULES: set[str] = set()  # none since 2026-12-07 (the ninth set read)
SHIPPED = ROOT / "src" / "harborlight" / "vocab" / "narrative_model.json"
GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
MIN_PRECISION = 0.92  # of what the model adds, on the inner held-out sets
L2 = 1e-5
TYPE_THRESHOLD = 0.5
MINOR_THRESHOLD = 0.4
LEVEL_THRESHOLD = 0.5
DIM = nm.DEFAULT_DIM


# -- the sets ---------------------------------------------------------------------------------

def load_sets() -> dict[str, list[dict]]:
    sets = {}
    for path in sorted(DATA.glob("*.jsonl")):
        items = load(path)
        if path.name == OLD_SET:
            for item in items:
                codings = item["codings"]
                item.update(type=type_of(set(codings.get("vic_TypeOfExploitation", []))),
                            minor="Yes" in codings.get("minor_involved", []), level=None,
                            lang="?", style="issue-3")
        sets[path.name] = items
    return sets


def targets(item: dict) -> dict[str, bool | None]:
    level = item.get("level")
    return {"sex": item["type"] in ("sex", "both"), "labour": item["type"] in ("labour", "both"),
            "minor": bool(item["minor"]),
            "urgent": None if level is None else level == "emergency",
            "coerced": None if level is None else level in ("high", "emergency")}


# -- one narrative, through the product's own calls ----------------------------------------------

def read(text: str, catalog, rules, model) -> dict:
    found = suggest(text, catalog, model=model)
    decision = decide_level(evidence(text, {}, catalog, found=found, model=model), rules,
                            catalog.release)
    codings = codings_of(found)
    return {"type": type_of(codings.get("vic_TypeOfExploitation", set())),
            "minor": "Yes" in codings.get("minor_involved", set()), "level": decision.level}


# -- training and choosing thresholds -------------------------------------------------------------

WITH_RULES = True
AUGMENT = True  # also train on each narrative with the rules' evidence taken away


LEVELS = ("urgent", "coerced")  # read with every feature (assist.learned_signals)


def fit(views: list, items: list[dict], thresholds: dict[str, float], trained_on=()):
    decisions = {}
    for names, which in (([n for n in nm.DECISIONS if n not in LEVELS], 0), (LEVELS, 4)):
        rows = [view[which] if WITH_RULES else [f for f in view[which] if not f.rule]
                for view in views]
        chosen = list(items)
        if AUGMENT and WITH_RULES:
            rows += [[f for f in view[which] if not f.rule] for view in views]
            chosen += list(items)
        labels = {name: [targets(item)[name] for item in chosen] for name in names}
        decisions.update(nm.train(rows, labels, DIM, thresholds, l2=L2).decisions)
    return nm.NarrativeModel(DIM, decisions, tuple(trained_on), with_rules=WITH_RULES)


def chance(model, view, name: str) -> float:
    which = 4 if name in LEVELS else 0
    features = read_by(model, view[which])
    return nm.probability(model.decision(name).logit(features))


def wanted(view, name: str) -> bool:
    """Whether the model is asked about ``name`` (the rules did not already say yes)."""
    _, families, rule_minor, decoy, _ = view
    return (not (rule_minor or decoy)) if name == "minor" else name not in families


def choose(sets: dict[str, list[dict]], views: dict[str, list], names: list[str]
           ) -> tuple[dict[str, float], dict]:
    """Thresholds by leave-one-set-out over ``names`` only: per decision, the one that
    fixes most (added right - added wrong) while what it adds is >= MIN_PRECISION right;
    none qualifies: 0.99 (the model adds nothing in practice)."""
    pooled = {name: [] for name in nm.DECISIONS}  # (probability, truth) where asked
    for held in names:
        train_names = [n for n in names if n != held]
        model = fit([v for n in train_names for v in views[n]],
                    [i for n in train_names for i in sets[n]], dict.fromkeys(nm.DECISIONS, 0.5))
        for item, view in zip(sets[held], views[held]):
            truth = targets(item)
            for name in nm.DECISIONS:
                if wanted(view, name) and truth[name] is not None:
                    pooled[name].append((chance(model, view, name), truth[name]))
    chosen, how = {}, {}
    for name, pairs in pooled.items():
        best = (0, 0.99, 0, 0)
        for threshold in GRID:
            right = sum(1 for p, t in pairs if p >= threshold and t)
            wrong = sum(1 for p, t in pairs if p >= threshold and not t)
            if right + wrong and right / (right + wrong) >= MIN_PRECISION and \
                    right - wrong > best[0]:
                best = (right - wrong, threshold, right, wrong)
        chosen[name] = best[1]
        how[name] = {"added_right": best[2], "added_wrong": best[3], "asked": len(pairs)}
    return chosen, how


# -- scoring --------------------------------------------------------------------------------------

def tally(items: list[dict], outputs: list[dict]) -> dict:
    counts = {key: Counter() for key in ("sex", "labour", "minor")}
    right_type = right_level = levelled = 0
    for item, out in zip(items, outputs):
        truth = {"both": {"sex", "labour"}, "none": set()}.get(item["type"], {item["type"]})
        guess = {"both": {"sex", "labour"}, "none": set()}.get(out["type"], {out["type"]})
        right_type += truth == guess
        for name in ("sex", "labour"):
            counts[name][("tp" if name in truth else "fp") if name in guess else
                         ("fn" if name in truth else "tn")] += 1
        counts["minor"][("tp" if item["minor"] else "fp") if out["minor"] else
                        ("fn" if item["minor"] else "tn")] += 1
        if item["level"] is not None:
            levelled += 1
            right_level += out["level"] == item["level"]
    return {"n": len(items), "type": right_type, "level": right_level, "levelled": levelled,
            **counts}


def add(a: dict, b: dict) -> dict:
    return {key: (a[key] + b[key]) for key in a}


def pr(counts: Counter) -> str:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = f"{tp / (tp + fp):.3f}" if tp + fp else "n/a"
    recall = f"{tp / (tp + fn):.3f}" if tp + fn else "n/a"
    return f"{precision} / {recall}"


def row(name: str, how: str, t: dict) -> str:
    level = f"{t['level'] / t['levelled']:.3f}" if t["levelled"] else "n/a"
    return (f"| {name} | {how} | {t['n']} | {t['type'] / t['n']:.3f} | {pr(t['sex'])} | "
            f"{pr(t['labour'])} | {pr(t['minor'])} | {level} |")


HEAD = ("| held-out set | reading | n | type right | sex P / R | labour P / R | minor P / R "
        "| level right |\n|---|---|---|---|---|---|---|---|")


def fixed() -> dict[str, float]:
    """The shipped thresholds."""
    return {"sex": TYPE_THRESHOLD, "labour": TYPE_THRESHOLD, "minor": MINOR_THRESHOLD,
            "urgent": LEVEL_THRESHOLD, "coerced": LEVEL_THRESHOLD}


# -- main ---------------------------------------------------------------------------------------

def main() -> int:
    global WITH_RULES, MIN_PRECISION, AUGMENT, MINOR_THRESHOLD, L2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ship", action="store_true",
                        help="train on every set and write the shipped weights")
    parser.add_argument("--words-only", action="store_true",
                        help="experiment: the model reads words only, not the rules' evidence")
    parser.add_argument("--no-augment", action="store_true",
                        help="experiment: train on each narrative once, with the rules' "
                             "evidence (by default also once with its words alone, since "
                             "the rules miss things on new styles)")
    parser.add_argument("--nested", action="store_true",
                        help="experiment: thresholds chosen by a nested leave-one-set-out "
                             f"(what the model adds >= --min-precision right) instead of "
                             f"the fixed {TYPE_THRESHOLD} / {MINOR_THRESHOLD}")
    parser.add_argument("--min-precision", type=float, default=MIN_PRECISION)
    parser.add_argument("--remove", type=float, default=None,
                        help="experiment: a rule's type is withdrawn below this chance "
                             "(0: never)")
    parser.add_argument("--alone", type=float, default=None,
                        help="experiment: the chance the model needs to add a type when the "
                             "rules saw no sign or the narrative is one sentence")
    parser.add_argument("--minor", type=float, default=None,
                        help="experiment: the chance at which the model raises the minor flag")
    parser.add_argument("--l2", type=float, default=None, help="experiment: L2 penalty")
    parser.add_argument("--no-dispute", action="store_true",
                        help="experiment: the learned reading disputes no rules' signal "
                             "(no learned.not-urgent)")
    parser.add_argument("--held-out", nargs="+", default=None, metavar="SET",
                        help="score only these sets (file names, e.g. narratives_thirtieth."
                             "jsonl), each with the model trained on all the others")
    parser.add_argument("--without-old", action="store_true",
                        help=f"leave {OLD_SET} out of training too")
    args = parser.parse_args()
    WITH_RULES, MIN_PRECISION = not args.words_only, args.min_precision
    AUGMENT = not args.no_augment
    import harborlight.intake.assist as assist
    if args.remove is not None:  # else the shipped one, in the assist
        assist.LEARNED_WITHDRAWS = args.remove
    MINOR_THRESHOLD = args.minor if args.minor is not None else MINOR_THRESHOLD
    L2 = args.l2 if args.l2 is not None else L2
    if args.alone is not None:
        assist.LEARNED_ALONE = args.alone
    if args.no_dispute:
        assist.DISPUTED_SIGNALS = {}
    start_django(api=False)
    catalog, rules = build_catalog(), load_rules()
    sets = load_sets()
    if args.without_old:
        sets.pop(OLD_SET)
    started = time.perf_counter()
    views = {name: [view_of(item["text"], catalog, DIM) for item in items]
             for name, items in sets.items()}
    print(f"read {sum(map(len, sets.values()))} narratives in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    names = list(sets)
    if args.ship:
        thresholds = choose(sets, views, names)[0] if args.nested else fixed()
        model = fit([v for n in names for v in views[n]], [i for n in names for i in sets[n]],
                    thresholds, trained_on=names)
        model = nm.NarrativeModel(model.dim, model.decisions, model.trained_on,
                                  release=load_rules().release)
        SHIPPED.write_text(nm.dumps(model, note=(
            "Learned reading of narratives (issue 14): written by `python bench/"
            "intake_loso.py --ship` from the synthetic labelled sets in tests/intake/data "
            "only. Thresholds chosen by leave-one-set-out: " + ", ".join(
                f"{k} {v}" for k, v in thresholds.items()) + ".")), encoding="utf-8")
        print(f"wrote {SHIPPED.relative_to(ROOT)} ({SHIPPED.stat().st_size} bytes); "
              f"thresholds {thresholds}")
        return 0
    print(HEAD)
    totals = {"rules alone": None, "rules + model": None}
    unknown = set(args.held_out or ()) - set(names)
    if unknown:
        parser.error(f"no such set: {', '.join(sorted(unknown))}")
    for held in (args.held_out or names):
        train_names = [n for n in names if n != held]
        thresholds = (choose(sets, views, train_names)[0] if args.nested else fixed())
        model = fit([v for n in train_names for v in views[n]],
                    [i for n in train_names for i in sets[n]], thresholds, train_names)
        items = sets[held]
        label = held.removesuffix(".jsonl") + ("" if held in BLIND_FOR_RULES or held == OLD_SET
                                               else " (rules tuned on it)")
        for how_name, used in (("rules alone", None), ("rules + model", model)):
            result = tally(items, [read(i["text"], catalog, rules, used) for i in items])
            print(row(label, how_name, result))
            if held != OLD_SET:
                totals[how_name] = result if totals[how_name] is None else add(
                    totals[how_name], result)
        alone = sum(item["type"] == {(True, True): "both", (True, False): "sex",
                                     (False, True): "labour", (False, False): "none"}[
            (chance(model, view, "sex") >= 0.5, chance(model, view, "labour") >= 0.5)]
                    for item, view in zip(items, views[held]))
        minor_alone = sum(bool(item["minor"]) == (chance(model, view, "minor") >= 0.5)
                          for item, view in zip(items, views[held]))
        print(f"|  | model alone (p >= 0.5) | | {alone / len(items):.3f} | | | "
              f"right {minor_alone / len(items):.3f} | |")
        print(f"|  | thresholds | | " + ", ".join(
            f"{k} {v}" for k, v in thresholds.items()) + " | | | | |", flush=True)
    for how_name, result in totals.items():
        scored = [n for n in (args.held_out or names) if n != OLD_SET]
        print(row(f"**total** ({len(scored)} sets, not "
                  "issue-3)", how_name, result))
    print(f"\n{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
