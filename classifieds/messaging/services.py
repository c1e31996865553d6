"""Writes of messaging: start or continue a conversation, send, read, block, report."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from classifieds.accounts import limits
from classifieds.imaging.encode import EXTENSION as ENCODED_EXTENSION
from classifieds.imaging.encode import encode_upload
from classifieds.listings.models import Listing
from classifieds.notifications.services import notifications_mark_read_about, notify

from .models import Block, Conversation, ConversationReport, Message
from .safety import is_risky

# Shown at most 320 px wide in a conversation, opened full size on a tap.
PHOTO_MAX_SIDE = 1600
PREVIEW_LENGTH = 140
NOTICE_KIND = "message.new"


class MessagingError(Exception):
    """A messaging write that cannot happen; ``message`` says why, in the user's language."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def is_banned(user) -> bool:
    """``banned_at`` comes with moderation; until it exists nobody is banned."""
    return getattr(user, "banned_at", None) is not None


def is_blocked(*, blocker, blocked) -> bool:
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def _rate(name: str, period: int, action: str, user) -> tuple[limits.Rate, str]:
    return limits.Rate(action, int(settings.MESSAGING_LIMITS[name]), period), str(user.pk)


def _consume(checks: list[tuple[limits.Rate, str]]) -> list[str]:
    try:
        return limits.consume(checks)
    except limits.Limited as exc:
        wait = limits.wait_text(exc.retry_after())
        raise MessagingError(
            _("You are sending too fast. Try again in %(wait)s.") % {"wait": wait}, status=429
        ) from None


def _check_can_write(*, conversation: Conversation, sender) -> None:
    if sender.pk not in (conversation.buyer_id, conversation.seller_id):
        raise MessagingError(_("This conversation is not yours."), status=404)
    if is_banned(sender):
        raise MessagingError(_("Your account is blocked: you cannot send messages."), status=403)
    if not conversation.is_open:
        raise MessagingError(_("The listing is no longer on sale: this conversation is read-only."), status=403)
    other = conversation.other(sender)
    if is_blocked(blocker=other, blocked=sender):
        raise MessagingError(_("This user does not accept your messages."), status=403)
    if is_blocked(blocker=sender, blocked=other):
        raise MessagingError(_("You blocked this user: unblock them to write."), status=403)


@transaction.atomic
def conversation_start(*, listing: Listing, buyer, body: str, photo: UploadedFile | None = None) -> Conversation:
    """Write to the seller of ``listing``: the buyer's conversation about it, created on the first message."""
    if listing.owner_id == buyer.pk:
        raise MessagingError(_("This is your own listing."))
    if not listing.is_visible:
        raise MessagingError(_("The listing is no longer on sale: this conversation is read-only."), status=403)
    conversation = Conversation.objects.filter(listing=listing, buyer=buyer).first()
    if conversation is None:
        if is_banned(buyer):
            raise MessagingError(_("Your account is blocked: you cannot send messages."), status=403)
        if is_blocked(blocker=listing.owner, blocked=buyer):
            raise MessagingError(_("This user does not accept your messages."), status=403)
        _consume([_rate("conversations_per_hour", limits.HOUR, "messaging-start-hour", buyer)])
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    listing=listing, buyer=buyer, seller=listing.owner, last_message_at=timezone.now()
                )
        except IntegrityError:  # the same buyer's other tab was faster
            conversation = Conversation.objects.get(listing=listing, buyer=buyer)
    conversation.listing = listing
    message_send(conversation=conversation, sender=buyer, body=body, photo=photo)
    return conversation


@transaction.atomic
def message_send(*, conversation: Conversation, sender, body: str, photo: UploadedFile | None = None) -> Message:
    """Add a message from ``sender`` to ``conversation``. Raises ``MessagingError`` (or ``ImageRejected``)."""
    body = body.strip()
    if not body and not photo:
        raise MessagingError(_("Write a message or attach a photo."))
    _check_can_write(conversation=conversation, sender=sender)
    _consume([_rate("messages_per_minute", 60, "messaging-message-minute", sender)])
    # The photo pipeline at once (the sender waits for the answer, as with an avatar): no EXIF, no GPS.
    encoded = encode_upload(photo, photo.size or 0, max_side=PHOTO_MAX_SIDE) if photo else None
    message = Message(conversation=conversation, sender=sender, body=body, risky=is_risky(body))
    if encoded is not None:
        message.photo.save(f"{secrets.token_hex(8)}.{ENCODED_EXTENSION}", ContentFile(encoded.data), save=False)
    message.save()
    from_buyer = sender.pk == conversation.buyer_id
    changes = {
        "last_message_at": message.created_at,
        "last_message_preview": body[:PREVIEW_LENGTH] if body else "📷",
        # The sender has read everything up to their own message; the other one has one more unread.
        "buyer_last_read_at" if from_buyer else "seller_last_read_at": message.created_at,
        "buyer_unread" if from_buyer else "seller_unread": 0,
        "seller_unread" if from_buyer else "buyer_unread": F("seller_unread" if from_buyer else "buyer_unread") + 1,
    }
    if not from_buyer and conversation.first_reply_at is None:
        changes["first_reply_at"] = message.created_at
    Conversation.objects.filter(pk=conversation.pk).update(**changes)
    # Collapsed per conversation (the kind's window) and emailed after a delay only if still unread.
    notify(
        user=conversation.other(sender),
        kind=NOTICE_KIND,
        context={
            "title": conversation.listing.title,
            "sender": sender.public_name,
            "preview": changes["last_message_preview"],
            "url": conversation.get_absolute_url(),
            "conversation_id": conversation.pk,
            "listing_id": conversation.listing_id,
        },
        subject=f"conversation:{conversation.pk}",
    )
    conversation.refresh_from_db(
        fields=[
            "last_message_at",
            "last_message_preview",
            "first_reply_at",
            "buyer_last_read_at",
            "seller_last_read_at",
            "buyer_unread",
            "seller_unread",
        ]
    )
    return message


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, user) -> None:
    """``user`` has seen every message of ``conversation`` (its page or its polling showed them)."""
    side = "buyer" if user.pk == conversation.buyer_id else "seller"
    if getattr(conversation, f"{side}_unread") == 0 and getattr(conversation, f"{side}_last_read_at"):
        return  # nothing new: no write on every poll
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(**{f"{side}_unread": 0, f"{side}_last_read_at": now})
    notifications_mark_read_about(user=user, kind=NOTICE_KIND, subject=f"conversation:{conversation.pk}")
    setattr(conversation, f"{side}_unread", 0)
    setattr(conversation, f"{side}_last_read_at", now)


def user_block(*, blocker, blocked) -> None:
    """``blocker`` stops receiving messages from ``blocked``."""
    if blocker.pk == blocked.pk:
        raise MessagingError(_("You cannot block yourself."))
    Block.objects.get_or_create(blocker=blocker, blocked=blocked)


def user_unblock(*, blocker, blocked) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


def conversation_report(*, conversation: Conversation, reporter, reason: str, comment: str = "") -> ConversationReport:
    """Send ``conversation`` to the moderators; once per reporter (a second report updates the first)."""
    if reporter.pk not in (conversation.buyer_id, conversation.seller_id):
        raise MessagingError(_("This conversation is not yours."), status=404)
    report, _created = ConversationReport.objects.update_or_create(
        conversation=conversation, reporter=reporter, defaults={"reason": reason, "comment": comment.strip()}
    )
    return report
