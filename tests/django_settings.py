"""Settings for the test suite: production settings with a throwaway secret and data dir.

Tests run against the real settings module; only what a deployment must supply (secret,
data folder, keyring) is filled in here. ``HARBORLIGHT_DATABASE_URL`` passes through, so
the same suite runs on SQLite (default) and on PostgreSQL.
"""

import os
import tempfile

_DATA_DIR = tempfile.mkdtemp(prefix="harborlight-test-")
os.environ.setdefault("HARBORLIGHT_SECRET_KEY", "test-only-secret-" + "0123456789abcdef" * 3)
os.environ["HARBORLIGHT_DATA_DIR"] = _DATA_DIR

# A throwaway keyring per run (per xdist worker), in the temporary data dir.
from harborlight.security.crypto import generate_keyring, write_keyring  # noqa: E402

os.environ.pop("HARBORLIGHT_KEYS", None)
os.environ.pop("HARBORLIGHT_KEYS_FILE", None)
write_keyring(os.path.join(_DATA_DIR, "keys.json"), generate_keyring())

from harborlight.settings import *  # noqa: E402,F401,F403

# No server runs beside the in-process tests, so retiring a key need not wait for one
# (tests/security/test_rotation_live.py runs a real server with the real setting).
KEY_ROTATION_SETTLE_SECONDS = 0
