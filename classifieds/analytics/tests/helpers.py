"""What the analytics tests share: a browser-like client and reading the daily counts back."""

from __future__ import annotations

from django.db.models import Sum
from django.test import Client, RequestFactory

from classifieds.analytics.models import DailyCount

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def browser_client() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER)


def visitor_request(address: str = "10.0.0.1", agent: str = BROWSER, **cookies):
    """A GET from one visitor (a fresh session-less request; the same address + browser is the same visitor)."""
    request = RequestFactory().get("/", REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    request.COOKIES.update(cookies)
    return request


def counted(kind: str, listing_id: int = 0, subject: str | None = None) -> int:
    rows = DailyCount.objects.filter(kind=kind, listing_id=listing_id)
    if subject is not None:
        rows = rows.filter(subject=subject)
    return rows.aggregate(n=Sum("count"))["n"] or 0
