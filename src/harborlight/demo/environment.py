"""The demo's environment: its data folder, secret key, keyring and logins.

Imports no model, so ``harborlight demo`` can call :func:`configure_environment` before
Django starts. The secret, the keyring and the logins live in the demo's data folder,
readable by its owner only.
"""

from __future__ import annotations

import json
import os
import secrets
from importlib import resources
from pathlib import Path

from harborlight.security.crypto import generate_keyring, write_keyring

LOGINS_FILE = "demo-logins.json"


def configure_environment(data_dir: Path) -> None:
    """Point Harborlight at the demo folder: SQLite, its own secret and keyring."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    secret_file = data_dir / "secret-key"
    if not secret_file.exists():
        write_private(secret_file, secrets.token_urlsafe(48))
    keys_file = data_dir / "keys.json"
    if not keys_file.exists():
        write_keyring(keys_file, generate_keyring())
    for name in ("HARBORLIGHT_SECRET_KEY", "HARBORLIGHT_KEYS"):
        os.environ.pop(name, None)
    os.environ.update({
        "HARBORLIGHT_DATA_DIR": str(data_dir),
        "HARBORLIGHT_SECRET_KEY_FILE": str(secret_file),
        "HARBORLIGHT_KEYS_FILE": str(keys_file),
        "HARBORLIGHT_DATABASE_URL": f"sqlite:///{data_dir / 'harborlight.sqlite3'}",
        # Plain HTTP on 127.0.0.1 only; `serve` refuses other addresses with this off.
        "HARBORLIGHT_SECURE_COOKIES": "false",
    })


def write_private(path: Path, text: str) -> None:
    """Write a new file readable by its owner only (refuses to overwrite)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def cast() -> dict:
    """The demo's organisations and people (``cast.json``): data, not code."""
    return json.loads(resources.files("harborlight.demo").joinpath("cast.json")
                      .read_text("utf-8"))


def demo_password() -> str:
    """Three groups of lowercase letters and digits, easy to read aloud and type."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(3))


def describe(logins: list[dict], url: str, data_dir: Path) -> str:
    lines = [
        "", "Harborlight demo is ready. All data is synthetic.", f"  Open: {url}",
        f"  Data folder: {data_dir} (delete it to start over)", "",
        "  Demo logins (password, then the 6-digit code from an authenticator app set up",
        "  with the key shown, or run `harborlight demo --code USERNAME` in another terminal):",
    ]
    for login in logins:
        lines.append(f"    {login['username']:<20} {login['password']:<20} "
                     f"{login['role']:<17} key {login['totp_secret']}")
    return "\n".join(lines) + "\n"
