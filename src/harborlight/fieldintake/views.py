"""OpenRosa endpoints for ODK Collect and KoboCollect, under ``/openrosa/<organisation>``.

``formList`` lists the forms (OpenRosa xforms list), ``forms/<form id>.xml`` downloads
one, and ``submission`` takes an interview (``HEAD`` first, as Collect asks, then a
multipart ``POST`` with ``xml_submission_file``). The views are marked ``@public`` for the
URL walk because they do not use the session sign-in: each authenticates the device's API
token itself (:func:`harborlight.fieldintake.openrosa.device_user`) and then requires the
role's ``tip.field_submit`` and the organisation of the address.
"""

from __future__ import annotations

from functools import wraps
from xml.sax.saxutils import escape

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from harborlight.accounts.models import Organisation
from harborlight.fieldintake import openrosa
from harborlight.fieldintake.forms import served_forms
from harborlight.fieldintake.submissions import SubmissionError, receive
from harborlight.security.permissions import decide, public

ACTION = "tip.field_submit"
LIST_NS = "http://openrosa.org/xforms/xformsList"


def device(methods: tuple[str, ...]):
    """Answer only ``methods``; authenticate the token; the user's own organisation and a
    role that may send field interviews; pass the organisation and user on."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, organisation: str, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = openrosa.message(f"Use {' or '.join(methods)} here.", status=405)
                response["Allow"] = ", ".join(methods)
                return response
            user = openrosa.device_user(request)
            if user is None:
                return openrosa.challenge()
            if user.organisation is None or user.organisation.slug != organisation \
                    or not Organisation.objects.filter(slug=organisation).exists():
                return openrosa.message("There is no Harborlight organisation at this "
                                        "address for your account; check the server URL.",
                                        status=404)
            if not decide(user, ACTION).allowed:
                return openrosa.message("Your role may not send field interviews; ask an "
                                        "administrator.", status=403)
            return view(request, user.organisation, user, **kwargs)

        return public(wrapper)

    return decorator


@device(("GET",))
def form_list(request: HttpRequest, organisation, user) -> HttpResponse:
    """The OpenRosa form list: what Collect offers under "Download form"."""
    rows = []
    for form in served_forms(organisation).values():
        url = request.build_absolute_uri(reverse(
            "openrosa:form", kwargs={"organisation": organisation.slug,
                                     "form_id": form.form_id}))
        rows.append(f"<xform><formID>{escape(form.form_id)}</formID>"
                    f"<name>{escape(form.title)}</name>"
                    f"<version>{escape(form.version)}</version>"
                    f"<hash>{form.hash}</hash>"
                    f"<downloadUrl>{escape(url)}</downloadUrl></xform>")
    return openrosa.xml_response(f'<xforms xmlns="{LIST_NS}">{"".join(rows)}</xforms>')


@device(("GET",))
def form_download(request: HttpRequest, organisation, user, form_id: str) -> HttpResponse:
    form = served_forms(organisation).get(form_id)
    if form is None:
        return openrosa.message(f"There is no form “{form_id}”.", status=404)
    return openrosa.headers(HttpResponse(form.xml, content_type="text/xml; charset=utf-8"))


@csrf_exempt
@transaction.non_atomic_requests
@device(("HEAD", "POST"))
def submission(request: HttpRequest, organisation, user) -> HttpResponse:
    """HEAD: 204 and the size limit. POST: the interview becomes a tip (201), or was
    already received (202, nothing created), or is refused with a sentence (400)."""
    if request.method == "HEAD":
        response = openrosa.headers(HttpResponse(status=204))
        response["X-OpenRosa-Accept-Content-Length"] = str(openrosa.accepted_length())
        return response
    instance = request.FILES.get("xml_submission_file")
    if instance is None:
        return openrosa.message("The submission has no xml_submission_file part.",
                                status=400)
    attachments = [(upload.name, upload) for key, uploads in request.FILES.lists()
                   if key != "xml_submission_file" for upload in uploads]
    try:
        outcome = receive(organisation, instance.read(), attachments, user)
    except SubmissionError as error:
        return openrosa.message(str(error), status=400)
    if not outcome.created:
        return openrosa.message("This interview was already received; nothing changed.",
                                status=202, nature="submit_success")
    tip = outcome.submission.tip
    received = f"case {tip.case.reference}" if tip.case_id else f"tip {tip.reference}"
    return openrosa.message(f"Received as {received}.", status=201, nature="submit_success")
