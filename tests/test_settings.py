"""Settings read from the environment: what HTTPS in front of Harborlight turns on."""

from __future__ import annotations

import runpy

import pytest

ONE_YEAR = 365 * 24 * 3600


def settings_with(monkeypatch, **variables: str) -> dict:
    """The settings module evaluated afresh under ``HARBORLIGHT_<name>`` variables."""
    for name in ("SSL_REDIRECT", "BEHIND_PROXY", "HSTS_SECONDS"):
        monkeypatch.delenv(f"HARBORLIGHT_{name}", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(f"HARBORLIGHT_{name}", value)
    return runpy.run_module("harborlight.settings")


@pytest.mark.parametrize("variable", ["SSL_REDIRECT", "BEHIND_PROXY"])
def test_it_turns_hsts_on_when_https_is_in_front(monkeypatch, variable):
    assert settings_with(monkeypatch, **{variable: "true"})["SECURE_HSTS_SECONDS"] == ONE_YEAR


def test_it_leaves_hsts_off_when_nothing_says_https_is_in_front(monkeypatch):
    assert settings_with(monkeypatch)["SECURE_HSTS_SECONDS"] == 0


def test_it_keeps_an_explicit_hsts_max_age(monkeypatch):
    values = settings_with(monkeypatch, BEHIND_PROXY="true", HSTS_SECONDS="600")
    assert values["SECURE_HSTS_SECONDS"] == 600
