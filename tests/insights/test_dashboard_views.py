"""The insights dashboard: own figures, small-cell protection, filters, downloads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from harborlight.accounts.models import Role
from harborlight.cases.models import Case, Person, PersonRole
from harborlight.insights.comparison import load_ctdc
from harborlight.security.audit.models import AuditEntry
from tests_support import CTDC_2024_HEADER, ctdc_row


def add_victims(organisation, count: int, **fields) -> None:
    case = Case.objects.create(organisation=organisation,
                               reference=f"C-INS{Case.objects.count():04d}-0001")
    for _ in range(count):
        Person.objects.create(organisation=organisation, case=case, role=PersonRole.VICTIM,
                              **fields)


@pytest.fixture
def victims(cast):
    add_victims(cast.own, 12, gender="Feminine", citizenship="MDA",
                types_of_exploitation=["SexualExploitation"])
    add_victims(cast.own, 3, gender="Masculine", citizenship="UKR",
                types_of_exploitation=["ForcedLabour"], methods_of_control=["DebtBondage"])
    add_victims(cast.other, 40, gender="Masculine", types_of_exploitation=["ForcedLabour"])
    return cast


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_it_shows_the_dashboard_to_analysts_only(victims, signed_in_client):
    assert signed_in_client(victims.role(Role.ANALYST)).get("/insights/").status_code == 200
    assert signed_in_client(victims.role(Role.CASEWORKER)).get("/insights/").status_code == 403


def test_it_counts_own_victims_and_hides_small_cells(victims, signed_in_client, settings):
    # An analyst sees noisy counts (test_noisy_dashboard.py); at this epsilon the noise is
    # zero but for about 1 draw in 10^9, so the small-cell rule shows plainly.
    settings.INSIGHTS_DP_EPSILON = settings.INSIGHTS_DP_BUDGET = 22.0 * 18
    response = signed_in_client(victims.role(Role.ANALYST)).get(
        "/insights/charts/exploitation.csv")
    assert response.status_code == 200
    # 12 own sexual exploitation, 3 own forced labour (<11); the other org's 40 never count.
    assert _csv(response) == [["label", "count"], ["Forced labour", "<11"],
                              ["Sexual exploitation", "12"], ["Other exploitation", "0"]]


def test_it_shows_exact_figures_to_supervisors(victims, signed_in_client):
    response = signed_in_client(victims.role(Role.SUPERVISOR)).get(
        "/insights/charts/exploitation.csv")
    assert _csv(response)[1] == ["Forced labour", "3"]


def test_it_renders_charts_with_their_data_tables(victims, signed_in_client, settings):
    settings.INSIGHTS_DP_EPSILON = settings.INSIGHTS_DP_BUDGET = 22.0 * 18  # noise ~ 0
    page = signed_in_client(victims.role(Role.ANALYST)).get("/insights/").content.decode()
    assert page.count("<svg") >= 6
    assert "Sexual exploitation" in page and "&lt;11" in page
    assert "Data for type of exploitation" in page


def test_it_applies_filters(victims, signed_in_client):
    client = signed_in_client(victims.role(Role.SUPERVISOR))
    rows = _csv(client.get("/insights/charts/gender.csv?gender=Man"))
    assert rows == [["label", "count"], ["Man", "3"]]


@pytest.mark.parametrize("query, field", [("year_from=2025&year_to=2020", "year_to"),
                                          ("gender=Robot", "gender"),
                                          ("year_from=abc", "year_from"),
                                          ("exploitation=isSecret", "exploitation")])
def test_it_explains_bad_filters_per_field(victims, signed_in_client, query, field):
    client = signed_in_client(victims.role(Role.ANALYST))
    page = client.get(f"/insights/?{query}")
    assert page.status_code == 400 and field in page.context["form"].errors
    assert "charts" not in page.context
    download = client.get(f"/insights/charts/gender.csv?{query}")
    assert download.status_code == 400 and field in download.content.decode()


def test_it_downloads_svg_and_audits_exports(victims, signed_in_client):
    client = signed_in_client(victims.role(Role.ANALYST))
    response = client.get("/insights/charts/world.svg")
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg")
    flows = client.get("/insights/charts/flows.svg?year_from=2099")  # no records: no matrix
    assert flows.status_code == 404
    assert client.get("/insights/charts/nonsense.csv").status_code == 404
    exports = AuditEntry.objects.filter(action="export", object_type="insights.chart")
    assert list(exports.values_list("object_id", flat=True)) == ["world"]


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def test_it_compares_with_the_loaded_global_data(victims, signed_in_client, data_dir, tmp_path):
    release = tmp_path / "ctdc.csv"
    rows = [ctdc_row("Man", {"isForcedLabour": "1"})] * 30 + \
           [ctdc_row("Woman", {"isSexualExploit": "1"})] * 11
    release.write_text(CTDC_2024_HEADER + "\n" + "\n".join(rows) + "\n")
    load_ctdc(release, Path(data_dir))
    client = signed_in_client(victims.role(Role.SUPERVISOR))
    page = client.get("/insights/?compare=on")
    assert page.status_code == 200
    exploitation = next(c for c in page.context["charts"] if c.id == "exploitation")
    assert exploitation.compared
    assert [c.display for c in exploitation.comparison] == ["73.2%", "26.8%", "0.0%"]
    assert "Counter Trafficking Data Collaborative, IOM" in page.content.decode()


def test_it_says_when_no_global_data_is_loaded(victims, signed_in_client, data_dir):
    page = signed_in_client(victims.role(Role.ANALYST)).get("/insights/?compare=on")
    assert b"No global data is loaded" in page.content


def test_it_maps_the_exploitation_event_by_country_and_us_state(victims, signed_in_client):
    from harborlight.cases.models import EventType, TraffickingEvent

    case = Case.objects.filter(organisation=victims.own, persons__gender="Feminine").first()
    TraffickingEvent.objects.create(organisation=victims.own, case=case,
                                    type=EventType.EXPLOITATION, state="TX", country="USA")
    TraffickingEvent.objects.create(organisation=victims.own, case=case,
                                    type=EventType.RECRUITMENT, state="NM", country="MEX")
    client = signed_in_client(victims.role(Role.SUPERVISOR))
    assert _csv(client.get("/insights/charts/us.csv")) == [["label", "count"], ["Texas", "12"]]
    assert _csv(client.get("/insights/charts/world.csv")) == [["label", "count"],
                                                              ["United States", "12"]]
