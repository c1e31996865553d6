"""Writes on saved searches and their alerts.

Exactly once, per saved search: ``alert_collect`` finds the listings published in
``(cursor, horizon]`` that the SRP would show, leaves out any already in ``SentAlert``,
and in ONE transaction writes a ``Digest``, a ``SentAlert`` per listing and moves the
cursor to the horizon. A crash anywhere before the commit leaves no trace (the next
run finds the same listings); after it, the listings are recorded and never found
again. The digest is a ``savedsearch.digest`` notice (``notifications.notify``, keyed by the digest): its
email delivery is sent after commit exactly once (see ``digest_send``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from classifieds.accounts.models import User
from classifieds.audit.services import event_record
from classifieds.notifications.services import notifications_mark_read_about, notify
from classifieds.search.backends import get_search_backend

from .models import CURSOR_END_ID, MAX_SAVED_SEARCHES, Digest, SavedSearch, SentAlert
from .querying import Search, listing_query, title_for

logger = logging.getLogger(__name__)

# Listings become findable when the outbox worker indexes them, seconds after they are
# published: a run looks only at listings published at least this long ago, so none is
# passed over by the cursor before it can match.
INDEX_LAG = timedelta(minutes=2)
# The notifications kind a digest is told by (on the site always; by email to a confirmed address).
DIGEST_KIND = "savedsearch.digest"
# At most this many listings per digest (the email links to the SRP for the rest).
DIGEST_MAX = 30
DUE_AFTER = {
    SavedSearch.Frequency.INSTANT: timedelta(minutes=4),
    SavedSearch.Frequency.DAILY: timedelta(days=1),
    SavedSearch.Frequency.WEEKLY: timedelta(days=7),
}


class SavedSearchLimitReached(Exception):
    """The user already has MAX_SAVED_SEARCHES saved searches."""


@transaction.atomic
def saved_search_save(*, user: User, search: Search, frequency: str, language: str) -> tuple[SavedSearch, bool]:
    """Save ``search`` for ``user`` (the same search again is the same row); (saved search, created)."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one save at a time per user: the limit holds
    existing = SavedSearch.objects.filter(user=user, key=search.key).first()
    if existing is not None:
        if existing.frequency != frequency:
            existing.frequency = frequency
            existing.save(update_fields=["frequency"])
        return existing, False
    if SavedSearch.objects.of(user).count() >= MAX_SAVED_SEARCHES:
        raise SavedSearchLimitReached
    with translation.override(language):
        title = title_for(search)
    now = timezone.now()
    saved = SavedSearch.objects.create(
        user=user,
        title=title,
        category=search.category,
        location=search.location,
        params=search.params,
        key=search.key,
        frequency=frequency,
        language=language,
        created_at=now,
        last_visited_at=now,
        # Alerts are about listings published from now on.
        cursor_published_at=now,
        cursor_id=CURSOR_END_ID,
    )
    event_record(topic="savedsearch.created", subject=saved, actor=user, payload={"frequency": frequency})
    return saved, True


@transaction.atomic
def saved_search_update(*, saved: SavedSearch, title: str, frequency: str) -> SavedSearch:
    """Rename a saved search or change how often it alerts."""
    saved.title = title.strip()[:200] or saved.title
    saved.frequency = frequency
    saved.save(update_fields=["title", "frequency"])
    return saved


@transaction.atomic
def saved_search_delete(*, saved: SavedSearch) -> None:
    """Forget a saved search, with what it sent."""
    event_record(topic="savedsearch.deleted", subject=saved, actor=saved.user)
    saved.delete()


@transaction.atomic
def saved_search_unsubscribe(*, saved: SavedSearch) -> None:
    """Stop the alerts of a saved search (from the email's link; the search stays saved)."""
    if saved.frequency != SavedSearch.Frequency.OFF:
        saved.frequency = SavedSearch.Frequency.OFF
        saved.save(update_fields=["frequency"])
        event_record(topic="savedsearch.unsubscribed", subject=saved)


@transaction.atomic
def saved_search_visit(*, saved: SavedSearch) -> None:
    """The user opened the search: its new matches and on-site alerts are seen."""
    now = timezone.now()
    SavedSearch.objects.filter(pk=saved.pk).update(last_visited_at=now)
    Digest.objects.filter(saved_search=saved, channel=Digest.Channel.SITE, seen_at__isnull=True).update(seen_at=now)
    notifications_mark_read_about(user=saved.user, subject=f"savedsearch:{saved.pk}", kind=DIGEST_KIND)


def new_matches(saved: SavedSearch, *, limit: int = 100) -> int:
    """Listings the SRP shows that were published since the user last opened the search (up to ``limit``)."""
    query = listing_query(saved, published_after=(saved.last_visited_at, CURSOR_END_ID))
    return len(get_search_backend().ids(query, offset=0, limit=limit))


def alert_due(*, frequency: str, now: datetime):
    """Saved searches of ``frequency`` whose last alert is old enough."""
    queryset = SavedSearch.objects.filter(frequency=frequency)
    due_before = now - DUE_AFTER[frequency] + timedelta(seconds=30)
    return queryset.filter(last_alert_at__isnull=True) | queryset.filter(last_alert_at__lte=due_before)


@transaction.atomic
def alert_collect(*, saved_search_id: int, now: datetime | None = None) -> Digest | None:
    """Record the listings to alert for one saved search and move its cursor; the digest, if any.

    The send is enqueued on commit; the caller needs nothing else.
    """
    now = now or timezone.now()
    horizon = now - INDEX_LAG
    saved = (
        SavedSearch.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "category", "location")
        .filter(pk=saved_search_id)
        .first()
    )
    if saved is None or saved.frequency == SavedSearch.Frequency.OFF:
        return None  # gone, switched off, or another worker has it right now
    if (saved.cursor_published_at, saved.cursor_id) >= (horizon, CURSOR_END_ID):
        return None
    with translation.override(saved.language):
        query = listing_query(
            saved,
            published_after=(saved.cursor_published_at, saved.cursor_id),
            published_until=horizon,
            sort="newest",
            page=1,
        )
    ids = get_search_backend().ids(query, offset=0, limit=DIGEST_MAX + 50)
    if ids:
        already = set(
            SentAlert.objects.filter(saved_search=saved, listing_id__in=ids).values_list("listing_id", flat=True)
        )
        ids = [pk for pk in ids if pk not in already][:DIGEST_MAX]
    digest = None
    if ids:
        digest = Digest.objects.create(
            saved_search=saved, user=saved.user, channel=Digest.Channel.SITE, size=len(ids), created_at=now
        )
        SentAlert.objects.bulk_create([SentAlert(saved_search=saved, listing_id=pk, digest=digest) for pk in ids])
        notice = notify(
            user=saved.user,
            kind=DIGEST_KIND,
            context={
                "digest_id": digest.pk,
                "saved_search_id": saved.pk,
                "search": saved.title,
                "count": len(ids),
                "url": reverse("savedsearches:open", kwargs={"pk": saved.pk}),
            },
            subject=f"savedsearch:{saved.pk}",
            dedupe_key=f"digest:{digest.pk}",
            language=saved.language,
            now=now,
        )
        # By email when notifications send it one (a confirmed address, not switched off); else a count on the site.
        if notice is not None and notice.deliveries.filter(channel="email").exists():
            Digest.objects.filter(pk=digest.pk).update(channel=Digest.Channel.EMAIL)
            digest.channel = Digest.Channel.EMAIL
            from .tasks import send_digest_task

            digest_id = digest.pk
            transaction.on_commit(lambda: send_digest_task(digest_id))
    saved.cursor_published_at, saved.cursor_id = horizon, CURSOR_END_ID
    saved.last_alert_at = now
    saved.save(update_fields=["cursor_published_at", "cursor_id", "last_alert_at"])
    return digest


def alert_run(*, frequency: str, now: datetime | None = None) -> int:
    """One alert pass over the due saved searches of ``frequency``; how many digests were made.

    Each saved search is its own transaction: one failing search neither blocks nor undoes the others.
    """
    now = now or timezone.now()
    made = 0
    for pk in alert_due(frequency=frequency, now=now).order_by("pk").values_list("pk", flat=True).iterator():
        try:
            digest = alert_collect(saved_search_id=pk, now=now)
        except Exception:  # its transaction rolled back: the next run retries it from the same cursor
            logger.exception("alert run failed for saved search %s", pk)
            continue
        made += digest is not None
    return made


@transaction.atomic
def digest_mark_sent(*, digest_id: int) -> bool:
    """Mark a digest sent; False when it already was (nothing to do)."""
    return bool(Digest.objects.filter(pk=digest_id, sent_at__isnull=True).update(sent_at=timezone.now()))


@transaction.atomic
def digest_move_to_site(*, digest_id: int) -> None:
    """A digest whose user has no email any more is shown on the site instead."""
    Digest.objects.filter(pk=digest_id, sent_at__isnull=True).update(channel=Digest.Channel.SITE)
