"""Buyer–seller conversations about one listing, their messages, blocks between users and reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


def _not_banned(prefix: str, *, joined: bool = True) -> Q:
    """Q: the user at ``prefix`` is not banned (``banned_at`` comes with moderation; absent means nobody is).

    Two spellings of one test, for two kinds of statement. Joined (``banned_at IS NULL`` on the
    party's row), PostgreSQL probes the party of each row it reads: the cheap way for a page,
    which stops after its rows. ``joined=False`` spells it NOT EXISTS, for statements that read
    all of a user's conversations (the counts): joined, those hash the whole user table; NOT
    EXISTS looks for the few banned users instead.
    """
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if "banned_at" not in {field.name for field in user_model._meta.get_fields()}:
        return Q()
    if joined:
        return Q(**{f"{prefix}__banned_at__isnull": True})
    return ~Q(Exists(user_model.objects.filter(pk=OuterRef(prefix), banned_at__isnull=False)))


def _bought_by(user, *, joined: bool = True) -> Q:
    """Q: conversations ``user`` started, the seller not banned (``as_buyer``)."""
    return Q(buyer=user) & _not_banned("seller", joined=joined)


def _sold_by(user, *, joined: bool = True) -> Q:
    """Q: conversations about ``user``'s listings, the buyer not banned (``as_seller``)."""
    return Q(seller=user) & ~Q(buyer=user) & _not_banned("buyer", joined=joined)


def _unread_of(user) -> Case:
    """The unread counter of ``user``'s side of each conversation."""
    return Case(When(buyer=user, then="buyer_unread"), default="seller_unread")


class Median(models.Aggregate):
    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.DurationField()


class ConversationQuerySet(models.QuerySet):
    def of(self, user):
        """Conversations ``user`` takes part in, whoever started them."""
        return self.filter(Q(buyer=user) | Q(seller=user))

    def visible_to(self, user):
        """What ``user`` may open: their own, unless the other party is banned (a banned user's are hidden)."""
        return self.filter((Q(buyer=user) & _not_banned("seller")) | (Q(seller=user) & _not_banned("buyer"))).filter(
            ~Q(buyer=F("seller"))
        )

    def as_buyer(self, user):
        """Conversations ``user`` started (the seller not banned)."""
        return self.filter(_bought_by(user))

    def as_seller(self, user):
        """Conversations about ``user``'s listings (the buyer not banned)."""
        return self.filter(_sold_by(user))

    def unread_count(self, user) -> int:
        """Messages ``user`` has not read, over every conversation they may open (the header's count).

        One statement over the two partial "unread" indexes (PostgreSQL ORs their bitmaps): the
        header asks on every page, and a busy seller has thousands of conversations.
        """
        unread = (_bought_by(user, joined=False) & Q(buyer_unread__gt=0)) | (
            _sold_by(user, joined=False) & Q(seller_unread__gt=0)
        )
        return self.filter(unread).aggregate(n=Coalesce(Sum(_unread_of(user)), 0))["n"]

    def reply_time(self, seller, *, min_samples: int):
        """The median delay of ``seller``'s first replies, or None with fewer than ``min_samples`` of them."""
        stats = self.filter(seller=seller, first_reply_at__isnull=False).aggregate(
            samples=models.Count("id"), median=Median(F("first_reply_at") - F("created_at"))
        )
        return stats["median"] if stats["samples"] >= min_samples else None

    def inbox(self, user) -> Inbox:
        """``user``'s inbox, newest first, for ``Paginator``."""
        return Inbox(user)


class Inbox:
    """A user's conversations, newest first: countable and sliceable, so ``Paginator`` pages it.

    ``buyer = me OR seller = me ORDER BY last_message_at`` cannot walk an index, so PostgreSQL
    would sort all of a busy seller's conversations for every page. Instead each side walks its
    own index (``conversation_buyer_inbox``, ``conversation_seller_inbox``) for its first
    ``stop`` (time, id) pairs and PostgreSQL merges the two sorted runs (a Merge Append of a
    UNION ALL) down to the page's pairs; then only the page's rows are loaded, with both parties.
    Two statements whatever the page's depth, and no list of ``stop`` pairs sent to Python.

    The count comes with the unread total (one statement, read once per inbox): the paginator
    needs the first, the header's badge shows the second, and the inbox page hands that to the
    header instead of letting it sum the same conversations again.
    """

    ORDER = ("-last_message_at", "-id")

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def totals(self) -> dict[str, int]:
        """``{"count": conversations, "unread": messages unread}`` over both sides, in one statement."""
        user = self.user
        return Conversation.objects.filter(_bought_by(user, joined=False) | _sold_by(user, joined=False)).aggregate(
            count=Count("pk"), unread=Coalesce(Sum(_unread_of(user)), 0)
        )

    def count(self) -> int:
        return self.totals["count"]

    @property
    def unread(self) -> int:
        """What ``ConversationQuerySet.unread_count`` answers for this user, from the same statement as the count."""
        return self.totals["unread"]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[Conversation]:
        if not isinstance(key, slice) or key.step is not None or key.stop is None:
            raise TypeError("an inbox is read by pages: inbox[start:stop]")
        start, stop = key.start or 0, key.stop
        if start >= stop:  # the empty first page of an empty inbox (an empty union is no query to order)
            return []
        # Each side sliced to ``stop`` on its own index, so the merge never needs more than that of either.
        bought, sold = (
            side.order_by(*self.ORDER).values_list("last_message_at", "id")[:stop]
            for side in (Conversation.objects.as_buyer(self.user), Conversation.objects.as_seller(self.user))
        )
        ids = [pk for _at, pk in bought.union(sold, all=True).order_by(*self.ORDER)[start:stop]]
        rows = Conversation.objects.select_related("buyer", "seller").in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


class Conversation(models.Model):
    """One per (listing, buyer): everything a buyer and the listing's seller wrote to each other about it."""

    listing = models.ForeignKey(
        "listings.Listing", verbose_name=_("listing"), on_delete=models.CASCADE, related_name="conversations"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="+"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("seller"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"))
    last_message_preview = models.CharField(_("last message"), max_length=140, blank=True)
    # When the seller first answered: the seller's typical reply time is the median of these delays.
    first_reply_at = models.DateTimeField(_("first reply"), null=True, blank=True)
    # Per party: what they have read (read receipts), how many they have not (inbox and header counts).
    buyer_last_read_at = models.DateTimeField(null=True, blank=True)
    seller_last_read_at = models.DateTimeField(null=True, blank=True)
    buyer_unread = models.PositiveIntegerField(default=0)
    seller_unread = models.PositiveIntegerField(default=0)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [models.UniqueConstraint(fields=["listing", "buyer"], name="conversation_one_per_buyer")]
        indexes = [
            # The inbox of each side, newest first; the header sums the unread counters on the same rows.
            models.Index(F("buyer"), F("last_message_at").desc(), F("id").desc(), name="conversation_buyer_inbox"),
            models.Index(F("seller"), F("last_message_at").desc(), F("id").desc(), name="conversation_seller_inbox"),
            models.Index(
                fields=["seller"], name="conversation_seller_replied", condition=Q(first_reply_at__isnull=False)
            ),
            # The header's unread count: only the conversations with something unread, per side.
            models.Index(
                fields=["buyer"],
                include=["buyer_unread"],
                name="conversation_buyer_unread",
                condition=Q(buyer_unread__gt=0),
            ),
            models.Index(
                fields=["seller"],
                include=["seller_unread"],
                name="conversation_seller_unread",
                condition=Q(seller_unread__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.listing_id}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:conversation", kwargs={"pk": self.pk})

    def other(self, user):
        """The party who is not ``user``."""
        return self.seller if user.pk == self.buyer_id else self.buyer

    def unread_for(self, user) -> int:
        return self.buyer_unread if user.pk == self.buyer_id else self.seller_unread

    @property
    def is_open(self) -> bool:
        """New messages only while the listing is on sale: a sold or expired one's conversation is read-only."""
        return self.listing.is_visible


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sender"), on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField(_("text"), max_length=2000, blank=True)
    # Always our re-encoded JPEG (classifieds.imaging): no EXIF, no GPS.
    photo = models.ImageField(_("photo"), upload_to="messages/%Y/%m/", blank=True)
    # A phone or card number or a payment link: the recipient is warned never to pay in advance.
    risky = models.BooleanField(_("contact or payment details"), default=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        # A conversation's page and its polling read by (conversation, id).
        indexes = [models.Index(fields=["conversation", "id"], name="message_conversation_id")]

    def __str__(self) -> str:
        return self.body[:60] or "[photo]"


class Block(models.Model):
    """``blocker`` no longer receives messages from ``blocked`` (in any conversation)."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once")]

    def __str__(self) -> str:
        return f"{self.blocker_id} → {self.blocked_id}"


class ConversationReport(models.Model):
    class Reason(models.TextChoices):
        FRAUD = "fraud", _("fraud or advance payment")
        SPAM = "spam", _("spam")
        ABUSE = "abuse", _("insults or threats")
        OTHER = "other", _("other")

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation report")
        verbose_name_plural = _("conversation reports")
        constraints = [models.UniqueConstraint(fields=["conversation", "reporter"], name="report_once")]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.reason}"
