from django.contrib import admin

from classifieds.media.models import ListingPhoto

from .models import Listing, ListingAttributeValue


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
    readonly_fields = ("views_count", "phone_reveals_count", "favorites_count", "created_at", "updated_at")
    date_hierarchy = "created_at"
    show_full_result_count = False  # COUNT(*) over a million rows on every admin page is wasteful
    inlines = [AttributeValueInline, PhotoInline]
    list_select_related = ("category", "location")
