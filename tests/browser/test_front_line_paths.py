"""The front-line paths of issue 11, walked in Chromium from the demo's data, asserting
what each person sees at each step (every page through axe-core and the third-party
and CSP guards):

1. at 3 a.m. an operator logs an emergency call, triages it and opens a case for a named
   caseworker;
2. the caseworker records the survivor's consent by choosing the shelter from the
   directory, refers, and sees the referral sent;
3. the shelter sees the notice, accepts, and opens its own case holding only the fields
   the survivor agreed to share;
4. the sender sees the acceptance.

With ``HARBORLIGHT_TOUR_DIR`` set, the pages are also saved there as PNG (docs/tour/ holds
the ones docs/tour.md shows).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser_support import give_password, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FIRST_SCREEN = 900
CALL = ("The caller's cousin, 16, texted that she is locked in a room above a nail salon. "
        "The manager took her passport and says she owes $4,000. Men come to the room at "
        "night. She is scared and wants out now.")


@pytest.fixture
def demo(transactional_db):
    from harborlight.demo.records import load_demo_data

    load_demo_data()


def person(username: str):
    from harborlight.accounts.models import User

    return give_password(User.objects.get(username=username))


def save(site, name: str, full_page: bool = False) -> None:
    folder = os.environ.get("HARBORLIGHT_TOUR_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        site.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def click(site, role: str, name, **options) -> None:
    """Follow a link or press a button that loads a page, then check that page."""
    with site.page.expect_navigation():
        site.page.get_by_role(role, name=name, **options).first.click()
    site.check_accessibility()


def field(site, label: str):
    return site.page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def bottom(site, selector: str) -> float:
    box = site.page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not on the page"
    return box["y"] + box["height"]


def test_it_takes_an_emergency_call_to_a_case_for_a_named_caseworker(demo, new_site):
    from harborlight.intake.models import Tip

    operator = person("operator")
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in(site, operator)
    click(site, "link", "Tips")
    click(site, "link", "Log a contact")
    field(site, "Channel").select_option("call")
    field(site, "Who is contacting").select_option("family")
    field(site, "Place").fill("Houston, near the port")
    field(site, "People involved").fill("Cousin, 16; the salon manager")
    field(site, "Narrative").fill(CALL)
    field(site, "Caller's contact (if safe)").fill("+1 713-555-0142")
    field(site, "Is anyone in immediate danger right now?").select_option("yes")
    field(site, "Is anyone involved under 18?").select_option("yes")
    field(site, "Is this happening now?").select_option("yes")
    click(site, "button", "Log contact", exact=True)

    tip = Tip.objects.get(logged_by=operator)
    assert site.path == f"/tips/{tip.reference}/" and tip.triage_level == "emergency"
    text = site.text()
    assert f"Tip {tip.reference} Emergency" in text
    assert "Call 911" in text and "1-888-373-7888" in text
    assert "Someone is said to be in immediate danger." in text
    assert "Asked “Is anyone in immediate danger right now?”, the answer was: yes." in text
    assert "The narrative says “took her passport”: someone else holds the person's " \
           "passport" in text
    assert site.page.locator(".narrative mark").first.inner_text() in CALL
    assert not re.search(r"\b(vic|prs|cas)_[A-Z]|answer \w+ =|characters \d", text)
    # The four actions, within the first screen of a 1280 x 900 window.
    for action in ("#assign button", "#convert button", "#close button",
                   "#handoff summary"):
        assert bottom(site, action) <= FIRST_SCREEN, f"{action} is below the first screen"
    assert field(site, "Reason for closing").input_value() == "", "no reason picked for them"
    save(site, "1-tip-laptop")
    site.page.set_viewport_size(PHONE)
    assert site.page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], \
        "nothing on the tip page is wider than a phone"
    save(site, "1-tip-phone", full_page=True)
    hotline = site.page.get_by_role("link", name="1-888-373-7888")
    assert hotline.get_attribute("href") == "tel:18883737888"
    assert hotline.bounding_box()["height"] < 30, "the hotline number stays on one line"
    site.page.set_viewport_size(LAPTOP)

    field(site, "Caseworker for the new case").select_option(label="Casey Caseworker")
    click(site, "button", "Open a case…")
    assert f"Open a case from tip {tip.reference}?" in site.text()
    assert tip.__class__.objects.get(pk=tip.pk).case is None, "it asks before it acts"
    assert field(site, "Caseworker for the new case").locator("option:checked") \
        .inner_text() == "Casey Caseworker"
    save(site, "1-confirm")
    click(site, "button", "Yes, open the case")
    tip.refresh_from_db()
    case = tip.case
    assert case.owner.username == "caseworker" and tip.status == "closed"
    assert site.path == f"/tips/{tip.reference}/", "the operator stays on the tip"
    text = site.text()
    assert f"Opened case {case.reference} from tip {tip.reference} for Casey Caseworker." \
        in text
    assert f"Case {case.reference}: held by Casey Caseworker" in text
    assert site.page.get_by_role("link", name=case.reference).count() == 0, \
        "no link to a case the operator may not open"
    save(site, "1-tip-converted")

    from harborlight.notifications.models import Notice

    casey = person("caseworker")
    caseworker = new_site()
    caseworker.page.set_viewport_size(LAPTOP)
    sign_in(caseworker, casey)
    caseworker.goto("/dashboard/")
    count = Notice.objects.for_user(casey).waiting().count()  # the demo may have told her more
    assert count >= 1 and f"{count} notice" in caseworker.text("header")
    assert f"Case {case.reference} was assigned to you by Olu Operator." in caseworker.text()


def test_it_records_consent_for_the_shelter_from_the_directory_and_refers(demo, new_site):
    from harborlight.cases.models import Case
    from harborlight.referrals.models import Referral

    casey = person("caseworker")
    case = (Case.objects.open().filter(owner=casey, restricted=False, referrals_out=None)
            .order_by("reference").first())
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in(site, casey)
    site.goto(f"/cases/{case.reference}/")
    click(site, "link", "Refer to a service")
    assert "Who to refer to" in site.text()
    site.page.get_by_label("Type to filter the list").fill("safe passage")
    visible = site.page.locator("select[name=provider] option:not([hidden])")
    assert visible.all_inner_texts()[-1].startswith("Safe Passage Shelter (demo)")
    assert visible.count() == 2, "the placeholder and the one entry that matches"
    with site.page.expect_navigation():
        site.page.locator("select[name=provider]").select_option(
            label="Safe Passage Shelter (demo) (Houston, TX)")
    site.check_accessibility()
    text = site.text()
    assert "No consent on file covers sending this case to Safe Passage Shelter (demo)." \
        in text
    save(site, "2-refer-no-consent")
    click(site, "link", "Record the survivor's consent for Safe Passage Shelter (demo)")

    assert field(site, "Who may receive it").locator("option:checked").inner_text() == \
        "Safe Passage Shelter (demo) (Houston, TX)"
    assert field(site, "What they agreed to").input_value() == "referral"
    survivor = case.persons.filter(role="victim").first()
    field(site, "Who gave the consent").select_option(str(survivor.pk))
    click(site, "button", "Referral to a shelter: name, phone, languages")
    for label in ("First name", "Last name", "Mobile phone", "First language"):
        assert site.page.get_by_label(label, exact=True).is_checked(), label
    assert not site.page.get_by_label("Date of birth", exact=True).is_checked()
    field(site, "How they gave it").select_option("verbal")
    field(site, "I explained how long we keep the information").check()
    field(site, "I explained how to withdraw the consent at any time").check()
    field(site, "What was agreed, in their words").fill(
        "Yes to the shelter: my name, my phone and that I speak Spanish.")
    save(site, "2-consent-form", full_page=True)
    site.submit("Record consent", status=200)

    assert site.path == f"/directory/cases/{case.reference}/refer/"
    text = site.text()
    assert "Consent recorded." in text and "Covered: the consent recorded on" in text
    assert "Who they are: First name, Last name, Gender, First language, Other language. " \
           "Contact details: Mobile phone." in text
    site.page.get_by_label("Reason for referral").select_option(
        "AdditionalServicesRequired")
    site.page.get_by_label("Shelter and housing").check()
    site.page.get_by_label("Arrangements and logistics").fill(
        "Needs a bed tonight; arrives by bus at 9 pm.")
    save(site, "2-refer-covered")
    site.submit("Send the referral", status=200)

    referral = Referral.objects.get(case=case)
    assert site.path == f"/directory/referrals/{referral.reference}/"
    text = site.text()
    assert f"Referral for services {referral.reference} sent to Safe Passage Shelter " \
           "(demo)." in text
    assert "Waiting for an answer from Safe Passage Shelter (demo)." in text
    assert "Information shared" in text and "Mobile phone" in text
    save(site, "2-referral-sent")
    click(site, "link", "Referrals")
    click(site, "link", "Sent")
    assert referral.reference in site.text() and "Sent" in site.text()


def test_it_brings_the_referral_to_the_shelter_which_opens_a_case_of_its_own(demo,
                                                                             new_site):
    from harborlight.referrals.models import Referral, ReferralStatus

    waiting = Referral.objects.get(recipient_organisation__slug="safe-passage",
                                   status=ReferralStatus.SENT)
    survivor = waiting.case.persons.get(pk=waiting.consent.person_id) \
        if waiting.consent.person_id else waiting.case.persons.filter(role="victim").first()
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in(site, person("shelter.caseworker"))
    site.goto("/dashboard/")
    assert "1 notice" in site.text("header")
    notice = f"New referral {waiting.reference} from Harbor Hotline & Advocacy (demo): " \
             "answer it."
    assert notice in site.text()
    save(site, "3-shelter-dashboard")
    click(site, "link", notice)
    text = site.text()
    assert "Waiting for your answer." in text
    assert f"First name\n{survivor.first_name}" in text
    assert survivor.second_name not in text and survivor.mobile_phone not in text
    assert waiting.case.reference not in site.page.content(), "the sender's case stays home"
    assert not re.search(r"\b(prs|vic|cas)_[A-Z]", text)
    save(site, "3-referral-received")
    site.page.get_by_label("Accept").check()
    site.page.get_by_label("Note to the sender").fill("Bed ready from 8 pm; ask for Sky.")
    site.submit("Save the answer", status=200)
    assert f"{waiting.reference}: accepted." in site.text()
    site.submit("Open a case from this referral", status=200)

    waiting.refresh_from_db()
    own_case = waiting.received_case
    assert site.path == f"/cases/{own_case.reference}/"
    text = site.text()
    assert f"Opened case {own_case.reference} from {waiting.reference}." in text
    assert survivor.first_name in text
    assert survivor.second_name not in text and survivor.mobile_phone not in text
    copies = list(own_case.persons.all())
    assert survivor.first_name in [copy.first_name for copy in copies]
    for copy in copies:  # the consent named first name, gender and citizenship only
        assert copy.second_name == "" and copy.mobile_phone == "" and copy.email == ""
        assert copy.birthdate is None and copy.gender
    save(site, "3-shelter-case")
    site.goto("/dashboard/")
    assert "0 notices" in site.text("header"), "answered: the notice left the dashboard"


def test_it_tells_the_sender_that_the_shelter_accepted(demo, new_site):
    from harborlight.referrals.models import Referral, ReferralStatus

    accepted = Referral.objects.get(recipient_organisation__slug="safe-passage",
                                    status=ReferralStatus.ACCEPTED)
    sender = give_password(accepted.sent_by)
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in(site, sender)
    site.goto("/dashboard/")
    notice = f"Safe Passage Shelter (demo) accepted referral {accepted.reference}."
    assert notice in site.text() and "notice" in site.text("header")
    save(site, "4-sender-dashboard")
    click(site, "link", notice)
    text = site.text()
    assert "Accepted: answered by Sky Caseworker on" in text
    assert "Bed available from Friday." in text
    assert "Their caseworker\nSky Caseworker" in text
    save(site, "4-referral-accepted")
    site.goto("/dashboard/")
    assert notice not in site.text(), "read once opened"
    click(site, "link", "Referrals")
    assert "Referrals received" in site.text(), "the list opens on what needs an answer"
    click(site, "link", "Sent")
    row = site.page.locator("tr", has_text=accepted.reference)
    assert "Accepted" in row.inner_text()
