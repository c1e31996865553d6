"""A small marketplace as real use leaves it, built through the services where they exist.

Used by the tests that open every Admin page and call ``str()`` on every model:
they must meet the rows production has, above all a phone-only account that
never gave a name (every phone sign-up starts that way).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone

from classifieds.accounts.models import User
from classifieds.accounts.services import user_get_or_create_for_phone
from classifieds.accounts.tests.factories import UserFactory
from classifieds.analytics.models import DailyCount, EventKind, FlushBatch
from classifieds.audit.models import Event
from classifieds.favorites.services import favorite_toggle
from classifieds.listings.models import ExchangeRate, Listing, ListingAttributeValue
from classifieds.listings.rates import exchange_rate_set
from classifieds.listings.tests.factories import ListingFactory, ListingPhotoFactory
from classifieds.messaging.models import Block, Conversation, ConversationReport, Message
from classifieds.messaging.services import conversation_report, conversation_start, user_block
from classifieds.notifications.models import Delivery, Notification, Preference, Recipient
from classifieds.notifications.services import notify, preference_set, recipient_set_language
from classifieds.orders.models import OrderItem
from classifieds.orders.tests.factories import make_order
from classifieds.payments.services import payment_create, payment_perform
from classifieds.promotions.models import Promotion, PromotionPrice
from classifieds.savedsearches.models import Digest, SavedSearch, SentAlert
from classifieds.search.models import FacetCount, Synonym, Term
from classifieds.taxonomy.models import Attribute
from classifieds.taxonomy.tests.factories import AttributeFactory, CategoryFactory, LocationFactory


@dataclass
class Marketplace:
    phone_only: User  # signed up by phone, never gave a name
    seller: User
    listing: Listing
    rows: dict[type[models.Model], models.Model] = field(default_factory=dict)

    def row(self, model: type[models.Model]) -> models.Model:
        return self.rows[model]


def _moderation(*, seller: User, listing: Listing, cars, place) -> dict[type[models.Model], models.Model]:
    """Moderation as use leaves it: a listing held by the rules, a sampled one, a report, a decision."""
    from classifieds.listings.services import listing_submit
    from classifieds.moderation import models as moderation
    from classifieds.moderation import services as moderation_services

    settings = moderation.ModerationSettings.load()
    moderator = UserFactory(is_staff=True, display_name="", phone="+998901230003")
    moderator.groups.add(Group.objects.get(name="moderators"))

    bikes = CategoryFactory(parent=cars.parent, name="Мотоциклы")  # no required attributes to fill in

    def submitted(description: str) -> Listing:
        draft = ListingFactory(
            owner=seller, category=bikes, location=place, status=Listing.Status.DRAFT, description=description
        )
        return listing_submit(listing=draft, actor=seller)

    held = submitted("Звоните +998 90 123 45 67, отвечу в телеграм")
    moderation.ModerationSettings.objects.filter(pk=settings.pk).update(sample_percent=100)
    sampled = submitted("Машина в хорошем состоянии, один хозяин, без аварий.")
    moderation.ModerationSettings.objects.filter(pk=settings.pk).update(sample_percent=settings.sample_percent)
    decided = ListingFactory(owner=seller, category=cars, location=place, status=Listing.Status.PENDING)
    action = moderation_services.listing_moderate_request_changes(
        listing=decided, moderator=moderator, reason="incomplete", note="Пробег не указан"
    )
    report = moderation_services.report_create(
        seller=listing.owner,
        listing=listing,
        reporter=seller,
        visitor=f"user:{seller.pk}",
        ip="10.1.1.1",
        reason="scam",
    )
    moderation_services.price_stats_refresh()
    return {
        moderation.ModerationSettings: settings,
        moderation.BannedWord: moderation.BannedWord.objects.order_by("pk").first(),
        moderation.RiskyPhone: moderation.RiskyPhone.objects.create(phone="+998901112233", note="мошенник"),
        moderation.CategoryPriceStat: moderation.CategoryPriceStat.objects.get(category=cars),
        moderation.Screening: moderation.Screening.objects.get(listing=held),
        moderation.ModerationAction: action,
        moderation.Report: report,
        moderation.ReviewQueueItem: moderation.ReviewQueueItem.objects.get(pk=held.pk),
        moderation.SampledListing: moderation.SampledListing.objects.get(pk=sampled.pk),
        moderation.ReportedListing: moderation.ReportedListing.objects.get(pk=listing.pk),
        moderation.Seller: moderation.Seller.objects.get(pk=seller.pk),
    }


def build() -> Marketplace:
    """One of everything, linked the way the site links them."""
    phone_only, _created = user_get_or_create_for_phone(phone="+998901230001")
    phone_only.last_login = timezone.now()
    phone_only.save(update_fields=["last_login"])
    seller = UserFactory(display_name="Азиза Каримова", phone="+998901230002")
    EmailAddress.objects.create(user=seller, email="aziza@example.uz", verified=True, primary=True)

    transport = CategoryFactory(name="Транспорт")
    cars = CategoryFactory(parent=transport, name="Легковые автомобили")
    make = AttributeFactory(category=cars, key="make", label="Марка", type=Attribute.Type.CHOICE, options=["chevrolet"])
    mileage = AttributeFactory(category=cars, key="mileage", label="Пробег", type=Attribute.Type.INTEGER, unit="км")
    tashkent = LocationFactory(name="Ташкент")
    chilanzar = LocationFactory(parent=tashkent, name="Чиланзар")

    listing = ListingFactory(owner=phone_only, category=cars, location=chilanzar, title="Chevrolet Cobalt 2021")
    ListingFactory(owner=seller, category=cars, location=tashkent, status=Listing.Status.PENDING)
    option_value = ListingAttributeValue.objects.create(listing=listing, attribute=make, option=make.options.get())
    ListingAttributeValue.objects.create(listing=listing, attribute=mileage, value_number=Decimal("42000"))
    photo = ListingPhotoFactory(listing=listing)
    rate = exchange_rate_set(currency="USD", rate=Decimal("12650.5"))

    order = make_order(listing=listing, provider="payme")
    payment = payment_create(
        order=order, provider="payme", txn_id=secrets.token_hex(12), amount=order.amount, payload={"method": "Create"}
    )
    payment_perform(payment=payment)
    pending_order = make_order(listing=listing, provider="click", code="bump-0")

    favorite_toggle(user=seller, listing=listing)
    saved = SavedSearch.objects.create(
        user=seller, title="Cobalt в Ташкенте", category=cars, location=tashkent, params="q=cobalt", key="k" * 32
    )
    digest = Digest.objects.create(saved_search=saved, user=seller, channel=Digest.Channel.EMAIL, size=1)
    alert = SentAlert.objects.create(saved_search=saved, listing=listing, digest=digest)

    synonym = Synonym.objects.create(terms=["айфон", "iphone"], note="")
    term, _created = Term.objects.get_or_create(word="cobalt", defaults={"listings": 1})  # indexing keeps it
    facet, _created = FacetCount.objects.get_or_create(
        category_id=cars.pk, region_id=tashkent.pk, value=1, defaults={"count": 3}
    )

    # A phone-only seller's listing, asked about by a named buyer, reported with a payment link in it.
    conversation = conversation_start(listing=listing, buyer=seller, body="Оплатите доставку: payme.uz/pay/1")
    report = conversation_report(conversation=conversation, reporter=phone_only, reason="fraud", comment="")
    user_block(blocker=phone_only, blocked=seller)
    # What the analytics flush wrote: a day's views of the listing, and the generation that wrote them.
    daily = DailyCount.objects.create(day=timezone.localdate(), kind=EventKind.VIEW, listing_id=listing.pk, count=7)
    batch = FlushBatch.objects.create(token="gen-1", counters=1, events=7)
    moderation_rows = _moderation(seller=seller, listing=listing, cars=cars, place=chilanzar)

    moderators = Group.objects.get(name="moderators")
    recipient_set_language(user=seller, language="uz")
    preference_set(user=seller, kind="favorite.price_drop", channel="email", enabled=False)
    reader = UserFactory(display_name="Дильноза", phone="+998901230004", email="dilnoza@example.uz")
    notice = notify(
        user=reader, kind="listing.approved", context={"title": "Cobalt", "url": "/l/1-cobalt/"}, subject="listing:1"
    )
    anonymous_event = Event.objects.create(topic="search.rebuild", created_at=timezone.now() - timedelta(minutes=1))

    from classifieds.favorites.models import Favorite
    from classifieds.media.models import ListingPhoto
    from classifieds.orders.models import Order
    from classifieds.payments.models import Payment
    from classifieds.taxonomy.models import AttributeOption, Category, Location

    rows: dict[type[models.Model], models.Model] = {
        User: phone_only,
        Event: Event.objects.filter(actor=phone_only).first() or anonymous_event,
        Category: cars,
        Attribute: make,
        AttributeOption: make.options.get(),
        Location: chilanzar,
        ExchangeRate: rate,
        Listing: listing,
        ListingAttributeValue: option_value,
        ListingPhoto: photo,
        Synonym: synonym,
        Term: term,
        FacetCount: facet,
        PromotionPrice: PromotionPrice.objects.filter(category=None).first(),
        Promotion: Promotion.objects.get(order_item__order=order),
        Order: pending_order,
        OrderItem: OrderItem.objects.filter(order=order).first(),
        Payment: Payment.objects.get(pk=payment.pk),
        Favorite: Favorite.objects.get(user=seller, listing=listing),
        SavedSearch: saved,
        Digest: digest,
        SentAlert: alert,
        Group: moderators,
        EmailAddress: EmailAddress.objects.get(user=seller),
        Notification: Notification.objects.get(user=phone_only, kind="payment.received"),  # told by the payment
        Delivery: notice.deliveries.get(),
        Preference: Preference.objects.get(user=seller),
        Recipient: Recipient.objects.get(user=seller),
        Conversation: conversation,
        ConversationReport: report,
        Message: conversation.messages.first(),
        Block: Block.objects.get(blocker=phone_only),
        DailyCount: daily,
        FlushBatch: batch,
        **moderation_rows,
    }
    return Marketplace(phone_only=phone_only, seller=seller, listing=listing, rows=rows)
