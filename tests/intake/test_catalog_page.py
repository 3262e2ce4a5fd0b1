"""The catalog page shows the indicators in force for the administrator's organisation
(catalog.manage): shipped, site-wide extensions added before, and the organisation's own,
which are added on their own page (tests/intake/test_own_indicators.py); others may not."""

from __future__ import annotations

from harborlight.intake import triage
from harborlight.intake.catalog import add_indicator, current_catalog
from harborlight.intake.models import CatalogExtension
from harborlight.intake.triage import create_tip

OWN = {"category": "labour_trafficking", "label_en": "Car wash paid in tips only",
       "label_es": "Lavado de autos pagado solo con propinas",
       "maps_to": "vic_TypeOfExploitation=ForcedLabour", "evidence_grade": "C",
       "source": "Local task force bulletin", "cues": [r"\bcar wash\b"]}


def test_it_lists_the_organisations_own_indicators_and_links_their_page(cast,
                                                                        signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    value = add_indicator(cast.own, cast.role("administrator"), **OWN)
    page = admin.get("/tips/catalog/").content.decode()
    assert value.entry["id"] in page and "(yours)" in page
    assert "control.documents-held" in page and 'href="/tips/catalog/own/"' in page
    assert admin.post("/tips/catalog/", {}).status_code == 405  # added on their own page


def test_site_wide_extensions_added_before_stay_in_force(cast):
    CatalogExtension.objects.create(
        indicator_id="labour.car-wash-cash", category="labour_trafficking",
        description="Car wash workers paid only in tips, living on site.",
        evidence_grade="C", source="Local task force bulletin", cues=[r"\bcar wash\b"],
        codings={"vic_TypeOfExploitation": ["ForcedLabour"]},
        added_by=cast.role("administrator"))
    assert current_catalog().get("labour.car-wash-cash").extension
    for organisation in (cast.own, cast.other):
        tip, _ = create_tip(organisation, narrative="Men sleep at the car wash.",
                            channel="call")
        assert "indicator:labour.car-wash-cash" in {s.key for s in triage.suggestions(tip)}


def test_it_refuses_the_catalog_to_roles_without_catalog_manage(cast, signed_in_client):
    operator = signed_in_client(cast.role("hotline_operator"))
    assert operator.get("/tips/catalog/").status_code == 403
