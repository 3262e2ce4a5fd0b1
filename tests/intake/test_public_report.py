"""The public report form at /report/: no sign-in, no cookies, bad input refused whole."""

from __future__ import annotations

import pytest
from django.test import Client

from harborlight.intake import passphrases
from harborlight.intake.models import Tip
from tests_support import assert_audited, assert_trail, audit_mark

REPORT = "/report/"


@pytest.fixture
def anonymous(cast) -> Client:
    return Client()


def _post(client, headers: dict | None = None, **data):
    fields = {"narrative": "A teenager at the bus station said a man keeps her ID card.",
              "lang": "en"}
    fields.update(data)
    return client.post(REPORT, fields, **(headers or {}))


def test_it_shows_the_form_without_sign_in(anonymous):
    response = anonymous.get(REPORT)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="narrative"' in body and "Quick exit" in body and "1-888-373-7888" in body


def test_it_stores_a_tip_and_shows_reference_and_passphrase_once(anonymous, cast):
    mark = audit_mark()
    response = _post(anonymous, location="Springfield bus station",
                     contact="+1 202-555-0100", answer_minor_involved="yes")
    assert response.status_code == 201
    tip = Tip.objects.get(submitted_publicly=True)
    assert_trail(mark, ("create", tip))
    [entry] = assert_audited("create", tip)
    assert entry.actor_id is None and entry.organisation_id == cast.own.pk
    body = response.content.decode()
    assert tip.reference in body
    passphrase = response.context["passphrase"]
    assert passphrase in body
    assert tip.organisation == cast.own  # the first organisation receives public reports
    assert tip.channel == "web" and tip.answers == {"minor_involved": "yes"}
    assert tip.location == "Springfield bus station"
    assert passphrase not in tip.passphrase_hash and tip.passphrase_hash.startswith("$argon2id$")
    assert passphrases.matches(passphrase, tip.passphrase_hash)
    assert response["Cache-Control"] == "no-store"


def test_it_sets_no_cookie_on_any_public_page(anonymous):
    for response in (anonymous.get(REPORT), _post(anonymous),
                     anonymous.get("/report/follow-up/")):
        assert not response.cookies, f"public page set {list(response.cookies)}"
    assert not anonymous.cookies


def test_it_stores_and_logs_no_address_or_user_agent(cast, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="UniqueAgent/9.9")
    assert _post(client).status_code == 201
    assert _post(client, narrative="").status_code == 400
    from django.db import connection

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump = repr(cursor.fetchall())
            assert "198.51.100.23" not in dump and "UniqueAgent" not in dump, table
    assert "198.51.100.23" not in caplog.text and "UniqueAgent" not in caplog.text


def test_it_refuses_an_empty_report_and_stores_nothing(anonymous):
    response = _post(anonymous, narrative="   ")
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_refuses_an_oversized_narrative_with_a_clear_message(anonymous):
    response = _post(anonymous, narrative="x" * 10_001)
    assert response.status_code == 400
    assert "at most 10000 characters" in response.content.decode()
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_refuses_control_characters(anonymous):
    response = _post(anonymous, narrative="hello\x00world")
    assert response.status_code == 400
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_keeps_invalid_utf8_from_reaching_the_database_as_bytes(anonymous):
    body = b"narrative=caf%C3%A9+and+broken+%FF%FE+bytes&lang=en"
    response = anonymous.post(REPORT, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201
    tip = Tip.objects.get(submitted_publicly=True)
    assert tip.narrative.startswith("café and broken")
    tip.narrative.encode("utf-8")  # what was stored is valid Unicode


def test_it_stores_html_as_text_and_shows_it_escaped(anonymous, cast, signed_in_client):
    script = '<script>alert("x")</script><b>bold</b>'
    assert _post(anonymous, narrative=script).status_code == 201
    tip = Tip.objects.get(submitted_publicly=True)
    assert tip.narrative == script
    staff = signed_in_client(cast.role("hotline_operator"))
    page = staff.get(f"/tips/{tip.reference}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script>alert("x")' not in page


def test_it_discards_a_filled_honeypot_without_saying_so(anonymous):
    response = _post(anonymous, website="http://spam.example")
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_refuses_a_form_posted_from_another_site(anonymous):
    response = _post(anonymous, {"HTTP_ORIGIN": "https://elsewhere.example"})
    assert response.status_code == 403
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_limits_submissions_per_minute_for_the_whole_site(anonymous, settings):
    from django.core.cache import cache

    cache.clear()
    settings.HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE = 2
    statuses = [_post(anonymous).status_code for _ in range(3)]
    cache.clear()
    assert statuses[:2] == [201, 201] and statuses[2] == 429
    assert Tip.objects.filter(submitted_publicly=True).count() == 2


def test_it_speaks_spanish_when_asked(anonymous):
    response = anonymous.get(REPORT + "?lang=es")
    body = response.content.decode()
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in body
    assert "Salida rápida" in body and "¿Qué viste o escuchaste?" in body


def test_it_shows_emergency_guidance_when_someone_is_in_danger(anonymous):
    response = _post(anonymous, answer_danger_now="yes")
    assert response.status_code == 201
    assert response.context["emergency"] is True
    assert 'call <a class="phone" href="tel:911">911</a> now' in response.content.decode()
    assert Tip.objects.get(submitted_publicly=True).triage_level == "emergency"


def test_it_encrypts_narrative_place_and_contact_at_rest(anonymous):
    _post(anonymous, narrative="Plain narrative words", location="Plain Place",
          contact="+1 202-555-0187")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative, location, reporter_contact FROM intake_tip "
                       "WHERE submitted_publicly = %s", [True])
        stored = cursor.fetchone()
    assert "Plain narrative" not in stored[0] and "Plain Place" not in stored[1]
    assert "555-0187" not in stored[2]
    tip = Tip.objects.get(submitted_publicly=True)
    assert tip.reporter_contact == "+1 202-555-0187"
