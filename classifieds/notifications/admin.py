from django.contrib import admin

from .models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "state", "attempts", "sent_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notices are written by ``notify()`` only; Admin is for support looking at what was sent."""

    list_display = ("kind", "user", "subject", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("subject", "user__phone", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("user", "kind", "subject", "dedupe_key", "context", "language", "created_at", "read_at")
    inlines = [DeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
