"""Noisy dashboards: a viewer without ``insights.exact`` sees differentially private counts,
released once per period and filters, with small cells hidden after the noise, and the
month's budget never overspent however often the pages load."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.template.defaultfilters import floatformat

from harborlight.accounts.models import Role
from harborlight.cases.models import Case, Person, PersonRole
from harborlight.insights import noisy
from harborlight.insights.aggregate import (Filters, category_label, dashboard_spec,
                                            exact_counts)
from harborlight.insights.models import NoisyRelease
from harborlight.insights.records import own_frame
from harborlight.security.audit.models import AuditEntry
from harborlight.security.permissions import can
from tests_support import assert_audited, make_user

#: A view's epsilon at which every table gets epsilon 22 (noise scale 0.045): its counts
#: are the true ones except with probability about 1e-9 per cell.
NEARLY_EXACT = 22.0 * 18


def add_victims(organisation, count: int, **fields) -> None:
    case = Case.objects.create(organisation=organisation,
                               reference=f"C-NOI{Case.objects.count():04d}-0001")
    for _ in range(count):
        Person.objects.create(organisation=organisation, case=case, role=PersonRole.VICTIM,
                              **fields)


@pytest.fixture
def seeded(cast):
    """A seeded organisation: large groups (noise cannot hide in rounding) and a small one."""
    add_victims(cast.own, 240, gender="Feminine", citizenship="MDA",
                types_of_exploitation=["SexualExploitation"],
                methods_of_control=["PhysicalThreats", "FalsePromises"])
    add_victims(cast.own, 180, gender="Masculine", citizenship="UKR",
                types_of_exploitation=["ForcedLabour"], methods_of_control=["DebtBondage"])
    add_victims(cast.own, 4, gender="Masculine", citizenship="ROU",
                types_of_exploitation=["ForcedMarriage"])
    add_victims(cast.other, 50, gender="Feminine", types_of_exploitation=["ForcedLabour"])
    return cast


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def _true_counts(organisation, filters=Filters()) -> dict:
    frame = filters.apply(own_frame(organisation))
    return {spec["id"]: exact_counts(spec, frame) for spec in dashboard_spec()["charts"]}


def test_the_policy_gives_exact_counts_to_supervisors_only(seeded):
    assert can(seeded.role(Role.SUPERVISOR), "insights.exact")
    assert can(seeded.role(Role.ANALYST), "insights.view")
    assert not can(seeded.role(Role.ANALYST), "insights.exact")


def test_a_viewer_without_exact_counts_never_gets_the_true_ones(seeded, signed_in_client):
    analyst = seeded.role(Role.ANALYST)
    client = signed_in_client(analyst)
    page = client.get("/insights/")
    assert page.status_code == 200
    truth = _true_counts(seeded.own)
    # What the analyst's page was built from is the release, never the true counts.
    release = NoisyRelease.objects.get(organisation=seeded.own)
    shown = {c.id: {cell.label: cell.display for cell in c.data.cells}
             for c in page.context["charts"]}
    for chart in ("gender", "exploitation", "means"):
        noisy_values = dict(release.counts[chart]["counts"])
        true_values = dict(truth[chart]["counts"])
        big = [key for key, n in true_values.items() if n >= 100]
        assert big, chart
        # Noise of scale 18 equals zero in about 3% of draws: all of these at once, never.
        assert [noisy_values.get(key) for key in big] != [true_values[key] for key in big]
    gender_csv = dict(_csv(client.get("/insights/charts/gender.csv"))[1:])
    assert (gender_csv["Woman"], gender_csv["Man"]) != ("240", "184")
    assert gender_csv["Woman"] == f"{dict(release.counts['gender']['counts'])['Woman']:,}"
    assert shown["gender"] == {category_label(value): f"{n:,}" if n >= 11 else "<11"
                               for value, n in release.counts["gender"]["counts"]}
    body = page.content.decode()
    assert "These counts are noisy." in body
    assert f"ε = {floatformat(release.epsilon, -3)} for this view" in body


def test_a_supervisor_still_sees_exact_counts_and_spends_nothing(seeded, signed_in_client):
    client = signed_in_client(seeded.role(Role.SUPERVISOR))
    assert dict(_csv(client.get("/insights/charts/gender.csv"))[1:]) == {"Woman": "240",
                                                                         "Man": "184"}
    page = client.get("/insights/").content.decode()
    assert "These counts are noisy." not in page
    assert not NoisyRelease.objects.exists()


def test_small_cells_are_hidden_after_the_noise(seeded, signed_in_client, settings):
    settings.INSIGHTS_DP_EPSILON = NEARLY_EXACT
    settings.INSIGHTS_DP_BUDGET = NEARLY_EXACT
    client = signed_in_client(seeded.role(Role.ANALYST))
    rows = _csv(client.get("/insights/charts/exploitation.csv"))
    # Four records of other exploitation: a noisy count near 4 shows as "<11".
    assert rows == [["label", "count"], ["Forced labour", "180"],
                    ["Sexual exploitation", "240"], ["Other exploitation", "<11"]]
    release = NoisyRelease.objects.get()
    for chart in release.counts.values():
        for value in chart.get("counts", []) + [c[1:] for c in chart.get("cells", [])]:
            assert value[-1] >= 0
    # Every noisy count from 1 to 10 shows as "<11", in every chart.
    page = client.get("/insights/")
    for chart in page.context["charts"]:
        cells = chart.data.cells + [c for row in chart.data.matrix for c in row]
        for cell in cells:
            if cell.value is None:
                assert cell.display == "<11", (chart.id, cell)
            else:
                assert cell.value == 0 or cell.value >= 11, (chart.id, cell)


def test_noise_on_a_large_domain_puts_no_country_on_the_map(seeded, signed_in_client):
    client = signed_in_client(seeded.role(Role.ANALYST))
    client.get("/insights/")
    countries = NoisyRelease.objects.get().counts["world"]["counts"]
    floor = noisy.large_domain_floor(255, noisy.view_epsilon() / noisy.table_count())
    assert all(n >= floor for _, n in countries)
    assert floor > 100, "scale 18 noise over 255 countries needs a high floor"


def test_reloading_and_downloading_spend_nothing_and_audit_the_release_once(
        seeded, signed_in_client):
    client = signed_in_client(seeded.role(Role.ANALYST))
    first = [c.data.cells for c in client.get("/insights/").context["charts"]]
    for _ in range(4):
        again = [c.data.cells for c in client.get("/insights/").context["charts"]]
        assert again == first
    client.get("/insights/charts/gender.csv")
    client.get("/insights/charts/world.svg")
    # Another viewer of the same organisation sees the same release too.
    signed_in_client(make_user(seeded.own, Role.ANALYST, "own-analyst-2")).get("/insights/")
    release = NoisyRelease.objects.get()
    # At most the view's epsilon (1): a table of no cells (the flows chart without
    # countries of exploitation) is not drawn and costs nothing.
    assert 0.9 < release.epsilon <= 1.0
    assert noisy.spent(seeded.own, noisy.period_of()) == release.epsilon
    entry = assert_audited("create", release)[0]
    assert entry.details["epsilon"] == f"{release.epsilon:.6g}"
    assert entry.details["period_budget"] == "10"


def test_new_filters_are_refused_once_the_budget_is_spent(seeded, signed_in_client,
                                                          settings):
    settings.INSIGHTS_DP_BUDGET = 2.5
    client = signed_in_client(seeded.role(Role.ANALYST))
    assert client.get("/insights/?gender=Woman").status_code == 200
    assert client.get("/insights/?gender=Man").status_code == 200
    refused = client.get("/insights/?age=9--17")
    body = refused.content.decode()
    assert refused.status_code == 200 and "charts" not in refused.context
    assert "privacy budget for noisy dashboards is spent" in body
    download = client.get("/insights/charts/gender.csv?age=9--17")
    assert download.status_code == 409 and "budget" in download.content.decode()
    # The views already released are still shown, from their release.
    assert client.get("/insights/?gender=Woman").context["charts"]
    assert NoisyRelease.objects.count() == 2
    assert noisy.spent(seeded.own, noisy.period_of()) <= 2.0 + 1e-9
    assert AuditEntry.objects.filter(object_type="insights.noisyrelease").count() == 2


@pytest.mark.parametrize("seed", range(4))
def test_the_ledger_never_spends_more_than_the_budget(seeded, seed, settings):
    """Random view budgets, period budgets and filters, loaded again and again."""
    rng = random.Random(seed)
    settings.INSIGHTS_DP_EPSILON = rng.choice([0.3, 0.5, 1.0, 2.0])
    settings.INSIGHTS_DP_BUDGET = rng.choice([0.5, 1.0, 2.5, 4.0])
    analyst = seeded.role(Role.ANALYST)
    refused = 0
    for _ in range(12):
        filters = Filters(gender=rng.choice(["", "Woman", "Man"]),
                          year_from=rng.choice([None, 2020, 2024]))
        try:
            noisy.release(analyst, own_frame(seeded.own), filters)
        except noisy.BudgetSpent:
            refused += 1
        assert noisy.spent(seeded.own, noisy.period_of()) <= \
            settings.INSIGHTS_DP_BUDGET * (1 + 1e-9)
    releases = list(NoisyRelease.objects.all())
    assert len({r.filters_key for r in releases}) == len(releases)  # each view once
    assert all(r.epsilon <= settings.INSIGHTS_DP_EPSILON * (1 + 1e-9) for r in releases)
    assert AuditEntry.objects.filter(object_type="insights.noisyrelease").count() == \
        len(releases)
    if settings.INSIGHTS_DP_BUDGET < settings.INSIGHTS_DP_EPSILON:
        assert not releases and refused == 12


def test_a_release_stays_within_its_own_epsilon(seeded):
    counts, cost = noisy.draw(own_frame(seeded.own), Filters(), 1.0)
    assert cost <= 1.0 + 1e-9 and set(counts) == {
        spec["id"] for spec in dashboard_spec()["charts"]}
