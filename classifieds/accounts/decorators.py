"""Sign-in required: send the visitor to the phone sign-in and back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like Django's, and htmx-aware: a fragment request makes the whole page go to sign-in.

    For htmx, ``next`` is the page the user is on (``HX-Current-URL``), not the fragment's
    URL; the middleware turns the redirect into ``HX-Redirect`` (a 302 followed inside
    htmx would swap the sign-in page into the fragment).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        htmx = getattr(request, "htmx", None)
        if htmx:
            back = htmx.current_url_abs_path or request.get_full_path()
            return redirect_to_login(back, resolve_url(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))

    return wrapper
