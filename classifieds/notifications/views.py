"""The bell's list page, opening a notice, "mark all read", preferences and the unsubscribe link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classifieds.accounts.decorators import login_required
from classifieds.core.htmx import render_page
from classifieds.core.pagination import paginate
from classifieds.seo.meta import page_meta

from . import services
from .forms import preferences_form
from .kinds import EMAIL, kind_get
from .models import Notification
from .rendering import render_notice
from .tokens import read_unsubscribe_token

LIST_TARGET = "notification-list"


def _meta(url_name: str, title: str, **kwargs):
    return page_meta(lambda: reverse(url_name, kwargs=kwargs), title=title, robots="noindex,nofollow")


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notices, newest first, each with its link; unread ones stand out."""
    language = translation.get_language()
    if language in dict(settings.LANGUAGES) and services.recipient_language(request.user) != language:
        # Notices follow the language the user reads them in (accounts store none).
        services.recipient_set_language(user=request.user, language=language)
    page = paginate(request, Notification.objects.of(request.user).newest_first(), per_page=30)
    items = [{"notice": notice, "text": render_notice(notice)} for notice in page.object_list]
    context = {
        "meta": _meta("notifications:list", _("Notifications")),
        "page": page,
        "items": items,
        "unread": Notification.objects.of(request.user).unread().exists(),
    }
    return render_page(request, "notifications/list.html", context, fragments={LIST_TARGET: "list"})


@require_GET
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open one notice: it becomes read, and the user goes to what it is about (or back to the list)."""
    notice = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notification_mark_read(user=request.user, notification_id=notice.pk)
    url = render_notice(notice).url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:list")


@require_POST
@login_required
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark every notice read, then back to the list."""
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@require_POST
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Save which kinds come by email/SMS and the language of notices (the form is on the profile page)."""
    form = preferences_form(request.user, request.POST)
    if form.is_valid():
        services.preferences_save(user=request.user, choices=form.choices(), language=form.cleaned_data["language"])
        messages.success(request, _("Notification settings saved."))
    else:
        messages.error(request, _("Check the notification settings."))
    return redirect(f"{reverse('accounts:profile')}#notification-settings")


@csrf_exempt  # the signed token is the credential; mail providers' one-click POST carries no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop one kind of email from the email's link, without signing in (GET asks, POST does)."""
    meta = _meta("notifications:unsubscribe", _("Unsubscribe"), token=token)
    parsed = read_unsubscribe_token(token)
    kind = None
    if parsed is not None:
        try:
            kind = kind_get(parsed[1])
        except LookupError:
            kind = None
    if parsed is None or kind is None or parsed[2] != EMAIL:
        return TemplateResponse(request, "notifications/unsubscribe.html", {"invalid": True, "meta": meta}, status=400)
    done = False
    if request.method == "POST":
        if not services.unsubscribe(user_id=parsed[0], kind=kind.name, channel=EMAIL):
            raise Http404
        done = True
    return TemplateResponse(request, "notifications/unsubscribe.html", {"kind": kind, "done": done, "meta": meta})
