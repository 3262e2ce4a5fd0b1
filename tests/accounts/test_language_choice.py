"""Each user's language for the staff pages: a switch in the header, kept on the account,
applied to every page; without a choice, the browser's Accept-Language."""

from __future__ import annotations

import pytest
from tests_support import assert_audited, audit_mark

from harborlight.accounts.models import Role


@pytest.fixture
def caseworker(cast):
    return cast.role(Role.CASEWORKER)


def test_it_keeps_the_choice_and_shows_the_pages_in_it(cast, caseworker, signed_in_client):
    client = signed_in_client(caseworker)
    mark = audit_mark()
    answer = client.post("/accounts/language/", {"language": "es", "next": "/cases/"})
    assert answer.status_code == 302 and answer["Location"] == "/cases/"
    caseworker.refresh_from_db()
    assert caseworker.language == "es"
    entry, = assert_audited("update", caseworker, since=mark)
    assert entry.details == {"change": "language", "from": "", "to": "es"}
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "es" and '<html lang="es">' in page.content.decode()
    assert 'value="es" lang="es" class="link-button" aria-pressed="true"' in \
        page.content.decode()
    client.post("/accounts/language/", {"language": "es"})  # the same again: no entry
    assert_audited("update", caseworker, since=mark)


def test_without_a_choice_the_browser_decides(caseworker, signed_in_client):
    client = signed_in_client(caseworker)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
    client.post("/accounts/language/", {"language": "en"})
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "en"
    client.post("/accounts/language/", {"language": ""})  # back to the browser's
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"


@pytest.mark.parametrize("language", ["fr", "es-MX", "<b>", "x" * 50])
def test_it_refuses_a_language_it_does_not_have(caseworker, signed_in_client, language):
    client = signed_in_client(caseworker)
    mark = audit_mark()
    client.post("/accounts/language/", {"language": language, "next": "/"})
    caseworker.refresh_from_db()
    assert caseworker.language == ""
    assert_audited("update", caseworker, times=0, since=mark)


def test_it_goes_back_only_to_this_site(caseworker, signed_in_client):
    answer = signed_in_client(caseworker).post(
        "/accounts/language/", {"language": "es", "next": "https://elsewhere.example/"})
    assert answer["Location"] == "/dashboard/"


def test_it_needs_a_signed_in_user_and_a_post(client, caseworker, signed_in_client):
    assert client.post("/accounts/language/", {"language": "es"}).status_code in (302, 403)
    assert signed_in_client(caseworker).get("/accounts/language/").status_code == 405
