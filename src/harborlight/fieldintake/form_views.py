"""The administrators' field intake page: where ODK Collect points, what interviews
become, and the organisation's own XLSForms (every version kept, the newest served); and
the intake staff's import of ODK Central / KoboToolbox exports.

Thin: the acts are :func:`~harborlight.fieldintake.xlsforms.add_form`,
:func:`~harborlight.fieldintake.xlsforms.set_arrival` and
:func:`~harborlight.fieldintake.export_import.import_export`, each audited there."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from harborlight.fieldintake.export_import import ExportUnreadable, import_export
from harborlight.fieldintake.forms import htcds_form
from harborlight.fieldintake.models import Arrival, IntakeSetting, OrganisationForm
from harborlight.fieldintake.xlsforms import FormRejected, add_form, set_arrival
from harborlight.pages import form_for, step
from harborlight.security.permissions import requires

ACTION = "catalog.manage"
IMPORT_ACTION = "tip.create"  # the interviews become tips (or cases): survivor records


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("XLSForm (.xlsx)"),
                           help_text=gettext_lazy("The form's survey, choices and settings "
                                                  "sheets; the settings sheet gives form_id "
                                                  "and version."))


class ArrivalForm(forms.Form):
    arrives_as = forms.ChoiceField(label=gettext_lazy("Field interviews arrive as"),
                                   choices=Arrival.choices, widget=forms.RadioSelect)


def _page(request: HttpRequest, upload: forms.Form, arrival: forms.Form,
          problems: list | None = None, status: int = 200) -> HttpResponse:
    organisation = request.user.organisation
    versions = list(OrganisationForm.objects.filter(organisation=organisation)
                    .select_related("uploaded_by"))
    served = set()
    for form in versions:  # newest first: the first of each form id is served
        form.served = form.form_id not in served
        served.add(form.form_id)
    server_url = request.build_absolute_uri(
        reverse("openrosa:form_list", kwargs={"organisation": organisation.slug})
    ).removesuffix("formList").rstrip("/")
    return render(request, "fieldintake/forms.html", {
        "server_url": server_url, "htcds": htcds_form(), "versions": versions,
        "upload": upload, "arrival": arrival, "problems": problems}, status=status)


def _arrival_form(request: HttpRequest) -> ArrivalForm:
    return ArrivalForm(initial={"arrives_as": IntakeSetting.arrival_for(
        request.user.organisation)})


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def field_forms(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: an XLSForm upload; every problem listed by sheet and row."""
    upload = form_for(request, UploadForm)
    if request.method != "POST":
        return _page(request, upload, _arrival_form(request))
    if not upload.is_valid():
        return _page(request, upload, _arrival_form(request), status=400)
    file = upload.cleaned_data["file"]
    try:
        form = add_form(request.user.organisation, file.read(), file.name, request.user)
    except FormRejected as rejected:
        return _page(request, UploadForm(), _arrival_form(request), rejected.problems, 400)
    messages.success(request, _("Added “%(title)s” version %(version)s; Collect lists it at "
                                "the next Download form.") % {"title": form.title,
                                                              "version": form.version})
    return redirect("fieldintake:forms")


@requires(ACTION)
@require_http_methods(["POST"])
def field_arrival(request: HttpRequest) -> HttpResponse:
    """What the organisation's field interviews become."""
    form = form_for(request, ArrivalForm)
    back = reverse("fieldintake:forms")
    return step(request, form, lambda data: set_arrival(
        request.user.organisation, data["arrives_as"], request.user),
        done=lambda setting: _("Field interviews now arrive as cases.")
        if setting.arrives_as == Arrival.CASE else _("Field interviews now arrive as tips."),
        back=back, own_page=True,
        page=lambda bound: _page(request, UploadForm(), bound))


class ExportImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Export file (.csv or .zip)"),
                           help_text=gettext_lazy("ODK Central's CSV or ZIP, or KoboToolbox's "
                                                  "CSV, of the HTCDS form, with question names "
                                                  "as headers."))
    dry_run = forms.TypedChoiceField(
        label=gettext_lazy("What to do"), coerce=lambda value: value == "check",
        initial="check",
        choices=[("check", gettext_lazy("Check only: say what each row would become")),
                 ("import", gettext_lazy("Import (all rows, or none if any has a problem)"))],
        widget=forms.RadioSelect)


@requires(IMPORT_ACTION)
@require_http_methods(["GET", "POST"])
def field_import(request: HttpRequest) -> HttpResponse:
    """Interviews exported from ODK Central or KoboToolbox, as tips or cases, logged by
    the person importing; the same service as ``harborlight import odk``."""
    form = form_for(request, ExportImportForm)
    report, status = None, 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            with tempfile.TemporaryDirectory(prefix="harborlight-odk-") as folder:
                path = Path(folder) / f"export{suffix}"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    report = import_export(path, request.user.organisation, request.user,
                                           dry_run=form.cleaned_data["dry_run"])
                except ExportUnreadable as error:
                    form.add_error("file", str(error).replace(path.name, upload.name))
                    status = 400
            if report is not None and report.problems:
                status = 400
    return render(request, "fieldintake/import.html",
                  {"form": form, "report": report}, status=status)
