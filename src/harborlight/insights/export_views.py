"""The analysts' de-identified export page: a thin adapter over the service the CLI uses.

``POST`` validates the choice (layout, k or epsilon and delta) and starts a background job
(:mod:`harborlight.insights.exports`); the job's page shows its progress (it reloads
itself, no script needed), then the report's summary and the three files to download.
"""

from __future__ import annotations

import math

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harborlight.cases.models import Case
from harborlight.consent.disclosure import HUB, sharing_consents
from harborlight.insights import exports
from harborlight.insights.models import ExportJob, ExportLayout
from harborlight.pages import show_error
from harborlight.security.permissions import fetch, requires, scope
from harborlight.sharing import MissingExtra
from harborlight.sharing.dp import require_libraries

METHODS = [("k", gettext_lazy("k-anonymity: generalise and suppress until every "
                              "combination of quasi-identifiers holds at least k people")),
           ("dp", gettext_lazy("Differential privacy: synthetic records with a proven "
                               "privacy budget ε (epsilon) and δ (delta)"))]


class ExportForm(forms.Form):
    layout = forms.ChoiceField(label=gettext_lazy("Layout"), choices=ExportLayout.choices,
                               initial="ctdc-2024", widget=forms.RadioSelect)
    method = forms.ChoiceField(label=gettext_lazy("Protection"), choices=METHODS,
                               initial="k", widget=forms.RadioSelect)
    k = forms.IntegerField(label=gettext_lazy("k (for k-anonymity)"), required=False,
                           initial=11, min_value=2, max_value=1000,
                           help_text=gettext_lazy("CTDC publishes with k = 11. A larger k "
                                                  "hides more and keeps less."))
    epsilon = forms.FloatField(label=gettext_lazy("ε, epsilon (for differential privacy)"),
                               required=False, initial=4.0,
                               help_text=gettext_lazy("Greater than 0 and at most 50; CTDC "
                                                      "uses 4. Smaller is more private."))
    delta = forms.FloatField(label=gettext_lazy("δ, delta (for differential privacy)"),
                             required=False, initial=1e-9,
                             help_text=gettext_lazy("Greater than 0 and below 0.001; "
                                                    "1e-9 unless you have a reason."))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("method") == "k":
            if data.get("k") is None and "k" not in self.errors:
                self.add_error("k", _("Give k, a whole number of 2 or more."))
            data["epsilon"] = data["delta"] = None
        elif data.get("method") == "dp":
            self._clean_privacy(data)
            data["k"] = None
        return data

    def _clean_privacy(self, data: dict) -> None:
        epsilon, delta = data.get("epsilon"), data.get("delta")
        if epsilon is None and "epsilon" not in self.errors:
            self.add_error("epsilon", _("Give ε, a number greater than 0 (CTDC uses 4)."))
        elif epsilon is not None and (not math.isfinite(epsilon) or epsilon <= 0):
            self.add_error("epsilon", _("ε must be greater than 0."))
        elif epsilon is not None and epsilon > 50:
            self.add_error("epsilon", _("ε above 50 gives no meaningful privacy; use 50 or "
                                        "less."))
        if delta is None and "delta" not in self.errors:
            data["delta"] = delta = 1e-9
        if delta is not None and (not math.isfinite(delta) or not 0 < delta < 1e-3):
            self.add_error("delta", _("δ must be greater than 0 and below 0.001 (for "
                                      "example 1e-9)."))
        if not self.errors:
            try:
                require_libraries()
            except MissingExtra:
                self.add_error("method", str(exports.MISSING_DP))


@requires("share.export")
def export_home(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = exports.start(organisation, request.user, layout=data["layout"],
                                k=data["k"], epsilon=data["epsilon"], delta=data["delta"])
        except exports.ExportRefused as refusal:
            show_error(request, refusal, form)
        else:
            return redirect("insights:export_job", job_id=job.pk)
    cases = Case.objects.filter(organisation=organisation)
    consented = sharing_consents(cases)
    jobs = scope(request.user, "share.export", ExportJob.objects.select_related("created_by"))
    return render(request, "insights/export_home.html", {
        "form": form, "jobs": jobs[:10], "hub": HUB.name, "running": exports.running(organisation),
        "cases_total": cases.count(), "cases_consented": len(consented)},
        status=400 if form.errors else 200)


@requires("share.export")
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = fetch(request, ExportJob.objects.select_related("created_by"), pk=job_id)
    if not job.finished:
        exports.running(job.organisation)  # marks a job whose server restarted as stopped
        job.refresh_from_db()
    return render(request, "insights/export_job.html", {"job": job, "hub": HUB.name,
                                                        "files": list(exports.FILES)})


@requires("share.export")
def export_file(request: HttpRequest, job_id: int, name: str) -> HttpResponse:
    job = fetch(request, ExportJob, pk=job_id)
    path = exports.folder(job) / name
    if name not in exports.FILES or not job.finished or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True,
                            filename=f"harborlight-export-{job.pk}-{name}",
                            content_type=exports.FILES[name])
    return response
