"""Administrators extend the indicator catalog (catalog.manage); others may not."""

from __future__ import annotations

from harborlight.intake.catalog import current_catalog
from harborlight.intake.models import CatalogExtension, Tip
from harborlight.intake import triage
from harborlight.intake.triage import create_tip

ENTRY = {"indicator_id": "labour.car-wash-cash", "category": "labour_trafficking",
         "description": "Car wash workers paid only in tips, living on site.",
         "evidence_grade": "C", "source": "Local task force bulletin",
         "cues": r"\bcar wash\b", "codings": "vic_TypeOfExploitation=ForcedLabour"}


def test_it_lets_an_administrator_add_an_indicator_that_then_suggests(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    assert admin.get("/tips/catalog/").status_code == 200
    response = admin.post("/tips/catalog/", ENTRY)
    assert response.status_code == 302
    assert CatalogExtension.objects.get().added_by == cast.role("administrator")
    catalog = current_catalog()
    assert catalog.get("labour.car-wash-cash").extension
    tip, _ = create_tip(cast.own, narrative="Men sleep at the car wash.",
                                    channel="call")
    assert "indicator:labour.car-wash-cash" in {s.key for s in triage.suggestions(tip)}


def test_it_refuses_a_bad_pattern_or_unknown_code_and_stores_nothing(cast, signed_in_client):
    admin = signed_in_client(cast.role("administrator"))
    bad_pattern = admin.post("/tips/catalog/", {**ENTRY, "cues": "(unclosed"})
    bad_code = admin.post("/tips/catalog/", {**ENTRY, "codings": "vic_TypeOfExploitation=Nope"})
    reused_id = admin.post("/tips/catalog/", {**ENTRY, "indicator_id": "control.debt"})
    assert bad_pattern.status_code == bad_code.status_code == reused_id.status_code == 400
    assert "not a valid pattern" in bad_pattern.content.decode()
    assert "has no code Nope" in bad_code.content.decode()
    assert not CatalogExtension.objects.exists()


def test_it_refuses_the_catalog_to_roles_without_catalog_manage(cast, signed_in_client):
    operator = signed_in_client(cast.role("hotline_operator"))
    assert operator.get("/tips/catalog/").status_code == 403
    assert operator.post("/tips/catalog/", ENTRY).status_code == 403
