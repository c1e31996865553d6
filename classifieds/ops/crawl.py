"""A crawl of the site as a search engine sees it, from ``/`` and ``/uz/``: broken links and page markup.

    python -m classifieds.ops.crawl [--pages 2000] [--url http://127.0.0.1:8000]

Without ``--url`` it builds the web audit's production-like site (``classifieds.ops.auditsite``).
Follows every link to the same host breadth-first (not ``/admin/``, ``/static/``, ``/media/``), up to
``--pages`` pages, and counts: internal links answering 4xx/5xx; indexable pages (no ``noindex``)
without a canonical link or without the hreflang trio (ru-UZ, uz-UZ, x-default); JSON-LD blocks that
do not parse. Exits 1 when any count is not 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .auditsite import audit_site
from .webaudit import fetch

SKIP = ("/admin/", "/static/", "/media/")
TRIO = {"ru-UZ", "uz-UZ", "x-default"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.canonical: list[str] = []
        self.hreflangs: set[str] = set()
        self.robots = ""
        self.json_ld: list[str] = []
        self._ld: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a.get("href", ""))
        elif tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.hreflangs.add(a["hreflang"])
        elif tag == "meta" and a.get("name") == "robots":
            self.robots = a.get("content", "")
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._ld = []

    def handle_endtag(self, tag):
        if tag == "script" and self._ld is not None:
            self.json_ld.append("".join(self._ld))
            self._ld = None

    def handle_data(self, data):
        if self._ld is not None:
            self._ld.append(data)


def crawl(base: str, limit: int) -> dict:
    host = urlsplit(base).netloc
    queue = deque(["/", "/uz/"])
    seen = set(queue)
    figures = {
        "pages": 0,
        "links checked": 0,
        "broken": [],
        "no canonical": [],
        "no hreflang trio": [],
        "bad JSON-LD": [],
    }
    while queue and figures["pages"] < limit:
        path = queue.popleft()
        status, headers, body = fetch(base + path, {"Accept-Encoding": "identity"})
        figures["links checked"] += 1
        if 300 <= status < 400:
            target = urlsplit(urljoin(base + path, headers.get("location", "")))
            if (
                target.netloc == host
                and (location := target.path + (f"?{target.query}" if target.query else "")) not in seen
            ):
                seen.add(location)
                queue.append(location)
            continue
        if status >= 400:
            figures["broken"].append(f"{status} {path}")
            continue
        if not headers.get("content-type", "").startswith("text/html"):
            continue
        figures["pages"] += 1
        page = _Page()
        page.feed(body.decode("utf-8", "replace"))
        if "noindex" not in page.robots:
            if len(page.canonical) != 1:
                figures["no canonical"].append(path)
            if not page.hreflangs >= TRIO:
                figures["no hreflang trio"].append(path)
        for block in page.json_ld:
            try:
                json.loads(block)
            except ValueError:
                figures["bad JSON-LD"].append(path)
        for href in page.links:
            target = urlsplit(urljoin(base + path, href))
            if target.netloc != host or target.scheme not in ("http", "https") or target.path.startswith(SKIP):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--url", help="a running site (default: build the audit's production-like site)")
    parser.add_argument("--listings", type=int, default=300, help="demo listings to seed when building the site")
    args = parser.parse_args(argv)
    if args.url:
        figures = crawl(args.url.rstrip("/"), args.pages)
    else:
        with audit_site(listings=args.listings) as site:
            figures = crawl(site.url, args.pages)
    failed = False
    for key, value in figures.items():
        if isinstance(value, list):
            failed |= bool(value)
            print(f"{key}: {len(value)}" + (f"  e.g. {value[:5]}" if value else ""))
        else:
            print(f"{key}: {value}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
