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


#: What makes a folder a demo's: its secret, its keyring and the logins it printed.
DEMO_FILES = ("secret-key", "keys.json", LOGINS_FILE)
DEFAULT_FOLDER = "harborlight-data"
#: The clone's root when Harborlight runs from a checkout (``./scripts/demo`` installs it
#: editable and keeps the demo in ``harborlight-data`` there).
CLONE_ROOT = Path(__file__).resolve().parents[3]


def configure_environment(data_dir: Path) -> None:
    """Point Harborlight at the demo folder: SQLite, its own secret and keyring (made on
    the first run)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    secret_file = data_dir / "secret-key"
    if not secret_file.exists():
        write_private(secret_file, secrets.token_urlsafe(48))
    keys_file = data_dir / "keys.json"
    if not keys_file.exists():
        write_keyring(keys_file, generate_keyring())
    use_demo(data_dir)


def use_demo(data_dir: Path) -> None:
    """Point Harborlight at an existing demo folder, creating nothing."""
    for name in ("HARBORLIGHT_SECRET_KEY", "HARBORLIGHT_KEYS"):
        os.environ.pop(name, None)
    os.environ.update({
        "HARBORLIGHT_DATA_DIR": str(data_dir),
        "HARBORLIGHT_SECRET_KEY_FILE": str(data_dir / "secret-key"),
        "HARBORLIGHT_KEYS_FILE": str(data_dir / "keys.json"),
        "HARBORLIGHT_DATABASE_URL": f"sqlite:///{data_dir / 'harborlight.sqlite3'}",
        # Plain HTTP on 127.0.0.1 only; `serve` refuses other addresses with this off.
        "HARBORLIGHT_SECURE_COOKIES": "false",
    })


def is_demo(folder: Path) -> bool:
    return all((folder / name).is_file() for name in DEMO_FILES)


def demo_candidates(data_dir: Path | None = None) -> list[Path]:
    """Where a demo may be, in order: the folder given, else $HARBORLIGHT_DATA_DIR, else
    ./harborlight-data and the clone's harborlight-data."""
    if data_dir is not None:
        return [data_dir.resolve()]
    if os.environ.get("HARBORLIGHT_DATA_DIR"):
        return [Path(os.environ["HARBORLIGHT_DATA_DIR"]).resolve()]
    found: list[Path] = []
    for folder in (Path.cwd() / DEFAULT_FOLDER, CLONE_ROOT / DEFAULT_FOLDER):
        if folder.resolve() not in found:
            found.append(folder.resolve())
    return found


def find_demo(data_dir: Path | None = None) -> Path | None:
    """The first demo folder among :func:`demo_candidates`, or None."""
    return next((folder for folder in demo_candidates(data_dir) if is_demo(folder)), None)


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
