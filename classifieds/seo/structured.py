"""JSON-LD documents (schema.org) for our pages."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from classifieds.core.text import plain_decimal

from .meta import absolute

# UN/CEFACT common codes (what schema.org's unitCode takes) of a price's period.
UNIT_CODES = {"month": "MON", "day": "DAY", "hour": "HUR"}


def website() -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute(reverse("web:home")),
        "inLanguage": ["ru-UZ", "uz-UZ"],
    }


def organization() -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": settings.BASE_URL + "/",
        "logo": absolute("/static/img/logo.svg"),
        "areaServed": "UZ",
    }


def product(listing, photos: list, attributes: list[dict], *, available: bool) -> dict:
    """Product + Offer for a listing; attributes as PropertyValue."""
    offer: dict = {
        "@type": "Offer",
        "url": absolute(listing.get_absolute_url()),
        "priceCurrency": listing.currency,
        "availability": "https://schema.org/InStock" if available else "https://schema.org/SoldOut",
        "areaServed": {"@type": "Place", "name": listing.location.name},
        "itemCondition": {
            "new": "https://schema.org/NewCondition",
            "used": "https://schema.org/UsedCondition",
        }.get(listing.condition),
    }
    offer["price"] = plain_decimal(listing.price) if listing.price is not None else "0"
    unit = UNIT_CODES.get(getattr(listing, "price_period", ""))
    if unit and listing.price is not None:
        # Rent per month, a salary per month, a service per hour: the price is for one such unit.
        offer["priceSpecification"] = {
            "@type": "UnitPriceSpecification",
            "price": offer["price"],
            "priceCurrency": listing.currency,
            "unitCode": unit,
            "referenceQuantity": {"@type": "QuantitativeValue", "value": 1, "unitCode": unit},
        }
    offer = {k: v for k, v in offer.items() if v is not None}
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": listing.title,
        "description": listing.description[:5000],
        "sku": str(listing.pk),
        "category": listing.category.name,
        "offers": offer,
        "additionalProperty": [
            {
                "@type": "PropertyValue",
                "name": row["label"],
                "value": row["value"],
                **({"unitText": row["unit"]} if row["unit"] else {}),
            }
            for row in attributes
        ],
    }
    if photos:
        data["image"] = [absolute(photo.image.url) for photo in photos]
    return data
