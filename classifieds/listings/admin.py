from django.contrib import admin

from classifieds.media.models import ListingPhoto

from . import services
from .models import ExchangeRate, Listing, ListingAttributeValue
from .rates import exchange_rate_set


class AttributeValueInline(admin.TabularInline):
    model = ListingAttributeValue
    extra = 0
    raw_id_fields = ("attribute", "option")


class PhotoInline(admin.TabularInline):
    model = ListingPhoto
    extra = 0
    fields = ("image", "order", "width", "height", "checksum")
    readonly_fields = ("width", "height", "checksum")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "category", "location", "price", "currency", "status", "refreshed_at")
    list_filter = ("status", "currency", "condition", "category__parent")
    search_fields = ("=id", "title", "owner__phone")
    raw_id_fields = ("owner", "category", "location")
    # The state changes only through the lifecycle services: the actions below, never by hand.
    readonly_fields = (
        "status",
        "rejection_reason",
        "views_count",
        "phone_reveals_count",
        "favorites_count",
        "created_at",
        "updated_at",
    )
    # Decisions (approve, reject, ask for changes, ban) are made in Moderation's queues, through its
    # services, which record them and tell the seller; nothing here changes a listing's state.
    actions = None
    date_hierarchy = "created_at"
    show_full_result_count = False  # COUNT(*) over a million rows on every admin page is wasteful
    inlines = [AttributeValueInline, PhotoInline]
    list_select_related = ("category", "location")
    exclude = ("facet_values", "attrs_num", "search_vector", "price_uzs")

    def save_related(self, request, form, formsets, change) -> None:
        """After the listing and its inlines are saved, the search index follows (through the outbox)."""
        super().save_related(request, form, formsets, change)
        services.listings_changed(listing_ids=[form.instance.pk], actor=request.user, reason="admin")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "rate", "source", "rate_date", "updated_at")
    readonly_fields = ("source", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        """Through the service, so listings priced in this currency are re-priced in sum."""
        stored = exchange_rate_set(currency=obj.currency, rate=obj.rate, rate_date=obj.rate_date)
        obj.pk = stored.pk
