"""Pagination with real links and a cap on depth."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404, HttpRequest, QueryDict


def parse_page_number(request: HttpRequest) -> int:
    """The ``page`` parameter; garbage means the first page, never a 500."""
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def paginate(request: HttpRequest, queryset, per_page: int | None = None) -> Page:
    """One page of ``queryset``; pages past the end or past MAX_PAGE are 404."""
    paginator = Paginator(queryset, per_page or settings.LISTINGS_PER_PAGE)
    number = parse_page_number(request)
    if number > settings.MAX_PAGE:
        raise Http404("page too deep")
    try:
        return paginator.page(number)
    except EmptyPage as exc:
        if number == 1:
            return paginator.page(1) if paginator.count else paginator.get_page(1)
        raise Http404("no such page") from exc


def page_url(path: str, params: QueryDict, number: int) -> str:
    """``path`` with ``params`` and ``page`` replaced (page 1 has no parameter)."""
    query = params.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


def page_links(path: str, params: QueryDict, page: Page) -> list[dict]:
    """Numbered links around the current page (first and last kept, gaps marked), capped at MAX_PAGE."""
    last = min(page.paginator.num_pages, settings.MAX_PAGE)
    numbers = sorted({1, last, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)})
    links, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "url": page_url(path, params, number), "current": number == page.number})
        previous = number
    return links
