"""Parse the machine-readable markup of a page (not grep it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageMarkup:
    lang: str = ""
    title: str = ""
    canonical: list[str] = field(default_factory=list)
    alternates: dict[str, str] = field(default_factory=dict)
    prev: str = ""
    next: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    json_ld: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)

    def json_ld_of_type(self, kind: str) -> list[dict]:
        return [doc for doc in self.json_ld if doc.get("@type") == kind]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageMarkup()
        self._in_ld = False
        self._in_title = False
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "html":
            self.page.lang = a.get("lang", "")
        elif tag == "title":
            self._in_title = True
        elif tag == "link":
            rel = a.get("rel", "")
            if rel == "canonical":
                self.page.canonical.append(a["href"])
            elif rel == "alternate" and "hreflang" in a:
                self.page.alternates[a["hreflang"]] = a["href"]
            elif rel == "prev":
                self.page.prev = a["href"]
            elif rel == "next":
                self.page.next = a["href"]
        elif tag == "meta":
            key = a.get("name") or a.get("property")
            if key:
                self.page.meta[key] = a.get("content", "")
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self._buffer = []
        elif tag == "a":
            self.page.links.append(a)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_ld:
            self.page.json_ld.append(json.loads("".join(self._buffer)))
            self._in_ld = False
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_ld:
            self._buffer.append(data)
        elif self._in_title:
            self.page.title += data


def parse(html: str | bytes) -> PageMarkup:
    parser = _Parser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.page
