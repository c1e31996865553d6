"""htmx helpers: one view answers both the page and its named fragment."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    partial: str | None = None,
    targets: tuple[str, ...] = (),
    status: int = 200,
) -> TemplateResponse:
    """Render ``template``, or only ``template#partial`` when htmx targets it.

    A request for a fragment is an htmx request whose target is one of
    ``targets`` (the element ids the fragment replaces). Anything else, a
    boosted navigation or a plain browser GET, gets the whole page.
    """
    htmx = getattr(request, "htmx", None)
    if partial and htmx and not htmx.boosted and htmx.target in targets:
        template = f"{template}#{partial}"
    return TemplateResponse(request, template, context, status=status)
