"""The inbox's rows and a conversation's messages, built in Python.

A busy seller's inbox shows twenty rows and a conversation fifty messages, each a dozen
variables and conditions; rendered as template loops they were most of those pages' time.
``format_html`` escapes every value, as the template did.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from classifieds.core.templatetags.bozor import iso_datetime
from classifieds.listings.money import listing_price
from classifieds.media.templatetags.photos import card_thumbs

register = template.Library()


def _times(moment) -> tuple[str, str]:
    """``<time>``'s machine value and its short label ("07.12 14:05"), in the active time zone."""
    return iso_datetime(moment), date_filter(timezone.localtime(moment), "d.m H:i")


def inbox_row(row: dict) -> SafeString:
    conversation, listing, unread = row["conversation"], row["listing"], row["unread"]
    thumbs = card_thumbs(listing.cover)
    thumb = (
        format_html('<img class="inbox-thumb" src="{}" alt="" width="80" height="60" loading="lazy">', thumbs["small"])
        if thumbs
        else mark_safe('<span class="inbox-thumb inbox-thumb-none" aria-hidden="true"></span>')
    )
    machine, label = _times(conversation.last_message_at)
    count = (
        format_html(
            '<span class="badge badge-new inbox-count">{}<span class="visually-hidden"> {}</span></span>',
            unread,
            gettext("unread"),
        )
        if unread
        else ""
    )
    return format_html(
        '<li class="inbox-row{}" id="conversation-{}"><a class="inbox-link" href="{}">{}'
        '<span class="inbox-main"><span class="inbox-title">{}</span><span class="inbox-price">{}</span>'
        '<span class="inbox-other">{}</span><span class="inbox-preview">{}</span></span>'
        '<span class="inbox-meta"><time datetime="{}">{}</time>{}</span></a></li>',
        " inbox-unread" if unread else "",
        conversation.pk,
        conversation.get_absolute_url(),
        thumb,
        listing.title,
        listing_price(listing),
        row["other"].public_name,
        conversation.last_message_preview,
        machine,
        label,
        count,
    )


@register.simple_tag
def inbox_rows(rows: list[dict]) -> SafeString:
    """``{% inbox_rows rows %}``: the ``<li>`` of each inbox row (conversation, listing card, other party, unread)."""
    return format_html_join("", "{}", ((inbox_row(row),) for row in rows))


def chat_message(message, me_id: int) -> SafeString:
    mine = message.sender_id == me_id
    machine, label = _times(message.created_at)
    photo = (
        format_html(
            '<a class="chat-photo" href="{0}"><img src="{0}" alt="{1}" loading="lazy"></a>',
            message.photo.url,
            gettext("Photo"),
        )
        if message.photo
        else ""
    )
    warning = (
        format_html(
            '<p class="chat-warning" role="note">{}</p>',
            gettext("Careful: never pay in advance and never share your card details. Meet, see the item, then pay."),
        )
        if message.risky and not mine
        else ""
    )
    return format_html(
        '<li class="chat-message {}" id="message-{}">{}{}{}<time class="chat-time" datetime="{}">{}</time></li>',
        "chat-mine" if mine else "chat-theirs",
        message.pk,
        format_html('<p class="chat-body">{}</p>', linebreaksbr(message.body, autoescape=True)) if message.body else "",
        photo,
        warning,
        machine,
        label,
    )


@register.simple_tag
def chat_messages(messages, me_id: int) -> SafeString:
    """``{% chat_messages chat_messages me_id %}``: each message's ``<li>``, ``me_id``'s own marked as mine."""
    return format_html_join("", "{}", ((chat_message(message, me_id),) for message in messages))
