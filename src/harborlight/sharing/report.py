"""The utility and risk report that goes with every export: ``report.json`` and a
self-contained ``report.html`` (inline CSS, no script, nothing loaded from another host).
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #bbb;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#444;font-size:.9rem}.scroll{overflow-x:auto}
.met{color:#0a5c0a;font-weight:600}.missed{color:#8a1010;font-weight:600}
"""


class Share(float):
    """A proportion, shown as a percentage."""


def _fmt(value: Any) -> str:
    if isinstance(value, Share):
        return f"{value:.2%}" if value >= 0.0001 or value == 0 else f"{value:.4%}"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if 0 < abs(value) < 0.01:
            return f"{value:.2e}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


def _cell(value: Any) -> str:
    cls = ' class="num"' if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
    return f"<td{cls}>{html.escape(_fmt(value))}</td>"


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th scope=\"col\">{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return (f"<div class=\"scroll\"><table><thead><tr>{head}</tr></thead><tbody>{body}"
            "</tbody></table></div>")


def _pairs(data: dict[str, Any]) -> str:
    return _table(["item", "value"], [[k.replace("_", " "), Share(v) if "share" in k and
                                       isinstance(v, float) else v] for k, v in data.items()])


def _target(label: str, value: float | None, limit: float) -> str:
    if value is None:
        return ""
    ok = value < limit
    cls, word = ("met", "met") if ok else ("missed", "not met")
    return (f"<p>{html.escape(label)}: {value:.2%} (target under {limit:.0%}): "
            f"<span class=\"{cls}\">{word}</span></p>")


def _reporting(report: dict[str, Any]) -> str:
    """The targets at the reporting resolution, then the same shares over distinct
    combinations of every weight and weighted by records, each line labelled."""
    shown = report["utility"].get("reporting")
    if not shown:
        return (_target("Share of real combinations suppressed",
                        report.get("suppressed_share"), 0.10)
                + _target("Share of released combinations fabricated",
                          report.get("fabricated_share"), 0.01)
                + f"<p class=\"note\">Combinations are sets of "
                  f"{report['utility']['headline_length']} or fewer attribute values present "
                  "together in a record (missing values excluded).</p>")
    at = shown["resolution"]
    columns = ", ".join(shown["columns"])
    return (_target(f"Real combinations of {at} or more records suppressed",
                    shown["suppressed_share"], 0.10)
            + _target(f"Released combinations of {at} or more records (scaled to the input) "
                      "fabricated", shown["fabricated_share"], 0.01)
            + f"<p class=\"note\">At the reporting resolution, as a synthetic data showcase "
              f"reports: every combination of one or two values of {html.escape(columns)} "
              f"(missing values are not attributes), counting those of {at} records or "
              "more.</p>"
            + "<p>The same shares at every weight and weighted by records:</p>"
            + _table(["measure", "suppressed", "fabricated"], [
                [f"combinations of {at} or more records (the targets)",
                 Share(shown["suppressed_share"]), Share(shown["fabricated_share"])],
                ["distinct combinations of every weight",
                 Share(shown["suppressed_share_every_weight"]),
                 Share(shown["fabricated_share_every_weight"])],
                ["weighted by records", Share(shown["suppressed_record_share"]),
                 Share(shown["fabricated_record_share"])]])
            + f"<p>Released records that copy a record unique in the input: "
              f"{Share(report['utility']['unique_copies']):.2%}.</p>")


def render_html(report: dict[str, Any]) -> str:
    """Render ``report`` as one self-contained HTML page."""
    method = report["method"]
    title = ("k-anonymised export" if method == "k-anonymity"
             else "differentially private synthetic export")
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>Harborlight {html.escape(title)}</title><style>{_CSS}</style></head><body>",
             f"<main><h1>Harborlight {html.escape(title)}: utility and risk report</h1>"]
    summary = {
        "layout": report["layout"], "input layout": report["input"]["layout"],
        "records read": report["input"]["records"],
        "records with sharing consent": report["consent"]["records_kept"],
        "records in (used for the release)": report["rows_in"],
        "control records withheld (risk measurement)": report["control_records_withheld"],
        "records out": report["rows_out"], "quasi-identifiers": report["quasi_identifiers"],
        "k": report["k"], "epsilon": report["epsilon"], "delta": report["delta"],
    }
    parts.append("<h2>Summary</h2>" + _pairs(summary))
    parts.append(_reporting(report))
    consent = report["consent"]
    parts.append("<h2>Consent</h2>" + _pairs({
        "basis": consent["basis"], "records excluded": consent["records_excluded"],
        **{f"excluded: {k}": v for k, v in consent["excluded_because"].items()}}))
    rows = [[length, v["mae"], v["real_combinations"], v["released_combinations"],
             Share(v["suppressed_share"]), Share(v["fabricated_share"]),
             Share(v["suppressed_record_share"]), Share(v["fabricated_record_share"]),
             v["column_sets"], v["column_sets_sampled"]]
            for length, v in report["utility"]["by_length"].items()]
    parts.append("<h2>Utility: marginal counts against the real data</h2>" + _table(
        ["way", "MAE of counts", "real combinations", "released combinations",
         "suppressed share", "fabricated share", "suppressed (record-weighted)",
         "fabricated (record-weighted)", "column sets", "column sets sampled"], rows))
    buckets = report["utility"].get("suppressed_by_real_count")
    if buckets:
        parts.append("<p>Suppressed two-way combinations by their real count:</p>" + _table(
            ["real count", "real combinations", "suppressed share"],
            [[b["bucket"], b["real_combinations"], Share(b["suppressed_share"])]
             for b in buckets]))
    worst = report["utility"].get("largest_two_way_errors", [])
    if worst:
        parts.append("<p>Largest two-way count errors (a check on joint distributions, not "
                     "only marginals):</p>" + _table(
                         ["columns", "largest absolute count error"],
                         [[w["columns"], w["max_abs_count_error"]] for w in worst]))
    if report.get("information_loss"):
        loss = dict(report["information_loss"])
        per_qi = loss.pop("per_quasi_identifier", {})
        parts.append("<h2>Information lost</h2>" + _pairs(loss) + _table(
            ["quasi-identifier", "level", "of", "generalised to", "distinct before",
             "distinct after"],
            [[q, v["level"], v["max_level"], v["generalised_to"], v["distinct_values_before"],
              v["distinct_values_after"]] for q, v in per_qi.items()]))
    if report.get("privacy"):
        parts.append("<h2>Differential privacy</h2>" + _pairs(
            {k: v for k, v in report["privacy"].items() if k != "measured_pairs"}))
    risk = report["risk"]
    parts.append("<h2>Re-identification risk</h2>")
    if risk.get("evaluated"):
        rows = [["singling out", risk["singling_out"]["success_targets"],
                 risk["singling_out"]["success_control"], risk["singling_out"]["risk"]],
                ["linkability", risk["linkability"].get("success_targets"),
                 risk["linkability"].get("success_control"), risk["linkability"]["risk"]]]
        rows += [[f"inference of {k}", v["success_targets"], v["success_control"], v["risk"]]
                 for k, v in risk["inference"].items()]
        parts.append(_table(["attack", "success on records in the release",
                             "success on control records", "risk"], rows))
        parts.append(f"<p class=\"note\">{html.escape(risk['method'])}. Samples: "
                     f"{risk['targets_and_control_records']:,} target and control records; "
                     f"{risk['released_records_searched']:,} released records searched"
                     f"{' (sampled)' if risk['released_records_sampled'] else ''}.</p>")
    else:
        parts.append(f"<p>Not evaluated: {html.escape(risk.get('reason', ''))}</p>")
    parts.append("<h2>Sources and terms</h2><ul>" + "".join(
        f"<li>{html.escape(a)}</li>" for a in report["attribution"]) + "</ul>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def to_json(report: dict[str, Any]) -> str:
    def default(value: Any) -> Any:
        if hasattr(value, "item"):
            return value.item()
        raise TypeError(f"cannot write {type(value).__name__} to the report")

    return json.dumps(report, indent=2, ensure_ascii=False, default=default) + "\n"
