"""The search-results page: /search/, a category subtree, or a category subtree in a place."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from classifieds.analytics.events import record_many
from classifieds.analytics.models import EventKind
from classifieds.core.htmx import render_page
from classifieds.taxonomy.paths import NotAnSrp, resolve_srp_slugs

from .page import ResultsPage, filter_subjects, tidy_query

# htmx target id -> the partial of the template that replaces it.
FRAGMENTS = {"srp": "srp", "results": "results"}


@require_GET
def search_results(
    request: HttpRequest, category_slug: str | None = None, location_slug: str | None = None
) -> HttpResponse:
    """Results with facets; another language's slug is a 301, an untidy query a redirect to the tidy one."""
    try:
        address = resolve_srp_slugs(category_slug, location_slug)
    except NotAnSrp as exc:
        raise Http404(exc.message) from None
    query = request.GET.urlencode()
    if not address.current:
        return HttpResponsePermanentRedirect(f"{address.path}?{query}" if query else address.path)
    tidy = tidy_query(request.GET)
    if tidy is not None and not request.htmx:  # a submitted form: keep addresses short and shareable
        return redirect(f"{address.path}?{tidy}" if tidy else address.path)
    page = ResultsPage.build(request, address)
    _record_events(request, page)
    response = render_page(request, "search/results.html", page.context(), fragments=FRAGMENTS)
    if request.htmx:
        response["HX-Push-Url"] = page.url
    return response


def _record_events(request: HttpRequest, page: ResultsPage) -> None:
    """Card impressions, the filters in use and a search that found nothing (cache only, once a visitor a day)."""
    shown = [listing.pk for listing in page.pinned] + [listing.pk for listing in page.page.object_list]
    record_many(request, kind=EventKind.IMPRESSION, listing_ids=shown)
    if used := filter_subjects(page.params):
        record_many(request, kind=EventKind.FILTER_CHANGE, subjects=used)
    if page.q and not page.page.paginator.count:
        record_many(request, kind=EventKind.SEARCH_NO_RESULTS, subjects=[page.q.lower()])
