"""The seller's promotion purchase page: offers with prices (the quote), then order and checkout."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from classifieds.accounts.decorators import login_required
from classifieds.core.htmx import render_page
from classifieds.listings.models import Listing
from classifieds.orders.services import OrderError, order_create, order_top_holds
from classifieds.payments.providers import enabled_providers
from classifieds.promotions.forms import PromotionPurchaseForm, offer_cards
from classifieds.promotions.inventory import top_next_free
from classifieds.promotions.models import PromotionType
from classifieds.promotions.services import promotion_offers


def _own_active_listing(request: HttpRequest, pk: int) -> Listing:
    """The signed-in seller's listing that buyers can see, or 404."""
    listing = get_object_or_404(Listing.objects.select_related("category"), pk=pk, owner=request.user)
    if not listing.is_visible:
        raise Http404(_("Only an active listing can be promoted."))
    return listing


def _top_next_free(listing: Listing, offers: list) -> dict:
    """Sold-out TOP offers by code: when their category's next TOP place frees."""
    tops = [offer for offer in offers if offer.type == PromotionType.TOP]
    if not tops:
        return {}
    holds = order_top_holds(category_id=listing.category_id)
    found = {
        offer.code: top_next_free(category_id=listing.category_id, listing_id=listing.pk, days=offer.days, holds=holds)
        for offer in tops
    }
    return {code: free for code, free in found.items() if free is not None}


@login_required
@require_http_methods(["GET", "POST"])
def promotion_purchase(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a promotion and a way to pay (htmx refreshes the quote); POST orders and goes to the provider."""
    listing = _own_active_listing(request, pk)
    offers = promotion_offers(listing=listing)
    providers = enabled_providers()
    by_code = {offer.code: offer for offer in offers}
    if request.method == "POST" and not providers:
        # No way to take the money here (no credentials; the sandbox only with DEBUG): no order either.
        messages.error(request, _("Promotions are unavailable right now: online payment is switched off."))
        return redirect(reverse("web:promote", kwargs={"pk": listing.pk}))
    if request.method == "POST":
        form = PromotionPurchaseForm(request.POST, offers=offers, providers=providers)
        if form.is_valid():
            try:
                order = order_create(
                    user=request.user,
                    listing=listing,
                    code=form.cleaned_data["offer"],
                    provider=form.cleaned_data["provider"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except OrderError as error:
                messages.error(request, str(error))
                return redirect(reverse("web:promote", kwargs={"pk": listing.pk}))
            provider = next((p for p in providers if p.name == order.provider), None)
            if provider is None or order.state != order.State.PENDING:
                return redirect(f"{reverse('payments:callback')}?order={order.pk}")
            return_url = request.build_absolute_uri(f"{reverse('payments:callback')}?order={order.pk}")
            return redirect(provider.checkout_url(order=order, return_url=return_url))
    else:
        initial = {"idempotency_key": uuid.uuid4().hex}
        if request.GET.get("offer") in by_code:
            initial["offer"] = request.GET["offer"]
        form = PromotionPurchaseForm(initial=initial, offers=offers, providers=providers)
    chosen = by_code.get(form["offer"].value()) or (offers[0] if offers else None)
    next_free = _top_next_free(listing, offers)
    context = {
        "listing": listing,
        "form": form,
        "offers": offers,
        "cards": offer_cards(offers, next_free=next_free),
        "quote": chosen,
        "quote_next_free": next_free.get(chosen.code) if chosen else None,
        "providers": providers,
    }
    return render_page(request, "promotions/purchase.html", context, fragments={"quote": "quote"})
