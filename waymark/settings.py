"""Waymark settings: one file, read from the environment, failing safe.

DEBUG is off unless set. Outside debug or demo mode a missing SECRET_KEY stops
start-up. Every variable is documented in README.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import sys
import tempfile
from pathlib import Path

from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

from waymark.env import (
    env_bool,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_str,
    env_timezone,
    env_url,
)
from waymark.sqlite_library import stop_memory_statistics

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("WAYMARK_VAR_DIR") or BASE_DIR / "var")

DEMO = env_bool("WAYMARK_DEMO", False)
DEBUG = env_bool("DEBUG", DEMO)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured(
                "SECRET_KEY is too short: use at least 32 random characters."
            )
        return key
    if not (DEBUG or DEMO):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value "
            "(or set WAYMARK_DEMO=1 for a local demo)."
        )
    # Debug/demo: keep one random key per install so sessions survive a restart.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        _write_new_key(key_file)
    return key_file.read_text().strip()


def _write_new_key(key_file: Path) -> None:
    """Write a random key readable by its owner only, without racing another process.

    The key is written in full to a private temporary file, then hard-linked into
    place: a reader never sees a half-written key, and if two processes start at
    once the first link wins and both use the same key.
    """
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as handle:  # mkstemp creates the file with mode 0600
            handle.write(secrets.token_urlsafe(50))
        os.link(temporary, key_file)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or DEMO else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "waymark.admin_apps.WaymarkAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Issue 12 point 1 (staff MFA): django-otp with TOTP devices and recovery codes (before
    # waymark.accounts, whose admin.py unregisters their admin pages).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "waymark.accounts",
    "waymark.organizations",
    "waymark.patients",
    "waymark.audit",
    "waymark.alerts",
    "waymark.risk",
    "waymark.checkins",
    "waymark.questionnaires",
    "waymark.notifications",
    "waymark.notes",
    "waymark.medications",
    "waymark.plans",
    "waymark.content",
    "waymark.rights",  # issue 12 point 9: patient data rights (export, closure, erasure)
    "waymark.support",  # issue 14: supporters, consent (42 CFR Part 2), reach-out
    "waymark.appointments",  # issue 17: appointments, groups, attendance, group notes
    "waymark.outcomes",  # issue 18: outcomes dashboard (retention, lapses, alerts)
    "waymark.messaging",  # issue 17: secure messages with the care team
    "waymark.meetings",  # issue 17: mutual-help meetings
    "waymark.demo",
    # issue 12, point 8: `manage.py backup` and `manage.py restore` (no models).
    "waymark.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # issue 12 point 7: Content-Security-Policy and Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "waymark.response_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "waymark.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # issue 12 point 3: no-store on what a signed-in person or the API gets.
    "waymark.response_headers.NoStoreMiddleware",
    # Issue 12 points 1 and 2: which device verified the session (django-otp), then the
    # session limits (absolute, idle for staff) and the second-factor gate.
    "django_otp.middleware.OTPMiddleware",
    "waymark.accounts.middleware.SessionLimitsMiddleware",
    "waymark.accounts.middleware.SecondFactorMiddleware",
    "waymark.middleware.OrganizationTimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Issue 12, point 5: text holding control characters (NUL…) is a 422 naming the field.
    "waymark.input_guard.RefuseControlCharactersMiddleware",
    # Issue 12, point 6: API writes limited per device token (429 + Retry-After).
    "waymark.throttling.ApiWriteThrottleMiddleware",
]

ROOT_URLCONF = "waymark.urls"
WSGI_APPLICATION = "waymark.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "waymark" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waymark.organizations.context_processors.membership",
                "waymark.notifications.context_processors.unread",
                "waymark.messaging.context_processors.unread",
            ],
            # The one pager's tag (templates/includes/pager.html), not owned by any app.
            "libraries": {"pager": "waymark.pager"},
        },
    },
]

# --- Database ---------------------------------------------------------------
# SQLite by default (zero set-up), PostgreSQL when DATABASE_URL says so.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'waymark.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and a task worker share the file: WAL lets readers run beside
    # the writer, the busy timeout waits instead of failing, and IMMEDIATE
    # transactions take the write lock up front so two writers never deadlock.
    # Issue 13 point 1: the connection persists (DATABASE_CONN_MAX_AGE, env.py), so these
    # PRAGMAs run once per connection, not once per request.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }
    # Two connections of one process run the outcomes report's statements at once.
    stop_memory_statistics()
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if _sqlite_name and _sqlite_name != ":memory:" and not _sqlite_name.startswith("file:"):
        Path(_sqlite_name).parent.mkdir(parents=True, exist_ok=True)
else:
    # PostgreSQL's JIT compilation off for Waymark's connections (sent at connect, no extra
    # statement): a report over a year of check-ins is estimated costly enough to be
    # compiled, and compiling took 1.6 s of a 1.8 s outcomes query (EXPLAIN ANALYZE, 2,000
    # patients × 365 days, issue 18 point 7); Waymark's queries run once per page, so
    # compiling them never pays back.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Passwords and sessions --------------------------------------------------
# Guessing passwords: after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is locked out for the cool-off (django-axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # issue 12, point 6
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ADMIN = False  # operators read attempts in the database, not org admins
AXES_VERBOSE = False
# --- Issue 12, point 6: throttling ------------------------------------------------------
# Password spraying: wrong passwords from one address across every username lock that
# address out too, at a higher limit (a clinic's staff share one address).
# waymark.throttling.SignInThrottle counts both.
AXES_HANDLER = "waymark.throttling.SignInThrottle"
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
# The client's address: REMOTE_ADDR, or — behind this many reverse proxies of ours — the
# address the outermost one saw (X-Forwarded-For, from the right). 0 trusts no header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
AXES_CLIENT_IP_CALLABLE = "waymark.throttling.client_ip"
# API writes per device token (django-ratelimit: n/s, n/m, n/h or n/d); off for benchmarks.
API_WRITE_THROTTLE = env_bool("API_WRITE_THROTTLE", True)
API_WRITE_RATE = env_str("API_WRITE_RATE", "60/m")
if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", API_WRITE_RATE):
    raise ImproperlyConfigured(
        f"API_WRITE_RATE={API_WRITE_RATE!r} is not a rate; use e.g. 60/m (s, m, h or d)."
    )
# Counters live in the Django cache: this process's memory by default, Redis (shared by
# every web process) when CACHE_URL is redis://… — set it whenever more than one runs.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("CACHE_URL must start with redis://, rediss:// or unix://.")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "waymark.throttling.client_ip"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 7, minimum=300)
# Issue 12 points 1 and 2: sessions and the second factor.
# A staff session ends this long after sign-in whatever its use (idle staff sessions end
# sooner: Organization.staff_idle_minutes); everyone else's after SESSION_COOKIE_AGE.
STAFF_SESSION_HOURS = env_int("STAFF_SESSION_HOURS", 12, minimum=1, maximum=24 * 7)
# A password-reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60, minimum=5) * 60
# An invitation's link (an active account that has never had a password) works once, for
# this many days: people read such e-mails later than a reset they asked for themselves.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1, maximum=30)
# Requests for a reset link: per address of the requester, and per e-mail address asked for.
PASSWORD_RESET_RATE_PER_IP = env_str("PASSWORD_RESET_RATE_PER_IP", "10/h")
PASSWORD_RESET_RATE_PER_EMAIL = env_str("PASSWORD_RESET_RATE_PER_EMAIL", "3/h")
OTP_TOTP_ISSUER = "Waymark"

SECURE_COOKIES = env_bool("SECURE_COOKIES", not (DEBUG or DEMO))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# A load balancer probes over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS is opt-in: once a browser has seen it, plain HTTP stays refused for this long.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
# issue 12 point 7: the rest of HSTS, for `check --deploy` under the production settings.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Content-Security-Policy and Permissions-Policy (issue 12 point 7) -----------
# Only Waymark's own files run: no inline script or style, no eval, no other origin (htmx
# and Chart.js are vendored under static/vendor/). Data URLs are allowed for images only
# (the admin's and the API docs' icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "manifest-src": [csp.SELF],
        "worker-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Browser features Waymark never uses are off for every page (and anything it could embed);
# only features Chromium knows, so its console stays free of warnings.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "hid", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# --- Locale and time ---------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "waymark" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO or "pytest" in sys.modules
# Files browsers ask for at the site root (/favicon.ico), served by whitenoise like static
# files (no URL pattern, no database); the pages link the SVG under /static/ (issue 15).
WHITENOISE_ROOT = BASE_DIR / "waymark" / "public"

# --- E-mail --------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on; choose one.")
# The address people reach Waymark at, for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The base of the canonical URLs in FHIR exports (Questionnaire, CodeSystem and extension
# URLs): the organization's own address, so another system can tell whose they are.
FHIR_BASE_URL = env_url("FHIR_BASE_URL", f"{SITE_URL.rstrip('/')}/fhir")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Waymark <no-reply@waymark.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ---------------------------------------------------------
# django-tasks with its database backend: the queue lives in the same database, so a
# task is enqueued in the same transaction as the row that causes it, and the SQLite
# default needs no broker. `manage.py run_worker` and `manage.py run_scheduler` run it.
# The backend is django-tasks-db's with a cheaper enqueue (notifications/backend.py).
TASKS = {
    "default": {
        "BACKEND": "waymark.notifications.backend.DatabaseBackend",
        "QUEUES": ["default", "deliveries"],
    }
}

# --- API -------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
# Issue 12, point 5: every paginated list validates page and page_size within bounds.
NINJA_PAGINATION_CLASS = "waymark.pager.Pagination"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
    # Every sign-in is logged at INFO by django-axes; its lockouts (WARNING) are what matter.
    "loggers": {"axes": {"level": "WARNING"}},
}
