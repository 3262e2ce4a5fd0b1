"""Security pages: break-glass (ask with a reason, review what was opened) and the
auditors' pages (search the trail of their organisation, verify the chain)."""

from __future__ import annotations

import re

from django.apps import apps
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from harborlight.pages import page_query
from harborlight.security.audit.chain import AuditChainBroken
from harborlight.security.audit.models import AuditEntry
from harborlight.security.audit.anchors import verify_anchored
from harborlight.security.audit.store import read_head
from harborlight.security.breakglass import BreakGlassRefused, break_glass, requested_record
from harborlight.security.forms import AuditSearchForm, BreakGlassForm, ReviewForm
from harborlight.security.models import BreakGlassGrant
from harborlight.security.permissions import fetch, requires, scope
from harborlight.security.policy import load_policy
from harborlight.vocab import words

AUDIT_PAGE_SIZE = 50
HTCDS_NAME = re.compile(r"^[a-z]{3}_[A-Z][A-Za-z]+$")


# -- break-glass ---------------------------------------------------------------------

@requires("breakglass.use")
def request_access(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    obj = requested_record(request.user, source.get("type", ""), source.get("id", ""))
    if obj is None:
        raise Http404("No such record.")
    next_url = source.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "/"
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass(request.user, obj, form.cleaned_data["reason"])
        except BreakGlassRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            messages.warning(request, _("Break-glass access granted for 60 minutes. It is "
                                        "logged and will be reviewed."))
            return redirect(next_url)
    context = {"form": form, "label": str(obj), "next": next_url,
               "type": ContentType.objects.get_for_model(obj).pk, "id": obj.pk}
    return render(request, "security/break_glass.html", context,
                  status=400 if form.errors else 200)


@requires("breakglass.review")
def break_glass_review(request: HttpRequest) -> HttpResponse:
    grants = scope(request.user, "breakglass.review", BreakGlassGrant.objects.all())
    context = {"pending": grants.awaiting_review().select_related("user")[:200],
               "reviewed": grants.filter(reviewed_at__isnull=False)
                                 .select_related("user", "reviewed_by")[:50],
               "form": ReviewForm()}
    return render(request, "security/break_glass_review.html", context)


@requires("breakglass.review")
@require_POST
def mark_reviewed(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = fetch(request, BreakGlassGrant.objects.select_related("content_type"),
                  pk=grant_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The review note is too long (1,000 characters at most)."))
        return redirect("security:break_glass_review")
    grant.mark_reviewed(request.user, form.cleaned_data["note"])
    messages.success(request, _("Marked as reviewed."))
    return redirect("security:break_glass_review")


# -- the audit trail -----------------------------------------------------------------

@requires("audit.view")
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET if _has_filters(request) else None)
    # Own organisation only. Entries without an organisation (system events, failed
    # sign-ins with unknown usernames) are shown to no organisation: see docs/security.md.
    entries = scope(request.user, "audit.view", AuditEntry.objects.all())
    if form.is_bound:
        entries = form.apply(entries) if form.is_valid() else entries.none()
    page = Paginator(entries.order_by("-seq"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page"))
    page.object_list = list(page.object_list)
    name_records(page.object_list)
    context = {"form": form, "page": page, "query": page_query(request), "head": read_head()}
    return render(request, "audit/log.html", context, status=400 if form.errors else 200)


@requires("audit.view")
@require_POST
@transaction.non_atomic_requests  # a long walk must not hold SQLite's write lock
def verify_chain(request: HttpRequest) -> HttpResponse:
    try:
        result, broken = verify_anchored().result, None
    except AuditChainBroken as problem:
        result, broken = None, problem
    return render(request, "audit/verify.html", {"result": result, "broken": broken})


def name_records(entries) -> None:
    """Give each entry ``record_kind`` (the model's name in words) and ``record_name``:
    its label, or the record's reference (C-9C34-K56D) where the label written at the
    time was only "case #7". The stored labels stay as they are: they are hashed."""
    entries = list(entries)
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.object_type:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    references: dict[tuple[str, str], str] = {}
    kinds: dict[str, str] = {}
    roles = load_policy().role_labels
    for object_type, ids in wanted.items():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            continue
        # The model's name, said in the reader's language (its Spanish is in the .po).
        kinds[object_type] = str(model._meta.verbose_name).capitalize()
        if any(field.name == "reference" for field in model._meta.concrete_fields):
            found = model._default_manager.filter(pk__in=[i for i in ids if i.isdigit()])
            references.update(((object_type, str(pk)), reference)
                              for pk, reference in found.values_list("pk", "reference"))
    for entry in entries:
        entry.details_words = [(_detail_name(key), _detail_words(entry, key, value))
                               for key, value in sorted(entry.details.items())]
        entry.actor_words = entry.actor_username or _("(no user)")
        entry.record_kind = _(kinds[entry.object_type]) if entry.object_type in kinds \
            else entry.object_type
        entry.reason_words = _consent_words(entry.reason)
        entry.role_words = _(roles[entry.actor_role]) if entry.actor_role in roles \
            else entry.actor_role
        generic = entry.object_label.endswith(f" #{entry.object_id}")
        # A record with a reference is named by it (the stored label, in the writer's
        # language, stays in the entry); one without, by its label, or "#7" beside its kind.
        entry.record_name = references.get((entry.object_type, entry.object_id)) \
            or (f"#{entry.object_id}" if generic else _consent_words(entry.object_label)) \
            or entry.object_id


# The recorded forms of a disclosure's basis ("consent 12 (referral)", "mandatory report:
# ..."), as consent/disclosure.py writes them.
CONSENT_BASIS = re.compile(r"^consent (\d+) \((\w+)\)$")
MANDATORY_BASIS = "mandatory report: "


def _detail_name(key: str) -> str:
    """A detail's name in the reader's language (as recorded where it has no words yet)."""
    return pgettext("audit detail", key)


def _detail_words(entry, key: str, value) -> str:
    """A detail's value as staff read it: a language or role changed, named in words; a
    value of the record's field with choices, by its label; the rest as recorded."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(map(_in_words, value))
    change = entry.details.get("change")
    if key == "change":
        return pgettext("audit change", str(value))
    if key in ("from", "to") and change == "language":
        try:
            return get_language_info(str(value))["name_translated"]
        except KeyError:
            return str(value)
    if key in ("from", "to") and change == "role":
        roles = load_policy().role_labels
        return _(roles[value]) if value in roles else str(value)
    label = _choice_label(entry.object_type, key, value)
    if label is not None:
        return label
    return _consent_words(_in_words(value))


def _consent_words(text: str) -> str:
    """A disclosure's basis as recorded ("consent 12 (referral)", "mandatory report:
    ..."), in the reader's words; the reason given stays as written."""
    if text.startswith(MANDATORY_BASIS):
        return _("mandatory report: %(reason)s") % {"reason": text[len(MANDATORY_BASIS):]}
    basis = CONSENT_BASIS.match(text)
    if not basis:
        return text
    purpose = _choice_label("consent.consent", "purpose", basis[2]) or basis[2]
    return _("consent %(number)s (%(purpose)s)") % {"number": basis[1], "purpose": purpose}


def _choice_label(object_type: str, key: str, value) -> str | None:
    """The label of ``value`` in the choices of the record's field named ``key``."""
    try:
        field = apps.get_model(object_type)._meta.get_field(key)
    except (LookupError, ValueError, AttributeError, FieldDoesNotExist):
        return None
    for choice, label in getattr(field, "flatchoices", None) or []:
        if choice == value:
            return str(label)
    return None


def _in_words(value) -> str:
    """A detail value as staff read it: an HTCDS field name in words, the rest as is."""
    text = str(value)
    return words.field_label(text) if HTCDS_NAME.match(text) else text


def _has_filters(request: HttpRequest) -> bool:
    return any(key != "page" for key in request.GET)
