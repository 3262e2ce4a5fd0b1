"""The browser tests' tools: the guarded :class:`Site` tab and the sign-in helpers.

See ``conftest.py`` for the guards every page goes through.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit


PASSWORD = "a long browser passphrase 2026"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VENDOR = Path(__file__).resolve().parent / "vendor"
FAILING_IMPACTS = {"serious", "critical"}
# Schemes that never leave the page (the enrolment QR code is a data: URI).
LOCAL_SCHEMES = {"data", "blob", "about"}

AXE_RUN = """async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                  summary: n.failureSummary})),
    }));
}"""


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} serious or critical violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            for summary_line in (node["summary"] or "").splitlines():
                lines.append(f"      {summary_line}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more element(s)")
    return "\n".join(lines)


class Site:
    """One browser tab on the live server, with the page guards described above."""

    def __init__(self, page, base_url: str, axe_source: str):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.origin = urlsplit(self.base_url).netloc
        self.axe_source = axe_source
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        self.exempt: set[str] = set()
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("load", lambda loaded_page: self.loaded.append(loaded_page.url))

    def _on_console(self, message) -> None:
        if "Refused to" in message.text or "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation: {message.text}")

    # Navigation. Each lands on a page, checks its status and runs axe on it.

    def goto(self, path: str, status: int = 200, accessibility: bool = True):
        response = self.page.goto(self.base_url + path)
        assert response is not None, f"no response for {path}"
        assert response.status == status, (
            f"GET {path} answered {response.status}, expected {status} "
            f"(now at {self.page.url})")
        if accessibility:
            self.check_accessibility()
        return response

    def submit(self, button: str, status: int | None = None, **fields: str):
        """Fill fields by their label (``Username="x"``; underscores read as spaces) and
        press the button named ``button``; return the response of the page that follows."""
        for label, value in fields.items():
            name = re.compile(rf"^{re.escape(label.replace('_', ' '))}:?$")
            self.page.get_by_label(name).fill(value)
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button, exact=True).click()
        response = navigation.value
        if status is not None:
            assert response is not None and response.status == status, (
                f"pressing {button!r} answered {response and response.status}, expected "
                f"{status} (now at {self.page.url})")
        self.check_accessibility()
        return response

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()

    # Guards.

    def save_for_tour(self, name: str, full_page: bool = True) -> None:
        """With HARBORLIGHT_TOUR_DIR set, the page as PNG there (the docs' screenshots)."""
        folder = os.environ.get("HARBORLIGHT_TOUR_DIR")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)

    def check_accessibility(self) -> None:
        """Inject axe-core (once per document) and fail on serious or critical violations."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(self.axe_source)
        violations = self.page.evaluate(AXE_RUN)
        self.checked.add(self.page.url)
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert not failing, format_violations(self.page.url, failing)

    def third_party_requests(self) -> list[str]:
        outside = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
                outside.append(url)
        return outside

    def verify_guards(self) -> None:
        outside = self.third_party_requests()
        assert not outside, ("requests left the live server "
                             f"({self.origin}):\n" + "\n".join(outside))
        assert not self.problems, "\n".join(self.problems)
        unchecked = [url for url in self.loaded
                     if url not in self.checked and url not in self.exempt]
        assert not unchecked, "pages loaded without an axe-core check:\n" + "\n".join(unchecked)

    def exempt_from_accessibility(self, reason: str) -> None:
        """Mark the current document as not a web page (JSON, say): axe-core skips it."""
        assert reason, "say why the document is exempt"
        self.exempt.add(self.page.url)




def give_password(user, password: str = PASSWORD):
    """Give a cast member a real password (the shared cast has unusable ones) and 2FA."""
    from harborlight.accounts.twofactor import enrol_confirmed

    user.set_password(password)
    user.save(update_fields=["password"])
    enrol_confirmed(user)
    return user


def next_code(user) -> str:
    """The code the user's authenticator shows, one step on if this one was used already.

    django-otp refuses a code it has accepted before, so a second sign-in within the same
    30 seconds takes the next step's code (inside its one-step tolerance).
    """
    from django_otp.oath import TOTP

    from harborlight.accounts.twofactor import confirmed_device, current_code

    device = confirmed_device(user)
    assert device is not None, f"{user.username} has no confirmed device"
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    steps_ahead = max(0, device.last_t - now + 1)
    return current_code(device, steps_ahead=steps_ahead)


def sign_in(site: Site, user, password: str = PASSWORD) -> None:
    """Password, then the current code; ends on the page the sign-in leads to."""
    site.goto("/accounts/login/")
    site.submit("Continue", Username=user.username, Password=password)
    assert site.path == "/accounts/two-factor/", f"after the password: {site.page.url}"
    site.submit("Sign in", Verification_code=next_code(user))
    assert not site.path.startswith("/accounts/"), f"after the code: {site.page.url}"
