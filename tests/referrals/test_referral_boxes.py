"""Pages and API list the same referrals, for every role, in both boxes (one home:
:func:`harborlight.referrals.boxes.referral_box`). A supervisor used to see a restricted
case's referral on the page and not in the API."""

from __future__ import annotations

import re

import pytest

from harborlight.accounts.models import Role
from harborlight.consent.models import ConsentPurpose
from harborlight.referrals.models import ServiceProvider
from harborlight.referrals.sending import send

REFERENCE = re.compile(r"R-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def referrals(cast, caseworker, partner_entry, outside_entry, give_consent):
    """Own sends three (one from its restricted case); other sends one to own."""
    for case in (cast.own_case, cast.own_restricted_case):
        give_consent(ConsentPurpose.REFERRAL, [], case=case)
    sent = [send(cast.own_case, by=caseworker, provider=partner_entry, reason="Other"),
            send(cast.own_restricted_case, by=caseworker, provider=partner_entry,
                 reason="Other"),
            send(cast.own_case, by=caseworker, provider=outside_entry, reason="Other")]
    back = ServiceProvider.objects.create(organisation=cast.other, name="Own Hotline desk",
                                          partner=cast.own)
    give_consent(ConsentPurpose.REFERRAL, [], case=cast.other_case)
    received = send(cast.other_case, by=cast.outsiders[Role.CASEWORKER], provider=back,
                    reason="Other")
    return {"sent": sent, "received": received}


def _page(client, box: str) -> tuple[int, set[str]]:
    response = client.get("/directory/referrals/", {"box": box})
    found = set(REFERENCE.findall(response.content.decode())) if response.status_code == 200 \
        else set()
    return response.status_code, found


def _api(client, box: str) -> tuple[int, set[str]]:
    response = client.get("/api/v1/referrals", {"box": box})
    found = {item["reference"] for item in response.json()} if response.status_code == 200 \
        else set()
    return response.status_code, found


@pytest.mark.parametrize("box", ["outgoing", "incoming"])
def test_it_lists_the_same_referrals_on_pages_and_in_the_api_for_every_role(
        cast, signed_in_client, referrals, box):
    users = [*cast.users.values(), cast.teammate, *cast.outsiders.values()]
    for user in users:
        client = signed_in_client(user)
        page, api = _page(client, box), _api(client, box)
        assert page == api, f"{user.username} ({user.role}), {box}: page {page}, api {api}"


def test_it_keeps_a_restricted_cases_referral_out_of_a_supervisors_lists(
        cast, signed_in_client, referrals):
    restricted = referrals["sent"][1].reference
    supervisor = signed_in_client(cast.role(Role.SUPERVISOR))
    assert restricted not in _page(supervisor, "outgoing")[1]
    assert restricted not in _api(supervisor, "outgoing")[1]
    owner = signed_in_client(cast.role(Role.CASEWORKER))
    assert restricted in _page(owner, "outgoing")[1] and restricted in _api(owner,
                                                                            "outgoing")[1]
    receiver = signed_in_client(cast.outsiders[Role.SUPERVISOR])
    assert restricted in _api(receiver, "incoming")[1]


def test_it_names_a_bad_box_in_the_api(cast, signed_in_client):
    response = signed_in_client(cast.role(Role.CASEWORKER)).get("/api/v1/referrals",
                                                                {"box": "sideways"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"field": "box", "code": "invalid",
                                            "message": "Choose outgoing or incoming."}
