"""The forms Harborlight serves to ODK Collect and KoboCollect.

The HTCDS intake form is an XLSForm kept in this package (``data/htcds_intake.md``, the
XLSForm's sheets as Markdown tables, so a review reads it as text) and converted to an
XForm with pyxform once per process. Its question names are the HTCDS toolkit's own
(``../Toolkit/Survey/htcds_xlsform.xlsx``), spelling variants included, so a form built
from the toolkit sends the same names; :data:`HTCDS_NAMES` maps the variants to the names
of the HTCDS standard that the rest of Harborlight uses.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from pyxform.xls2xform import convert

DATA = Path(__file__).resolve().parent / "data"
HTCDS_FORM_ID = "htcds_intake"

# The toolkit's spellings -> the HTCDS standard's field names (vocab/field_words.json).
HTCDS_NAMES = {
    "prs_First_Name": "prs_FirstName",
    "prs_Second_Name": "prs_SecondName",
    "vic_Methods_of_Control": "vic_MethodsOfControl",
}
# Questions whose answer is a space-separated list (select_multiple).
MULTIPLE = {"vic_TypeOfExploitation", "vic_MethodsOfControl"}


@dataclass(frozen=True)
class ServedForm:
    form_id: str
    title: str
    version: str
    xml: bytes

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


def served_forms() -> dict[str, ServedForm]:
    """The forms an organisation's devices may download, by form id."""
    form = htcds_form()
    return {form.form_id: form}


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]
