"""Generate Harborlight's HTCDS v2.0 package data from the standard's files.

Reads (never at run time, only when the standard changes):

- ``htcds/htcds_fields_extracted.json``: the 83 fields with sections and picklists;
- ``htcds/htcds_field_definitions_extracted.json``: definitions of picklist values;
- ``htcds/htcds_xlsform_survey.csv`` and ``Toolkit/HTCDS Excel Spreadsheet v2.0.xlsx``:
  the names the toolkits actually use, to record upstream spelling variants.

Writes ``src/harborlight/vocab/htcds/fields.json`` and ``picklists.json`` (format
documented in :mod:`harborlight.vocab.loader`). Run::

    python scripts/generate_htcds_vocab.py [/work/shared/data]

HTCDS content: Human Trafficking Case Data Standard v2.0, IOM and partners, CC BY 4.0.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "harborlight" / "vocab" / "htcds"
ATTRIBUTION = ("Human Trafficking Case Data Standard (HTCDS) v2.0 by IOM and partners, "
               "licensed under CC BY 4.0 (http://creativecommons.org/licenses/by/4.0/). "
               "Derived by Harborlight; no endorsement by IOM is implied.")
SECTIONS = {  # the standard's section headings, as Harborlight names them
    "Organization": "Organisation", "Person": "Person",
    "Person - \nVictim Context": "Victim", "Person - \nPerpetrator Context": "Perpetrator",
    "Case": "Case", "Referral Details": "Referral", "Case Comment": "Case Comment",
    "Historic Trafficking Events": "Historic Trafficking Events",
    "Support Plan": "Support Plan", "Consent": "Consent",
}
# The picklist codes and the definitions file name four methods of control differently.
METHODS_OF_CONTROL_DEFINITION_NAMES = {
    "PhysicalThreats": "Threats", "ThreatsLawEnforcement": "ThreatOfLawEnforcement",
    "ThreatensChildrenFamily": "UsesChildren", "PsychoactiveSubstance": "PsychoactiveSubstances",
}
# Value codes that only describe a coding standard (ISO 639-2 / ISO 3166) are not picklists.
CODING_NOTE = re.compile(r"^Use ISO")


def squash(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def toolkit_names(root: Path) -> set[str]:
    names: set[str] = set()
    survey = root / "htcds" / "htcds_xlsform_survey.csv"
    with survey.open(encoding="utf-8") as handle:
        names.update(row["name"] for row in csv.DictReader(handle) if row.get("name"))
    workbook = root / "htcds" / "Toolkit" / "HTCDS Excel Spreadsheet v2.0.xlsx"
    import openpyxl

    sheet = openpyxl.load_workbook(workbook, read_only=True).worksheets[0]
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    names.update(str(cell) for cell in header if cell)
    return names


def variants_for(fields: list[str], seen: set[str]) -> dict[str, list[str]]:
    """Toolkit names that are not standard names but clearly mean one (case, underscores,
    or one or two typing slips away)."""
    out: dict[str, list[str]] = {}
    prefixes = {f.split("_", 1)[0] for f in fields}
    for name in sorted(seen - set(fields)):
        if name.split("_", 1)[0] not in prefixes:
            continue
        best = min(fields, key=lambda f: distance(squash(f), squash(name)))
        if distance(squash(best), squash(name)) <= 2:
            out.setdefault(best, []).append(name)
    return out


def definitions_for(field: str, codes: list[str], labels: list[str], defs: dict) -> list[str]:
    table: dict[str, str] = {}
    if field == "vic_MethodsOfControl":
        table = {k.removeprefix("MethodsOfControl"): v
                 for k, v in defs["Methods Of Control"].items()}
    elif field == "vic_TraffickingStatus":
        table = defs["Trafficking Status"]
    elif field == "vic_ForcedLabourIndustry":
        table = defs["Labour Industry (TIER 1)"]
    out = []
    for code, label in zip(codes, labels):
        text = table.get(code) or table.get(label) or ""
        if not text and field == "vic_MethodsOfControl":  # upstream codes differ slightly
            text = table.get(METHODS_OF_CONTROL_DEFINITION_NAMES.get(code, ""), "")
        out.append(text.strip())
    return out


def main(root: Path, out: Path = OUT) -> None:
    raw = json.loads((root / "htcds" / "htcds_fields_extracted.json").read_text("utf-8"))
    defs = json.loads((root / "htcds" / "htcds_field_definitions_extracted.json")
                      .read_text("utf-8"))
    names = [f["field"] for f in raw]
    variants = variants_for(names, toolkit_names(root))
    fields, picklists = [], {}
    for item in raw:
        codes = [c for c in item["value_names"] if not CODING_NOTE.match(c)]
        labels = [str(label).strip() for label in item["value_labels"]][:len(codes)]
        coding = next((c for c in item["value_names"] if CODING_NOTE.match(c)), "")
        fields.append({
            "field": item["field"], "section": SECTIONS[item["section"]],
            "status": item["status"], "core": item["core"] == "Core",
            "label": item["label"].strip(), "type": item["type"],
            "multiple": item["type"].startswith("Multiselect"),
            "picklist": item["field"] if codes else None,
            "coding": coding, "description": (item["description"] or "").strip(),
            "variants": variants.get(item["field"], []),
        })
        if codes:
            texts = definitions_for(item["field"], codes, labels, defs)
            picklists[item["field"]] = [{"code": c, "label": l, "definition": d}
                                        for c, l, d in zip(codes, labels, texts)]
    out.mkdir(parents=True, exist_ok=True)
    for name, data in (("fields.json", fields), ("picklists.json", picklists)):
        document = {"format": f"harborlight-htcds-{name.split('.')[0]}", "version": 1,
                    "standard": "HTCDS 2.0", "attribution": ATTRIBUTION, name.split(".")[0]: data}
        (out / name).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    print(f"{len(fields)} fields, {len(picklists)} picklists, "
          f"{sum(map(len, variants.values()))} spelling variants -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data"))
