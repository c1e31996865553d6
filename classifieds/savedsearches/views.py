"""Saving a search from the SRP, managing saved searches, and the unsubscribe link."""

from __future__ import annotations

from urllib.parse import urlsplit

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
from classifieds.seo.meta import page_meta

from . import services
from .forms import SavedSearchEditForm, SaveSearchForm
from .models import MAX_SAVED_SEARCHES, SavedSearch
from .querying import NotASearch, search_from_url, srp_url
from .tokens import read_unsubscribe_token


def _own(request: HttpRequest, pk: int) -> SavedSearch:
    """The signed-in user's saved search, else 404."""
    return get_object_or_404(SavedSearch.objects.select_related("category", "location"), pk=pk, user=request.user)


@require_POST
@login_required
def saved_search_create(request: HttpRequest) -> HttpResponse:
    """Save the SRP the form was on (its normalized query), then go back to it."""
    form = SaveSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This search could not be saved."))
        return redirect("web:saved")
    url = form.cleaned_data["url"]
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        raise Http404
    try:
        search = search_from_url(url)
        saved, created = services.saved_search_save(
            user=request.user,
            search=search,
            frequency=form.cleaned_data["frequency"],
            language=translation.get_language_from_path(urlsplit(url).path) or settings.LANGUAGE_CODE,
        )
    except NotASearch as error:
        raise Http404 from error
    except services.SavedSearchLimitReached:
        messages.error(
            request,
            _("You can keep at most %(max)s saved searches. Delete one on the Saved page to save this one.")
            % {"max": MAX_SAVED_SEARCHES},
        )
        return redirect(url)
    if created:
        messages.success(request, _("Search saved: %(title)s") % {"title": saved.title})
    else:
        messages.info(request, _("This search is already saved: %(title)s") % {"title": saved.title})
    return redirect(url)


@require_POST
@login_required
def saved_search_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a saved search or change its alerts."""
    saved = _own(request, pk)
    form = SavedSearchEditForm(request.POST)
    if form.is_valid():
        services.saved_search_update(saved=saved, **form.cleaned_data)
        messages.success(request, _("Saved search updated."))
    else:
        messages.error(request, _("Check the title and the alert frequency."))
    return redirect(f"{reverse('web:saved')}#search-{saved.pk}")


@require_POST
@login_required
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a saved search."""
    services.saved_search_delete(saved=_own(request, pk))
    messages.success(request, _("Saved search deleted."))
    return redirect("web:saved")


@require_GET
@login_required
def saved_search_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a saved search: its new matches become seen, and its SRP is shown exactly as saved."""
    saved = _own(request, pk)
    services.saved_search_visit(saved=saved)
    return redirect(srp_url(saved))


@csrf_exempt  # the signed token is the credential; mail providers' one-click POST carries no CSRF token
@require_http_methods(["GET", "POST"])
def saved_search_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop a saved search's alerts from the email link, without signing in (GET asks, POST does)."""
    meta = page_meta(
        lambda: reverse("savedsearches:unsubscribe", kwargs={"token": token}),
        title=_("Stop alerts"),
        robots="noindex,nofollow",
    )
    pk = read_unsubscribe_token(token)
    saved = SavedSearch.objects.filter(pk=pk).first() if pk is not None else None
    if saved is None:
        return TemplateResponse(request, "savedsearches/unsubscribe.html", {"invalid": True, "meta": meta}, status=400)
    done = False
    if request.method == "POST":
        services.saved_search_unsubscribe(saved=saved)
        done = True
    return TemplateResponse(request, "savedsearches/unsubscribe.html", {"saved": saved, "done": done, "meta": meta})
