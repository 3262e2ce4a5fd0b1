"""Noisy dashboards: differentially private counts for viewers who may not see exact ones.

Who sees exact counts is one rule, in security/policy.toml: ``insights.exact``. Everyone
else with ``insights.view`` sees the dashboard's counts with noise added, released once and
kept:

- **Noise.** Every table is drawn by the sharing engine's :func:`~harborlight.sharing.dp_counts`
  (OpenDP's discrete Laplace, over the field's public domain, never the values present).
  A view's budget ``INSIGHTS_DP_EPSILON`` is shared equally by its tables: one per chart,
  one per flag of a flags chart (a record may hold every flag), and for the flows chart
  one for citizenship (to choose its rows; its columns come from the country table) and
  one for the chosen rows by columns. What is charged is what OpenDP's privacy map says
  each draw costs, and a view that would cost more than its budget is refused.
- **Small cells after noise.** The noisy counts go through the same
  :class:`~harborlight.insights.aggregate.SmallCellProtector` as exact ones: 1 to k-1
  show as "<k". Over the large domains (countries, US states) a noisy count is shown
  only from the level noise on a true zero seldom reaches (:func:`large_domain_floor`),
  else the map would fill with countries where no one was.
- **The ledger.** Each release is a :class:`~harborlight.insights.models.NoisyRelease`
  row: organisation, period (calendar month, UTC), filters, epsilon spent and the noisy
  counts. A period's rows never add up to more than ``INSIGHTS_DP_BUDGET``; a set of
  filters already released this period is shown again from its row (reloads, downloads,
  other viewers), spending nothing. A new set of filters once the budget is spent is
  refused with a message. The release is audited once, when it is made.

A fresh budget each month is a policy choice: the privacy loss of the months adds up
(basic composition), and the page says which epsilon each view cost.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from harborlight.accounts.models import Organisation
from harborlight.errors import DomainError
from harborlight.insights.aggregate import DEFAULT_MIN_CELL, Filters, dashboard_spec, us_states
from harborlight.insights.models import NoisyRelease
from harborlight.security.audit.log import audited, record
from harborlight.sharing import MissingExtra, dp_counts
from harborlight.sharing.encoding import Encoding

#: Budget of one view (one set of filters), pure epsilon-DP, shared by its tables.
DEFAULT_EPSILON = 1.0
#: Budget of an organisation's dashboards per period (calendar month, UTC).
DEFAULT_BUDGET = 10.0
#: Years a noisy "by year" chart counts when the filters set no first year: the last ten
#: up to this one, a public domain (the data's own years would disclose who is there).
DEFAULT_YEARS = 10
LAYOUT = "ctdc-2024"
#: Domains larger than this (countries, US states) leave out noisy counts under k.
LARGE_DOMAIN = 20
_SLACK = 1e-9


class BudgetSpent(DomainError):
    code = "privacy_budget"


class NoisyUnavailable(DomainError):
    code = "missing_extra"
    status = 503


def view_epsilon() -> float:
    return float(getattr(settings, "INSIGHTS_DP_EPSILON", DEFAULT_EPSILON))


def period_budget() -> float:
    return float(getattr(settings, "INSIGHTS_DP_BUDGET", DEFAULT_BUDGET))


def min_cell() -> int:
    return int(getattr(settings, "INSIGHTS_MIN_CELL", DEFAULT_MIN_CELL))


def period_of(moment: datetime.datetime | None = None) -> str:
    return (moment or timezone.now()).astimezone(datetime.timezone.utc).strftime("%Y-%m")


def filters_key(filters: Filters) -> str:
    return json.dumps(dataclasses.asdict(filters), sort_keys=True, separators=(",", ":"))


def spent(organisation, period: str) -> float:
    total = NoisyRelease.objects.filter(organisation=organisation, period=period)\
        .aggregate(total=Sum("epsilon"))["total"]
    return float(total or 0.0)


def table_count() -> int:
    """How many noisy tables one view draws (its budget is shared by them)."""
    count = 0
    for spec in dashboard_spec()["charts"]:
        count += len(spec["columns"]) if spec["kind"] == "flags" else (
            2 if spec["kind"] == "flows" else 1)
    return count


# --- drawing -----------------------------------------------------------------------------

def large_domain_floor(cells: int, epsilon: float) -> int:
    """The least noisy count shown over a large domain: the small-cell limit, or the level
    that noise alone (discrete Laplace of scale 1/epsilon, P(noise >= t) < exp(-t epsilon)
    / 2 per cell) passes in fewer than 1 view in 20 over ``cells`` true zeros, if higher."""
    return max(min_cell(), math.ceil(math.log(10 * cells) / epsilon))



def _only_domain(frame: pd.DataFrame, field: str, domain: list[str]) -> pd.DataFrame:
    """``frame`` with ``field``'s values outside ``domain`` read as missing (a rule on each
    record alone, so it costs no privacy)."""
    values = frame[field] if field in frame else pd.Series("", index=frame.index)
    out = frame.copy()
    out[field] = values.where(values.isin(set(domain)), "")
    return out


def _layout_domain(field: str) -> list[str]:
    return [v for v in Encoding.for_layout(LAYOUT, [field]).domains[field] if v != ""]


class _Drawer:
    """Draws the tables of one view, adding up what OpenDP says each cost."""

    def __init__(self, frame: pd.DataFrame, epsilon_per_table: float):
        self.frame, self.epsilon, self.spent = frame, epsilon_per_table, 0.0

    def counts(self, field: str, domain: list[str] | None = None,
               frame: pd.DataFrame | None = None) -> list[list[Any]]:
        """Noisy counts of ``field`` over its public domain, largest first, zeros left out.

        Over a domain larger than ``LARGE_DOMAIN`` (countries, states) a noisy count is
        kept only from ``large_domain_floor`` up: below it, noise on the many true zeros
        would put countries on the map where no one was."""
        domain = _layout_domain(field) if domain is None else domain
        source = _only_domain(self.frame if frame is None else frame, field, domain)
        table = dp_counts(source, [field], epsilon=self.epsilon, layout=LAYOUT,
                          domains={field: domain})
        self.spent += float(table.attrs["epsilon"])
        least = (large_domain_floor(len(domain), self.epsilon) if len(domain) > LARGE_DOMAIN
                 else 1)
        table = table[table["count"] >= least].sort_values("count", ascending=False,
                                                            kind="stable")
        return [[value, int(n)] for value, n in zip(table[field], table["count"])]

    def flows(self, spec: dict[str, Any], columns: list[str]) -> dict[str, Any]:
        """Rows: the top citizenships of a noisy table; columns: the top countries of the
        country chart's noisy table; then one noisy table over those rows by columns
        (chosen from noisy figures only, so measuring just them is fair)."""
        top = spec.get("top", 8)
        both = self.frame[(self.frame[spec["from"]] != "") & (self.frame[spec["to"]] != "")]
        rows = [value for value, _ in self.counts(spec["from"], frame=both)[:top]]
        columns = columns[:top]
        pairs = both[both[spec["from"]].isin(rows) & both[spec["to"]].isin(columns)]
        if not rows or not columns:
            return {"rows": [], "columns": [], "cells": []}
        table = dp_counts(pairs, [spec["from"], spec["to"]], epsilon=self.epsilon,
                          layout=LAYOUT, domains={spec["from"]: rows, spec["to"]: columns})
        self.spent += float(table.attrs["epsilon"])
        return {"rows": rows, "columns": columns,
                "cells": [[r, c, int(n)] for r, c, n in
                          zip(table[spec["from"]], table[spec["to"]], table["count"])]}


def _years(filters: Filters) -> list[str]:
    last = filters.year_to or max(timezone.now().year, filters.year_from or 0)
    first = filters.year_from or last - DEFAULT_YEARS + 1
    return [str(year) for year in range(first, last + 1)]


def _states() -> list[str]:
    return sorted({row["usps"].upper() for row in us_states().values()})


def _as_usps(frame: pd.DataFrame, field: str) -> pd.DataFrame:
    """State names and codes alike as USPS codes (the map's public domain)."""
    states = us_states()
    out = frame.copy()
    out[field] = frame[field].map(
        lambda v: states.get(str(v).strip().upper(), {}).get("usps", "").upper()) \
        if field in frame else ""
    return out


def draw(frame: pd.DataFrame, filters: Filters, epsilon: float) -> tuple[dict, float]:
    """Noisy counts of every chart for ``frame`` (already filtered), as
    :func:`~harborlight.insights.aggregate.exact_counts` shapes them; and epsilon spent."""
    drawer = _Drawer(frame, epsilon / table_count())
    out: dict[str, dict[str, Any]] = {}
    charts = dashboard_spec()["charts"]
    # The country table first: the flows chart takes its columns from it.
    for spec in sorted(charts, key=lambda s: s["kind"] == "flows"):
        kind = spec["kind"]
        if kind == "flags":
            found = []
            for column in spec["columns"]:
                ones = drawer.counts(column)
                found.append([column, ones[0][1] if ones else 0])
            out[spec["id"]] = {"counts": found}
        elif kind == "flows":
            country = next((out[s["id"]]["counts"] for s in charts
                            if s["kind"] == "world" and s["column"] == spec["to"]), None)
            if country is None:
                country = drawer.counts(spec["to"])
            out[spec["id"]] = drawer.flows(spec, [value for value, _ in country])
        elif kind == "columns" and spec["column"] == "yearOfRegistration":
            out[spec["id"]] = {"counts": drawer.counts(spec["column"], _years(filters))}
        elif kind == "us":
            out[spec["id"]] = {"counts": drawer.counts(
                spec["column"], _states(), _as_usps(frame, spec["column"]))}
        else:
            out[spec["id"]] = {"counts": drawer.counts(spec["column"])}
    if drawer.spent > epsilon * (1 + _SLACK):
        raise RuntimeError(f"a noisy view would spend epsilon {drawer.spent:g}, more than "
                           f"its {epsilon:g}")  # a programming error: never released
    return out, round(drawer.spent, 9)  # 18 eighteenths make 1, not 0.9999999999999999


# --- the ledger ------------------------------------------------------------------------

def released(organisation, filters: Filters, period: str | None = None
             ) -> NoisyRelease | None:
    return NoisyRelease.objects.filter(organisation=organisation,
                                       period=period or period_of(),
                                       filters_key=filters_key(filters)).first()


def _refuse_if_over(used: float, epsilon: float) -> None:
    """BudgetSpent if spending ``epsilon`` on top of ``used`` would pass the budget."""
    budget = period_budget()
    if used + epsilon > budget * (1 + _SLACK):
        raise BudgetSpent(_(
            "This month's privacy budget for noisy dashboards is spent (ε %(used)g of "
            "%(budget)g): the views already released this month can still be seen; new "
            "filters can be released next month.") % {"used": round(used, 6),
                                                    "budget": budget})


def release(user, frame: pd.DataFrame, filters: Filters) -> NoisyRelease:
    """The noisy counts of this view for ``user``'s organisation: the period's release of
    these filters if there is one, else a new one (audited once) if the budget allows.

    ``frame`` is the organisation's records, before the filters."""
    organisation, period, key = user.organisation, period_of(), filters_key(filters)
    found = released(organisation, filters, period)
    if found is not None:
        return found
    epsilon = view_epsilon()
    _refuse_if_over(spent(organisation, period), epsilon)  # before drawing anything
    try:
        counts, cost = draw(filters.apply(frame), filters, epsilon)
    except MissingExtra:
        raise NoisyUnavailable(_(
            "Noisy counts need Harborlight's sharing extra (pip install "
            "'harborlight[sharing]'); until an administrator installs it, this dashboard "
            "shows no counts to viewers who may not see exact ones.")) from None
    try:
        with audited():
            if transaction.get_connection().vendor != "sqlite":
                # one release at a time per organisation (SQLite writes one at a time)
                Organisation.objects.select_for_update().get(pk=organisation.pk)
            row = NoisyRelease.objects.create(organisation=organisation, period=period,
                                              filters_key=key, epsilon=cost, counts=counts,
                                              created_by=user)
            used = spent(organisation, period)  # this row included
            _refuse_if_over(used - cost, cost)  # raises if over; the row rolls back
            record("create", actor=user, obj=row, details={
                "release": "noisy dashboard counts", "mechanism": "discrete Laplace (OpenDP)",
                "epsilon": f"{cost:.6g}", "period": period, "filters": key,
                "period_spent": f"{used:.6g}", "period_budget": f"{period_budget():g}"})
    except IntegrityError:  # the same view released at the same moment by someone else
        found = released(organisation, filters, period)
        if found is None:
            raise
        return found
    return row
