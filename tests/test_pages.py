"""The one step helper and the one mapping of domain errors to a page."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from harborlight.errors import DomainError, InputError
from harborlight.pages import NoInput, form_for, show_error, step


class NoteForm(forms.Form):
    body = forms.CharField()


def _request(method: str = "post", data: dict | None = None):
    request = getattr(RequestFactory(), method)("/somewhere/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _texts(request) -> list[str]:
    return [str(message) for message in get_messages(request)]


def _page(form) -> HttpResponse:
    return HttpResponse(f"page errors={dict(form.errors)}")


def test_it_puts_a_domain_error_on_the_field_it_names():
    form = NoteForm({"body": "x"})
    form.is_valid()
    show_error(_request(), InputError("Too short.", field="body"), form)
    assert form.errors == {"body": ["Too short."]}
    show_error(_request(), DomainError("Not now.", field="elsewhere"), form)
    assert form.non_field_errors() == ["Not now."]


def test_it_shows_a_domain_error_without_a_form_as_a_message():
    request = _request()
    show_error(request, DomainError("The case is already closed."))
    assert _texts(request) == ["The case is already closed."]


def test_it_goes_back_on_a_get_and_shows_a_step_with_its_own_page():
    request = _request("get")
    back = step(request, form_for(request, NoteForm), lambda data: None, done="Done.",
                back="/record/")
    assert back.status_code == 302 and back.url == "/record/"
    own = step(request, form_for(request, NoteForm), lambda data: None, done="Done.",
               back="/record/", page=_page, own_page=True)
    assert own.status_code == 200 and own.content.startswith(b"page")


def test_it_acts_once_on_a_valid_form_and_says_so():
    request, acts = _request(data={"body": "hello"}), []
    response = step(request, form_for(request, NoteForm), acts.append,
                    done=lambda result: "Saved.", back="/record/", anchor="notes")
    assert acts == [{"body": "hello"}]
    assert response.url == "/record/#notes" and _texts(request) == ["Saved."]


def test_it_binds_an_empty_post_for_a_step_without_fields():
    request, acts = _request(), []
    step(request, form_for(request, NoInput), acts.append, done="Done.", back="/record/")
    assert acts == [{}]


@pytest.mark.parametrize("own_page, status", [(True, 400), (False, 302)])
def test_it_refuses_a_domain_error_on_the_form_or_back_on_the_record(own_page, status):
    request = _request(data={"body": "hello"})

    def refuse(data):
        raise DomainError("That step does not apply.", field="body")

    response = step(request, form_for(request, NoteForm), refuse, done="Done.",
                    back="/record/", page=_page, own_page=own_page)
    assert response.status_code == status
    if own_page:
        assert b"That step does not apply." in response.content
    else:
        assert _texts(request) == ["That step does not apply."]


def test_it_shows_an_invalid_form_with_400_and_acts_never():
    request, acts = _request(data={"body": ""}), []
    response = step(request, form_for(request, NoteForm), acts.append, done="Done.",
                    back="/record/", page=_page)
    assert response.status_code == 400 and acts == []
    assert _texts(request) == ["Please correct the marked fields below."]
