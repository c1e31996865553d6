"""Hands out the visitor cookie that ``events.visitor_id`` derived on a visitor's first counted request."""

from __future__ import annotations

from collections.abc import Callable

from django.core import signing
from django.http import HttpRequest, HttpResponse

from .events import VISITOR_COOKIE, VISITOR_SALT

VISITOR_COOKIE_AGE = 365 * 24 * 3600


class VisitorCookieMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        fingerprint = getattr(request, "_analytics_new_visitor", None)
        if fingerprint and VISITOR_COOKIE not in response.cookies:
            response.set_cookie(
                VISITOR_COOKIE,
                signing.get_cookie_signer(salt=VISITOR_SALT).sign(fingerprint),
                max_age=VISITOR_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
