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

from .models import Digest
from .querying import srp_url
from .tokens import unsubscribe_token


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.BASE_URL}{url}"


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The email of ``digest``: always the same listings, whenever it is (re)built."""
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
            to=[saved.user.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-Bozor-Digest": str(digest.pk),
                "Content-Language": saved.language,
            },
        )
        message.attach_alternative(html, "text/html")
    return message


def digest_send(*, digest_id: int) -> bool:
    """Send a digest by email once it is committed; True when sent now.

    Why at-least-once here and not at-most-once: the listings of a digest were fixed
    (``SentAlert``) when its cursor moved, so the email can be rebuilt identically at any
    time. A crash after the SMTP server accepted it but before ``sent_at`` is written
    re-sends *the same digest* (same listings, same ``X-Bozor-Digest`` id, which a mail
    client or a support person can recognise) — never a different or a partial one, and
    never loses it, which a mark-before-send would do on a crash.
    """
    digest = Digest.objects.select_related("saved_search__user").filter(pk=digest_id).first()
    if digest is None or digest.sent_at is not None:
        return False
    from .services import digest_mark_sent, digest_move_to_site

    if not digest.saved_search.user.email:  # the address was removed since: show it on the site instead
        digest_move_to_site(digest_id=digest_id)
        return False
    Digest.objects.filter(pk=digest_id).update(attempts=digest.attempts + 1)
    digest_message(digest).send()
    return digest_mark_sent(digest_id=digest_id)
