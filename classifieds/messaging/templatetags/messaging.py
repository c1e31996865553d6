"""The listing page's part of messaging: the seller's typical reply time and "Write to the seller".

A tag library rather than the listing view's context: listings sit below messaging in the layer
order (docs/adr/004-layering.md), so the listing page asks messaging through its template.
"""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from classifieds.messaging.forms import QUICK_REPLIES
from classifieds.messaging.models import Conversation

register = template.Library()
REPLY_TIME_CACHE_SECONDS = 600


def reply_time_text(delay: timedelta) -> str:
    """ "within 15 minutes", "within 3 hours", "within 2 days": rounded up, in the active language."""
    minutes = max(1, -(-int(delay.total_seconds()) // 60))
    if minutes < 60:
        return ngettext("within %(n)d minute", "within %(n)d minutes", minutes) % {"n": minutes}
    hours = -(-minutes // 60)
    if hours < 24:
        return ngettext("within %(n)d hour", "within %(n)d hours", hours) % {"n": hours}
    days = -(-hours // 24)
    return ngettext("within %(n)d day", "within %(n)d days", days) % {"n": days}


@register.simple_tag
def seller_reply_time(seller) -> str:
    """How fast ``seller`` usually answers a first message ("" until there is enough data)."""
    key = f"messaging:reply-time:{seller.pk}"
    seconds = cache.get(key)
    if seconds is None:
        delay = Conversation.objects.reply_time(seller, min_samples=settings.MESSAGING_REPLY_TIME_MIN_SAMPLES)
        seconds = -1 if delay is None else int(delay.total_seconds())
        cache.set(key, seconds, REPLY_TIME_CACHE_SECONDS)
    return "" if seconds < 0 else reply_time_text(timedelta(seconds=seconds))


@register.inclusion_tag("messaging/partials/write_to_seller.html", takes_context=True)
def write_to_seller(context, listing) -> dict:
    """The composer on a listing's page: hidden on one's own listing, a link once a conversation exists."""
    request = context.get("request")
    user = getattr(request, "user", None)
    own = user is not None and user.is_authenticated and user.pk == listing.owner_id
    existing = None
    if user is not None and user.is_authenticated and not own:
        existing = Conversation.objects.filter(listing=listing, buyer=user).only("pk").first()
    return {
        "listing": listing,
        "own": own,
        "existing": existing,
        "quick_replies": QUICK_REPLIES["buyer"],
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
