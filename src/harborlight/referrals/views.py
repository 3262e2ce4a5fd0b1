"""Directory and referral pages: thin adapters over the same calls as the API.

Each view: decorate with the action, fetch and authorise through
:func:`~harborlight.security.permissions.fetch`, and hand the form and the one service
call (:mod:`.sending`, :mod:`.answering`, the directory's model) to
:func:`harborlight.pages.step`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from harborlight.cases.models import Case
from harborlight.consent.models import Consent
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.referrals import answering, vocabulary
from harborlight.referrals.boxes import referral_box
from harborlight.referrals.forms import (
    ImportForm,
    ProviderChoiceForm,
    ProviderForm,
    ReferralForm,
    ResponseForm,
    SearchForm,
    sendable_providers,
)
from harborlight.referrals.geocoding import KM_PER_MILE
from harborlight.referrals.importing import ImportFailed, import_providers
from harborlight.referrals.models import Referral, ReferralKind, ReferralStatus, ServiceProvider
from harborlight.referrals.sending import recipient_of, send
from harborlight.pages import NoInput, form_for, page_query, step
from harborlight.security.permissions import can, fetch, requires, scope

PAGE_SIZE = 50


def _labels() -> dict:
    return {"services": vocabulary.services(), "populations": vocabulary.populations(),
            "languages": vocabulary.languages()}


def _directory_url() -> str:
    return reverse("referrals:directory")


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
    return _provider_form(request, fetch(request, ServiceProvider, pk=provider_id))


def _provider_form(request: HttpRequest, provider: ServiceProvider) -> HttpResponse:
    form = form_for(request, ProviderForm, instance=provider,
                        organisation=request.user.organisation)

    def save(data: dict) -> ServiceProvider:
        saved = form.save(commit=False)
        saved.save_by(request.user)
        return saved

    return step(request, form, save, done=lambda saved: _("Saved %(name)s.") % {"name": saved.name},
                back=_directory_url(), own_page=True,
                page=lambda bound: render(request, "referrals/provider_form.html",
                                          {"form": bound, "provider": provider}))


@requires("provider.manage")
def provider_delete(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Remove an entry; referrals already sent keep the name they were sent to."""
    provider = fetch(request, ServiceProvider, pk=provider_id)
    name = provider.name
    return step(request, form_for(request, NoInput),
                lambda data: provider.delete_by(request.user),
                done=_("Removed %(name)s from the directory.") % {"name": name},
                back=_directory_url(),
                own_page=True,
                page=lambda bound: render(request, "referrals/provider_delete.html",
                                          {"provider": provider}))


@requires("provider.manage")
def provider_import(request: HttpRequest) -> HttpResponse:
    form = form_for(request, ImportForm)
    if request.method == "POST" and form.is_valid():
        try:
            result = import_providers(request.user.organisation,
                                      form.cleaned_data["file"].read(), by=request.user)
        except ImportFailed as failure:
            return render(request, "referrals/import.html",
                          {"form": ImportForm(), "errors": failure.errors[:500],
                           "error_count": len(failure.errors)}, status=400)
        messages.success(request, _("Imported the file: %(created)s new, %(updated)s updated, "
                                    "%(geocoded)s placed by ZIP code or city.") % {
            "created": result.created, "updated": result.updated,
            "geocoded": result.geocoded})
        return redirect("referrals:directory")
    return render(request, "referrals/import.html", {"form": form},
                  status=400 if form.errors else 200)


# -- referrals ------------------------------------------------------------------------

@requires("referral.view")
def referral_list(request: HttpRequest) -> HttpResponse:
    # Received first: what needs an answer from this organisation.
    box = "outgoing" if request.GET.get("box") == "outgoing" else "incoming"
    referrals = referral_box(request.user, box)
    status = request.GET.get("status", "")
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/referral_list.html",
                  {"page": page, "box": box, "status": status, "query": page_query(request),
                   "statuses": ReferralStatus.choices})


@requires(ReferralKind.REFERRAL.send_action)
def referral_new(request: HttpRequest, reference: str) -> HttpResponse:
    return _send_form(request, reference, ReferralKind.REFERRAL)


@requires(ReferralKind.TRANSFER.send_action)
def transfer_new(request: HttpRequest, reference: str) -> HttpResponse:
    return _send_form(request, reference, ReferralKind.TRANSFER)


def _send_form(request: HttpRequest, reference: str, kind: ReferralKind) -> HttpResponse:
    """Two steps on one address: choose the recipient (a GET form: works without
    JavaScript, keeps nothing personal in the address), then read what the consents on
    file say about that recipient, in the gate's own words, and send."""
    case = fetch(request, Case, reference=reference)
    organisation = request.user.organisation
    transfer = kind == ReferralKind.TRANSFER
    chooser = ProviderChoiceForm(request.GET or None,
                                 providers=sendable_providers(organisation, transfer),
                                 transfer=transfer)
    form = form_for(request, ReferralForm, organisation=organisation, partners_only=transfer)
    if request.method == "POST":
        provider = chooser.provider_named(request.POST.get("provider"))
    else:
        provider = chooser.cleaned_data["provider"] if chooser.is_valid() else None
        form = ReferralForm(organisation=organisation, partners_only=transfer,
                            initial={"provider": provider.pk if provider else None})
    context = {"case": case, "kind": kind, "chooser": chooser, "provider": provider,
               "recipient": recipient_of(provider) if provider else None,
               "verdicts": _verdicts(case, kind, provider),
               "consents": case.consents.active().filter(purpose=kind.consent_purpose)
               .select_related("person"),
               "previous": case.referrals_out.all()[:20]}

    def page(bound) -> HttpResponse:
        return render(request, "referrals/referral_form.html", {**context, "form": bound})

    if request.method != "POST":
        return _with_status(page(form), 400 if chooser.errors else 200)

    def refer(data: dict) -> Referral:
        return send(case, by=request.user, provider=data["provider"], reason=data["reason"],
                    details=data["details"], services=data.get("services", []), kind=kind)

    return step(request, form, refer, own_page=True, page=page, then=referral_url,
                back=reverse("cases:detail", kwargs={"reference": case.reference}),
                done=lambda sent: _("%(kind)s %(reference)s sent to %(recipient)s.") % {
                    "kind": sent.get_kind_display(), "reference": sent.reference,
                    "recipient": sent.recipient_name})


def _with_status(response: HttpResponse, status: int) -> HttpResponse:
    response.status_code = status
    return response


def _verdicts(case: Case, kind: ReferralKind, provider) -> dict | None:
    """What the consent gate says about sending this case to ``provider``: the covering
    consent if there is one, and every recent consent with the reason it does or does not
    cover (the gate's own rule, :meth:`~harborlight.consent.models.Consent.judge`)."""
    if provider is None:
        return None
    explained = Consent.objects.explain(kind.consent_purpose, case=case,
                                        recipient=recipient_of(provider))
    covering = next((consent for consent, verdict in explained
                     if verdict.covers and consent.is_active()), None)
    return {"covering": covering, "explained": explained,
            "record_url": reverse("cases:consent_add", kwargs={"reference": case.reference})
            + "?" + urlencode({"purpose": kind.consent_purpose,
                               "recipient": f"provider:{provider.pk}", "then": "send"})}


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", kwargs={"reference": referral.reference})


def _referrals():
    return Referral.objects.select_related("case", "organisation", "recipient_organisation",
                                           "sent_by", "receiver_caseworker", "consent",
                                           "provider", "received_case")


@requires("referral.view")
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = fetch(request, _referrals(), reference=reference)
    # Reading how a partner answered is all an acceptance or refusal notice asks for.
    Notice.objects.settle(referral.notice_subject, recipient=request.user,
                          kinds=[NoticeKind.REFERRAL_ACCEPTED, NoticeKind.REFERRAL_DECLINED])
    return render(request, "referrals/referral_detail.html",
                  _detail_context(request, referral))


def _detail_context(request: HttpRequest, referral: Referral, form=None) -> dict:
    user = request.user
    sender = user.organisation_id == referral.organisation_id
    record_ = referral.visible_record() if not sender else referral.shared_record
    answerable = can(user, "referral.respond", referral) and bool(referral.next_statuses())
    if answerable and form is None:
        form = ResponseForm(allowed=referral.next_statuses())
    can_open_case = (not sender and referral.is_internal and not referral.is_transfer
                     and referral.received_case_id is None and bool(record_)
                     and referral.status in (ReferralStatus.ACCEPTED,
                                             ReferralStatus.COMPLETED)
                     and can(user, "case.create")
                     and can(user, "referral.respond", referral))
    return {"referral": referral, "sender": sender, "record": record_,
            "can_open_case": can_open_case,
            "withdrawn": not sender and bool(referral.shared_record) and not record_,
            "htcds": referral.htcds_outgoing() if sender else referral.htcds_incoming(),
            "form": form if answerable else None, "service_labels": vocabulary.services()}


@requires("referral.respond")
def referral_respond(request: HttpRequest, reference: str) -> HttpResponse:
    referral = fetch(request, _referrals(), reference=reference)
    form = form_for(request, ResponseForm, allowed=referral.next_statuses())

    def then(answered: Referral) -> str:
        if answered.received_case_id:
            return reverse("cases:detail",
                           kwargs={"reference": answered.received_case.reference})
        return referral_url(answered)

    return step(request, form,
                lambda data: answering.answer(referral, data["decision"], by=request.user,
                                              note=data["note"]),
                done=lambda answered: _("%(reference)s: %(status)s.") % {
                    "reference": answered.reference,
                    "status": answered.get_status_display().lower()},
                back=referral_url(referral), then=then,
                page=lambda bound: render(request, "referrals/referral_detail.html",
                                          _detail_context(request, referral, bound)))


@requires("referral.respond", "case.create")
def referral_open_case(request: HttpRequest, reference: str) -> HttpResponse:
    referral = fetch(request, _referrals(), reference=reference)
    return step(request, form_for(request, NoInput),
                lambda data: answering.open_case(referral, by=request.user),
                done=lambda case: _("Opened case %(case)s from %(referral)s.") % {
                    "case": case.reference, "referral": referral.reference},
                back=referral_url(referral),
                then=lambda case: reverse("cases:detail", kwargs={"reference": case.reference}))


@requires("referral.send")
def referral_letter(request: HttpRequest, reference: str) -> HttpResponse:
    referral = fetch(request, _referrals(), shows_record=True, reference=reference)
    return render(request, "referrals/letter.html",
                  {"referral": referral, "record": referral.shared_record,
                   "service_labels": vocabulary.services(),
                   "consent_active": referral.consent_active()})
