"""The apps' own tunables, each read from the environment (every variable is in README.md).

``settings.py`` holds the platform (Django, database, caches, queue, auth, i18n, static, security) and
star-imports this module; nothing here depends on it. ``classifieds.ops.envvars`` reads both files.
"""

from __future__ import annotations

import os


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Promotions ------------------------------------------------------------------
# Pinned TOP places above each category's results: no more TOPs are sold for a period than this.
PROMOTION_TOP_SLOTS = int(os.environ.get("PROMOTION_TOP_SLOTS", "3"))
# How long an unpaid TOP order keeps its place (the checkout's time to pay).
PROMOTION_TOP_HOLD_MINUTES = int(os.environ.get("PROMOTION_TOP_HOLD_MINUTES", "30"))

# Seller phone reveals (POST /l/<id>/phone/) per visitor (session or account) and per IP, in the shared
# cache: anonymous visitors get less; per IP stays generous, as mobile carriers put many people behind one.
PHONE_REVEAL_LIMITS = {
    "anonymous": {"per_visitor_hour": 10, "per_visitor_day": 30, "per_ip_hour": 40},
    "signed_in": {"per_visitor_hour": 40, "per_visitor_day": 150, "per_ip_hour": 150},
}
# Reports of listings and sellers (classifieds/moderation): anonymous visitors get less.
REPORT_LIMITS = {
    "anonymous": {
        "per_visitor_day": int(os.environ.get("REPORT_LIMIT_ANONYMOUS_DAY", "5")),
        "per_ip_hour": int(os.environ.get("REPORT_LIMIT_ANONYMOUS_IP_HOUR", "10")),
    },
    "signed_in": {
        "per_visitor_day": int(os.environ.get("REPORT_LIMIT_SIGNED_IN_DAY", "20")),
        "per_ip_hour": int(os.environ.get("REPORT_LIMIT_SIGNED_IN_IP_HOUR", "40")),
    },
}
# Confirmation mails to a new profile email (an unconfirmed address: the form must not relay mail).
EMAIL_CHANGE_LIMITS = {"per_user_hour": 3, "per_user_day": 6, "per_ip_hour": 10}
# Messaging (classifieds/messaging): new conversations a user may start per hour, messages per minute.
MESSAGING_LIMITS = {
    "conversations_per_hour": int(os.environ.get("MESSAGING_CONVERSATIONS_PER_HOUR", "10")),
    "messages_per_minute": int(os.environ.get("MESSAGING_MESSAGES_PER_MINUTE", "12")),
}
# How often an open conversation asks for new messages, and every page's header for the unread count.
MESSAGING_POLL_SECONDS = int(os.environ.get("MESSAGING_POLL_SECONDS", "5"))
MESSAGING_BADGE_POLL_SECONDS = int(os.environ.get("MESSAGING_BADGE_POLL_SECONDS", "60"))
# The seller's typical reply time is shown once this many conversations have a first reply.
MESSAGING_REPLY_TIME_MIN_SAMPLES = int(os.environ.get("MESSAGING_REPLY_TIME_MIN_SAMPLES", "3"))

# --- SMS: like EMAIL_BACKEND, a dotted path (or a short alias) ------------------------
SMS_BACKENDS = {
    "console": "classifieds.accounts.sms.ConsoleBackend",
    "eskiz": "classifieds.accounts.sms.EskizBackend",
}
_sms_backend = os.environ.get("SMS_BACKEND", "console")
SMS_BACKEND = SMS_BACKENDS.get(_sms_backend, _sms_backend)
SMS_API_URL = os.environ.get("SMS_API_URL", "https://notify.eskiz.uz/api").rstrip("/")
SMS_LOGIN = os.environ.get("SMS_LOGIN", "")
SMS_PASSWORD = os.environ.get("SMS_PASSWORD", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "4546")
SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))
# Notification kinds (classifieds/notifications/kinds.py) that also go by SMS to a verified phone,
# comma-separated, e.g. "listing.expiring,payment.received". Default: none (SMS costs money).
NOTIFICATIONS_SMS_KINDS = tuple(
    kind.strip() for kind in os.environ.get("NOTIFICATIONS_SMS_KINDS", "").split(",") if kind.strip()
)

# --- Bozor --------------------------------------------------------------------------
LISTINGS_PER_PAGE = 40
# Deep paging is capped as OLX does: nobody reads page 500, crawlers should not either.
MAX_PAGE = 25
SITE_NAME = "Bozor"
# Browsers may keep a page this many seconds when the visitor has no cookies (crawlers, first visits);
# everybody else revalidates (ETag). classifieds/core/httpcache.py.
HTML_CACHE_SECONDS = int(os.environ.get("HTML_CACHE_SECONDS", "60"))
# App links (al:* meta tags) to the mobile apps; empty: the tags are left out.
APP_ANDROID_PACKAGE = os.environ.get("APP_ANDROID_PACKAGE", "")  # e.g. uz.bozor.app
APP_IOS_STORE_ID = os.environ.get("APP_IOS_STORE_ID", "")  # the App Store id, digits
APP_URL_SCHEME = os.environ.get("APP_URL_SCHEME", "")  # e.g. bozor:// : al:*:url is this plus the page's path

# /metrics answers these networks (a client behind TRUSTED_PROXY_COUNT proxies is its forwarded address)
# and anyone presenting "Authorization: Bearer <METRICS_TOKEN>"; everyone else gets a 404.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# SQL statements slower than this are logged with their view (and counted).
SLOW_SQL_MS = float(os.environ.get("SLOW_SQL_MS", "500"))
