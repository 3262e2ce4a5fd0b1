"""A small OpenID Connect provider for the single sign-on tests: a real HTTP server on
127.0.0.1 in a thread, with a discovery document, a JWKS, an authorization endpoint that
signs in whoever :attr:`LocalProvider.person` says at once, and a token endpoint that
checks the client's secret and issues an RS256-signed ID token. No network.

``tamper`` spoils the next ID token on purpose: ``"nonce"``, ``"signature"`` (signed by a
key outside the JWKS, under the same kid), ``"audience"`` or ``"issuer"``.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "harborlight-test"
CLIENT_SECRET = "test-client-secret-" + "x" * 20


class LocalProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.stranger_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.person: dict = {"sub": "248289761001", "email": "someone@example.org"}
        self.tamper = ""
        self.codes: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "LocalProvider":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {"issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, **self.person}
        if self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-harborlight-sent"
        if self.tamper == "audience":
            claims["aud"] = "another-client"
        if self.tamper == "issuer":
            claims["iss"] = "https://elsewhere.example"
        key = self.stranger_key if self.tamper == "signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.discovery())
                if url.path == "/jwks":
                    return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
                if url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID or "openid" not in \
                            query.get("scope", "").split():
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": query.get("nonce", ""),
                                            "redirect_uri": query["redirect_uri"]}
                    self.send_response(302)
                    self.send_header("Location", query["redirect_uri"] + "?" + urlencode(
                        {"code": code, "state": query.get("state", "")}))
                    self.end_headers()
                    return None
                return self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = "Basic " + base64.b64encode(
                    f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if self.path != "/token" or self.headers.get("Authorization") != expected:
                    return self._json(401, {"error": "invalid_client"})
                grant = provider.codes.pop(form.get("code", ""), None)
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json(400, {"error": "invalid_grant"})
                return self._json(200, {"access_token": secrets.token_urlsafe(16),
                                        "token_type": "Bearer", "expires_in": 300,
                                        "id_token": provider.id_token(grant["nonce"])})

        return Handler


@contextmanager
def configured_provider(settings, name: str) -> Iterator["LocalProvider"]:
    """A running LocalProvider that Harborlight's settings point at (pytest-django's
    ``settings``), shown as ``name`` on the sign-in page, no amr/acr trusted."""
    with LocalProvider() as running:
        settings.OIDC_ISSUER = running.issuer
        settings.OIDC_CLIENT_ID = CLIENT_ID
        settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_PROVIDER_NAME = name
        settings.OIDC_TRUSTED_AMR = []
        settings.OIDC_TRUSTED_ACR = []
        yield running
