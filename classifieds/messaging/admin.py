"""Staff read reported conversations; nothing here is editable (moderation acts through its own tools)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Conversation, ConversationReport, Message


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "sender", "body", "photo", "risky")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("id",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ReportedConversationAdmin(ReadOnlyAdmin):
    """Only conversations somebody reported: private messages are not browsed without a reason."""

    list_display = ("id", "listing", "buyer", "seller", "last_message_at", "report_count")
    readonly_fields = ("listing", "buyer", "seller", "created_at", "last_message_at")
    fields = readonly_fields
    inlines = [MessageInline]
    list_select_related = ("listing", "buyer", "seller")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(reports__isnull=False)
            .annotate(report_count=Count("reports"))
            .distinct()
        )

    @admin.display(description=_("reports"), ordering="report_count")
    def report_count(self, obj) -> int:
        return obj.report_count


@admin.register(ConversationReport)
class ConversationReportAdmin(ReadOnlyAdmin):
    """A moderator goes from a report to the conversation's messages in one click, knowing what it is about."""

    list_display = ("created_at", "conversation_link", "reporter", "reason")
    list_filter = ("reason",)
    readonly_fields = ("conversation_link", "reporter", "reason", "comment", "created_at")
    fields = readonly_fields
    list_select_related = ("conversation__listing", "reporter")

    @admin.display(description=_("conversation"), ordering="conversation")
    def conversation_link(self, obj) -> str:
        url = reverse("admin:messaging_conversation_change", args=[obj.conversation_id])
        return format_html('<a href="{}">#{} · {}</a>', url, obj.conversation_id, obj.conversation.listing.title)
