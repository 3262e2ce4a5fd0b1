"""The public report form and the anonymous follow-up page (no sign-in, no cookie).

See :mod:`harborlight.intake.public` for what these pages deliberately do not keep.

Both views opt out of the request-wide transaction (``ATOMIC_REQUESTS``): on SQLite that
transaction takes the database's write lock at BEGIN, so every public request would hold
it while it hashes a passphrase and runs triage. Each write here is its own transaction
instead (:func:`~harborlight.intake.triage.create_tip` saves in one), so
nothing is ever stored half-way.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from harborlight.intake import triage
from harborlight.intake.assist import public_signs, ticked_signs
from harborlight.intake.catalog import current_catalog
from harborlight.intake.forms import FollowUpMessageForm, FollowUpOpenForm, PublicReportForm
from harborlight.intake.helplines import helplines
from harborlight.intake.models import Channel, FollowUpRefused, Tip
from harborlight.intake.public import (foreign_origin, public_form, public_page,
                                       quick_exit_url, receiving_organisation,
                                       take_submission_slot)
from harborlight.security import throttle
from harborlight.security.permissions import public

FOLLOWUP_SALT = "harborlight.intake.followup"
FOLLOWUP_TOKEN_SECONDS = 30 * 60


def _context(request: HttpRequest, **extra) -> dict:
    return {"quick_exit_url": quick_exit_url(), "lang": request.LANGUAGE_CODE,
            "helplines": helplines(), "language_links": _language_links(request), **extra}


def _language_links(request: HttpRequest) -> dict[str, str]:
    """This page in each language, with what the guide and the self-check keep in their
    address (``?for=``, ``done``, the answers, the public signs ticked); nothing else of
    the query is echoed back."""
    answers = {f"answer_{name}" for name in SELF_CHECK_QUESTIONS}
    kept = [(key, value) for key in ("for", "done", *sorted(answers))
            if (value := request.GET.get(key, "")) and value.isascii() and len(value) <= 40
            and (key not in answers or value in ("yes", "no", "unknown"))]
    kept += [("sign", ident) for ident, _words in _ticked_signs(request.GET, "en")]
    return {code: "?" + urlencode([("lang", code), *kept]) for code, _name in settings.LANGUAGES}


def _refuse(request: HttpRequest, template: str, form, message: str, status: int):
    return render(request, template, _context(request, form=form, problem=message),
                  status=status)


@public_form
def report(request: HttpRequest) -> HttpResponse:
    template = "intake/public/report.html"
    if request.method == "GET":  # from the self-check: its answers filled in, its signs
        initial = {f"answer_{name}": request.GET[f"answer_{name}"]
                   for name in SELF_CHECK_QUESTIONS if f"answer_{name}" in request.GET}
        return render(request, template, _context(
            request, form=PublicReportForm(initial=initial),
            signs=_ticked_signs(request.GET, request.LANGUAGE_CODE)))
    form = PublicReportForm(request.POST)
    if foreign_origin(request):
        return _refuse(request, template, form, _("This form can only be sent from this "
                                                  "site."), 403)
    if not form.is_valid():
        return render(request, template, _context(
            request, form=form, signs=_ticked_signs(request.POST, request.LANGUAGE_CODE)),
            status=400)
    if form.is_bot():
        # Filled the hidden field: answer as if accepted, store nothing.
        return render(request, "intake/public/received.html",
                      _context(request, reference=None, passphrase=None))
    if not take_submission_slot(request):
        return _refuse(request, template, form, _("We are receiving many reports right now. "
                                                  "Please try again in a minute. If anyone "
                                                  "is in danger, call %(emergency)s.")
                               % {"emergency": helplines().emergency_number}, 429)
    tip, passphrase = triage.create_tip(
        receiving_organisation(), narrative=form.cleaned_data["narrative"],
        channel=Channel.WEB, location=form.cleaned_data["location"],
        reporter_contact=form.cleaned_data["contact"], public=True,
        answers=form.answers(), reporter_signs=request.POST.getlist("sign"),
        language=request.LANGUAGE_CODE)
    return render(request, "intake/public/received.html",
                  _context(request, reference=tip.reference, passphrase=passphrase,
                           emergency=tip.is_emergency), status=201)


def _followup_page(request, tip: Tip, message_form=None, status: int = 200, added=False):
    token = signing.dumps(tip.pk, salt=FOLLOWUP_SALT)
    message_form = message_form or FollowUpMessageForm(initial={"token": token})
    message_form.initial["token"] = token
    return render(request, "intake/public/follow_up_messages.html",
                  _context(request, tip=tip, messages_list=tip.public_messages(),
                           form=message_form, added=added), status=status)


@public_form
def follow_up(request: HttpRequest) -> HttpResponse:
    """Open with reference and passphrase; then add information with a short-lived token.

    The token (signed, 30 minutes) spares the reporter retyping the passphrase for each
    message without any cookie.
    """
    template = "intake/public/follow_up.html"
    if request.method == "GET":
        return render(request, template, _context(request, form=FollowUpOpenForm()))
    if foreign_origin(request):
        return _refuse(request, template, FollowUpOpenForm(), _("This form can only be sent "
                                                                "from this site."), 403)
    if "token" in request.POST:
        return _add_information(request)
    form = FollowUpOpenForm(request.POST)
    if not form.is_valid():
        return render(request, template, _context(request, form=form), status=400)
    try:
        tip = Tip.for_followup(form.cleaned_data["reference"], form.cleaned_data["passphrase"],
                               client=throttle.client_key(request))
    except FollowUpRefused as refusal:
        message = (_("Too many wrong attempts for this reference. Wait 15 minutes and try "
                     "again.") if str(refusal) == "blocked" else
                   _("That reference and passphrase do not match. Check both and try again."))
        return _refuse(request, template, FollowUpOpenForm(initial={
            "reference": form.cleaned_data["reference"]}), message,
            429 if str(refusal) == "blocked" else 403)
    return _followup_page(request, tip)


def _add_information(request: HttpRequest) -> HttpResponse:
    form = FollowUpMessageForm(request.POST)
    try:
        tip_pk = signing.loads(request.POST.get("token", ""), salt=FOLLOWUP_SALT,
                               max_age=FOLLOWUP_TOKEN_SECONDS)
        tip = Tip.objects.get(pk=tip_pk, submitted_publicly=True)
    except (signing.BadSignature, Tip.DoesNotExist):
        return _refuse(request, "intake/public/follow_up.html", FollowUpOpenForm(),
                       _("Your follow-up page has expired. Enter your reference and "
                         "passphrase again."), 403)
    if not form.is_valid():
        return _followup_page(request, tip, form, status=400)
    tip.add_reporter_message(form.cleaned_data["message"])
    return _followup_page(request, tip, added=True)


def guide_sections(catalog, language: str) -> list[dict]:
    """The "Learn the signs" sections in the catalog's order: each section's title and the
    plain words of the entries of its categories that have them (nothing else of an
    entry: no description, cue, coding or source)."""
    sections = []
    for section in catalog.public_guide:
        signs = [indicator.public[language] for category in section["categories"]
                 for indicator in catalog.indicators
                 if indicator.category == category and indicator.public]
        if signs:
            sections.append({"id": section["id"], "title": section["title"][language],
                             "signs": signs})
    return sections


@public
@require_GET
@public_page
def signs(request: HttpRequest) -> HttpResponse:
    """"Learn the signs": generated from the indicator catalog in force, so a change to an
    entry's public words changes the guide; stores and logs nothing about the reader."""
    catalog, language = current_catalog(), request.LANGUAGE_CODE
    audiences = [{"id": a["id"], "title": a["title"][language]}
                 for a in catalog.public_audiences]
    chosen = next((a for a in catalog.public_audiences
                   if a["id"] == request.GET.get("for")), None)
    if chosen is not None:  # the short version for one workplace
        sections = [{"id": chosen["id"], "title": chosen["title"][language],
                     "where": chosen["where"][language],
                     "signs": [catalog.get(ident).public[language]
                               for ident in chosen["signs"]]}]
    else:
        sections = guide_sections(catalog, language)
    return render(request, "intake/public/signs.html", _context(
        request, sections=sections, audiences=audiences,
        audience=chosen["id"] if chosen else ""))


SELF_CHECK_QUESTIONS = ("danger_now", "happening_now", "minor_involved")


def _ticked_signs(data, language: str) -> list[tuple[str, str]]:
    """(id, words) of the ticked signs that are public signs; anything else is dropped."""
    return ticked_signs(current_catalog(), data.getlist("sign"), language)


@public
@require_GET
@public_page
def self_check(request: HttpRequest) -> HttpResponse:
    """"Assess what you saw": a few questions and the signs to tick, all in the address
    (GET, no JavaScript, nothing stored). It never says "this is not trafficking": it says
    what to do next, the emergency numbers first when danger is ticked, and opens the
    report form with the answers and signs filled in."""
    catalog, language = current_catalog(), request.LANGUAGE_CODE
    form = PublicReportForm(initial={f"answer_{name}": request.GET.get(f"answer_{name}")
                                     for name in SELF_CHECK_QUESTIONS})
    questions = [form[f"answer_{name}"] for name in SELF_CHECK_QUESTIONS
                 if f"answer_{name}" in form.fields]
    ticked = dict(_ticked_signs(request.GET, language))
    signs = public_signs(catalog, language)
    sections = [{**section, "signs": [(ident, words, ident in ticked)
                                      for ident, words in signs.items()
                                      if catalog.get(ident).category in section["categories"]]}
                for section in (dict(s, title=s["title"][language]) for s in catalog.public_guide
                                if s["id"] != "recruiters")]
    answered = {name: request.GET.get(f"answer_{name}") for name in SELF_CHECK_QUESTIONS}
    report_query = "&".join(
        [f"lang={language}"] + [f"answer_{name}={value}" for name, value in answered.items()
                                if value in ("yes", "no", "unknown")]
        + [f"sign={ident}" for ident in ticked])
    return render(request, "intake/public/self_check.html", _context(
        request, questions=questions, sections=[s for s in sections if s["signs"]],
        done="done" in request.GET, danger=answered["danger_now"] == "yes",
        ticked=list(ticked.values()), report_query=report_query))


@public
@require_GET
@public_page
def card(request: HttpRequest) -> HttpResponse:
    """A one-page card to print for outreach (the print stylesheet drops everything else):
    a few signs from the catalog's ``card``, the numbers and this site's report address."""
    catalog = current_catalog()
    signs = [catalog.get(ident).public[request.LANGUAGE_CODE] for ident in catalog.public_card]
    return render(request, "intake/public/card.html", _context(
        request, signs=signs,
        report_address=request.build_absolute_uri(f"/report/?lang={request.LANGUAGE_CODE}")))

