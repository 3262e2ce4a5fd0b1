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
