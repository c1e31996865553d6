"""The alert email: HTML + text, in the saved search's language, with photos, links and unsubscribe."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from classifieds.analytics.links import tracked_url
from classifieds.analytics.models import EventKind
from classifieds.listings.models import Listing
from classifieds.notifications.delivery import delivery_send
from classifieds.notifications.models import Delivery, Notification

from .models import Digest
from .querying import srp_url
from .tokens import unsubscribe_token


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.BASE_URL}{url}"


def digest_message(digest: Digest, *, to: str | None = None, kind_unsubscribe_url: str = "") -> EmailMultiAlternatives:
    """The email of ``digest``: always the same listings, whenever it is (re)built.

    ``kind_unsubscribe_url``: the notifications link that stops every saved-search email (the
    List-Unsubscribe header keeps the finer one: this saved search only).
    """
    saved = digest.saved_search
    ids = list(digest.alerts.order_by("pk").values_list("listing_id", flat=True))
    rows = Listing.objects.for_cards().in_bulk(ids)
    listings = [rows[pk] for pk in ids if pk in rows]
    with translation.override(saved.language):
        items = []
        for listing in listings:
            cover = listing.cover
            items.append(
                {
                    "listing": listing,
                    # Through the tracked link: the click counts for the listing's statistics, then redirects.
                    "url": _absolute(
                        tracked_url(listing.get_absolute_url(), kind=EventKind.DIGEST_CLICK, listing_id=listing.pk)
                    ),
                    "photo": _absolute(cover.image.url) if cover is not None and cover.image else "",
                }
            )
        unsubscribe = _absolute(reverse("savedsearches:unsubscribe", kwargs={"token": unsubscribe_token(saved.pk)}))
        context = {
            "saved": saved,
            "items": items,
            "search_url": _absolute(srp_url(saved)),
            "saved_url": _absolute(reverse("web:saved")),
            "unsubscribe_url": unsubscribe,
            "kind_unsubscribe_url": kind_unsubscribe_url,
            "count": len(items),
        }
        subject = ngettext("%(count)s new listing: %(title)s", "%(count)s new listings: %(title)s", len(items)) % {
            "count": len(items),
            "title": saved.title,
        }
        text = render_to_string("savedsearches/email/digest.txt", context)
        html = render_to_string("savedsearches/email/digest.html", context)
        message = EmailMultiAlternatives(
            subject=f"{settings.SITE_NAME}: {subject}",
            body=text,
            to=[to or saved.user.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-Bozor-Digest": str(digest.pk),
                "Content-Language": saved.language,
            },
        )
        message.attach_alternative(html, "text/html")
    return message


def digest_email_for_notice(notice: Notification, *, to: str, kind_unsubscribe_url: str) -> EmailMultiAlternatives:
    """The email of a ``savedsearch.digest`` notice (registered with notifications as the kind's builder)."""
    digest = Digest.objects.select_related("saved_search__user").get(pk=notice.context["digest_id"])
    return digest_message(digest, to=to, kind_unsubscribe_url=kind_unsubscribe_url)


def digest_send(*, digest_id: int) -> bool:
    """Send a digest by email once it is committed; True when sent now.

    The email is the email delivery of the digest's notice, which notifications send exactly
    once (the row is locked while sending and marked sent in the same transaction; see
    ``notifications.delivery``). Either this task or the notice's own task may send it; whichever
    comes second finds it sent and only records that on the digest. A crash after the SMTP server
    accepted it but before the mark re-sends *the same digest* (same listings, same
    ``X-Bozor-Digest`` id and Message-ID) — never a different or a partial one, and never loses it.
    """
    digest = Digest.objects.select_related("saved_search__user").filter(pk=digest_id).first()
    if digest is None or digest.sent_at is not None or digest.channel != Digest.Channel.EMAIL:
        return False
    from .services import digest_mark_sent, digest_move_to_site

    delivery = Delivery.objects.filter(
        notification__user_id=digest.user_id,
        notification__kind="savedsearch.digest",
        notification__dedupe_key=f"digest:{digest_id}",
        channel=Delivery.Channel.EMAIL,
    ).first()
    if delivery is None:
        digest_move_to_site(digest_id=digest_id)
        return False
    Digest.objects.filter(pk=digest_id).update(attempts=digest.attempts + 1)
    sent = delivery_send(delivery_id=delivery.pk)
    state = Delivery.objects.filter(pk=delivery.pk).values_list("state", flat=True).get()
    if state == Delivery.State.SENT:
        digest_mark_sent(digest_id=digest_id)
    elif state in (Delivery.State.SKIPPED, Delivery.State.FAILED):  # no address any more, or switched off
        digest_move_to_site(digest_id=digest_id)
    return sent
