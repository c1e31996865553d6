"""htmx conventions, in one place.

- One view answers both the page and its fragments: ``render_page`` renders the
  whole template, or only the ``{% partialdef %}`` that an htmx request targets
  (``fragments``: the id of the element the fragment replaces -> the partial's name).
- Redirects and messages are the middleware's business (``HtmxMiddleware`` in
  ``classifieds.core.middleware``): a view returns the same redirect and adds the
  same messages for htmx as for a plain browser.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest
from django.template.response import TemplateResponse


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    fragments: Mapping[str, str] | None = None,
    status: int = 200,
) -> TemplateResponse:
    """Render ``template``, or only ``template#<partial>`` when htmx targets one of ``fragments``.

    A request for a fragment is an htmx request whose target is a key of
    ``fragments``; its value names the partial of ``template`` (or, with a ``/``,
    another ``template#partial``). Anything else, a boosted navigation or a
    plain browser GET, gets the whole page.
    """
    htmx = getattr(request, "htmx", None)
    if fragments and htmx and not htmx.boosted and htmx.target in fragments:
        partial = fragments[htmx.target]
        template = partial if "/" in partial else f"{template}#{partial}"
    return TemplateResponse(request, template, context, status=status)
