from django.contrib import admin

from .models import Digest, SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "frequency", "language", "created_at", "last_alert_at")
    list_filter = ("frequency", "language")
    search_fields = ("title",)
    raw_id_fields = ("user", "category", "location")
    readonly_fields = ("key", "cursor_published_at", "cursor_id", "last_alert_at")


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("id", "saved_search", "channel", "size", "created_at", "sent_at", "attempts", "seen_at")
    list_filter = ("channel",)
    raw_id_fields = ("saved_search", "user")
