"""Django settings, read only from ``HARBORLIGHT_*`` environment variables.

Harborlight fails closed: there is no default secret key, DEBUG is off unless asked for,
cookies are secure and the encryption keyring must be present. ``harborlight demo`` sets
its own values for a local demo; production sets them in the environment (every
variable is listed in the README with its default).

A variable ``NAME`` that holds a secret may instead be given as ``NAME_FILE``, a path to a
file holding the value, so secrets can come from a container secret mount.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from harborlight.config import env_bool, env_int, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("HARBORLIGHT_DATA_DIR", "harborlight-data")).resolve()

SECRET_KEY = env_secret("HARBORLIGHT_SECRET_KEY", required=True)
DEBUG = env_bool("HARBORLIGHT_DEBUG", False)
ALLOWED_HOSTS = env_list("HARBORLIGHT_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("HARBORLIGHT_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "harborlight.security",
    "harborlight.security.audit",
    "harborlight.accounts",
    "harborlight.notifications",
    "harborlight.consent",
    "harborlight.intake",
    "harborlight.fieldintake",
    "harborlight.cases",
    "harborlight.referrals",
    "harborlight.insights",
    "harborlight.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "harborlight.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "harborlight.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "harborlight.web.uploads.UploadLimitMiddleware",
    "harborlight.web.middleware.ControlCharactersMiddleware",
    "harborlight.accounts.middleware.IdleTimeoutMiddleware",
    "harborlight.security.audit.middleware.ActorMiddleware",
    "harborlight.security.middleware.BreakGlassMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "harborlight.web.urls"
WSGI_APPLICATION = "harborlight.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "harborlight.web.context.navigation",
            ],
        },
    },
]

# Database: SQLite in the data folder by default, PostgreSQL through psycopg 3 when
# HARBORLIGHT_DATABASE_URL says so (postgres://user:pass@host:5432/name).
DATABASE_URL = env_str(
    "HARBORLIGHT_DATABASE_URL", f"sqlite:///{DATA_DIR / 'harborlight.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
OTP_TOTP_ISSUER = "Harborlight"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"

# Lockout (harborlight.accounts.lockout): wrong passwords lock a username from the client
# that sent them, so a guesser locks out only themselves; a slower site-wide count per
# username holds back a guesser with many addresses, except in a browser where the person
# signed in before. Clients are told apart by a keyed digest of their address kept in
# this process's memory (security.throttle): no address is stored or logged. The
# site-wide counts live in a database-backed cache, keyed by a digest of the username.
LOGIN_MAX_FAILURES = env_int("HARBORLIGHT_LOGIN_MAX_FAILURES", 5, minimum=1)
LOCKOUT_SECONDS = env_int("HARBORLIGHT_LOCKOUT_MINUTES", 15, minimum=1) * 60
LOGIN_ACCOUNT_MAX_FAILURES = env_int("HARBORLIGHT_LOGIN_ACCOUNT_MAX_FAILURES", 50, minimum=1)
LOGIN_ACCOUNT_WINDOW_SECONDS = 3600

# Single sign-on through OpenID Connect (harborlight.accounts.oidc), off unless
# HARBORLIGHT_OIDC_ISSUER is set. The provider proves who someone is (its issuer and
# subject, linked to one Harborlight user by an administrator); organisation and role stay
# Harborlight's. Its amr/acr claims count as a second factor only for the values listed in
# HARBORLIGHT_OIDC_TRUSTED_AMR / _ACR; otherwise Harborlight's own code is asked for.
OIDC_ISSUER = env_str("HARBORLIGHT_OIDC_ISSUER", "").rstrip("/")
OIDC_CLIENT_ID = env_str("HARBORLIGHT_OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_secret("HARBORLIGHT_OIDC_CLIENT_SECRET", required=False)
OIDC_PROVIDER_NAME = env_str("HARBORLIGHT_OIDC_PROVIDER_NAME", "")
OIDC_TRUSTED_AMR = env_list("HARBORLIGHT_OIDC_TRUSTED_AMR", [])
OIDC_TRUSTED_ACR = env_list("HARBORLIGHT_OIDC_TRUSTED_ACR", [])
if OIDC_ISSUER and not OIDC_ISSUER.startswith(("https://", "http://127.0.0.1:",
                                                "http://localhost:")):
    raise ImproperlyConfigured("HARBORLIGHT_OIDC_ISSUER must be an https:// address, not "
                               f"{OIDC_ISSUER!r}")
if OIDC_ISSUER and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured("HARBORLIGHT_OIDC_ISSUER is set: set HARBORLIGHT_OIDC_CLIENT_ID "
                               "and HARBORLIGHT_OIDC_CLIENT_SECRET (or _FILE) too")

CACHE_TABLE = "harborlight_cache"
CACHES = {
    # Per-process and fast: rate buckets and other hints that may reset on restart. The
    # only place a client's (keyed, rotating) address digest is ever kept.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "lockout": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": CACHE_TABLE},
}

# Sessions: an idle session ends after HARBORLIGHT_SESSION_IDLE_MINUTES. Saving on every
# request slides the expiry, so the cookie age is the idle limit.
SESSION_IDLE_SECONDS = env_int("HARBORLIGHT_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_NAME = "harborlight_session"

SECURE_COOKIES = env_bool("HARBORLIGHT_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "harborlight.web.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Strict"

SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with form
# POSTs and Django's CSRF check rejects every form. Other sites still receive nothing.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("HARBORLIGHT_SSL_REDIRECT", False)
BEHIND_PROXY = env_bool("HARBORLIGHT_BEHIND_PROXY", False)
# The reverse proxy whose X-Forwarded-For and X-Forwarded-Proto `harborlight serve` trusts
# (waitress drops those headers from anyone else, so they cannot be forged by clients).
TRUSTED_PROXY = env_str("HARBORLIGHT_TRUSTED_PROXY", "127.0.0.1")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Once either says HTTPS is in front, browsers are told to use nothing else for a year.
SECURE_HSTS_SECONDS = env_int("HARBORLIGHT_HSTS_SECONDS",
                              365 * 24 * 3600 if SECURE_SSL_REDIRECT or BEHIND_PROXY else 0,
                              minimum=0)
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: every resource from this host only; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Who the public pages, the outreach card and the operator's emergency panel tell people
# to call (read by harborlight.intake.helplines, the one place that words them). The
# defaults are the United States'. The US hotline's name, hours and text code are the
# defaults only while the hotline number is the US one, so a hotline set elsewhere is
# never called by the US name. Name and hours are shown as written (the defaults have
# Spanish words); HARBORLIGHT_HOTLINE_TEXT is a short code for text messages, or "none".
US_HOTLINE_NUMBER = "1-888-373-7888"
EMERGENCY_NUMBER = env_str("HARBORLIGHT_EMERGENCY_NUMBER", "911")
HOTLINE_NUMBER = env_str("HARBORLIGHT_HOTLINE_NUMBER", US_HOTLINE_NUMBER)
_US_HOTLINE = HOTLINE_NUMBER == US_HOTLINE_NUMBER
HOTLINE_NAME = env_str("HARBORLIGHT_HOTLINE_NAME",
                       "National Human Trafficking Hotline" if _US_HOTLINE else "Hotline")
HOTLINE_HOURS = env_str("HARBORLIGHT_HOTLINE_HOURS",
                        "24 hours a day, 7 days a week" if _US_HOTLINE else "none")
HOTLINE_TEXT = env_str("HARBORLIGHT_HOTLINE_TEXT", "233733" if _US_HOTLINE else "none")
ORGANISATION_NAME = env_str("HARBORLIGHT_ORGANISATION_NAME", "Harborlight")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# One date format per language for every page (harborlight/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["harborlight.formats"]
TIME_ZONE = env_str("HARBORLIGHT_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Only needed to publish assets through another web server (`collectstatic`).
STATIC_ROOT = env_str("HARBORLIGHT_STATIC_ROOT", "") or None
# WhiteNoise serves the vendored assets from the package itself, so a fresh install needs
# no collectstatic step and no other web server.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files: at most this many bytes per request, enforced while the body streams
# in (harborlight.web.uploads: waitress, the middleware, the upload handler).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "harborlight.web.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Encryption keyring: a JSON file outside the database (see harborlight.security.crypto).
KEYS_FILE = env_str("HARBORLIGHT_KEYS_FILE", str(DATA_DIR / "keys.json"))
# HARBORLIGHT_KEYS holds the keyring JSON itself (e.g. from a secret store). It has no
# _FILE variant: that name is the keyring file's own variable above.
KEYS_JSON = env_str("HARBORLIGHT_KEYS", "")
# The audit trail's anchor file: the chain's length and head hash as of the last
# verification, signed with the keyring, where the database cannot rewrite them
# (harborlight.security.audit.anchors). Beside the keyring unless set.
AUDIT_ANCHOR_FILE = env_str("HARBORLIGHT_AUDIT_ANCHOR_FILE",
                            str(Path(KEYS_FILE).with_name("audit-anchor.json")))
# Retiring old keys waits until the new primary has been in the keyring file this long, so
# that requests which encrypted a value just before the change have stored it.
KEY_ROTATION_SETTLE_SECONDS = 3

# Logs go to standard error without request details: no IP addresses, no user agents.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"drop_request": {"()": "harborlight.web.logging.DropRequestDetails"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["drop_request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("HARBORLIGHT_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "waitress": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
ADMINS: list[tuple[str, str]] = []
