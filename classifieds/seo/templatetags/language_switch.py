"""The header's language switch, on every page whether or not its view describes the page."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[tuple[str, str, str]]:
    """(code, name, url) per language: the page's own alternates, else the same path in each language.

    Pages with SEO meta know their URL in every language (translated slugs included).
    The others (posting wizard, dashboard, promote and payment pages, errors) get the
    same address with the other language prefix, or that language's home page when
    the address is not one of ours.
    """
    meta = context.get("meta")
    if meta is not None and meta.language_links:
        return meta.language_links
    request = context.get("request")
    if request is None:
        return []
    path = request.path
    try:
        resolve(path)
        known = True
    except Resolver404:
        known = False
    links = []
    for code, name in settings.LANGUAGES:
        if known:
            url = translate_url(path, code)
        else:
            with translation.override(code):
                url = reverse("web:home")
        links.append((code, str(name), url))
    return links
