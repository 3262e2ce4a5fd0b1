"""Every public page: quick exit, language switch, no inline script or style (strict CSP)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from harborlight.intake.models import Tip
from harborlight.intake.triage import create_tip

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "harborlight" / "intake" / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def _public_pages(cast) -> list:
    tip, passphrase = create_tip(cast.own, narrative="n", channel="web",
                                             public=True)
    client = Client()
    return [
        client.get("/report/"),
        client.get("/report/?lang=es"),
        client.post("/report/", {"narrative": "Something I saw."}),
        client.post("/report/", {"narrative": ""}),
        client.get("/report/follow-up/"),
        client.post("/report/follow-up/", {"reference": tip.reference,
                                           "passphrase": passphrase}),
        client.post("/report/follow-up/", {"reference": tip.reference, "passphrase": "x"}),
        client.get("/report/signs/"),
        client.get("/report/signs/?lang=es"),
        client.get("/report/check/?done=1&answer_danger_now=yes"),
        client.get("/report/check/?lang=es"),
    ]


def test_it_offers_quick_exit_and_both_languages_on_every_public_page(cast, settings):
    settings.HARBORLIGHT_QUICK_EXIT_URL = "https://neutral.example/"
    for response in _public_pages(cast):
        body = response.content.decode()
        assert 'id="quick-exit" href="https://neutral.example/" rel="noreferrer noopener"' \
            in body
        assert "intake/quick_exit.js" in body
        assert 'hreflang="en"' in body and 'hreflang="es"' in body
        assert not response.cookies


def test_it_has_no_inline_script_style_or_handlers_in_intake_templates():
    templates = list(TEMPLATES.rglob("*.html"))
    assert templates
    offenders = [str(path) for path in templates if INLINE.search(path.read_text())]
    assert not offenders, f"inline script/style/handler in {offenders}"


def test_it_follows_up_in_spanish(cast):
    tip, passphrase = create_tip(cast.own, narrative="n", channel="web",
                                             public=True)
    response = Client().post("/report/follow-up/?lang=es", {
        "reference": tip.reference, "passphrase": "WRONG", "lang": "es"})
    assert "no coinciden" in response.content.decode()


@pytest.mark.parametrize("limit, expected", [(1, [True, False]), (3, [True, True])])
def test_it_counts_submissions_in_a_site_wide_bucket_per_minute(settings, limit, expected):
    from django.test import RequestFactory

    from harborlight.intake.public import take_submission_slot

    settings.HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE = limit
    one, two = (RequestFactory().post("/report/", REMOTE_ADDR=address)
                for address in ("192.0.2.1", "192.0.2.2"))
    minute = 1_800_000_000.0
    assert [take_submission_slot(one, now=minute),
            take_submission_slot(two, now=minute + 1)] == expected
    assert take_submission_slot(two, now=minute + 60) is True  # a new minute, a new bucket


def test_it_makes_the_emergency_numbers_tap_to_call_in_both_languages(cast):
    hotline = '<a class="phone" href="tel:18883737888">1-888-373-7888</a>'
    emergency = '<a class="phone" href="tel:911">911</a>'
    english = Client().get("/report/").content.decode()
    assert f"Call {emergency}." in english and hotline in english
    spanish = Client().get("/report/?lang=es").content.decode()
    assert f"Llama al {emergency}." in spanish and hotline in spanish
    received = Client().post("/report/?lang=es", {"narrative": "Lo vi en el motel."})
    assert hotline in received.content.decode()
