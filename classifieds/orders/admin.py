from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Order, OrderItem
from .services import order_cancel


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    can_delete = False
    readonly_fields = ("type", "days", "unit_price", "qty", "starts_at", "ends_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "listing", "provider", "amount", "state", "created_at", "paid_at")
    list_filter = ("state", "provider")
    search_fields = ("id", "listing__title", "user__phone")
    readonly_fields = [f.name for f in Order._meta.fields]
    inlines = [OrderItemInline]  # payments adds its own inline (classifieds.payments.admin): it sits above orders
    actions = ["cancel_or_refund"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Cancel (a paid order: refund and end its promotions)"))
    def cancel_or_refund(self, request, queryset) -> None:
        for order in queryset:
            order_cancel(order=order, actor=request.user, reason="staff")
        messages.success(request, _("Orders cancelled. Refund paid ones at the provider too."))
