from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from classifieds.media.models import ListingPhoto

from . import services
from .models import ExchangeRate, Listing, ListingAttributeValue
from .rates import exchange_rate_set


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the seller sees it)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


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
    actions = ["approve_listings", "reject_listings"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # COUNT(*) over a million rows on every admin page is wasteful
    inlines = [AttributeValueInline, PhotoInline]
    list_select_related = ("category", "location")
    exclude = ("facet_values", "attrs_num", "search_vector", "price_uzs")

    def _moderate(self, request, queryset, service, done: str, **kwargs) -> None:
        """Run ``service`` on each selected listing; one refused by the lifecycle is counted, not fatal."""
        moved = refused = 0
        for listing in queryset.select_related("category").order_by("pk"):
            try:
                service(listing=listing, actor=request.user, **kwargs)
            except services.ListingError:
                refused += 1
            else:
                moved += 1
        if moved:
            self.message_user(request, done % {"count": moved}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)s listing was left as it was: its state does not allow this.",
                    "%(count)s listings were left as they were: their state does not allow this.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )

    @admin.action(description=_("Approve the selected listings under review"), permissions=["change"])
    def approve_listings(self, request, queryset) -> None:
        """Pending → active, through ``listing_approve``."""
        count = queryset.count()
        done = ngettext("%(count)s listing approved.", "%(count)s listings approved.", count)
        self._moderate(request, queryset, services.listing_approve, done)

    @admin.action(description=_("Reject the selected listings…"), permissions=["change"])
    def reject_listings(self, request, queryset):
        """Ask for the reason (the seller sees it), then → rejected through ``listing_reject``."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = queryset.count()
            done = ngettext("%(count)s listing rejected.", "%(count)s listings rejected.", count)
            self._moderate(request, queryset, services.listing_reject, done, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reject listings"),
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/listings/listing/reject.html", context)

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
