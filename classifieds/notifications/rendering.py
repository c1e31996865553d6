"""What a notice says, in its recipient's language: title, body, link; and its email."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from .kinds import EMAIL, kind_get, render_text
from .models import Notification
from .tokens import unsubscribe_token


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.BASE_URL}{url}"


def safe_link(url: object) -> str:
    """A link of the context if it stays on this site (a relative path), in the active language; else ``""``.

    Callers pass the path as they know it (``/l/5-cobalt/`` or ``/uz/l/5-cobalt/``); the reader
    gets the page in the language the notice is shown in.
    """
    if not isinstance(url, str) or not url.startswith("/"):
        return ""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return ""
    return translate_url(url, translation.get_language() or settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    url: str
    link_label: str


def render_notice(notice: Notification) -> Rendered:
    """The notice's texts in the active language."""
    spec = kind_get(notice.kind)
    context = notice.context if isinstance(notice.context, dict) else {}
    return Rendered(
        title=render_text(spec.title, context),
        body=render_text(spec.body, context),
        url=safe_link(context.get("url")),
        link_label=str(spec.link_label),
    )


def notice_email(notice: Notification, *, to: str, delivery_id: int) -> EmailMultiAlternatives:
    """The email of a notice, in the notice's language, with a one-click unsubscribe for its kind.

    The Message-ID is fixed per delivery: if a crash re-sends a message the SMTP server had
    already accepted, mail clients see the same message twice and show it once.
    """
    spec = kind_get(notice.kind)
    with translation.override(notice.language):
        rendered = render_notice(notice)
        unsubscribe = absolute(
            reverse(
                "notifications:unsubscribe",
                kwargs={"token": unsubscribe_token(user_id=notice.user_id, kind=notice.kind, channel=EMAIL)},
            )
        )
        context = {
            "notice": notice,
            "rendered": rendered,
            "url": absolute(rendered.url) if rendered.url else "",
            "context": notice.context,
            "kind_label": str(spec.label),
            "unsubscribe_url": unsubscribe,
            "preferences_url": absolute(reverse("notifications:list")),
            "site_name": settings.SITE_NAME,
        }
        template = spec.email_template or "notifications/email/notice"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    domain = settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "bozor.uz"
    message = EmailMultiAlternatives(
        subject=f"{settings.SITE_NAME}: {rendered.title}",
        body=text,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": notice.language,
            "Message-ID": f"<notification-{notice.pk}.{delivery_id}@{domain}>",
            "X-Bozor-Notification": notice.kind,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notice_sms(notice: Notification) -> str:
    """The text of a notice's SMS: its title, in the notice's language."""
    with translation.override(notice.language):
        rendered = render_notice(notice)
        link = f" {absolute(rendered.url)}" if rendered.url else ""
    return f"{settings.SITE_NAME}: {rendered.title}{link}"[:300]
