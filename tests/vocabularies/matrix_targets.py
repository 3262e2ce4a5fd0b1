"""Targets for the HTTP permission matrix (tests/security/test_permission_matrix.py): the
vocabulary pages (cases/views/vocabulary.py), one organisation's own picklist value each,
and its own indicators' pages (intake/indicator_views.py).

They sit apart from tests/cases/matrix_targets.py because tests/cases/test_outsiders.py
signs in another organisation's supervisor on every case page and expects 404; these
pages are the administrators' (catalog.manage), so a supervisor is refused by role first
(403). The matrix's own 404 test signs in another organisation's administrator here.
"""


def targets(cast, whose: str) -> dict:
    from harborlight.cases.models import LocalValue

    organisation = cast.own if whose == "own" else cast.other
    value = LocalValue.objects.get_or_create(
        organisation=organisation, field="vic_TypeOfExploitation", code="x-matrix",
        defaults={"label_en": "Matrix value", "label_es": "Valor de matriz",
                  "maps_to": "ForcedLabour"})[0]  # a code-like value: words only on its pages
    indicator = LocalValue.objects.get_or_create(  # an organisation's own indicator
        organisation=organisation, field="indicator", code="x-matrix",
        defaults={"label_en": "Matrix indicator", "label_es": "Indicador de matriz",
                  "maps_to": "vic_MethodsOfControl=DebtBondage",
                  "entry": {"id": "control.x-matrix", "category": "control",
                            "evidence_grade": "C", "source": "Matrix", "cues": ["matrix"]}})[0]
    return {**{name: {"pk": value.pk} for name in (
        "cases:vocabulary_value", "cases:vocabulary_retire", "cases:vocabulary_delete")},
        **{name: {"pk": indicator.pk} for name in (
            "intake:own_indicator", "intake:own_indicator_retire",
            "intake:own_indicator_delete")}}
