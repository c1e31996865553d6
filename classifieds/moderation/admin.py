"""The moderators' workbench in Django Admin: queues, the review page, decisions, lists, thresholds, KPIs.

Every decision goes through ``services`` (which checks the moderator may act); support staff
see the same pages without the actions. No page here edits a listing's ``status``.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from classifieds.listings.lifecycle import Status

from . import kpis, services
from .forms import DecisionForm
from .models import (
    BannedWord,
    CategoryPriceStat,
    ModerationAction,
    ModerationSettings,
    Report,
    ReportedListing,
    ReviewQueueItem,
    RiskyPhone,
    SampledListing,
    Screening,
    Seller,
)
from .workbench import WorkbenchAdmin, can_act


@admin.register(ReviewQueueItem)
class ReviewQueueAdmin(WorkbenchAdmin):
    def queue(self, queryset):
        return queryset.filter(status=Status.PENDING)


@admin.register(SampledListing)
class SamplingQueueAdmin(WorkbenchAdmin):
    actions = ["approve_checked_selected", "reject_selected", "request_changes_selected", "ban_sellers_selected"]
    ordering = ("published_at", "pk")

    def queue(self, queryset):
        sampled = Screening.objects.filter(listing_id=OuterRef("pk"), sampled=True, reviewed_at=None)
        return queryset.filter(status=Status.ACTIVE).filter(Exists(sampled))

    @admin.action(description=_("Mark the selected listings as checked"), permissions=["act"])
    def approve_checked_selected(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            lambda listing: services.sample_mark_checked(listing=listing, moderator=request.user),
            lambda n: ngettext("%(count)s listing checked.", "%(count)s listings checked.", n) % {"count": n},
        )


@admin.register(ReportedListing)
class ReportedListingAdmin(WorkbenchAdmin):
    list_display = ("id", "title", "category", "location", "seller_name", "status", "open_reports", "first_report")
    actions = ["resolve_selected", "reject_selected", "ban_sellers_selected"]

    def get_ordering(self, request):
        return ("first_reported", "pk")  # oldest open report first (an annotation, so not ``ordering``)

    def queue(self, queryset):
        open_reports = Report.objects.filter(listing_id=OuterRef("pk"), status=Report.Status.OPEN)
        return queryset.filter(Exists(open_reports)).annotate(
            reports_open=Subquery(
                open_reports.order_by().values("listing_id").annotate(n=Count("visitor", distinct=True)).values("n")
            ),
            first_reported=Subquery(open_reports.order_by("created_at").values("created_at")[:1]),
        )

    @admin.display(description=_("reporters"), ordering="reports_open")
    def open_reports(self, obj):
        return obj.reports_open

    @admin.display(description=_("first report"), ordering="first_reported")
    def first_report(self, obj):
        return obj.first_reported

    @admin.action(description=_("Close the reports of the selected listings (nothing wrong)"), permissions=["act"])
    def resolve_selected(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            lambda listing: services.reports_resolve(listing=listing, moderator=request.user),
            lambda n: (
                ngettext("Reports of %(count)s listing closed.", "Reports of %(count)s listings closed.", n)
                % {"count": n}
            ),
        )


# --- Sellers: ban and unban -------------------------------------------------------------------------------


class BannedFilter(admin.SimpleListFilter):
    title = _("banned")
    parameter_name = "banned"

    def lookups(self, request, model_admin):
        return [("yes", _("banned")), ("no", _("not banned"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(banned_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(banned_at__isnull=True)
        return queryset


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "phone", "phone_verified", "date_joined", "banned_at", "ban_reason")
    list_filter = (BannedFilter,)
    search_fields = ("=id", "phone", "display_name")
    fields = ("phone", "phone_verified", "display_name", "date_joined", "last_login", "banned_at", "ban_reason")
    readonly_fields = fields
    show_full_result_count = False
    actions = ["ban_selected", "unban_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_staff=False)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_act_permission(self, request) -> bool:
        return can_act(request)

    @admin.display(description=_("display name"))
    def name(self, obj) -> str:
        return obj.public_name

    @admin.action(description=_("Ban the selected sellers…"), permissions=["act"])
    def ban_selected(self, request, queryset):
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if not (form.is_bound and form.is_valid()):
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Ban sellers"),
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action": "ban_selected",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/moderation/decide.html", context)
        banned = 0
        for seller in queryset:
            try:
                services.seller_ban(
                    seller=seller,
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except services.ModerationError:
                continue
            banned += 1
        self.message_user(
            request, ngettext("%(count)s seller banned.", "%(count)s sellers banned.", banned) % {"count": banned}
        )
        return None

    @admin.action(description=_("Lift the ban of the selected sellers"), permissions=["act"])
    def unban_selected(self, request, queryset) -> None:
        lifted = 0
        for seller in queryset:
            try:
                services.seller_unban(seller=seller, moderator=request.user)
            except services.ModerationError:
                continue
            lifted += 1
        self.message_user(
            request, ngettext("%(count)s ban lifted.", "%(count)s bans lifted.", lifted) % {"count": lifted}
        )


# --- Records, lists and thresholds ---------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """Decisions are immutable: listed and opened, never added, changed or deleted here."""

    list_display = ("created_at", "kind", "listing", "seller", "moderator", "reason", "status_before", "status_after")
    list_filter = ("kind", "reason")
    list_select_related = ("listing", "seller", "moderator")
    raw_id_fields = ("listing", "seller", "moderator")
    search_fields = ("=listing__id", "seller__phone")
    date_hierarchy = "created_at"

    def get_urls(self):
        return [
            path("kpis/", self.admin_site.admin_view(self.kpis_view), name="moderation_kpis"),
            *super().get_urls(),
        ]

    def kpis_view(self, request):
        """Queue length and age, median time to decision, decisions per moderator, rule hit rates."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Moderation KPIs"),
            "opts": self.model._meta,
            "figures": kpis.moderation_kpis(),
        }
        return TemplateResponse(request, "admin/moderation/kpis.html", context)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "reason", "listing", "seller", "reporter", "status", "resolved_at")
    list_filter = ("status", "reason")
    list_select_related = ("listing", "seller", "reporter")
    raw_id_fields = ("listing", "seller", "reporter", "resolved_by")
    exclude = ("visitor",)


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "listing", "trigger", "route", "score", "reason", "rules")
    list_filter = ("route", "trigger", "reason")
    raw_id_fields = ("listing",)


@admin.register(CategoryPriceStat)
class CategoryPriceStatAdmin(ReadOnlyAdmin):
    list_display = ("category", "median", "mad", "sample_size", "refreshed_at")
    list_select_related = ("category",)


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    list_display = ("phrase", "language", "score", "reason", "created_at")
    list_filter = ("language", "reason")
    search_fields = ("phrase",)
    readonly_fields = ("created_at",)


@admin.register(RiskyPhone)
class RiskyPhoneAdmin(admin.ModelAdmin):
    list_display = ("phone", "score", "note", "created_at")
    search_fields = ("phone", "note")
    readonly_fields = ("created_at",)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    """The one row of thresholds (``ModerationSettings.load()`` makes it): changed, never added twice or deleted."""

    list_display = ("__str__", "hold_score", "reject_score", "sample_percent", "report_hide_threshold")

    def get_queryset(self, request):
        ModerationSettings.load()
        return super().get_queryset(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
