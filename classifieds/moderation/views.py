"""Buyers' reports of a listing or a seller: a page with a form (no JS), the same form swapped in by htmx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from classifieds.accounts import limits
from classifieds.core.htmx import render_page
from classifieds.listings.loaders import load_public_listing
from classifieds.seo.meta import page_meta

from . import services
from .forms import ReportForm

REPORT_TARGET = "report"


def _visitor(request: HttpRequest) -> str:
    user = request.user if request.user.is_authenticated else None
    if user is None and not request.session.session_key:
        request.session.save()
    return services.report_visitor(user=user, session_key=request.session.session_key or "")


def _report(
    request: HttpRequest, *, seller, listing, back_url: str, about: str, url_name: str, pk: int
) -> HttpResponse:
    action_url = reverse(url_name, kwargs={"pk": pk})
    fragment = bool(getattr(request, "htmx", None) and request.htmx.target == REPORT_TARGET)
    form = ReportForm(request.POST or None)
    status, error = 200, ""
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                seller=seller,
                listing=listing,
                reporter=request.user if request.user.is_authenticated else None,
                visitor=_visitor(request),
                ip=limits.client_ip(request),
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except limits.Limited as exc:
            status = 429
            error = _("You have sent many reports. You can send more in %(wait)s.") % {
                "wait": limits.wait_text(exc.retry_after())
            }
        except services.ModerationError as exc:
            error = exc.message
        else:
            thanks = _("Thank you. Moderators will look at it.")
            if fragment:
                return render_page(
                    request,
                    "moderation/report.html",
                    {"done": thanks},
                    fragments={REPORT_TARGET: "report-box"},
                )
            messages.success(request, thanks)
            return redirect(back_url)
    context = {
        "form": form,
        "error": error,
        "about": about,
        "back_url": back_url,
        "action_url": action_url,
        "meta": page_meta(lambda: reverse(url_name, kwargs={"pk": pk}), title=_("Report"), robots="noindex,nofollow"),
    }
    return render_page(
        request, "moderation/report.html", context, fragments={REPORT_TARGET: "report-box"}, status=status
    )


@require_http_methods(["GET", "POST"])
def listing_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a listing (scam, prohibited, wrong category, duplicate, sold, other); anonymous visitors too."""
    listing = load_public_listing(pk)
    if not listing.is_visible:
        raise Http404(_("This listing is not available."))
    return _report(
        request,
        seller=listing.owner,
        listing=listing,
        back_url=listing.get_absolute_url(),
        about=listing.title,
        url_name="moderation:listing_report",
        pk=listing.pk,
    )


@require_http_methods(["GET", "POST"])
def seller_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a seller from their public page."""
    seller = get_object_or_404(get_user_model().objects.public(), pk=pk)
    return _report(
        request,
        seller=seller,
        listing=None,
        back_url=seller.get_absolute_url(),
        about=seller.public_name,
        url_name="moderation:seller_report",
        pk=seller.pk,
    )
