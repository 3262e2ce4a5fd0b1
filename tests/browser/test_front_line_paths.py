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

Paths 2-4 run in English and in Spanish (the people's ``language``): :func:`say` gives
what a reader of the language sees for each English text the test names.

With ``HARBORLIGHT_TOUR_DIR`` set, the pages are also saved there as PNG (docs/tour/ holds
the ones docs/tour.md shows).
"""

from __future__ import annotations

import functools
import json
import os
import re
from importlib import resources
from pathlib import Path

import pytest
from browser_support import give_password, sign_in
from django.utils import translation

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FIRST_SCREEN = 900
CALL = ("The caller's cousin, 16, texted that she is locked in a room above a nail salon. "
        "The manager took her passport and says she owes $4,000. Men come to the room at "
        "night. She is scared and wants out now.")


LANGUAGES = pytest.mark.parametrize("language", ["en", "es"])
# Words a page shows the same in both languages.
SAME_IN_EVERY_LANGUAGE = {"data.csv", "report.json", "report.html", "%(reference)s: %(status)s."}


@functools.cache
def _vocab_words(language: str) -> dict[str, str]:
    """English -> ``language`` of the vocab files' words (field labels, groups, presets,
    services), which keep both side by side rather than in the catalogue."""
    found: dict[str, str] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("en"), str) and isinstance(node.get(language), str):
                found.setdefault(node["en"], node[language])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for package, name in (("harborlight.vocab", "field_words.json"),
                          ("harborlight.referrals.data", "directory_vocabulary.json")):
        walk(json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8")))
    return found


def say(language: str, text: str, context: str = "", plural: str = "", n: int = 1,
        **values) -> str:
    """What a reader of ``language`` sees where the English page says ``text`` (a
    catalogue entry, or a vocab file's words), with ``values`` put in as the page does.
    Fails when there are no words in that language, so a test never passes on English."""
    if language == "en":
        said = (plural if n != 1 else text) if plural else text
    else:
        with translation.override(language):
            if plural:
                said = translation.ngettext(text, plural, n)
            elif context:
                said = translation.pgettext(context, text)
            else:
                said = translation.gettext(text)
        if said == text:
            said = _vocab_words(language).get(text, text)
        assert said != text or text in SAME_IN_EVERY_LANGUAGE, \
            f"no {language} words for {text!r}"
    return said % values if values else said


@pytest.fixture
def demo(transactional_db):
    from harborlight.demo.records import load_demo_data

    load_demo_data()


def person(username: str):
    from harborlight.accounts.models import User

    return give_password(User.objects.get(username=username))


def sign_in_reading(site, user, language: str) -> None:
    """Sign in, then read the staff pages in ``language`` (the user's own setting, as the
    header's language switch sets it)."""
    sign_in(site, user)
    user.language = language
    user.save(update_fields=["language"])


def save(site, name: str, full_page: bool = False, language: str = "en") -> None:
    folder = os.environ.get("HARBORLIGHT_TOUR_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        suffix = "" if language == "en" else f"-{language}"
        site.page.screenshot(path=str(Path(folder) / f"{name}{suffix}.png"),
                             full_page=full_page)


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


@LANGUAGES
def test_it_records_consent_for_the_shelter_from_the_directory_and_refers(demo, new_site,
                                                                           language):
    from harborlight.cases.models import Case
    from harborlight.consent.models import ConsentPurpose
    from harborlight.referrals.models import Referral

    def t(text, **options):
        return say(language, text, **options)

    shelter = "Safe Passage Shelter (demo)"
    casey = person("caseworker")
    # References are random, so pick by what matters: the demo records a referral
    # consent to any provider on about half its cases, and this path starts with none.
    case = (Case.objects.open().filter(owner=casey, restricted=False, referrals_out=None)
            .exclude(consents__purpose=ConsentPurpose.REFERRAL)
            .order_by("reference").first())
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in_reading(site, casey, language)
    site.goto(f"/cases/{case.reference}/")
    assert site.page.locator("html").get_attribute("lang") == language
    click(site, "link", t("Refer to a service"))
    assert t("Who to refer to") in site.text()
    site.page.get_by_label(t("Type to filter the list")).fill("safe passage")
    visible = site.page.locator("select[name=provider] option:not([hidden])")
    assert visible.all_inner_texts()[-1].startswith(shelter)
    assert visible.count() == 2, "the placeholder and the one entry that matches"
    with site.page.expect_navigation():
        site.page.locator("select[name=provider]").select_option(
            label=f"{shelter} (Houston, TX)")
    site.check_accessibility()
    text = site.text()
    assert t("No consent on file covers sending this case to %(name)s.", name=shelter) in text
    save(site, "2-refer-no-consent", language=language)
    click(site, "link", t("Record the survivor's consent for %(name)s", name=shelter))

    assert field(site, t("Who may receive it")).locator("option:checked").inner_text() == \
        f"{shelter} (Houston, TX)"
    assert field(site, t("What they agreed to")).input_value() == "referral"
    survivor = case.persons.filter(role="victim").first()
    field(site, t("Who gave the consent")).select_option(str(survivor.pk))
    click(site, "button", t("Referral to a shelter: name, phone, languages"))
    for label in ("First name", "Last name", "Mobile phone", "First language"):
        assert site.page.get_by_label(t(label), exact=True).is_checked(), label
    assert not site.page.get_by_label(t("Date of birth"), exact=True).is_checked()
    field(site, t("How they gave it")).select_option("verbal")
    field(site, t("I explained how long we keep the information")).check()
    field(site, t("I explained how to withdraw the consent at any time")).check()
    field(site, t("What was agreed, in their words")).fill(
        "Yes to the shelter: my name, my phone and that I speak Spanish.")
    save(site, "2-consent-form", full_page=True, language=language)
    site.submit(t("Record consent"), status=200)

    assert site.path == f"/directory/cases/{case.reference}/refer/"
    text = site.text()
    assert t("Consent recorded.") in text
    assert t("Covered: the consent recorded on %(when)s allows it.", when="|").split("|")[0] \
        in text
    who = ", ".join(t(label) for label in ("First name", "Last name", "Gender",
                                           "First language", "Other language"))
    assert f"{t('Who they are')}: {who}. {t('Contact details')}: {t('Mobile phone')}." in text
    site.page.get_by_label(t("Reason for referral")).select_option(
        "AdditionalServicesRequired")
    site.page.get_by_label(t("Shelter and housing")).check()
    site.page.get_by_label(t("Arrangements and logistics")).fill(
        "Needs a bed tonight; arrives by bus at 9 pm.")
    save(site, "2-refer-covered", language=language)
    site.submit(t("Send the referral"), status=200)

    referral = Referral.objects.get(case=case)
    assert site.path == f"/directory/referrals/{referral.reference}/"
    text = site.text()
    assert t("%(kind)s %(reference)s sent to %(recipient)s.", kind=t("Referral for services"),
             reference=referral.reference, recipient=shelter) in text
    assert t("Waiting for an answer from %(name)s.", name=shelter) in text
    assert t("Information shared") in text and t("Mobile phone") in text
    save(site, "2-referral-sent", language=language)
    click(site, "link", t("Referrals"))
    click(site, "link", t("Sent", context="referral box"))
    assert referral.reference in site.text() and t("Sent") in site.text()


@LANGUAGES
def test_it_brings_the_referral_to_the_shelter_which_opens_a_case_of_its_own(demo, new_site,
                                                                             language):
    from harborlight.referrals.models import Referral, ReferralStatus

    def t(text, **options):
        return say(language, text, **options)

    def notices(n: int) -> str:
        return t("%(counter)s notice", plural="%(counter)s notices", n=n, counter=n)

    waiting = Referral.objects.get(recipient_organisation__slug="safe-passage",
                                   status=ReferralStatus.SENT)
    survivor = waiting.case.persons.get(pk=waiting.consent.person_id) \
        if waiting.consent.person_id else waiting.case.persons.filter(role="victim").first()
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in_reading(site, person("shelter.caseworker"), language)
    site.goto("/dashboard/")
    assert notices(1) in site.text("header")
    notice = t("New referral %(reference)s from %(organisation)s: answer it.",
               reference=waiting.reference, organisation="Harbor Hotline & Advocacy (demo)")
    assert notice in site.text()
    save(site, "3-shelter-dashboard", language=language)
    click(site, "link", notice)
    text = site.text()
    assert t("Waiting for your answer.") in text
    assert f"{t('First name')}\n{survivor.first_name}" in text
    assert survivor.second_name not in text and survivor.mobile_phone not in text
    assert waiting.case.reference not in site.page.content(), "the sender's case stays home"
    assert not re.search(r"\b(prs|vic|cas)_[A-Z]", text)
    save(site, "3-referral-received", language=language)
    site.page.get_by_label(t("Accept")).check()
    site.page.get_by_label(t("Note to the sender")).fill("Bed ready from 8 pm; ask for Sky.")
    site.submit(t("Save the answer"), status=200)
    assert t("%(reference)s: %(status)s.", reference=waiting.reference,
             status=t("Accepted").lower()) in site.text()
    site.submit(t("Open a case from this referral"), status=200)

    waiting.refresh_from_db()
    own_case = waiting.received_case
    assert site.path == f"/cases/{own_case.reference}/"
    text = site.text()
    assert t("Opened case %(case)s from %(referral)s.", case=own_case.reference,
             referral=waiting.reference) in text
    assert survivor.first_name in text
    assert survivor.second_name not in text and survivor.mobile_phone not in text
    copies = list(own_case.persons.all())
    assert survivor.first_name in [copy.first_name for copy in copies]
    for copy in copies:  # the consent named first name, gender and citizenship only
        assert copy.second_name == "" and copy.mobile_phone == "" and copy.email == ""
        assert copy.birthdate is None and copy.gender
    save(site, "3-shelter-case", language=language)
    site.goto("/dashboard/")
    assert notices(0) in site.text("header"), "answered: the notice left the dashboard"


@LANGUAGES
def test_it_tells_the_sender_that_the_shelter_accepted(demo, new_site, language):
    from harborlight.referrals.models import Referral, ReferralStatus

    def t(text, **options):
        return say(language, text, **options)

    accepted = Referral.objects.get(recipient_organisation__slug="safe-passage",
                                    status=ReferralStatus.ACCEPTED)
    sender = give_password(accepted.sent_by)
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in_reading(site, sender, language)
    site.goto("/dashboard/")
    notice = t("%(organisation)s accepted referral %(reference)s.",
               organisation="Safe Passage Shelter (demo)", reference=accepted.reference)
    assert notice in site.text()
    assert t("%(counter)s notice", plural="%(counter)s notices", n=1, counter="")\
        .strip() in site.text("header")
    save(site, "4-sender-dashboard", language=language)
    click(site, "link", notice)
    text = site.text()
    answered = t("answered by %(who)s on %(when)s", who="Sky Caseworker", when="|")
    assert f"{t('Accepted')}: {answered.split('|')[0]}" in text
    assert "Bed available from Friday." in text
    assert f"{t('Their caseworker')}\nSky Caseworker" in text
    save(site, "4-referral-accepted", language=language)
    site.goto("/dashboard/")
    assert notice not in site.text(), "read once opened"
    click(site, "link", t("Referrals"))
    assert t("Referrals received") in site.text(), "the list opens on what needs an answer"
    click(site, "link", t("Sent", context="referral box"))
    row = site.page.locator("tr", has_text=accepted.reference)
    assert t("Accepted") in row.inner_text()
