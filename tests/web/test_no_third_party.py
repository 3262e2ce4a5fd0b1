"""No page loads anything from another host, and nothing phones home.

Two checks: the shipped templates, stylesheets and scripts name no other host in a place
a browser would fetch from; and every page, rendered for a user who may see it, has only
same-origin resource URLs. The browser tests add a third: Chromium's own request log.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

import harborlight
from harborlight.accounts.models import Role

PACKAGE = Path(harborlight.__file__).parent
# Attributes and CSS constructs that make a browser fetch something.
FETCHING_ATTRIBUTES = {"src", "href", "action", "poster", "data", "srcset", "formaction"}
CSS_FETCH = re.compile(r"""(?:url\(|@import\s+)["']?\s*((?:https?:)?//[^"')\s]+)""", re.I)
JS_FETCH = re.compile(r"""(?:fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon)\s*\(\s*["'`](?:https?:|wss?:)?//""")
# Inside SVG files and attributes, these are XML namespace names, never fetched.
NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")


class ResourceCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in FETCHING_ATTRIBUTES and value:
                self.urls.append((tag, name, value))


def external(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url.strip(), re.I)) and \
        not url.startswith(NAMESPACES)


def _shipped_files(*suffixes: str):
    for path in PACKAGE.rglob("*"):
        if path.suffix in suffixes and "__pycache__" not in path.parts:
            yield path


def test_it_ships_templates_that_fetch_only_from_this_host():
    offenders = []
    for path in _shipped_files(".html"):
        collector = ResourceCollector()
        collector.feed(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(PACKAGE)}: <{tag} {attr}={url}>"
                      for tag, attr, url in collector.urls if external(url)]
    assert not offenders, offenders


def test_it_ships_styles_and_scripts_that_fetch_only_from_this_host():
    offenders = []
    for path in _shipped_files(".css", ".js"):
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.name}: {match}" for match in CSS_FETCH.findall(text)]
        if JS_FETCH.search(text):
            offenders.append(f"{path.name}: network call to another host")
    assert not offenders, offenders


def test_it_names_no_analytics_or_font_services_anywhere():
    services = re.compile(r"google-analytics|googletagmanager|fonts\.googleapis|gstatic|"
                          r"cdnjs|unpkg\.com|jsdelivr|plausible\.io|sentry\.io|segment\.(io|com)\b",
                          re.I)
    offenders = [str(path.relative_to(PACKAGE)) for path in
                 _shipped_files(".html", ".css", ".js", ".py")
                 if services.search(path.read_text(encoding="utf-8", errors="replace"))]
    assert not offenders, offenders


PAGES = {
    Role.SUPERVISOR: ["web:dashboard", "cases:list", "intake:list", "referrals:directory",
                      "security:break_glass_review"],
    Role.ADMINISTRATOR: ["accounts:users"],
    Role.AUDITOR: ["audit:log"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_it_renders_pages_with_same_origin_resources_only(cast, signed_in_client, role):
    client = signed_in_client(cast.role(role))
    urls = [reverse(name) for name in PAGES[role]]
    if role == Role.SUPERVISOR:
        urls += [f"/cases/{cast.own_case.reference}/", f"/tips/{cast.own_tip.reference}/"]
    for url in urls + ["/accounts/login/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        collector = ResourceCollector()
        collector.feed(response.content.decode())
        offenders = [resource for resource in collector.urls if external(resource[2])]
        assert not offenders, f"{url}: {offenders}"


@pytest.mark.parametrize("url, is_external", [
    ("https://cdn.example.net/lib.js", True), ("//fonts.example.com/a.css", True),
    ("HTTP://EXAMPLE.ORG", True), ("/static/harborlight/site.css", False),
    ("data:image/svg+xml;base64,PHN2Zz4=", False), ("?page=2", False), ("#main", False),
    ("http://www.w3.org/2000/svg", False),
])
def test_it_recognises_external_urls(url, is_external):
    assert external(url) is is_external


def test_it_finds_fetching_urls_in_markup_and_css():
    collector = ResourceCollector()
    collector.feed('<img src="https://tracker.example/p.gif"><a href="/x">x</a>')
    assert [url for *_, url in collector.urls if external(url)] == ["https://tracker.example/p.gif"]
    assert CSS_FETCH.findall("body{background:url('https://img.example/bg.png')}") == \
        ["https://img.example/bg.png"]
