from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import Promotion, PromotionPrice
from .services import promotion_cancel


@admin.register(PromotionPrice)
class PromotionPriceAdmin(admin.ModelAdmin):
    list_display = ("type", "days", "category", "price", "active")
    list_editable = ("price", "active")
    list_filter = ("type", "active")
    autocomplete_fields = ("category",)


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ("listing", "type", "state", "starts_at", "ends_at", "order_item")
    list_filter = ("type", "state")
    search_fields = ("listing__id", "listing__title")
    raw_id_fields = ("listing", "order_item")
    readonly_fields = [f.name for f in Promotion._meta.fields]
    actions = ["end_now"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("End the selected promotions now"))
    def end_now(self, request, queryset) -> None:
        for promotion in queryset:
            promotion_cancel(promotion=promotion, actor=request.user, reason="staff")
        messages.success(request, _("Promotions ended."))
