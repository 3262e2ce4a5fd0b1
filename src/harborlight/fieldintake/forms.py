"""The forms Harborlight serves to ODK Collect and KoboCollect.

The HTCDS intake form is an XLSForm kept in this package (``data/htcds_intake.md``, the
XLSForm's sheets as Markdown tables, so a review reads it as text) and converted to an
XForm with pyxform once per process. Its question names are the HTCDS toolkit's own
(``../Toolkit/Survey/htcds_xlsform.xlsx``), spelling variants included, so a form built
from the toolkit sends the same names. The variants are mapped to the standard's names in
one place for every reader (the form, the flat-file import, ODK Central and Kobo exports):
the ``variants`` of ``vocab/htcds/fields.json``, read by :func:`standard_name`.

An administrator may add the organisation's own XLSForms
(:class:`~harborlight.fieldintake.models.OrganisationForm`, :mod:`.uploads`); the form
list serves the newest version of each beside the HTCDS form.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from pyxform.xls2xform import convert

from harborlight.cases.htcds_map import htcds_map
from harborlight.fieldintake.models import OrganisationForm
from harborlight.vocab.loader import htcds_names

DATA = Path(__file__).resolve().parent / "data"
HTCDS_FORM_ID = "htcds_intake"


def standard_name(name: str) -> str | None:
    """The HTCDS standard's name for a question name (a toolkit spelling such as
    ``prs_First_Name`` included), or None when the question is not an HTCDS field."""
    field = htcds_names().get(name)
    return field["field"] if field is not None else None


def is_multiple(standard: str) -> bool:
    """Whether the field holds several codes (a select_multiple: space-separated)."""
    home = htcds_map().get(standard)
    return home is not None and home.kind == "codes"


@dataclass(frozen=True)
class ServedForm:
    form_id: str
    title: str
    version: str
    xml: bytes
    versions: tuple[str, ...] = ()  # older versions whose submissions are still taken

    def takes(self, version: str) -> bool:
        return version == self.version or version in self.versions

    @property
    def hash(self) -> str:
        """The form list's ``md5:`` hash: Collect downloads the form again when it changes."""
        return "md5:" + hashlib.md5(self.xml, usedforsecurity=False).hexdigest()


@functools.cache
def htcds_form() -> ServedForm:
    """The HTCDS intake form as an XForm (converted on first use, then kept)."""
    source = DATA / "htcds_intake.md"
    xform = convert(str(source), pretty_print=True).xform
    version = _between(xform, f' id="{HTCDS_FORM_ID}" version="', '"')
    return ServedForm(form_id=HTCDS_FORM_ID, title=_between(xform, "<h:title>", "<"),
                      version=version, xml=xform.encode("utf-8"))


def served_forms(organisation=None) -> dict[str, ServedForm]:
    """The forms an organisation's devices may download, by form id: the HTCDS form, then
    the newest version of each of the organisation's own forms."""
    form = htcds_form()
    forms = {form.form_id: form}
    if organisation is None:
        return forms
    for row in OrganisationForm.objects.filter(organisation=organisation):  # newest first
        if row.form_id in forms:
            served = forms[row.form_id]
            if row.form_id != HTCDS_FORM_ID:
                forms[row.form_id] = ServedForm(served.form_id, served.title, served.version,
                                                served.xml, served.versions + (row.version,))
            continue
        forms[row.form_id] = ServedForm(row.form_id, row.title, row.version,
                                        row.xform.encode("utf-8"))
    return forms


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]
