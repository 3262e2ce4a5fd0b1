"""Turn an OpenRosa submission (the XML instance Collect recorded) into a tip, or a case.

The tip is created by :func:`harborlight.intake.triage.create_tip`, the web's and the
API's service, so it is triaged and audited the same way (one ``create`` entry, with the
field worker as actor). Identifying answers go only into encrypted fields: the narrative,
location and people of the tip, the submission's HTCDS values
(:class:`~harborlight.fieldintake.models.FieldSubmission.htcds`) and its attachments
(:class:`~harborlight.fieldintake.models.FieldAttachment`, encrypted files). A second submission of
the same ``instanceID`` (Collect resends when it saw no answer) creates nothing.

When the organisation chose that field interviews arrive as cases
(:class:`~harborlight.fieldintake.models.IntakeSetting`), the tip is converted at once by
the web's own service (:meth:`~harborlight.intake.models.Tip.convert_to_case`, through
``CaseManager.open_new``), with the interviewed person's HTCDS answers read as the HTCDS
import reads a cell (:func:`harborlight.cases.htcds_io.convert`), so the case's HTCDS
export carries the values the field worker entered. Steps, all in one transaction:

1. the answers are converted and checked first, whether the interview arrives as a case or
   stays a tip; a wrong one refuses the whole submission;
2. ``create_tip`` (triaged, one ``create`` entry);
3. ``convert_to_case``: the case with its victim (``create``), the tip closed as
   converted (``update``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.files import File
from django.db import IntegrityError

from harborlight.cases.htcds_io import convert
from harborlight.cases.htcds_map import row_fields
from harborlight.errors import DomainError
from harborlight.fieldintake.forms import is_multiple, served_forms, standard_name
from harborlight.fieldintake.models import (Arrival, FieldAttachment, FieldSubmission,
                                            IntakeSetting)
from harborlight.intake.models import Channel
from harborlight.intake.text import NARRATIVE_MAX, SHORT_TEXT_MAX, text_problem
from harborlight.intake.triage import create_tip
from harborlight.security.audit.log import audited
from harborlight.security.permissions import decide

YES_NO = {"yes", "no", "unknown"}
TRIAGE_QUESTIONS = ("danger_now", "minor_involved")
CASE_ACTION = "case.create"


class SubmissionError(DomainError):
    """A submission Harborlight cannot take; the sentence goes back to Collect."""

    code = "submission"


@dataclass
class Instance:
    form_id: str
    version: str
    instance_id: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    submission: FieldSubmission
    created: bool


def parse(xml: bytes) -> Instance:
    """Read the form id, version, instanceID and answers of a submitted instance."""
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise SubmissionError("The submission is not a readable XForm instance "
                              f"({error}).") from error
    values: dict[str, str] = {}
    instance_id = ""
    for element in root.iter():
        name = _local(element.tag)
        if name == "instanceID":
            instance_id = (element.text or "").strip()
        elif len(element) == 0 and element is not root:
            values[name] = (element.text or "").strip()
    return Instance(form_id=root.get("id", ""), version=root.get("version", ""),
                    instance_id=instance_id, values=values)


def receive(organisation, xml: bytes, attachments: list[tuple[str, File]], by) -> Outcome:
    """Take one submission for ``organisation`` from ``by``; idempotent per instanceID.

    ``attachments`` are (name on the phone, file) pairs; each is stored encrypted."""
    instance = parse(xml)
    form = served_forms(organisation).get(instance.form_id)
    if form is None:
        raise SubmissionError(f"Harborlight serves no form with id “{instance.form_id}”. "
                              "Download the forms again (Get Blank Form) and resend.")
    if not form.takes(instance.version):
        raise SubmissionError(
            f"This submission was made with version “{instance.version}” of the form "
            f"“{form.title}”; Harborlight takes version “{form.version}”. Download the "
            "form again (Get Blank Form), enter the interview in it and send it.")
    if not instance.instance_id:
        raise SubmissionError("The submission has no meta/instanceID; Collect adds one to "
                              "every form it sends.")
    earlier = FieldSubmission.objects.filter(organisation=organisation,
                                             instance_id=instance.instance_id).first()
    if earlier is not None:
        return Outcome(earlier, created=False)
    return accept(organisation, prepare(organisation, instance.values, by), instance,
                  form.form_id, instance.version, attachments, by)


@dataclass
class Prepared:
    """A submission's answers, checked and converted, before anything is written."""

    htcds: dict
    tip_fields: dict
    as_case: bool
    case_fields: dict = field(default_factory=dict)
    victim: dict = field(default_factory=dict)


def prepare(organisation, values: dict[str, str], by) -> Prepared:
    """Check and convert the answers (a :class:`SubmissionError` names a wrong one); the
    dry run of an export's import stops here."""
    htcds = htcds_values(values)
    prepared = Prepared(htcds, _tip_fields(values, htcds),
                        IntakeSetting.arrival_for(organisation) == Arrival.CASE)
    if prepared.as_case and by is not None and not decide(by, CASE_ACTION).allowed:
        raise SubmissionError("Interviews arrive as cases here, and your role may not "
                              "open cases; ask an administrator.")
    # Checked at arrival whatever the interview becomes (one rule, the HTCDS import's
    # reader): an interview kept as a tip stores its HTCDS answers, and they must be the
    # ones a case could hold when the tip becomes one.
    case_fields, victim = case_values(htcds)
    if prepared.as_case:
        prepared.case_fields, prepared.victim = case_fields, victim
    return prepared


def accept(organisation, prepared: Prepared, instance: Instance, form_id: str,
           form_version: str, attachments: list[tuple[str, File]], by) -> Outcome:
    """Write a prepared submission: the tip (and its case), the submission, its files."""
    try:
        with audited():
            tip, _passphrase = create_tip(organisation, channel=Channel.FIELD,
                                          logged_by=by, **prepared.tip_fields)
            if prepared.as_case:
                tip.convert_to_case(by, victim=prepared.victim, fields=prepared.case_fields)
            submission = FieldSubmission.objects.create(
                organisation=organisation, instance_id=instance.instance_id,
                form_id=form_id, form_version=form_version, tip=tip, submitted_by=by,
                htcds=json.dumps(prepared.htcds, ensure_ascii=False))
            for name, upload in attachments:  # after the row that refuses a duplicate
                FieldAttachment.objects.create(submission=submission, name=name,
                                               file=upload, size=upload.size)
    except IntegrityError:  # the same instance arrived twice at once; the other one won
        earlier = FieldSubmission.objects.get(organisation=organisation,
                                              instance_id=instance.instance_id)
        return Outcome(earlier, created=False)
    return Outcome(submission, created=True)


def htcds_values(values: dict[str, str]) -> dict[str, str | list[str]]:
    """The HTCDS answers (``prs_``, ``vic_``, ``con_`` ...) under the standard's names
    (the toolkit's spellings, such as ``prs_First_Name``, mapped by the vocabulary)."""
    mapped: dict[str, str | list[str]] = {}
    for name, value in values.items():
        standard = standard_name(name)
        if not value or standard is None:
            continue
        mapped[standard] = value.split() if is_multiple(standard) else value
    return mapped


def case_values(htcds: dict) -> tuple[dict, dict]:
    """(case fields, victim fields) of the HTCDS answers, converted as the HTCDS import
    converts a cell; a wrong answer is a :class:`SubmissionError` naming the question."""
    values: dict[str, dict] = {"cases.Case": {}, "cases.Person": {}}
    for home in row_fields():
        if home.htcds not in htcds or home.kind == "user":
            continue
        try:
            value = convert(home, htcds[home.htcds], {})
        except ValueError as error:
            raise SubmissionError(f"The answer for {home.htcds}: {error}.") from error
        if home.kind == "countries":
            values[home.model]["citizenship"] = value[0] if value else ""
            values[home.model]["other_citizenships"] = value[1:]
        else:
            values[home.model][home.field] = value
    return values["cases.Case"], values["cases.Person"]


def _tip_fields(values: dict[str, str], htcds: dict) -> dict:
    narrative = values.get("narrative", "")
    if not narrative:
        raise SubmissionError("The submission has no answer to “What did you see or hear?”.")
    names = " ".join(str(htcds[key]) for key in ("prs_FirstName", "prs_SecondName")
                     if htcds.get(key))
    fields = {"narrative": narrative,
              "location": str(htcds.get("vic_LocationOfExploitation", "")),
              "people_involved": names}
    for name, text in fields.items():
        limit = NARRATIVE_MAX if name == "narrative" else SHORT_TEXT_MAX
        if len(text) > limit:
            raise SubmissionError(f"The answer for {name} is longer than {limit:,} "
                                  "characters; shorten it in Collect and send again.")
        if problem := text_problem(text):
            raise SubmissionError(f"The answer for {name}: {problem}")
    fields["answers"] = {question: values[question] for question in TRIAGE_QUESTIONS
                         if values.get(question) in YES_NO}
    return fields


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
