"""Narrative assist and triage on labelled narratives: precision, recall, levels, speed.

    python bench/intake_assist.py                       # the issue-14 set, both halves
    python bench/intake_assist.py --split held-out      # one half only
    python bench/intake_assist.py --api                 # the tips through the real API
    python bench/intake_assist.py --speed               # median time per narrative
    python bench/intake_assist.py --data tests/intake/data/labelled_narratives.jsonl
    python bench/intake_assist.py --errors --split development   # what the tuned half misses
    python bench/intake_assist.py --data tests/intake/data/narratives_blind.jsonl
    python bench/intake_assist.py --data tests/intake/data/narratives_final.jsonl --api
    python bench/intake_assist.py --rules-only          # without the learned reading

Since issue 14's learned reading (bench/intake_loso.py), the default reads with it, as the
product does; its weights were trained on every set here, so these are training figures
for it: bench/intake_loso.py gives the held-out ones.

Two sets (see tests/intake/data/README.md):

- ``narratives_dev.jsonl`` (309, written for issue 14, EN and ES): prosecution-summary
  style and short caller tips, sex and labour trafficking, minors, decoy stings, forced
  criminality and begging, online exploitation, and calls that are not trafficking. Each
  is labelled with its type (sex, labour, both, none), minor, decoy, the triage level the
  project's policy gives it, and codings. ``split`` says which half: the development half
  was read while tuning cues; the held-out half was not.
- ``labelled_narratives.jsonl`` (161, issue 3): per-coding labels including methods of
  control and the recruiter's relation; odd ids development, even held out.

Scores: the type of a narrative is "sex" when SexualExploitation is coded, "labour" when
ForcedLabour (or Servitude, ChildLabour, ForcedBegging) is; "both" needs both. Precision
and recall per type count narratives; per coding, (narrative, field, code) triples. The
level is what :func:`harborlight.vocab.triage.decide_level` gives on the narrative alone
(no structured answers), read as triage reads it (:func:`harborlight.intake.assist.evidence`).
``--api`` sends each tip-style narrative to ``POST /api/v1/tips`` (narrative only) on a
scratch SQLite database and reads it back with ``GET /api/v1/tips/{reference}`` as a
hotline operator with an API token.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harborlight.intake.assist import SHIPPED, codings_of, evidence, suggest  # noqa: E402
from harborlight.vocab.indicators import CODED_FIELDS, build_catalog  # noqa: E402
from harborlight.vocab.narrative import load_reading  # noqa: E402
from harborlight.vocab.triage import decide_level, load_rules  # noqa: E402

DATA = ROOT / "tests" / "intake" / "data"
DEFAULT_DATA = DATA / "narratives_dev.jsonl"
NON_TRAFFICKING = {"labour_dispute", "runaway", "domestic_violence", "information", "other"}
LABELLED_FIELDS = ("vic_TypeOfExploitation", "minor_involved", "decoy_minor",
                   "exploitation_form", "vic_TypeOfSexExploitation", "vic_ForcedLabourIndustry")
SUMMARY_STYLES = {"summary", "casestudy", "affidavit", "appeal", "press", "sentencing",
                  "plea", "indictment", "verdict"}
RESTRAINT = {"control.cannot-leave", "control.threats", "control.threat-deportation",
             "control.threat-family"}


def family_of(item: dict) -> str:
    """"summary" for long third-person accounts (prosecution summaries, case studies,
    news), "tip" for what callers and partners send (tips, texts, call notes, e-mails)."""
    return "summary" if item["style"] in SUMMARY_STYLES else "tip"


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def type_of(types: set[str]) -> str:
    family = {load_reading().family.get(value) for value in types} - {None}
    return {frozenset({"sex"}): "sex", frozenset({"labour"}): "labour",
            frozenset({"sex", "labour"}): "both"}.get(frozenset(family), "none")


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "n/a"


def pr_row(name: str, tp: int, fp: int, fn: int) -> str:
    return (f"| {name} | {tp + fn} | {tp} | {fp} | {fn} | {ratio(tp, tp + fp)} | "
            f"{ratio(tp, tp + fn)} |")


PR_HEAD = "| what | labelled | TP | FP | FN | precision | recall |\n|---|---|---|---|---|---|---|"


# -- reading one narrative -----------------------------------------------------------------

MODEL = SHIPPED  # --rules-only: None (the learned reading left out)


def read(text: str, catalog, rules) -> dict:
    """What assist and triage make of a narrative alone: codings, type, level."""
    found = suggest(text, catalog, model=MODEL)
    decision = decide_level(evidence(text, {}, catalog, found=found, model=MODEL), rules,
                            catalog.release)
    codings = codings_of(found)
    return {"codings": codings, "type": type_of(codings.get("vic_TypeOfExploitation", set())),
            "minor": "Yes" in codings.get("minor_involved", set()),
            "decoy": "Yes" in codings.get("decoy_minor", set()), "level": decision.level,
            "indicators": {s.key.split(":", 1)[1] for s in found if s.kind == "indicator"}}


# -- scoring ---------------------------------------------------------------------------------

def labelled_values(item: dict, field: str) -> set[str]:
    """A field's labelled values. Some writers give one value as a string ("debt bondage"),
    not a list, and label the minor flag's "No", which is never coded (no flag is no
    coding): the string is one value, and "No" is left out."""
    values = item["codings"].get(field, [])
    values = {values} if isinstance(values, str) else set(values)
    return values - {"No"} if field == "minor_involved" else values


def score(items: list[dict], outputs: list[dict]) -> dict:
    types = {t: Counter() for t in ("sex", "labour")}
    minor, decoy, level = Counter(), Counter(), Counter()
    fields: dict[str, Counter] = {}
    confusion: Counter = Counter()
    restrained_standard, labelled_high_below, correct_type = [], [], 0
    for item, out in zip(items, outputs):
        truth_types = {"both": {"sex", "labour"}, "none": set()}.get(item["type"], {item["type"]})
        guess_types = {"both": {"sex", "labour"}, "none": set()}.get(out["type"], {out["type"]})
        correct_type += truth_types == guess_types
        for name, counts in types.items():
            counts["tp" if name in truth_types & guess_types else
                   "fp" if name in guess_types - truth_types else
                   "fn" if name in truth_types - guess_types else "tn"] += 1
        for counter, key in ((minor, "minor"), (decoy, "decoy")):
            counter["tp" if item[key] and out[key] else "fp" if out[key] else
                    "fn" if item[key] else "tn"] += 1
        level["right" if out["level"] == item["level"] else "wrong"] += 1
        confusion[(item["level"], out["level"])] += 1
        if ("labour" in truth_types and out["level"] in ("standard", "information")
                and (item["minor"] or out["indicators"] & RESTRAINT)):
            restrained_standard.append(item["id"])
        if ("labour" in truth_types and item["level"] in ("high", "emergency")
                and out["level"] in ("standard", "information")):
            labelled_high_below.append(item["id"])
        for field in LABELLED_FIELDS:
            truth = labelled_values(item, field)
            guess = out["codings"].get(field, set())
            for value in truth | guess:
                fields.setdefault(field, Counter())[
                    "tp" if value in truth and value in guess else
                    "fp" if value in guess else "fn"] += 1
    return {"n": len(items), "types": types, "type_accuracy": correct_type / max(1, len(items)),
            "minor": minor, "decoy": decoy, "level": level, "confusion": confusion,
            "fields": fields, "restrained_standard": restrained_standard,
            "labelled_high_below": labelled_high_below}


def report(name: str, result: dict) -> None:
    n = result["n"]
    print(f"\n### {name}: {n} narratives\n")
    print(PR_HEAD)
    for type_name, counts in result["types"].items():
        print(pr_row(f"type {type_name}", counts["tp"], counts["fp"], counts["fn"]))
    for key in ("minor", "decoy"):
        counts = result[key]
        print(pr_row(f"{key} flag", counts["tp"], counts["fp"], counts["fn"]))
    minor = result["minor"]
    print(f"\ntype right (sex / labour / both / none): {result['type_accuracy']:.3f}; "
          f"minor flag right: {(minor['tp'] + minor['tn']) / max(1, n):.3f}; "
          f"triage level right: {result['level']['right'] / max(1, n):.3f}; labour cases "
          f"with restraint, threats or a minor below high: {len(result['restrained_standard'])}"
          + (f" ({', '.join(result['restrained_standard'])})"
             if result["restrained_standard"] else "")
          + "; labour cases labelled high or emergency (a means of control or a minor, by the "
          f"labels) given below high: {len(result['labelled_high_below'])}")
    levels = load_rules().levels
    print("\n| labelled \\ given | " + " | ".join(levels) + " |")
    print("|---|" + "---|" * len(levels))
    for truth in levels:
        print(f"| {truth} | " + " | ".join(str(result["confusion"][(truth, guess)])
                                          for guess in levels) + " |")


def report_fields(result: dict) -> None:
    print("\n" + PR_HEAD)
    for field in LABELLED_FIELDS:
        counts = result["fields"].get(field, Counter())
        if counts:
            print(pr_row(field, counts["tp"], counts["fp"], counts["fn"]))


def errors(items: list[dict], outputs: list[dict]) -> None:
    for item, out in zip(items, outputs):
        wrong = [key for key in ("type", "minor", "decoy", "level") if item[key] != out[key]]
        if wrong:
            print(f"{item['id']} {item['lang']} {item['style']}: " + ", ".join(
                f"{key} {item[key]} -> {out[key]}" for key in wrong))
            print(f"    {item['text'][:160]}")


# -- through the real API --------------------------------------------------------------------

def start_django(api: bool) -> None:
    """Settings in a scratch folder: the library reads its words in the reader's language
    (Django's translations), and the API run needs a whole installation."""
    from harborlight.demo.environment import configure_environment

    configure_environment(Path(tempfile.mkdtemp(prefix="assist-bench-")))
    if api:
        os.environ.update({"HARBORLIGHT_PUBLIC_TIPS_PER_CLIENT_PER_MINUTE": "100000",
                           "HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE": "100000"})
    from harborlight.cli.bootstrap import setup_django

    setup_django()


def through_api(items: list[dict]) -> list[dict]:
    """POST each narrative alone to /api/v1/tips, GET it back as an operator."""
    from django.core.management import call_command
    from django.test import Client

    from harborlight.accounts.models import Organisation, Role, User
    from harborlight.accounts.tokens import create_token

    call_command("migrate", interactive=False, verbosity=0)
    organisation = Organisation.objects.create(name="Bench Hotline", slug="bench")
    operator = User.objects.create_staff_user("bench-operator", secrets.token_urlsafe(24),
                                              organisation, Role.HOTLINE_OPERATOR)
    token = create_token(operator, "bench")
    public = Client(HTTP_HOST="localhost")
    staff = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    outputs = []
    for item in items:
        sent = public.post("/api/v1/tips", json.dumps({"narrative": item["text"],
                                                       "language": item["lang"]}),
                           content_type="application/json")
        assert sent.status_code == 201, sent.content
        tip = staff.get(f"/api/v1/tips/{sent.json()['reference']}")
        assert tip.status_code == 200, tip.content
        data = tip.json()
        codings = {field: set(values) for field, values in data["codings"].items()}
        outputs.append({
            "codings": codings, "level": data["triage_level"],
            "type": type_of(codings.get("vic_TypeOfExploitation", set())),
            "minor": "Yes" in codings.get("minor_involved", set()),
            "decoy": "Yes" in codings.get("decoy_minor", set()),
            "indicators": {s["key"].split(":", 1)[1] for s in data["suggestions"]
                           if s["kind"] == "indicator"}})
    return outputs


def report_all(items: list[dict], outputs: list[dict], how: str, show_errors: bool) -> None:
    """Each half on its own (never mixed): per style family, per style and language, all."""
    pairs = list(zip(items, outputs))
    for split in dict.fromkeys(item["split"] for item in items):
        half = [(i, o) for i, o in pairs if i["split"] == split]
        parts = {f"{family} style": [(i, o) for i, o in half if family_of(i) == family]
                 for family in ("summary", "tip")}
        if len({(i["style"], i["lang"]) for i, _ in half}) > 1:
            for style, lang in dict.fromkeys((i["style"], i["lang"]) for i, _ in half):
                parts[f"{style}, {lang}"] = [(i, o) for i, o in half
                                            if i["style"] == style and i["lang"] == lang]
        for name, part in parts.items():
            if part:
                report(f"{split} half, {name}{', ' + how if how else ''}",
                       score([i for i, _ in part], [o for _, o in part]))
        result = score([i for i, _ in half], [o for _, o in half])
        report(f"{split} half, all{', ' + how if how else ''}", result)
        report_fields(result)
        if show_errors:
            errors([i for i, _ in half], [o for _, o in half])


def speed(items: list[dict], catalog, rules, rounds: int) -> None:
    timings = []
    for _ in range(rounds):
        for item in items:
            started = time.perf_counter()
            read(item["text"], catalog, rules)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    by_style = {}
    for style in sorted({item["style"] for item in items}):
        chosen = [i for i in items if i["style"] == style]
        spent = []
        for item in chosen:
            started = time.perf_counter()
            read(item["text"], catalog, rules)
            spent.append((time.perf_counter() - started) * 1000)
        by_style[style] = statistics.median(spent)
    print(f"\nspeed (suggest + triage decision, {len(timings)} readings): median "
          f"{statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} "
          f"ms; median by style: " + ", ".join(f"{k} {v:.2f} ms" for k, v in by_style.items()))


def old_set(path: Path, split: str) -> None:
    """The issue-3 set: per-coding precision and recall (odd ids development)."""
    catalog = build_catalog()
    items = [item for item in load(path) if split == "all"
             or (split == "development") == (int(item["id"].lstrip("N")) % 2 == 1)]
    per_field: dict[str, Counter] = {}
    for item in items:
        found = codings_of(suggest(item["text"], catalog, model=MODEL))
        for field in CODED_FIELDS:
            truth, guess = set(item["codings"].get(field, [])), found.get(field, set())
            for value in truth | guess:
                per_field.setdefault(field, Counter())[
                    "tp" if value in truth and value in guess else
                    "fp" if value in guess else "fn"] += 1
    print(f"split: {split}, {len(items)} narratives\n\n{PR_HEAD}")
    for field in CODED_FIELDS:
        counts = per_field.get(field)
        if counts:
            print(pr_row(field, counts["tp"], counts["fp"], counts["fn"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", default="all", choices=[
        "all", "development", "held-out", "blind", "fresh", "final", "last", "sixth",
        "seventh"])
    parser.add_argument("--api", action="store_true",
                        help="every narrative alone through POST /api/v1/tips, read back "
                             "with GET /api/v1/tips/{reference}")
    parser.add_argument("--speed", action="store_true", help="median time per narrative")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--errors", action="store_true", help="list what is wrong")
    parser.add_argument("--rules-only", action="store_true",
                        help="leave the learned reading out (vocab/narrative_model.json); "
                             "not with --api, which reads as the product does")
    args = parser.parse_args()
    global MODEL
    MODEL = None if args.rules_only else SHIPPED
    start_django(api=args.api)
    if args.data.name == "labelled_narratives.jsonl":
        old_set(args.data, args.split)
        return 0
    catalog, rules = build_catalog(), load_rules()
    items = load(args.data)
    if args.speed:
        speed(items, catalog, rules, args.rounds)
        return 0
    chosen = [item for item in items if args.split == "all" or item["split"] == args.split]
    if args.api:
        report_all(chosen, through_api(chosen), "through POST/GET /api/v1/tips", args.errors)
    else:
        report_all(chosen, [read(item["text"], catalog, rules) for item in chosen], "",
                   args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
