"""The registry of notification kinds: what each one says (ru/uz), how long its dedupe window is, and its channels.

A kind's title and body are translatable format strings with ``%(name)s`` placeholders filled
from the notice's context; a placeholder missing from the context renders empty, never raises.
Callers outside this app register nothing: every kind of Bozor is declared here so that its
texts are translated in one place; ``kind_register`` exists for tests and later apps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SITE = "site"
EMAIL = "email"
SMS = "sms"
CHANNELS = (SITE, EMAIL, SMS)
# Channels a user may switch off per kind (on-site is the record of the notice itself: always kept).
OPTIONAL_CHANNELS = (EMAIL, SMS)


@dataclass(frozen=True)
class Kind:
    """One kind of notice.

    ``window``: at most one notice per (user, kind, subject) in each window of this length
    (``None``: once per subject, ever); the caller's ``dedupe_key`` replaces this. ``email_template``: the base name of a richer email
    (``<name>.txt`` and ``<name>.html``) that gets the notice's context; the generic one otherwise.
    """

    name: str
    label: Promise
    title: Promise
    body: Promise
    window: timedelta | None = timedelta(days=1)
    email: bool = True
    email_template: str = ""
    # Email/SMS wait this long and are dropped if the notice was read on the site meanwhile.
    send_delay: timedelta = timedelta(0)
    link_label: Promise = field(default_factory=lambda: _("Open"))


_REGISTRY: dict[str, Kind] = {}


class UnknownKind(LookupError):
    """``notify()`` was called with a kind nobody registered."""


def kind_register(kind: Kind) -> Kind:
    """Add (or replace) a kind in the registry."""
    _REGISTRY[kind.name] = kind
    return kind


def kind_get(name: str) -> Kind:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownKind(name) from None


def kinds_all() -> list[Kind]:
    """Every registered kind, in the order they were registered (the preferences form shows them so)."""
    return list(_REGISTRY.values())


class _Blank(dict):
    """A mapping for ``%`` formatting where a missing key is an empty string."""

    def __missing__(self, key: str) -> str:
        return ""


def render_text(template: Promise | str, context: dict) -> str:
    """``template % context`` in the active language; missing keys render empty."""
    try:
        return str(template) % _Blank(context)
    except (TypeError, ValueError):  # a broken translation must not break the notice
        return str(template)


for _kind in (
    Kind(
        "message.new",
        _("New messages"),
        _("New message about “%(title)s”"),
        _("%(sender)s wrote: %(preview)s"),
        window=timedelta(hours=1),
        send_delay=timedelta(minutes=10),
        link_label=_("Open the conversation"),
    ),
    Kind(
        "listing.approved",
        _("Listing approved"),
        _("Your listing “%(title)s” is published"),
        _("A moderator approved it; buyers can find it now."),
        window=None,
        link_label=_("View the listing"),
    ),
    Kind(
        "listing.rejected",
        _("Listing rejected"),
        _("Your listing “%(title)s” was rejected"),
        _("Reason: %(reason)s"),
        window=None,
        link_label=_("Open my listings"),
    ),
    Kind(
        "listing.changes_requested",
        _("Changes requested"),
        _("Your listing “%(title)s” needs changes"),
        _("A moderator asks you to change it: %(reason)s"),
        window=None,
        link_label=_("Edit the listing"),
    ),
    Kind(
        "listing.expiring",
        _("Listing expires soon"),
        _("Your listing “%(title)s” expires in %(days)s days"),
        _("Extend it with one click to keep it in search."),
        window=timedelta(days=7),
        link_label=_("Extend the listing"),
    ),
    Kind(
        "listing.expired",
        _("Listing expired"),
        _("Your listing “%(title)s” has expired"),
        _("Buyers no longer see it. You can publish it again from your listings."),
        window=timedelta(days=7),
        link_label=_("Open my listings"),
    ),
    Kind(
        "account.banned",
        _("Account blocked"),
        _("Your account is blocked"),
        _("Reason: %(reason)s"),
        window=None,
    ),
    Kind(
        "report.resolved",
        _("Report resolved"),
        _("Your report was reviewed"),
        _("Moderators reviewed your report about “%(title)s”: %(outcome)s"),
        window=None,
    ),
    Kind(
        "payment.received",
        _("Payment received"),
        _("Payment received: %(amount)s"),
        _("We received your payment for “%(title)s”. Thank you!"),
        window=None,
        link_label=_("Open my listings"),
    ),
    Kind(
        "promotion.started",
        _("Promotion started"),
        _("“%(title)s” is promoted: %(promotion)s"),
        _("The promotion runs until %(until)s."),
        window=None,
        link_label=_("View the listing"),
    ),
    Kind(
        "promotion.ended",
        _("Promotion ended"),
        _("The promotion of “%(title)s” has ended"),
        _("%(promotion)s is over. Promote the listing again to keep it on top."),
        window=None,
        link_label=_("Promote again"),
    ),
    Kind(
        "favorite.price_drop",
        _("Price drops on favorites"),
        _("Price drop: “%(title)s”"),
        _("The price went down from %(old_price)s to %(new_price)s."),
        window=timedelta(days=1),
        link_label=_("View the listing"),
    ),
    Kind(
        "savedsearch.digest",
        _("Saved search alerts"),
        _("%(count)s new listings: %(search)s"),
        _("New listings match your saved search “%(search)s”."),
        window=None,
        link_label=_("Show all results"),
    ),
):
    kind_register(_kind)
