"""Recording events on the request path: cache operations only, never a database write.

``record(request, kind=..., listing_id=...)`` counts an event once per visitor per day (``cache.add``
of a dedupe key), skips known bots, and adds it to the buffer. The flush task moves the buffer to the
database. Where the buffer is per-process memory (the embedded default), the process flushes itself
every ``ANALYTICS_PROCESS_FLUSH_SECONDS`` from a daemon thread: a worker cannot read another process's
memory.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import close_old_connections, connections
from django.http import HttpRequest
from django.utils import timezone

from .buffer import Counter, get_buffer
from .models import EventKind

logger = logging.getLogger(__name__)

VISITOR_COOKIE = "bz_vid"
VISITOR_SALT = "analytics.visitor"
SUBJECT_MAX = 100
KINDS = frozenset(EventKind.values)

# Crawlers, link previewers, monitors and scripted clients: their hits are not people looking.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|facebookexternalhit|embedly|preview|headless|phantomjs|"
    r"python-requests|python-urllib|aiohttp|httpx|curl/|wget/|go-http-client|java/|okhttp|libwww|"
    r"apache-httpclient|pingdom|uptime|monitor|lighthouse|mediapartners|bingpreview",
    re.IGNORECASE,
)


def is_bot(request: HttpRequest) -> bool:
    """A request from a known bot or a client that names no browser at all."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent.strip() or BOT_PATTERN.search(agent) is not None


def _fingerprint(request: HttpRequest) -> str:
    raw = f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.blake2b(raw.encode(), digest_size=10, key=settings.SECRET_KEY[:64].encode()).hexdigest()


def visitor_id(request: HttpRequest) -> str:
    """Who counts as one visitor: the signed visitor cookie, else the session, else address + browser.

    The cookie (set by ``VisitorCookieMiddleware``) carries the address + browser hash of the first
    visit, so a visitor's first request and the later ones count as the same person.
    """
    cached = getattr(request, "_analytics_visitor", None)
    if cached:
        return cached
    visitor = ""
    raw = request.COOKIES.get(VISITOR_COOKIE)
    if raw:
        try:
            visitor = "c:" + signing.get_cookie_signer(salt=VISITOR_SALT).unsign(raw)
        except signing.BadSignature:
            visitor = ""
    if not visitor:
        session = getattr(request, "session", None)
        key = session.session_key if session is not None else None
        if key:
            visitor = "s:" + hashlib.blake2b(key.encode(), digest_size=10).hexdigest()
        else:
            fingerprint = _fingerprint(request)
            request._analytics_new_visitor = fingerprint  # the middleware hands it out as the cookie
            visitor = "c:" + fingerprint
    request._analytics_visitor = visitor
    return visitor


def _subject(value: object) -> str:
    return " ".join(str(value or "").split())[:SUBJECT_MAX]


def _until_tomorrow(now: datetime) -> int:
    local = timezone.localtime(now)
    tomorrow = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return int((tomorrow - local).total_seconds()) + 3600


def record(request: HttpRequest, *, kind: str, listing_id: int | None = None, **data) -> bool:
    """Count one event (``subject=`` in ``data`` names what it is about besides a listing). Returns whether counted.

    Once per visitor per day per (kind, listing, subject); bots are skipped. Cache operations only.
    """
    subjects = [_subject(data.get("subject", ""))]
    return record_many(request, kind=kind, listing_ids=[listing_id or 0], subjects=subjects) > 0


def record_many(
    request: HttpRequest, *, kind: str, listing_ids: Iterable[int] = (0,), subjects: Iterable[str] = ("",)
) -> int:
    """Count an event for each listing id × subject (a page of card impressions). Returns how many counted."""
    if kind not in KINDS:
        raise ValueError(f"unknown analytics event kind: {kind!r}")
    if not settings.ANALYTICS_ENABLED or is_bot(request):
        return 0
    try:
        store = get_buffer()
        now = timezone.now()
        day = timezone.localdate(now)
        visitor = visitor_id(request)
        counters = [
            Counter(day, kind, listing_id, subject)
            for listing_id in dict.fromkeys(int(i) for i in listing_ids)
            for subject in dict.fromkeys(_subject(s) for s in subjects)
        ]
        keys = [
            f"an:d:{day.isoformat()}:"
            + hashlib.blake2b(f"{visitor}|{kind}|{c.listing_id}|{c.subject}".encode(), digest_size=12).hexdigest()
            for c in counters
        ]
        counted = store.count_first(keys, counters, _until_tomorrow(now))
        if counted:
            _ensure_process_flusher()
        return counted
    except Exception:  # statistics never break a page
        logger.exception("analytics: could not record %s", kind)
        return 0


# --- The per-process flusher (embedded default: the buffer lives in this process's memory) -----------
_flusher_lock = threading.Lock()
_flusher_pid: int | None = None


def _ensure_process_flusher() -> None:
    global _flusher_pid
    every = settings.ANALYTICS_PROCESS_FLUSH_SECONDS
    if every <= 0 or _flusher_pid == os.getpid():
        return
    with _flusher_lock:
        if _flusher_pid == os.getpid():  # started by another thread meanwhile
            return
        _flusher_pid = os.getpid()  # after a fork the child starts its own
        threading.Thread(target=_flush_forever, args=(every,), name="analytics-flush", daemon=True).start()
        atexit.register(_flush_at_exit)


def _flush_at_exit() -> None:
    """A process that stops normally writes what it still holds (a killed one loses at most two periods)."""
    from .services import analytics_flush

    if settings.ANALYTICS_PROCESS_FLUSH_SECONDS <= 0:  # switched off since: nothing of ours to write
        return
    try:
        analytics_flush(settle=False)
    except Exception:
        logger.exception("analytics: the flush at exit failed")


def _flush_forever(every: int) -> None:
    global _flusher_pid
    from .services import analytics_flush

    stop = threading.Event()
    try:
        while not stop.wait(every):
            if settings.ANALYTICS_PROCESS_FLUSH_SECONDS <= 0:  # switched off meanwhile (a test, a settings change)
                _flusher_pid = None
                return
            try:
                analytics_flush()
            except Exception:  # the next round retries: a generation is flushed exactly once, whenever
                logger.exception("analytics: the in-process flush failed")
            finally:
                close_old_connections()
    finally:
        connections.close_all()  # this thread's connections
