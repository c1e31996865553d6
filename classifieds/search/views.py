"""The search-results page: /search/, a category subtree, or a category subtree in a place."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from classifieds.analytics.events import record_many
from classifieds.analytics.models import EventKind
from classifieds.core.htmx import render_page
from classifieds.core.pagecache import cache_anonymous_page
from classifieds.listings.pagestamps import ANY_LISTING, EVERYWHERE, category_stamp
from classifieds.taxonomy.paths import NotAnSrp, resolve_srp_slugs

from .page import ResultsPage, filter_subjects, tidy_query

# htmx target id -> the partial of the template that replaces it.
FRAGMENTS = {"srp": "srp", "results": "results"}


def _page_stamps(request: HttpRequest, category_slug: str | None = None, location_slug: str | None = None) -> list[str]:
    # By the slug in the URL: a cached page is answered without resolving the category.
    return [EVERYWHERE, category_stamp(category_slug) if category_slug else ANY_LISTING]


@require_GET
@cache_anonymous_page(
    stamps=_page_stamps, on_hit=lambda request, *args, replay=None, **kwargs: _replay(request, replay)
)
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
    events = _events(page)
    _replay(request, events)
    response = render_page(request, "search/results.html", page.context(), fragments=FRAGMENTS)
    response.page_cache_replay = events  # a cached copy of the page records the same events
    if request.htmx:
        response["HX-Push-Url"] = page.url
    return response


def _events(page: ResultsPage) -> dict:
    """What the page shows buyers: card impressions, the filters in use, a search that found nothing."""
    return {
        "shown": [listing.pk for listing in page.pinned] + [listing.pk for listing in page.page.object_list],
        "filters": filter_subjects(page.params),
        "no_results": page.q.lower() if page.q and not page.page.paginator.count else "",
    }


def _replay(request: HttpRequest, events: dict | None) -> None:
    """Record the page's events (cache only, once a visitor a day), fresh or from a cached copy."""
    if not events:
        return
    record_many(request, kind=EventKind.IMPRESSION, listing_ids=events["shown"])
    if events["filters"]:
        record_many(request, kind=EventKind.FILTER_CHANGE, subjects=events["filters"])
    if events["no_results"]:
        record_many(request, kind=EventKind.SEARCH_NO_RESULTS, subjects=[events["no_results"]])
