"""``{% favorite_button listing %}``: see ``classifieds.favorites.buttons``."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..buttons import button_in_context

register = template.Library()


@register.simple_tag(takes_context=True)
def favorite_button(context, listing) -> SafeString:
    return button_in_context(context, listing)
