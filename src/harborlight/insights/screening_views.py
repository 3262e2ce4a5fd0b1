"""Ad-screening pages for analysts: upload a batch, browse leads, open a tip from a lead."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_POST

from harborlight.insights.models import Lead, ScreeningRun
from harborlight.insights.screening_runs import ACCEPTED_SUFFIXES, UploadRefused, run_upload
from harborlight.screening.resources import indicator_catalog
from harborlight.security.permissions import fetch, requires, scope


class UploadForm(forms.Form):
    ads = forms.FileField(label=gettext_lazy("Batch of ads"),
                          help_text=gettext_lazy("JSON Lines, CSV or Parquet with id, title, "
                                                 "body, posted_at, site, location (and optional "
                                                 "contacts); up to 25 MB."),
                          widget=forms.ClearableFileInput(
                              attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}))


@requires("screening.run")
def screening_home(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = run_upload(request.user.organisation, request.user, form.cleaned_data["ads"])
        except UploadRefused as refusal:
            form.add_error("ads", str(refusal))
        else:
            messages.success(request, _("Screened %(ads)s ads: %(networks)s networks.") % {
                "ads": run.ads_screened, "networks": run.networks_found})
            return redirect("insights:screening_run", run_id=run.pk)
    runs = scope(request.user, "screening.run", ScreeningRun.objects.all())[:20]
    return render(request, "insights/screening_home.html", {"form": form, "runs": runs},
                  status=400 if form.errors else 200)


@requires("screening.run")
def screening_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = fetch(request, ScreeningRun, shows_record=True, pk=run_id)
    return render(request, "insights/screening_run.html",
                  {"run": run, "leads": run.leads.only("rank", "network_id", "score", "size",
                                                       "tip_id", "run_id")})


@requires("screening.run")
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = fetch(request, Lead.objects.select_related("run"), shows_record=True, pk=lead_id)
    details = lead.details
    seen = [_day(details.get("first_seen")), _day(details.get("last_seen"))]
    support = details.get("support") or {}
    return render(request, "insights/lead.html", {
        "lead": lead, "details": details, "seen": seen, "reasons": reasons_in_words(details),
        "held_together_by": _(support["meaning"]) if support.get("meaning") else "",
        "identifiers": [{**item, "kind": _(item["kind"])}
                        for item in details.get("shared_identifiers", [])]})


# The values of a reason that are words (the rest are figures, names and masked contacts).
WORDS = {"grade", "kind"}


def reasons_in_words(details: dict) -> list[str]:
    """Why the lead ranks where it does, in the reader's language: the engine keeps each
    reason as a sentence and its values (the English sentences of runs screened before
    it did are shown as they are)."""
    parts = details.get("reason_parts")
    if not parts:
        return list(details.get("reasons", []))
    return [_(part["text"]) % {name: _word(name, value) for name, value in part["values"].items()}
            for part in parts]


def _word(name: str, value):
    """A reason's value as the reader reads it: an indicator by its label in the reader's
    language (the engine's catalog keeps both), a word through the catalogue of
    translations, anything else as it is."""
    if name == "indicator":
        entry = next((item for item in indicator_catalog()["indicators"]
                      if item["id"] == value), None)
        if entry is None:
            return value
        return entry.get(f"label_{(get_language() or 'en').split('-')[0]}", entry["label"])
    return _(value) if isinstance(value, str) and name in WORDS else value


def _day(text) -> date | str:
    """An ad's ISO day as a date, for the one date format; anything else as it is."""
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return text or "?"


@requires("lead.convert")
@require_POST
def lead_to_tip(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = fetch(request, Lead, pk=lead_id)
    tip = lead.to_tip(by=request.user)
    messages.success(request, _("Tip %(tip)s opened from this lead.") % {"tip": tip.reference})
    return redirect("insights:lead", lead_id=lead.pk)
