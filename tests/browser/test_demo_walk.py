"""Every page of the demo works for every demo login: signed in as each person of the
demo's cast, follow every link on every page reached (one page of each kind: one case,
one tip, one referral...), and fail on an error status, an error page, a traceback or a
missing engine, with axe-core and the page guards on each page.

With ``HARBORLIGHT_TOUR_DIR`` set, each page is saved there as PNG (``walk-ROLE-N.png``).
"""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import sign_in
from test_front_line_paths import LAPTOP, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CAST = json.loads(resources.files("harborlight.demo").joinpath("cast.json").read_text("utf-8"))
#: Links that are not pages to look at, or that act (sign out) or leave the site.
SKIP = re.compile(r"(/accounts/logout|/sign-out|\.csv$|\.svg$|\.json$|/letter/$|format=|"
                  r"/insights/export/\d+/[\w.]+$|/api/|/static/|^mailto:|^tel:)")
KINDS = [(re.compile(r"[A-Z]-[A-Z0-9]{4}-[A-Z0-9]{4}"), "REF"), (re.compile(r"/\d+/"), "/N/")]
MAX_PAGES = 45
BROKEN = ("Something went wrong", "Traceback", "No module named", "Server Error")


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from harborlight.demo.records import load_demo_data

    settings.DATA_DIR = tmp_path
    load_demo_data()


def kind_of(url: str) -> str:
    parts = urlsplit(url)
    key = parts.path
    for pattern, placeholder in KINDS:
        key = pattern.sub(placeholder, key)
    query = "&".join(sorted(p.split("=")[0] for p in parts.query.split("&") if p))
    return f"{key}?{query}"


@pytest.mark.parametrize("username", [u["username"] for u in CAST["users"]])
def test_it_walks_every_page_a_demo_login_can_reach(demo, new_site, username):
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in(site, person(username))
    queue, seen, walked = ["/dashboard/"], {kind_of("/dashboard/")}, []
    folder = os.environ.get("HARBORLIGHT_TOUR_DIR")
    while queue and len(walked) < MAX_PAGES:
        path = queue.pop(0)
        response = site.page.goto(site.base_url + path)
        assert response is not None and response.status == 200, \
            f"{username}: GET {path} answered {response and response.status}"
        site.check_accessibility()
        text = site.page.locator("body").inner_text()
        assert not any(word in text for word in BROKEN), f"{username}: {path} shows an error"
        walked.append(path)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            site.page.screenshot(path=str(Path(folder) / f"walk-{username}-{len(walked)}.png"),
                                 full_page=True)
        hrefs = site.page.eval_on_selector_all(
            "header nav a[href], main a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            parts = urlsplit(href)
            if parts.netloc != site.origin or SKIP.search(parts.path) or SKIP.search(href):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if kind_of(target) not in seen:
                seen.add(kind_of(target))
                queue.append(target)
    assert len(walked) >= 2, f"{username} reached only {walked}"
