"""``/metrics``: Prometheus' text format, for allowed networks or the bearer token only."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from . import metrics


def client_address(request: HttpRequest) -> str:
    """The client's IP: behind ``TRUSTED_PROXY_COUNT`` proxies, the address the outermost trusted one saw.

    nginx connects from loopback, so trusting ``REMOTE_ADDR`` there would open /metrics to everyone.
    """
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies > 0 and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")


def address_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The metrics, for Prometheus: from an allowed network, or with ``Authorization: Bearer <METRICS_TOKEN>``."""
    scheme, _sep, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and presented:
        token = settings.METRICS_TOKEN
        if not token or not hmac.compare_digest(presented.strip().encode(), token.encode()):
            return HttpResponseForbidden("wrong token", content_type="text/plain")
    elif not address_allowed(client_address(request)):
        raise Http404  # nothing here for the public
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
