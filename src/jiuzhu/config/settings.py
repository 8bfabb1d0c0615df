"""Jiuzhu settings. Everything that differs between machines comes from the environment:

- ``DATABASE_URL``: e.g. ``postgres://user@127.0.0.1:5432/jiuzhu``; SQLite in ``var/`` when unset.
- ``JIUZHU_DATA_DIR``: where the SQLite file, uploads and keys live (default ``<repo>/var``).
- ``JIUZHU_SECRET_KEY``: Django's secret (a random one is made and kept in the data dir).
- ``JIUZHU_DEBUG``: ``1`` for development.
- ``JIUZHU_POLICY_FILE``: the city's policy file (default ``policies/demo.yaml``).
- ``JIUZHU_TRAINING_SITE``: ``1`` on a demo or training site (never production): the training clock.
- ``JIUZHU_PRODUCTION``: ``1`` behind HTTPS: secure cookies, HSTS, SSL redirect, no debug; passes
  ``manage.py check --deploy``. ``JIUZHU_SSL_REDIRECT=0`` when the proxy redirects itself,
  ``JIUZHU_HSTS_SECONDS`` (default one year). Without it: the local demo on http://127.0.0.1.
- ``JIUZHU_DEMO_2FA``: ``off`` lets approvers, verification officers, payment staff and
  administrators log in without the second factor (demo and training only). See README "Sign-in".
- ``JIUZHU_SESSION_IDLE_MINUTES`` (default 30), ``JIUZHU_LOCKOUT_FAILURES`` (default 5),
  ``JIUZHU_LOCKOUT_MINUTES`` (default 15), ``JIUZHU_TRUSTED_PROXIES`` (number of reverse proxies
  in front of the app whose ``X-Forwarded-For`` is believed; default 0).
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

SRC_DIR = Path(__file__).resolve().parents[1]  # src/jiuzhu
BASE_DIR = SRC_DIR.parents[1]  # repository root
DATA_DIR = Path(os.environ.get("JIUZHU_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret(name: str, env: str, nbytes: int = 48) -> str:
    if os.environ.get(env):
        return os.environ[env]
    path = DATA_DIR / name
    if not path.exists():
        # nbytes=0: a Fernet key (urlsafe base64 of 32 random bytes)
        path.write_text(
            secrets.token_urlsafe(nbytes)
            if nbytes
            else base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        )
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret("secret_key", "JIUZHU_SECRET_KEY")
# Key for personal data encrypted at rest (bank accounts). Fernet key, urlsafe base64 of 32 bytes;
# from JIUZHU_FIELD_KEY, else made once and kept in the data dir like the secret key.
FIELD_ENCRYPTION_KEY = _secret("field_key", "JIUZHU_FIELD_KEY", nbytes=0)
DEBUG = os.environ.get("JIUZHU_DEBUG") == "1"
# A demo or training site (never production): an administrator may move the platform's date
# forward (jiuzhu.common.clock), bannered on every page.
TRAINING_SITE = os.environ.get("JIUZHU_TRAINING_SITE") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"] + [
    h for h in os.environ.get("JIUZHU_ALLOWED_HOSTS", "").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JIUZHU_CSRF_ORIGINS", "").split(",") if o]

POLICY_FILE = Path(os.environ.get("JIUZHU_POLICY_FILE", BASE_DIR / "policies" / "demo.yaml"))
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jiuzhu.common",
    "jiuzhu.registry",
    "jiuzhu.policy",
]
# Apps of later domain areas register themselves here when they exist, so the foundation runs
# without them.
for _app in (
    "intake",
    "verification",
    "decisions",
    "payments",
    "screening",
    "supervision",
    "performance",
    "charity",
    "caseload",
    "medical",
    "disaster",
    "education",
    "employment",
    "tekun",
    "housing",
):
    if (SRC_DIR / _app / "apps.py").exists():
        INSTALLED_APPS.append(f"jiuzhu.{_app}")

MIDDLEWARE = [
    # Outermost: the request id is set before anything can log, and every /api/ error leaves as JSON.
    "jiuzhu.common.requests.RequestIdMiddleware",
    "jiuzhu.common.requests.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jiuzhu.common.uploads.UploadLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jiuzhu.common.idempotency.IdempotencyMiddleware",  # Idempotency-Key on JSON POSTs of the API
    "django.contrib.messages.middleware.MessageMiddleware",
    # A supervisor reads everything and changes nothing (DOMAIN §1); no-op without the app.
    *(
        ["jiuzhu.supervision.guard.SupervisorReadOnlyMiddleware"]
        if "jiuzhu.supervision" in INSTALLED_APPS
        else []
    ),
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "jiuzhu.config.urls"
WSGI_APPLICATION = "jiuzhu.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiuzhu.common.context.navigation",
                "jiuzhu.common.context.training_clock",
            ],
            # {{ code|label:"unit" }}, {{ amount|yuan }}, {{ when|moment }} in every template.
            "builtins": ["jiuzhu.common.templatetags.jiuzhu_labels"],
        },
    },
]

_db_url = os.environ.get("DATABASE_URL")
if _db_url:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "jiuzhu.sqlite3",
            "OPTIONS": {
                # IMMEDIATE: a write transaction takes the lock at BEGIN, so two racing
                # approvals serialise instead of one failing half-way.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
    if os.environ.get("JIUZHU_SQLITE_NAME"):
        DATABASES["default"]["NAME"] = os.environ["JIUZHU_SQLITE_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "registry.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- sign-in (jiuzhu.common.signin) -----------------------------------------------------------
# django-axes: a user name is locked after LOCKOUT_FAILURES wrong passwords or codes in a row,
# for LOCKOUT_MINUTES, and so is one client (address + browser) trying many user names; a
# successful log-in clears the count. Every attempt is in the access log.
AUTHENTICATION_BACKENDS = [
    "jiuzhu.common.signin.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOCKOUT_FAILURES = int(os.environ.get("JIUZHU_LOCKOUT_FAILURES", "5"))
LOCKOUT_MINUTES = int(os.environ.get("JIUZHU_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # log-ins are written to common.AccessLog instead
AXES_CLIENT_IP_CALLABLE = "jiuzhu.common.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "jiuzhu.common.signin_views.lockout_response"
AXES_VERBOSE = False
TRUSTED_PROXIES = int(os.environ.get("JIUZHU_TRUSTED_PROXIES", "0"))
# Second factor (TOTP, django-otp) for approvers, verification officers, payment staff and
# administrators; optional for everyone else. JIUZHU_DEMO_2FA=off: demo and training only.
SECOND_FACTOR_REQUIRED = os.environ.get("JIUZHU_DEMO_2FA", "on").lower() != "off"
OTP_TOTP_ISSUER = "救助平台"
OTP_TOTP_THROTTLE_FACTOR = 0  # wrong codes count towards the axes lockout above instead
# A session ends after this long without a request (each request starts the time again).
SESSION_COOKIE_AGE = int(os.environ.get("JIUZHU_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True

LOG_DIR = DATA_DIR / "logs"
LOG_DIR.mkdir(exist_ok=True)
# One JSON line per event (with request id and traceback) to the console and <data dir>/logs/;
# Django's loggers (django.request logs every 5xx with its traceback) and gunicorn's (``jiuzhu
# serve`` hands this dict to gunicorn) go the same way.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "jiuzhu.common.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "file": {
            "class": "jiuzhu.common.logs.AppendFileHandler",
            "filename": LOG_DIR / "jiuzhu.log",
            "formatter": "json",
            "encoding": "utf-8",
        },
        "notifications": {
            "class": "logging.FileHandler",
            "filename": DATA_DIR / "notifications.log",
            "formatter": "plain",
            "encoding": "utf-8",
        },
    },
    "root": {"handlers": ["console", "file"], "level": "WARNING"},
    "loggers": {
        "jiuzhu.notify": {"handlers": ["notifications"], "level": "INFO", "propagate": False},
        "jiuzhu": {"level": "INFO"},
        "django": {"handlers": [], "level": "INFO"},
        "gunicorn.error": {"handlers": [], "level": "INFO"},
        "gunicorn.access": {"handlers": [], "level": "INFO"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Inputs (jiuzhu.common.values): months accepted for rolls, reports and queries, counted from
# this month; uploads larger than JIUZHU_UPLOAD_MAX_MB are refused before they are read.
JIUZHU_MONTHS_BACK = int(os.environ.get("JIUZHU_MONTHS_BACK", "120"))
JIUZHU_MONTHS_AHEAD = int(os.environ.get("JIUZHU_MONTHS_AHEAD", "12"))
JIUZHU_UPLOAD_MAX_MB = int(os.environ.get("JIUZHU_UPLOAD_MAX_MB", "200"))

# Background jobs (jiuzhu.common.jobs): django-tasks with its database backend, so a job is a
# row in the same database and commits with the write that queued it. `jiuzhu serve` runs
# the worker (`jiuzhu db_worker`) beside gunicorn.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job that has not reported progress for this long is taken as abandoned by a dead
# worker (one whose process is gone on this machine is found at once) and marked failed.
JIUZHU_JOB_STALE_MINUTES = int(os.environ.get("JIUZHU_JOB_STALE_MINUTES", "60"))
# An export job's file (<data>/exports/<job id>/) is deleted this many days after the job
# finished (the job's page then says so and the download answers 410); ``jobs.clean_exports``.
JIUZHU_EXPORT_KEEP_DAYS = int(os.environ.get("JIUZHU_EXPORT_KEEP_DAYS", "7"))

# --- Content-Security-Policy (django-csp 4), on every site --------------------------------------
# Scripts only from our static files (no inline script, no eval: htmx runs with allowEval off);
# the few inline <style> blocks carry the request's nonce; QR codes are data: images.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"

# --- production switch --------------------------------------------------------------------------
PRODUCTION = os.environ.get("JIUZHU_PRODUCTION") == "1"
if PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    if not SECOND_FACTOR_REQUIRED:
        raise ImproperlyConfigured("JIUZHU_DEMO_2FA=off is for the demo only, never with JIUZHU_PRODUCTION=1")
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("JIUZHU_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("JIUZHU_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
    if TRUSTED_PROXIES:
        # the proxy terminates TLS and says so; believed only when a proxy is declared
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
