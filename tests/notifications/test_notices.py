"""Notices in the app: made by the act that calls for them, one per person who may act,
settled by the act that answers them (or dismissed), counted in the header; no e-mail."""

from __future__ import annotations

import pytest
from django.core import mail

from harborlight.accounts.models import Role
from harborlight.cases.models import Case
from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose, Recipient
from harborlight.intake.triage import create_tip
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.referrals.answering import answer
from harborlight.referrals.models import ReferralStatus, ServiceProvider
from harborlight.referrals.sending import send
from harborlight.security.breakglass import break_glass
from tests_support import assert_trail, audit_mark


def waiting(user) -> list[str]:
    return [notice.kind for notice in Notice.objects.for_user(user).waiting()]


@pytest.fixture
def partner(cast):
    return ServiceProvider.objects.create(organisation=cast.own, name="Other Shelter desk",
                                          partner=cast.other)


def refer(cast, partner, kind="referral"):
    purpose = ConsentPurpose.TRANSFER if kind == "transfer" else ConsentPurpose.REFERRAL
    Consent.objects.record(by=cast.role(Role.CASEWORKER), case=cast.own_case,
                           purpose=purpose, method=ConsentMethod.VERBAL,
                           retention_explained=True, withdrawal_explained=True,
                           recipient=Recipient(provider_id=partner.pk))
    by = cast.role(Role.SUPERVISOR if kind == "transfer" else Role.CASEWORKER)
    return send(cast.own_case, by=by, provider=partner, reason="Other", kind=kind)


def test_it_tells_everyone_who_may_answer_a_referral_and_settles_it_for_all(cast, partner):
    referral = refer(cast, partner)
    shelter = [cast.outsiders[Role.CASEWORKER], cast.outsiders[Role.SUPERVISOR]]
    for person in shelter:
        assert waiting(person) == [NoticeKind.REFERRAL_RECEIVED]
    for person in (cast.outsiders[Role.ADMINISTRATOR], cast.outsiders[Role.AUDITOR],
                   cast.role(Role.CASEWORKER)):
        assert waiting(person) == [], "only those who may answer it, in its organisation"
    [notice] = Notice.objects.for_user(shelter[0])
    assert notice.sentence == (f"New referral {referral.reference} from Own Hotline: "
                               "answer it.")
    assert notice.url == f"/directory/referrals/{referral.reference}/"
    mark = audit_mark()
    answer(referral, ReferralStatus.ACCEPTED, by=shelter[0], note="Bed ready.")
    assert waiting(shelter[0]) == [] and waiting(shelter[1]) == [], "settled for everyone"
    assert waiting(cast.role(Role.CASEWORKER)) == [NoticeKind.REFERRAL_ACCEPTED]
    assert_trail(mark, ("update", referral))  # notices add no audit entries of their own
    assert not mail.outbox


def test_it_tells_the_sender_of_a_decline_and_marks_it_read_when_they_open_it(
        cast, partner, signed_in_client):
    referral = refer(cast, partner)
    answer(referral, ReferralStatus.DECLINED, by=cast.outsiders[Role.CASEWORKER])
    sender = cast.role(Role.CASEWORKER)
    [notice] = Notice.objects.for_user(sender).waiting()
    assert notice.sentence == f"Other Shelter declined referral {referral.reference}."
    client = signed_in_client(sender)
    assert "1 notice<" in client.get("/dashboard/").content.decode()
    client.get(notice.url)
    assert waiting(sender) == []


def test_it_puts_a_transfer_on_the_receivers_dashboard(cast, partner):
    transfer = refer(cast, partner, kind="transfer")
    receiver = cast.outsiders[Role.SUPERVISOR]
    assert waiting(receiver) == [NoticeKind.TRANSFER_WAITING]
    answer(transfer, ReferralStatus.ACCEPTED, by=receiver)
    assert waiting(receiver) == [], "settled, and who answered is not told of it"
    assert waiting(cast.role(Role.SUPERVISOR)) == [NoticeKind.REFERRAL_ACCEPTED]
    assert waiting(cast.role(Role.CASEWORKER)) == [NoticeKind.REFERRAL_ACCEPTED], \
        "the case's caseworker hears that the partner took it"


def test_it_tells_whoever_a_tip_is_assigned_to_until_the_tip_is_dealt_with(cast):
    operator, supervisor = cast.role(Role.HOTLINE_OPERATOR), cast.role(Role.SUPERVISOR)
    tip, _ = create_tip(cast.own, narrative="A call about a farm.", channel="call")
    tip.assign(operator, by=supervisor)
    assert waiting(operator) == [NoticeKind.TIP_ASSIGNED]
    tip.assign(supervisor, by=supervisor)
    assert waiting(operator) == [], "given to someone else: no longer theirs"
    assert waiting(supervisor) == [], "nobody is told of what they did themselves"
    tip.assign(operator, by=supervisor)
    tip.close("information_given", by=operator)
    assert waiting(operator) == []


def test_it_tells_the_caseworker_chosen_or_the_supervisors_of_a_case_nobody_holds(cast):
    operator = cast.role(Role.HOTLINE_OPERATOR)
    caseworker, supervisor = cast.role(Role.CASEWORKER), cast.role(Role.SUPERVISOR)
    tip, _ = create_tip(cast.own, narrative="A call.", channel="call")
    case = tip.convert_to_case(by=operator, owner=caseworker)
    assert waiting(caseworker) == [NoticeKind.CASE_ASSIGNED]
    other, _ = create_tip(cast.own, narrative="Another call.", channel="call")
    waiting_case = other.convert_to_case(by=operator, unassigned=True)
    assert waiting_case.owner is None
    assert waiting(supervisor) == [NoticeKind.CASE_WAITING]
    assert waiting(operator) == [] and waiting(caseworker) == [NoticeKind.CASE_ASSIGNED]
    waiting_case.assign(cast.teammate, by=supervisor)
    assert waiting(supervisor) == [] and waiting(cast.teammate) == [NoticeKind.CASE_ASSIGNED]
    assert Case.objects.get(pk=case.pk).owner == caseworker


def test_it_asks_someone_else_to_review_a_break_glass_access(cast):
    supervisor = cast.role(Role.SUPERVISOR)
    grant = break_glass(supervisor, cast.own_restricted_case,
                        "The client called in danger tonight")
    reviewers = [cast.role(Role.ADMINISTRATOR), cast.role(Role.AUDITOR)]
    for reviewer in reviewers:
        assert waiting(reviewer) == [NoticeKind.BREAK_GLASS]
    assert waiting(supervisor) == [], "never the person who used it"
    grant.mark_reviewed(cast.role(Role.AUDITOR), note="Justified.")
    assert all(waiting(reviewer) == [] for reviewer in reviewers)


def test_it_dismisses_only_ones_own_notice(cast, partner, signed_in_client):
    refer(cast, partner)
    mine = Notice.objects.get(recipient=cast.outsiders[Role.CASEWORKER])
    theirs = Notice.objects.get(recipient=cast.outsiders[Role.SUPERVISOR])
    client = signed_in_client(cast.outsiders[Role.CASEWORKER])
    assert client.post(f"/notices/{theirs.pk}/dismiss/").status_code == 404
    response = client.post(f"/notices/{mine.pk}/dismiss/")
    assert response.status_code == 302 and response.url == "/dashboard/#notices"
    assert waiting(cast.outsiders[Role.CASEWORKER]) == []
    assert waiting(cast.outsiders[Role.SUPERVISOR]) == [NoticeKind.REFERRAL_RECEIVED]


def test_it_lists_what_waits_first_on_the_dashboard_with_a_link(cast, partner,
                                                              signed_in_client):
    referral = refer(cast, partner)
    page = signed_in_client(cast.outsiders[Role.CASEWORKER]).get("/dashboard/")
    body = page.content.decode()
    assert body.index("Waiting for you") < body.index("cases-heading")
    assert f'<a href="/directory/referrals/{referral.reference}/">New referral' in body
    assert "1 notice<" in body
