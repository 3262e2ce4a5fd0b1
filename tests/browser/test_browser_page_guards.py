"""The page guards themselves: they must catch what they are there to catch, or every
browser test that passes through them proves nothing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_it_reports_a_serious_accessibility_violation_readably(site):
    site.goto("/accounts/login/")
    site.page.evaluate("""() => {
        const image = document.createElement("img");
        image.src = "/static/harborlight/favicon.svg";
        document.querySelector("main").append(image);
    }""")
    with pytest.raises(AssertionError) as failure:
        site.check_accessibility()
    assert "image-alt" in str(failure.value)
    assert "[critical]" in str(failure.value)
    assert 'img src="/static/harborlight/favicon.svg"' in str(failure.value)


def test_it_catches_content_security_policy_violations_and_blocked_requests(site):
    site.goto("/accounts/login/")
    site.page.evaluate("""() => {
        const image = document.createElement("img");
        image.src = "https://example.org/tracker.gif";
        image.alt = "";
        document.body.append(image);
    }""")
    site.page.wait_for_timeout(500)
    assert any("tracker.gif" in problem and "Content Security Policy" in problem
               for problem in site.problems), site.problems
    site.requests[:] = [url for url in site.requests if "example.org" not in url]
    with pytest.raises(AssertionError) as failure:
        site.verify_guards()
    assert "CSP violation" in str(failure.value)
    site.problems.clear()


def test_it_catches_requests_to_other_hosts(site):
    site.goto("/accounts/login/")
    site.requests.append("https://fonts.example.org/font.woff2")
    with pytest.raises(AssertionError) as failure:
        site.verify_guards()
    assert "fonts.example.org" in str(failure.value)
    site.requests.pop()


def test_it_catches_a_page_that_skipped_the_accessibility_check(site):
    site.page.goto(site.base_url + "/accounts/login/")
    with pytest.raises(AssertionError) as failure:
        site.verify_guards()
    assert "without an axe-core check" in str(failure.value)
    site.check_accessibility()
