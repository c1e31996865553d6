from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by services, never edited by hand."""

    list_display = ("created_at", "topic", "subject_type", "subject_id", "actor", "processed_at")
    list_filter = ("topic", "subject_type")
    search_fields = ("topic", "subject_id")
    date_hierarchy = "created_at"
    readonly_fields = ("topic", "actor", "subject_type", "subject_id", "payload", "created_at", "processed_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
