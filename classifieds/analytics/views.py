"""The tracked-link redirect: count the click (cache only), then go to the page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .events import KINDS, record
from .links import BadLink, tracked_target


@require_GET
def tracked_link(request: HttpRequest, token: str) -> HttpResponse:
    """Follow a link from an email: record its event once per visitor per day and redirect (302)."""
    try:
        target = tracked_target(token)
    except BadLink:
        raise Http404(_("This link is not valid.")) from None
    if target.get("k") in KINDS:
        record(request, kind=target["k"], listing_id=int(target.get("l") or 0), subject=str(target.get("s") or ""))
    return HttpResponseRedirect(target["p"])
