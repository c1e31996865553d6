"""The heart on a listing: a POST form (works without JS) that htmx swaps in place.

Built in Python rather than a template: a results page shows it on forty cards, where a template
include per card was a third of the page's render time (docs/load-benchmark.md). One function
serves the cards, the listing page and the toggle view's htmx answer.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from classifieds.core.html import format_html_fast


def favorite_button(*, listing_pk: int, pressed: bool, next_url: str, csrf_token: str) -> SafeString:
    """The form for ``listing_pk``; ``next_url`` is where a browser without JS comes back to."""
    toggle_url = reverse("favorites:toggle", args=[listing_pk])
    label = _("Remove from favorites") if pressed else _("Add to favorites")
    return format_html_fast(
        '<form id="fav-{pk}" class="favorite-form" method="post" action="{url}" data-hx-post="{url}"'
        ' data-hx-target="this" data-hx-swap="outerHTML">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<input type="hidden" name="next" value="{next}#fav-{pk}">'
        '<button type="submit" class="favorite{pressed_class}" aria-pressed="{pressed}" title="{label}">'
        '<span aria-hidden="true">{heart}</span><span class="visually-hidden">{label}</span></button>'
        "</form>",
        pk=listing_pk,
        url=toggle_url,
        token=csrf_token,
        next=next_url,
        pressed_class=" is-favorite" if pressed else "",
        pressed="true" if pressed else "false",
        label=label,
        heart="♥" if pressed else "♡",
    )


def button_in_context(context, listing) -> SafeString:
    """The button for ``listing`` with what a template context knows (request, favorites, CSRF token)."""
    request = context["request"]
    return favorite_button(
        listing_pk=listing.pk,
        pressed=listing.pk in context.get("favorite_ids", ()),
        next_url=context.get("favorite_next") or request.get_full_path(),
        csrf_token=str(context.get("csrf_token", "")),
    )
