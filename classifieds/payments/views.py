"""Provider webhooks, the page buyers come back to, and the sandbox's checkout page."""

from __future__ import annotations

import json
import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from classifieds.accounts.decorators import login_required
from classifieds.core.observability.metrics import psp_call_record
from classifieds.orders.models import Order

from .providers import get_provider
from .providers.sandbox import NAME as SANDBOX
from .providers.sandbox import SandboxProvider, signed_headers


@csrf_exempt
@require_http_methods(["GET", "POST"])
def payment_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's server calling us; the adapter authenticates it (never a session or a CSRF token)."""
    adapter = get_provider(provider)  # 404 for a provider that is not on: counted under no made-up name
    try:
        response = adapter.webhook(request)
    except Exception:
        psp_call_record(provider=adapter.name, outcome="error")
        raise
    psp_call_record(provider=adapter.name, outcome=webhook_outcome(response))
    return response


def webhook_outcome(response: HttpResponse) -> str:
    """``ok``, ``refused`` (a protocol error answer: Payme's ``error`` object, Click's non-zero ``error``, a 4xx)
    or ``error`` (5xx)."""
    if response.status_code >= 500:
        return "error"
    if response.status_code >= 400:
        return "refused"
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return "ok"
    if isinstance(body, dict) and body.get("error") not in (None, 0, "0", ""):
        return "refused"
    return "ok"


def _own_order(request: HttpRequest, pk) -> Order:
    """The signed-in user's order, or 404 (someone else's order does not exist for you)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(Order.objects.select_related("listing"), pk=pk, user=request.user)


@login_required
@require_http_methods(["GET"])
def payment_callback(request: HttpRequest) -> TemplateResponse:
    """Where a provider sends the buyer back: the order's state (paid, pending, failed, cancelled)."""
    order = _own_order(request, request.GET.get("order"))
    return TemplateResponse(request, "payments/callback.html", {"order": order, "listing": order.listing})


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_checkout(request: HttpRequest, pk: int) -> HttpResponse:
    """The sandbox's payment page: choose success or failure; its server then calls our webhook."""
    get_provider(SANDBOX)  # 404 when the sandbox is off
    order = _own_order(request, pk)
    if request.method == "POST" and order.state == Order.State.PENDING:
        outcome = request.POST.get("outcome")
        if outcome in ("success", "failure"):
            body = json.dumps(
                {
                    "event": "payment.succeeded" if outcome == "success" else "payment.failed",
                    "transaction_id": f"sbx_{uuid.uuid4().hex}",
                    "order_id": order.pk,
                    "amount": order.amount,
                }
            ).encode()
            headers = signed_headers(body)
            SandboxProvider().deliver(
                body, timestamp=headers["X-Sandbox-Timestamp"], sig=headers["X-Sandbox-Signature"]
            )
        return redirect(f"{reverse('payments:callback')}?order={order.pk}")
    return TemplateResponse(request, "payments/sandbox_checkout.html", {"order": order, "listing": order.listing})
