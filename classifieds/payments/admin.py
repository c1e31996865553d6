from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from classifieds.orders.admin import OrderAdmin
from classifieds.orders.models import Order

from .models import Payment


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ("provider", "provider_txn_id", "amount", "state", "reason", "created_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OrderWithPaymentsAdmin(OrderAdmin):
    """The order admin with the order's payments: payments sits above orders, so it adds them itself."""

    inlines = [*OrderAdmin.inlines, PaymentInline]


admin.site.unregister(Order)
admin.site.register(Order, OrderWithPaymentsAdmin)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("provider", "provider_txn_id", "order", "amount", "state", "created_at")
    list_filter = ("provider", "state")
    search_fields = ("provider_txn_id", "order__id")
    exclude = ("payload", "responses")
    readonly_fields = [f.name for f in Payment._meta.fields if f.name not in ("payload", "responses")] + [
        "provider_payload",
        "stored_answers",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("provider payload"))
    def provider_payload(self, obj: Payment) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    @admin.display(description=_("stored answers"))
    def stored_answers(self, obj: Payment) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.responses, indent=2, ensure_ascii=False))
