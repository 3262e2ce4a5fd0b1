"""Validators that check values against the HTCDS picklists shipped in ``vocab/htcds``,
and the values organisations added to them (``LocalValue``, looked up by the app registry
because the models import these validators)."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from harborlight.vocab.loader import htcds_codes


@deconstructible
class HtcdsCode:
    """Accept a code (or, for a multiselect, a list of codes) of one HTCDS picklist."""

    def __init__(self, field: str):
        self.field = field

    def __call__(self, value) -> None:
        values = value if isinstance(value, list) else [value]
        unknown = sorted(str(v) for v in values if v not in ("", None)
                         and v not in htcds_codes(self.field))
        if unknown:  # an organisation's own values (cases.vocabulary) are codes too
            local = set(apps.get_model("cases", "LocalValue").objects.filter(
                field=self.field, code__in=unknown).values_list("code", flat=True))
            unknown = [code for code in unknown if code not in local]
        if unknown:
            raise ValidationError(f"not a {self.field} code: {', '.join(unknown)}",
                                  code="htcds_code")

    def __eq__(self, other) -> bool:
        return isinstance(other, HtcdsCode) and other.field == self.field


def check_own_values(record) -> None:
    """Refuse a record holding another organisation's own value (issue 17).

    :class:`HtcdsCode` sees one field, not the record, so it can only ask whether *some*
    organisation added a code to the picklist. This is the organisation-aware check, the
    one rule for every path that writes a person: the model's ``clean`` (pages, restore)
    and its ``save`` (the API, transfers, the HTCDS import, field intake, scripts).
    """
    asked: dict[str, tuple[str, list[str]]] = {}
    for model_field in type(record)._meta.concrete_fields:
        codes = [v.field for v in model_field.validators if isinstance(v, HtcdsCode)]
        value = getattr(record, model_field.attname, None)
        values = value if isinstance(value, list) else [value]
        local = [v for v in values if isinstance(v, str) and v.startswith("x-")]
        if codes and local:
            asked[model_field.name] = (codes[0], local)
    if not asked:
        return
    own = set(apps.get_model("cases", "LocalValue").objects.filter(
        organisation_id=record.organisation_id,
        field__in=[field for field, _ in asked.values()]).values_list("field", "code"))
    problems = {}
    for name, (field, local) in asked.items():
        foreign = sorted(code for code in local if (field, code) not in own)
        if foreign:
            problems[name] = ValidationError(
                f"not a value of this organisation's {field} picklist: {', '.join(foreign)}",
                code="foreign_value")
    if problems:
        raise ValidationError(problems)
