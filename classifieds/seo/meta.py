"""What every page tells crawlers: canonical, hreflang, robots, Open Graph, JSON-LD."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation

HREFLANG = {"ru": "ru-UZ", "uz": "uz-UZ"}


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.BASE_URL}{path}"


def alternate_paths(build: Callable[[], str]) -> dict[str, str]:
    """Path of the same page in every language (``/uz/...`` or no prefix).

    ``build`` is called with each language active, so ``reverse`` adds the
    prefix and translated fields (category slugs) give that language's value.
    """
    paths = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths[code] = build()
    return paths


def alternates(build: Callable[[], str]) -> dict[str, str]:
    """Absolute URL of the same page in every language (canonical, hreflang: for crawlers)."""
    return {code: absolute(path) for code, path in alternate_paths(build).items()}


@dataclass
class PageMeta:
    title: str
    description: str = ""
    canonical: str = ""
    alternates: dict[str, str] = field(default_factory=dict)
    # The same pages as relative links: what people click must not depend on BASE_URL.
    paths: dict[str, str] = field(default_factory=dict)
    robots: str = "index,follow"
    og_type: str = "website"
    og_image: str = ""
    json_ld: list[dict] = field(default_factory=list)
    prev_url: str = ""
    next_url: str = ""

    @property
    def hreflangs(self) -> list[tuple[str, str]]:
        """(hreflang, url) pairs including x-default (the ru page, our default)."""
        pairs = [(HREFLANG[code], url) for code, url in self.alternates.items()]
        if settings.LANGUAGE_CODE in self.alternates:
            pairs.append(("x-default", self.alternates[settings.LANGUAGE_CODE]))
        return pairs

    @property
    def language_links(self) -> list[tuple[str, str, str]]:
        """(code, name, relative url) for the language switcher, keeping the current page.

        Relative, so the switch stays on the host and port the visitor is on even when
        BASE_URL (canonical, hreflang) names another one.
        """
        names = dict(settings.LANGUAGES)
        paths = self.paths or {code: _relative(url) for code, url in self.alternates.items()}
        return [(code, str(names[code]), url) for code, url in paths.items()]


def _relative(url: str) -> str:
    return urlsplit(url)._replace(scheme="", netloc="").geturl() or "/"


def page_meta(build_url: Callable[[], str], *, query: str = "", **kwargs) -> PageMeta:
    """A PageMeta whose canonical is this language's URL and alternates all of them."""
    suffix = f"?{query}" if query else ""
    paths = {code: path + suffix for code, path in alternate_paths(build_url).items()}
    urls = {code: absolute(path) for code, path in paths.items()}
    return PageMeta(
        canonical=urls[translation.get_language() or settings.LANGUAGE_CODE], alternates=urls, paths=paths, **kwargs
    )


def breadcrumb_ld(crumbs: list[tuple[str, str]]) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute(url)}
            for i, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def item_list_ld(urls: list[str]) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "url": absolute(url)} for i, url in enumerate(urls, start=1)
        ],
    }
