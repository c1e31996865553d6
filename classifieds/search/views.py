"""The search-results page: /search/, a category subtree, or a category subtree in a place."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from classifieds.core.htmx import render_page
from classifieds.core.pagecache import cache_anonymous_page
from classifieds.listings.pagestamps import ANY_LISTING, EVERYWHERE, category_stamp
from classifieds.taxonomy.paths import NotAnSrp, resolve_srp_slugs

from .page import ResultsPage, tidy_query

# htmx target id -> the partial of the template that replaces it.
FRAGMENTS = {"srp": "srp", "results": "results"}


def _page_stamps(request: HttpRequest, category_slug: str | None = None, location_slug: str | None = None) -> list[str]:
    # By the slug in the URL: a cached page is answered without resolving the category.
    return [EVERYWHERE, category_stamp(category_slug) if category_slug else ANY_LISTING]


@require_GET
@cache_anonymous_page(stamps=_page_stamps)
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
    response = render_page(request, "search/results.html", page.context(), fragments=FRAGMENTS)
    if request.htmx:
        response["HX-Push-Url"] = page.url
    return response
