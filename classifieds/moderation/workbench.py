"""The workbench's listing queues in Admin: their filters, the review page, decisions single and in bulk.

Every decision goes through ``services`` (which checks the moderator may act); support staff see
the same pages without the actions. No page here edits a listing's ``status``.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from classifieds.listings.display import attribute_rows
from classifieds.listings.models import Listing, RejectionReason
from classifieds.taxonomy.models import Category, Location

from . import services
from .forms import DecisionForm, NoteForm
from .models import ModerationAction, Report, Screening
from .rules import RULE_LABELS


def can_act(request: HttpRequest) -> bool:
    return request.user.has_perm(services.ACT_PERMISSION)


# --- Filters ---------------------------------------------------------------------------------------


class RuleFilter(admin.SimpleListFilter):
    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in RULE_LABELS.items()]

    def queryset(self, request, queryset):
        if self.value() in RULE_LABELS:
            return queryset.filter(
                Exists(Screening.objects.filter(listing_id=OuterRef("pk"), rules__contains=[self.value()]))
            )
        return queryset


class ReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return RejectionReason.choices

    def queryset(self, request, queryset):
        if self.value() in RejectionReason.values:
            return queryset.filter(Exists(Screening.objects.filter(listing_id=OuterRef("pk"), reason=self.value())))
        return queryset


class _TreeTopFilter(admin.SimpleListFilter):
    model = Category
    field = "category"

    def lookups(self, request, model_admin):
        return [(str(node.pk), node.name) for node in self.model.objects.filter(parent=None).order_by("pk")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{f"{self.field}__path__0": int(self.value())})
        return queryset


class CategoryFilter(_TreeTopFilter):
    title = _("category")
    parameter_name = "top_category"


class RegionFilter(_TreeTopFilter):
    title = _("region")
    parameter_name = "region"
    model = Location
    field = "location"


# --- The listing queues ----------------------------------------------------------------------------------


class WorkbenchAdmin(admin.ModelAdmin):
    """A queue of listings; the change page shows one as buyers would, with what moderators need to decide."""

    list_display = ("id", "title", "category", "location", "seller_name", "waiting_since", "score", "rules_hit")
    list_display_links = ("id", "title")
    list_select_related = ("category", "location", "owner")
    list_filter = (ReasonFilter, RuleFilter, CategoryFilter, RegionFilter)
    search_fields = ("=id", "title", "owner__phone")
    show_full_result_count = False
    list_per_page = 50
    actions = ["approve_selected", "reject_selected", "request_changes_selected", "ban_sellers_selected"]
    ordering = ("updated_at", "pk")  # oldest first: when it entered the queue (submitted or edited)
    # The review page is our own (``change_view``); no model form of these queues ever holds the state.
    exclude = ("status", "rejection_reason", "facet_values", "attrs_num", "search_vector", "price_uzs")

    def get_queryset(self, request):
        latest = Screening.objects.filter(listing_id=OuterRef("pk")).order_by("-created_at")
        queryset = self.queue(
            self.model._default_manager.get_queryset()
            .annotate(
                screen_score=Subquery(latest.values("score")[:1]),
                screen_rules=Subquery(latest.values("rules")[:1]),
            )
            .defer("description", "search_vector", "facet_values", "attrs_num")
        )
        return queryset.order_by(*self.get_ordering(request))  # after ``queue``: it may order by its annotations

    def queue(self, queryset):
        """The listings of this queue (and what it orders by)."""
        return queryset

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # nothing here is edited by hand: decisions are actions

    def has_act_permission(self, request) -> bool:
        return can_act(request)

    @admin.display(description=_("seller"))
    def seller_name(self, obj) -> str:
        return obj.owner.public_name

    @admin.display(description=_("waiting since"), ordering="updated_at")
    def waiting_since(self, obj):
        return obj.updated_at

    @admin.display(description=_("score"))
    def score(self, obj):
        return obj.screen_score

    @admin.display(description=_("rules"))
    def rules_hit(self, obj) -> str:
        return ", ".join(str(RULE_LABELS.get(code, code)) for code in (obj.screen_rules or []))

    # --- Bulk actions, through the services --------------------------------------------------------------

    def _run(self, request, queryset, decide, done_text) -> None:
        """Run ``decide`` on each selected listing; ``done_text(count)`` says how many were done."""
        done = refused = 0
        for listing in queryset.select_related("category", "owner").order_by("pk"):
            try:
                decide(listing)
            except (services.ModerationError, PermissionDenied):
                refused += 1
            else:
                done += 1
        if done:
            self.message_user(request, done_text(done), messages.SUCCESS)
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

    def _ask(self, request, queryset, action: str, title: str, form):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/moderation/decide.html", context)

    @admin.action(description=_("Approve the selected listings"), permissions=["act"])
    def approve_selected(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            lambda listing: services.listing_moderate_approve(listing=listing, moderator=request.user),
            lambda n: ngettext("%(count)s listing approved.", "%(count)s listings approved.", n) % {"count": n},
        )

    def _with_reason(self, request, queryset, action: str, title: str, service, done_text):
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason, note = form.cleaned_data["reason"], form.cleaned_data["note"]
            self._run(
                request,
                queryset,
                lambda listing: service(listing=listing, moderator=request.user, reason=reason, note=note),
                done_text,
            )
            return None
        return self._ask(request, queryset, action, title, form)

    @admin.action(description=_("Reject the selected listings…"), permissions=["act"])
    def reject_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            "reject_selected",
            gettext("Reject listings"),
            services.listing_moderate_reject,
            lambda n: ngettext("%(count)s listing rejected.", "%(count)s listings rejected.", n) % {"count": n},
        )

    @admin.action(description=_("Ask the sellers for changes…"), permissions=["act"])
    def request_changes_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            "request_changes_selected",
            gettext("Ask for changes"),
            services.listing_moderate_request_changes,
            lambda n: (
                ngettext("%(count)s listing sent back for changes.", "%(count)s listings sent back for changes.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Ban the sellers of the selected listings…"), permissions=["act"])
    def ban_sellers_selected(self, request, queryset):
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            sellers = {listing.owner_id: listing.owner for listing in queryset.select_related("owner")}
            banned = 0
            for seller in sellers.values():
                try:
                    services.seller_ban(
                        seller=seller,
                        moderator=request.user,
                        reason=form.cleaned_data["reason"],
                        note=form.cleaned_data["note"],
                    )
                except (services.ModerationError, PermissionDenied):
                    continue
                banned += 1
            self.message_user(
                request,
                ngettext("%(count)s seller banned.", "%(count)s sellers banned.", banned) % {"count": banned},
                messages.SUCCESS if banned else messages.WARNING,
            )
            return None
        return self._ask(request, queryset, "ban_sellers_selected", gettext("Ban sellers"), form)

    # --- The review page -----------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The listing as buyers see it, its rule hits, the seller's history; the decision form (POST)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        listing = get_object_or_404(
            Listing.objects.select_related("category", "location", "owner"),
            pk=object_id if str(object_id).isdigit() else 0,
        )
        form = DecisionForm(request.POST or None)
        if request.method == "POST":
            if not can_act(request):
                raise PermissionDenied
            response = self._decide_one(request, listing, form)
            if response is not None:
                return response
        seller = listing.owner
        context = {
            **self.admin_site.each_context(request),
            "title": listing.title,
            "opts": self.model._meta,
            "listing": listing,
            "photos": [photo for photo in listing.photos.all() if photo.status == "ready"],
            "attributes": attribute_rows(listing),
            "screenings": Screening.objects.filter(listing=listing).order_by("-created_at")[:5],
            "rule_labels": RULE_LABELS,
            "reports": Report.objects.filter(listing=listing).order_by("-created_at")[:20],
            "seller": seller,
            "seller_listings": Listing.objects.filter(owner=seller).exclude(pk=listing.pk).order_by("-created_at")[:20],
            "seller_decisions": ModerationAction.objects.filter(seller=seller)
            .select_related("moderator")
            .order_by("-created_at")[:20],
            "seller_reports": Report.objects.filter(seller=seller).order_by("-created_at")[:20],
            "form": form,
            "note_form": NoteForm(),
            "can_act": can_act(request),
            "queue_url": reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"),
        }
        return TemplateResponse(request, "admin/moderation/review.html", context)

    def _decide_one(self, request, listing: Listing, form: DecisionForm):
        decision = request.POST.get("decision", "")
        note = (request.POST.get("note") or "").strip()[:2000]
        queue = reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist")
        try:
            if decision == "approve":
                services.listing_moderate_approve(listing=listing, moderator=request.user, note=note)
            elif decision == "resolve_reports":
                services.reports_resolve(listing=listing, moderator=request.user, note=note)
            elif decision == "sample_ok":
                services.sample_mark_checked(listing=listing, moderator=request.user)
            elif decision == "unban":
                services.seller_unban(seller=listing.owner, moderator=request.user, note=note)
            elif decision in ("reject", "request_changes", "ban"):
                if not form.is_valid():
                    return None  # the page again, with the form's errors
                reason, note = form.cleaned_data["reason"], form.cleaned_data["note"]
                if decision == "reject":
                    services.listing_moderate_reject(listing=listing, moderator=request.user, reason=reason, note=note)
                elif decision == "request_changes":
                    services.listing_moderate_request_changes(
                        listing=listing, moderator=request.user, reason=reason, note=note
                    )
                else:
                    services.seller_ban(seller=listing.owner, moderator=request.user, reason=reason, note=note)
            else:
                self.message_user(request, gettext("Choose a decision."), messages.ERROR)
                return HttpResponseRedirect(request.path)
        except services.ModerationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)
        self.message_user(request, gettext("Decision recorded."), messages.SUCCESS)
        return HttpResponseRedirect(queue)
