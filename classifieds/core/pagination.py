"""Pagination with real links and a cap on depth."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import Http404, HttpRequest


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


def page_url(request: HttpRequest, number: int) -> str:
    """The current URL with ``page`` replaced (page 1 has no parameter)."""
    query = request.GET.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
