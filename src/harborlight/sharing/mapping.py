"""Turn a table in one layout (HTCDS, CTDC 2021, CTDC 2024) into a CTDC layout.

Steps, each vectorised over whole columns so 193,025 rows take well under a second:

1. clean the source: strip blanks, turn the layout's missing spellings (``NULL``, ``NA``)
   into empty strings, apply code aliases (``18—20`` -> ``18--20``);
2. check every code against the source's vocabulary and collect *all* problems;
3. fill each target column by the rule the mapping data file names for it;
4. check the result against the target layout (a wrong mapping must not ship).

Values are strings throughout; an empty string means "missing", as in CTDC's files.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from harborlight.sharing.datafiles import (
    Layout,
    iso2_to_iso3,
    load_htcds_picklists,
    load_layout,
    load_mapping,
    load_regions,
)

#: how many example rows a problem message quotes
_EXAMPLES = 3
_MULTI_SPLIT = re.compile(r"\s*[;|]\s*")


def _examples(mask: pd.Series, values: pd.Series) -> str:
    rows = mask[mask].index[:_EXAMPLES]
    shown = ", ".join(f"row {int(i) + 2}: {values[i]!r}" for i in rows)
    return shown + (" ..." if int(mask.sum()) > _EXAMPLES else "")


def clean_ctdc(frame: pd.DataFrame, layout: Layout, problems: list[str]) -> pd.DataFrame:
    """Normalise a CTDC-layout table in place of a copy and record unknown codes."""
    regions = load_regions()
    out = {}
    for col in layout.columns:
        values = frame[col.name].astype(str).str.strip()
        if layout.missing_aliases:
            values = values.where(~values.isin(layout.missing_aliases), "")
        if col.aliases:
            values = values.replace(col.aliases)
        present = values != ""
        if col.kind in ("category", "flag"):
            bad = present & ~values.isin(col.values)
        elif col.kind == "country":
            bad = present & ~values.isin(list(regions))
        else:  # year
            numbers = pd.to_numeric(values.where(present), errors="coerce")
            whole = numbers.notna() & (numbers == numbers.round())
            bad = present & ~(whole & numbers.between(col.min, col.max))
            as_text = numbers.where(whole).astype("Int64").astype(str)
            values = values.where(~(present & whole), as_text)
        if bad.any():
            allowed = (", ".join(col.values) if col.values else
                       "ISO 3166-1 alpha-3 codes" if col.kind == "country" else
                       f"years {col.min}-{col.max}")
            problems.append(f"{col.name}: {int(bad.sum())} unknown code(s) "
                            f"({_examples(bad, values)}); expected {allowed}")
        out[col.name] = values
    return pd.DataFrame(out, index=frame.index)


def _split_multi(values: pd.Series) -> pd.Series:
    return values.map(lambda v: [p for p in _MULTI_SPLIT.split(v) if p] if v else [])


def clean_htcds(frame: pd.DataFrame, problems: list[str]) -> pd.DataFrame:
    """Normalise HTCDS fields and record picklist values HTCDS v2.0 does not define."""
    picklists = load_htcds_picklists()
    renamed = {old: new for old, new in picklists["spelling_aliases"].items()
               if old in frame.columns and new not in frame.columns}
    frame = frame.rename(columns=renamed)
    out = frame.apply(lambda s: s.astype(str).str.strip())
    out = out.where(~out.isin(["NULL", "null", "NA", "N/A", "None", "nan"]), "")
    for field, allowed in picklists["picklists"].items():
        if field not in out.columns:
            continue
        parts = _split_multi(out[field])
        unknown = parts.map(lambda ps: [p for p in ps if p not in allowed])
        bad = unknown.map(bool)
        if bad.any():
            problems.append(f"{field}: {int(bad.sum())} value(s) not in HTCDS v2.0 "
                            f"({_examples(bad, out[field])})")
    return out


def _country(values: pd.Series, field: str, problems: list[str]) -> pd.Series:
    regions = load_regions()
    alpha2 = iso2_to_iso3()
    first = values.map(lambda v: _MULTI_SPLIT.split(v)[0].upper() if v else "")
    mapped = first.map(lambda c: c if c in regions else alpha2.get(c, None) if c else "")
    bad = mapped.isna()
    if bad.any():
        problems.append(f"{field}: {int(bad.sum())} unknown country code(s) "
                        f"({_examples(bad, values)}); expected ISO 3166 alpha-2 or alpha-3")
    return mapped.fillna("")


def _first_present(frame: pd.DataFrame, sources: list[str]) -> pd.Series:
    result = pd.Series("", index=frame.index)
    for source in reversed(sources):
        if source in frame.columns:
            result = frame[source].where(frame[source] != "", result)
    return result


def _apply_rule(frame: pd.DataFrame, rule: dict[str, Any], problems: list[str]) -> pd.Series:
    name = rule["rule"]
    blank = pd.Series("", index=frame.index)
    if name == "empty":
        return blank
    if name in ("year_of_date", "age_band", "any_flag"):
        if name == "any_flag":
            present = [frame[s] == "1" for s in rule["sources"] if s in frame.columns]
            if not present:
                return blank
            return pd.concat(present, axis=1).any(axis=1).map({True: "1", False: ""})
        values = _first_present(frame, rule["sources"])
        field = "/".join(rule["sources"])
        if name == "year_of_date":
            years = values.str.extract(r"^\s*(\d{4})", expand=False)
            bad = (values != "") & years.isna()
            if bad.any():
                problems.append(f"{field}: {int(bad.sum())} value(s) are not dates "
                                f"({_examples(bad, values)}); expected YYYY-MM-DD")
            return years.fillna("")
        ages = pd.to_numeric(values.where(values != ""), errors="coerce")
        bad = (values != "") & (ages.isna() | (ages < 0) | (ages > 130))
        if bad.any():
            problems.append(f"{field}: {int(bad.sum())} value(s) are not ages in years "
                            f"({_examples(bad, values)})")
        out = blank.copy()
        for low, high, code in rule["bands"]:
            out = out.where(~ages.between(low, high + 0.999), code)
        return out
    source = rule["source"]
    if source not in frame.columns:
        return blank
    values = frame[source]
    if name == "copy":
        return values
    if name == "recode":
        mapping = rule["values"]
        return values.map(lambda v: mapping.get(v, v))
    if name == "country":
        return _country(values, source, problems)
    if name == "majority":
        ages = pd.to_numeric(values.where(values != ""), errors="coerce")
        out = blank.where(~(ages < rule["adult_from"]), "Minor")
        return out.where(~(ages >= rule["adult_from"]), "Adult")
    parts = _split_multi(values)
    if name == "multiselect_any":
        wanted = set(rule["any_of"])
        return parts.map(lambda ps: "1" if wanted.intersection(ps) else "")
    if name == "multiselect_other":
        known = set(rule["none_of"])
        return parts.map(lambda ps: "1" if any(p not in known for p in ps) else "")
    raise AssertionError(f"rule {name} passed the schema check but has no implementation")


def convert(frame: pd.DataFrame, source: str, target: str,
            problems: list[str]) -> pd.DataFrame:
    """Return ``frame`` (layout ``source``) as a table in CTDC layout ``target``.

    Problems found on the way are appended to ``problems``; the caller decides whether to
    stop. The returned frame has exactly the target layout's columns, in order.
    """
    mapping = load_mapping(source, target)
    if source == "htcds":
        cleaned = clean_htcds(frame, problems)
    else:
        cleaned = clean_ctdc(frame, load_layout(source), problems)
    columns = {rule["target"]: _apply_rule(cleaned, rule, problems)
               for rule in mapping["columns"]}
    result = pd.DataFrame(columns, index=frame.index)
    if problems:  # bad input: the target check would only repeat the same problems
        return result
    check: list[str] = []
    clean_ctdc(result, load_layout(target), check)
    if check:  # a mapping bug, not the user's: say so plainly
        problems.extend(f"mapping {source} -> {target} produced bad codes: {p}" for p in check)
    return result
