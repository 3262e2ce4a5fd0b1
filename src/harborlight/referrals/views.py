"""Directory and referral pages. Each view: decorate, fetch through security.permissions,
validate with a form, call one model or service function, respond."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from harborlight.cases.models import Case
from harborlight.referrals import vocabulary
from harborlight.referrals.forms import (
    ImportForm,
    ProviderForm,
    ReferralForm,
    ResponseForm,
    SearchForm,
)
from harborlight.referrals.geocoding import KM_PER_MILE
from harborlight.referrals.importing import ImportFailed, import_providers
from harborlight.referrals.models import (
    Referral,
    ReferralError,
    ReferralKind,
    ReferralStatus,
    ServiceProvider,
)
from harborlight.referrals.sending import send
from harborlight.referrals.snapshot import fields_in
from harborlight.security.audit.log import record
from harborlight.security.disclosure import ConsentRequired
from harborlight.security.permissions import can, get_object_for, requires, scope

PAGE_SIZE = 50


def _labels() -> dict:
    return {"services": vocabulary.services(), "populations": vocabulary.populations(),
            "languages": vocabulary.languages()}


# -- directory ------------------------------------------------------------------------

@requires("provider.view")
def directory(request: HttpRequest) -> HttpResponse:
    providers = scope(request.user, "provider.view", ServiceProvider.objects.all())
    form = SearchForm(request.GET or None)
    hits, searched = [], bool(request.GET)
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        hits = providers.search(service=data["service"], language=data["language"],
                                population=data["population"], near=data["place"],
                                radius_km=(float(data["radius"]) * KM_PER_MILE
                                           if data["radius"] else None),
                                open_24_7=data["open_24_7"])
    elif form.is_bound:
        status = 400
    else:
        hits = providers.search()
    return render(request, "referrals/directory.html",
                  {"form": form, "hits": hits, "searched": searched, "labels": _labels(),
                   "place": form.cleaned_data.get("place") if form.is_bound and
                   form.is_valid() else None,
                   "can_manage": can(request.user, "provider.manage")}, status=status)


@requires("provider.manage")
def provider_new(request: HttpRequest) -> HttpResponse:
    return _provider_form(request, ServiceProvider(organisation=request.user.organisation))


@requires("provider.manage")
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = get_object_for(request.user, "provider.manage", ServiceProvider, pk=provider_id)
    return _provider_form(request, provider)


def _provider_form(request: HttpRequest, provider: ServiceProvider) -> HttpResponse:
    form = ProviderForm(request.POST or None, instance=provider,
                        organisation=request.user.organisation)
    if request.method == "POST":
        if form.is_valid():
            created = provider.pk is None
            provider = form.save()
            record("create" if created else "update", actor=request.user, obj=provider,
                   details={"directory": True})
            messages.success(request, f"Saved {provider.name}.")
            return redirect("referrals:directory")
        return render(request, "referrals/provider_form.html",
                      {"form": form, "provider": provider}, status=400)
    return render(request, "referrals/provider_form.html", {"form": form, "provider": provider})


@requires("provider.manage")
def provider_delete(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Remove an entry; referrals already sent keep the name they were sent to."""
    provider = get_object_for(request.user, "provider.manage", ServiceProvider, pk=provider_id)
    if request.method != "POST":
        return render(request, "referrals/provider_delete.html", {"provider": provider})
    record("delete", actor=request.user, obj=provider, details={"directory": True})
    name = provider.name
    provider.delete()
    messages.success(request, f"Removed {name} from the directory.")
    return redirect("referrals:directory")


@requires("provider.manage")
def provider_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "referrals/import.html", {"form": form}, status=400)
        try:
            result = import_providers(request.user.organisation,
                                      form.cleaned_data["file"].read())
        except ImportFailed as failure:
            return render(request, "referrals/import.html",
                          {"form": ImportForm(), "errors": failure.errors[:500],
                           "error_count": len(failure.errors)}, status=400)
        record("create", actor=request.user, object_type="referrals.serviceprovider",
               details={"import": True, "created": result.created, "updated": result.updated})
        messages.success(request, f"Imported the file: {result.created} new, {result.updated} "
                                  f"updated, {result.geocoded} placed by ZIP code or city.")
        return redirect("referrals:directory")
    return render(request, "referrals/import.html", {"form": form})


# -- referrals ------------------------------------------------------------------------

@requires("referral.view")
def referral_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = scope(user, "referral.view", Referral.objects.select_related("case",
                                                                           "organisation"))
    box = "incoming" if request.GET.get("box") == "incoming" else "outgoing"
    if box == "incoming":
        referrals = visible.incoming(user.organisation)
    else:
        referrals = visible.outgoing(user.organisation)
        if not can(user, "breakglass.use"):
            referrals = referrals.filter(case__restricted=False) | referrals.filter(
                case__owner=user)
    status = request.GET.get("status", "")
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals.defer("shared_record", "details", "response_note"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/referral_list.html",
                  {"page": page, "box": box, "status": status,
                   "statuses": ReferralStatus.choices})


def _case_for_referral(request: HttpRequest, reference: str, action: str) -> Case:
    case = get_object_for(request.user, "case.view", Case, reference=reference)
    if not can(request.user, action, case):
        raise PermissionDenied(f"Your role may not {action} this case.")
    return case


def _consent_preview(case: Case, kind: str):
    from harborlight.cases.models import ConsentPurpose

    purpose = ConsentPurpose.TRANSFER if kind == ReferralKind.TRANSFER \
        else ConsentPurpose.REFERRAL
    consents = case.consents.active().filter(purpose=purpose)
    return [{"consent": consent, "recipient": consent.recipient or "any recipient",
             "fields": [vocabulary.htcds_label(name) for name in consent.fields_allowed or []]}
            for consent in consents]


@requires("referral.send")
def referral_new(request: HttpRequest, reference: str) -> HttpResponse:
    return _send_form(request, reference, ReferralKind.REFERRAL, "referral.send")


@requires("case.transfer")
def transfer_new(request: HttpRequest, reference: str) -> HttpResponse:
    return _send_form(request, reference, ReferralKind.TRANSFER, "case.transfer")


def _send_form(request: HttpRequest, reference: str, kind: str, action: str) -> HttpResponse:
    case = _case_for_referral(request, reference, action)
    form = ReferralForm(request.POST or None, organisation=request.user.organisation,
                        partners_only=kind == ReferralKind.TRANSFER)
    context = {"case": case, "form": form, "kind": kind,
               "consents": _consent_preview(case, kind),
               "previous": case.referrals_out.all()[:20]}
    if request.method != "POST":
        return render(request, "referrals/referral_form.html", context)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = send(case, by=request.user, provider=data["provider"],
                            reason=data["reason"], details=data["details"],
                            services=data.get("services", []), kind=kind)
        except (ConsentRequired, ReferralError) as exc:
            form.add_error("provider" if isinstance(exc, ConsentRequired) else None, str(exc))
        else:
            messages.success(request, f"{referral.get_kind_display()} {referral.reference} "
                                      f"sent to {referral.recipient_name}.")
            return redirect("referrals:detail", reference=referral.reference)
    return render(request, "referrals/referral_form.html", context, status=400)


@requires("referral.view")
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_object_for(request.user, "referral.view", _referrals(), reference=reference)
    return render(request, "referrals/referral_detail.html", _detail_context(request,
                                                                              referral))


def _referrals():
    return Referral.objects.select_related("case", "organisation", "recipient_organisation",
                                           "sent_by", "receiver_caseworker", "consent",
                                           "provider", "received_case")


def _detail_context(request: HttpRequest, referral: Referral, form=None) -> dict:
    user = request.user
    sender = user.organisation_id == referral.organisation_id
    record_ = referral.visible_record() if not sender else referral.shared_record
    answerable = referral.answerable_by(user) and can(user, "referral.respond", referral) \
        and bool(referral.next_statuses())
    if answerable and form is None:
        form = ResponseForm(allowed=referral.next_statuses())
    can_open_case = (not sender and referral.is_internal and not referral.is_transfer
                     and referral.received_case_id is None and bool(record_)
                     and referral.status in (ReferralStatus.ACCEPTED,
                                             ReferralStatus.COMPLETED)
                     and can(user, "case.create") and can(user, "referral.respond"))
    return {"referral": referral, "sender": sender, "record": record_,
            "can_open_case": can_open_case,
            "withdrawn": not sender and bool(referral.shared_record) and not record_,
            "labels": {name: vocabulary.htcds_label(name) for name in fields_in(
                referral.shared_record)},
            "htcds": referral.htcds_outgoing() if sender else referral.htcds_incoming(),
            "form": form if answerable else None, "service_labels": vocabulary.services()}


@requires("referral.respond")
def referral_respond(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_object_for(request.user, "referral.view", _referrals(), reference=reference)
    if not referral.answerable_by(request.user):
        raise PermissionDenied("Only the receiving organisation answers this referral.")
    if request.method != "POST":
        return redirect("referrals:detail", reference=referral.reference)
    form = ResponseForm(request.POST, allowed=referral.next_statuses())
    if form.is_valid():
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        method = {ReferralStatus.ACCEPTED: referral.accept,
                  ReferralStatus.DECLINED: referral.decline,
                  ReferralStatus.COMPLETED: referral.complete}[decision]
        try:
            method(by=request.user, note=note)
        except ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{referral.reference}: "
                                      f"{referral.get_status_display().lower()}.")
            if referral.received_case_id:
                return redirect("cases:detail", reference=referral.received_case.reference)
            return redirect("referrals:detail", reference=referral.reference)
    return render(request, "referrals/referral_detail.html",
                  _detail_context(request, referral, form), status=400)


@requires("referral.respond")
def referral_open_case(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_object_for(request.user, "referral.view", _referrals(), reference=reference)
    if not can(request.user, "case.create"):
        raise PermissionDenied("Your role may not open cases.")
    if request.user.organisation_id != referral.recipient_organisation_id:
        raise PermissionDenied("Only the receiving organisation opens a case from this "
                               "referral.")
    if request.method != "POST":
        return redirect("referrals:detail", reference=referral.reference)
    try:
        case = referral.open_case(by=request.user)
    except ReferralError as exc:
        messages.error(request, str(exc))
        return redirect("referrals:detail", reference=referral.reference)
    messages.success(request, f"Opened case {case.reference} from {referral.reference}.")
    return redirect("cases:detail", reference=case.reference)


@requires("referral.send")
def referral_letter(request: HttpRequest, reference: str) -> HttpResponse:
    referral = get_object_for(request.user, "referral.view",
                              _referrals().filter(organisation=request.user.organisation),
                              reference=reference)
    return render(request, "referrals/letter.html",
                  {"referral": referral, "record": referral.shared_record,
                   "labels": {name: vocabulary.htcds_label(name)
                              for name in fields_in(referral.shared_record)},
                   "service_labels": vocabulary.services(),
                   "consent_active": referral.consent_active()})

