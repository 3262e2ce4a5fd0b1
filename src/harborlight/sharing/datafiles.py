"""Load and check the package's data files: CTDC layouts, mappings, regions, ladders.

The files live in ``harborlight/sharing/data`` (see its README for sources and
attribution). Each loader checks the file's shape before anyone relies on it, so a broken
edit fails loudly at load time with the file and the offending entry named, rather than as
a wrong export later. Loaders are cached: the files never change while a process runs.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from harborlight.sharing.errors import DataFileError, ParameterError

LAYOUTS = ("ctdc-2021", "ctdc-2024")
SOURCES = ("htcds", "ctdc-2021", "ctdc-2024")
COLUMN_KINDS = {"year", "category", "country", "flag"}
MAPPING_RULES = {
    # rule name -> the keys it needs besides "target" and "rule"
    "copy": {"source"},
    "recode": {"source", "values"},
    "any_flag": {"sources"},
    "multiselect_any": {"source", "any_of"},
    "multiselect_other": {"source", "none_of"},
    "year_of_date": {"sources"},
    "age_band": {"sources", "bands"},
    "majority": {"source", "adult_from"},
    "country": {"source"},
    "empty": {"note"},
}
HIERARCHY_RULES = {"year_band": {"width", "origin"}, "map": {"values"}, "m49": {"level"},
                   "any": set()}


@dataclass(frozen=True)
class Column:
    """One column of a CTDC layout and the codes it may hold."""

    name: str
    kind: str
    values: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Layout:
    """A CTDC file layout: ordered columns, missing-value spelling, column aliases."""

    name: str
    title: str
    attribution: str
    columns: tuple[Column, ...]
    missing_aliases: tuple[str, ...]
    column_aliases: dict[str, str]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _read_json(relative: str) -> Any:
    path = resources.files("harborlight.sharing") / "data" / relative
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileError(f"package data file {relative} is missing") from exc
    except json.JSONDecodeError as exc:
        raise DataFileError(f"package data file {relative} is not valid JSON: {exc}") from exc


def _require(cond: bool, relative: str, message: str) -> None:
    if not cond:
        raise DataFileError(f"{relative}: {message}")


@lru_cache(maxsize=None)
def load_layout(name: str) -> Layout:
    """Return the CTDC layout ``name`` (``ctdc-2021`` or ``ctdc-2024``), schema-checked."""
    if name not in LAYOUTS:
        raise ParameterError(f"unknown layout {name!r}; choose one of {', '.join(LAYOUTS)}")
    relative = f"layouts/{name}.json"
    raw = _read_json(relative)
    _require(raw.get("layout") == name, relative, "field 'layout' does not match the file name")
    _require(isinstance(raw.get("attribution"), str) and "Counter Trafficking Data Collaborative"
             in raw["attribution"], relative, "CTDC attribution is missing")
    columns = []
    seen = set()
    for i, entry in enumerate(raw.get("columns", [])):
        where = f"column #{i}"
        _require(isinstance(entry.get("name"), str), relative, f"{where} has no name")
        _require(entry["name"] not in seen, relative, f"column {entry['name']} is listed twice")
        seen.add(entry["name"])
        _require(entry.get("kind") in COLUMN_KINDS, relative,
                 f"column {entry['name']} has unknown kind {entry.get('kind')!r}")
        if entry["kind"] in ("category", "flag"):
            _require(bool(entry.get("values")), relative, f"column {entry['name']} lists no values")
        aliases = entry.get("aliases", {})
        _require(all(v in entry.get("values", []) for v in aliases.values() if v != ""),
                 relative, f"column {entry['name']} has an alias to an unknown value")
        columns.append(Column(name=entry["name"], kind=entry["kind"],
                              values=tuple(entry.get("values", ())), aliases=dict(aliases),
                              min=entry.get("min"), max=entry.get("max")))
    _require(bool(columns), relative, "no columns")
    return Layout(name=name, title=raw.get("title", name), attribution=raw["attribution"],
                  columns=tuple(columns), missing_aliases=tuple(raw.get("missing_aliases", ())),
                  column_aliases=dict(raw.get("column_aliases", {})))


@lru_cache(maxsize=None)
def load_mapping(source: str, target: str) -> dict[str, Any]:
    """Return the mapping from ``source`` (htcds or a CTDC layout) to CTDC layout ``target``.

    The mapping lists, for every column of the target layout in order, the rule that fills
    it. The check makes sure every target column is covered exactly once, every rule is
    known and has its parameters, and recodes only produce codes the target layout allows.
    """
    if source not in SOURCES:
        raise ParameterError(f"unknown source layout {source!r}")
    target_layout = load_layout(target)
    if source == target:
        return {"source": source, "target": target, "attribution": target_layout.attribution,
                "columns": [{"target": n, "rule": "copy", "source": n}
                            for n in target_layout.names]}
    relative = f"mappings/{source}-to-{target}.json"
    raw = _read_json(relative)
    _require(raw.get("source") == source and raw.get("target") == target, relative,
             "source/target fields do not match the file name")
    targets = [r.get("target") for r in raw.get("columns", [])]
    _require(targets == target_layout.names, relative,
             "target columns must be exactly the layout's columns, in order")
    for rule in raw["columns"]:
        name = rule.get("rule")
        _require(name in MAPPING_RULES, relative,
                 f"{rule['target']}: unknown rule {name!r}")
        missing = MAPPING_RULES[name] - set(rule)
        _require(not missing, relative, f"{rule['target']}: rule {name} needs {sorted(missing)}")
        column = target_layout.column(rule["target"])
        allowed = set(column.values) | {""}
        if name == "recode" and column.kind in ("category", "flag"):
            bad = sorted(set(rule["values"].values()) - allowed)
            _require(not bad, relative, f"{rule['target']}: recodes to unknown codes {bad}")
        if name == "age_band":
            bad = sorted({b[2] for b in rule["bands"]} - allowed)
            _require(not bad, relative, f"{rule['target']}: bands use unknown codes {bad}")
        if name in ("multiselect_any", "multiselect_other", "any_flag"):
            _require(column.kind == "flag", relative, f"{rule['target']}: flag rule on non-flag")
    if source == "htcds":
        _require("CC BY 4.0" in raw.get("attribution", ""), relative, "HTCDS attribution missing")
    return raw


@dataclass(frozen=True)
class Region:
    iso3: str
    iso2: str
    name: str
    m49_subregion: str
    m49_region: str


@lru_cache(maxsize=None)
def load_regions() -> dict[str, Region]:
    """ISO-3 code -> :class:`Region`, from ``m49_regions.csv`` (UN M49 grouping)."""
    relative = "m49_regions.csv"
    path = resources.files("harborlight.sharing") / "data" / relative
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        expected = ["iso3", "iso2", "m49_code", "name", "m49_subregion", "m49_region"]
        _require(reader.fieldnames == expected, relative, f"header must be {expected}")
        regions: dict[str, Region] = {}
        for row in reader:
            iso3 = row["iso3"]
            _require(len(iso3) == 3 and iso3.isupper(), relative, f"bad ISO-3 code {iso3!r}")
            _require(iso3 not in regions, relative, f"{iso3} is listed twice")
            _require(bool(row["m49_subregion"]) and bool(row["m49_region"]), relative,
                     f"{iso3} has no M49 region")
            regions[iso3] = Region(iso3, row["iso2"], row["name"], row["m49_subregion"],
                                   row["m49_region"])
    return regions


@lru_cache(maxsize=None)
def iso2_to_iso3() -> dict[str, str]:
    return {r.iso2: r.iso3 for r in load_regions().values() if r.iso2}


@lru_cache(maxsize=None)
def load_anonymisation() -> dict[str, Any]:
    """Quasi-identifiers per layout and generalisation ladders, schema-checked."""
    relative = "anonymisation.json"
    raw = _read_json(relative)
    qis = raw.get("quasi_identifiers", {})
    ladders = raw.get("hierarchies", {})
    for layout in LAYOUTS:
        names = set(load_layout(layout).names)
        _require(layout in qis, relative, f"no quasi-identifiers for {layout}")
        for qi in qis[layout]:
            _require(qi in names, relative, f"{layout}: {qi} is not a column of the layout")
            _require(qi in ladders, relative, f"{qi} has no generalisation ladder")
        reported = raw.get("reporting", {}).get("columns", {}).get(layout, [])
        _require(len(reported) >= 2 and set(reported) <= names, relative,
                 f"{layout}: reporting columns must be 2 or more columns of the layout")
        for secret in raw.get("risk_secrets", {}).get(layout, []):
            _require(secret in names and secret not in qis[layout], relative,
                     f"{layout}: risk secret {secret} must be a non-quasi-identifier column")
    resolution = raw.get("reporting", {}).get("resolution")
    _require(isinstance(resolution, int) and resolution >= 1, relative,
             "reporting resolution must be a whole number of records, 1 or more")
    for qi, ladder in ladders.items():
        _require(isinstance(ladder, list) and ladder, relative, f"{qi}: empty ladder")
        for step in ladder:
            rule = step.get("rule")
            _require(rule in HIERARCHY_RULES, relative, f"{qi}: unknown rule {rule!r}")
            missing = HIERARCHY_RULES[rule] - set(step)
            _require(not missing, relative, f"{qi}: rule {rule} needs {sorted(missing)}")
    return raw


@lru_cache(maxsize=None)
def load_htcds_picklists() -> dict[str, Any]:
    """HTCDS v2.0 picklist values of the fields the mappings read (CC BY 4.0)."""
    relative = "htcds_picklists.json"
    raw = _read_json(relative)
    _require("CC BY 4.0" in raw.get("attribution", ""), relative, "HTCDS attribution missing")
    _require(isinstance(raw.get("picklists"), dict) and raw["picklists"], relative,
             "no picklists")
    for name, values in raw["picklists"].items():
        _require(isinstance(values, list) and values, relative, f"{name}: empty picklist")
    return raw
