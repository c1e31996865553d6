"""``{% notification_preferences %}``: the preferences form, where the profile page wants it.

A tag rather than a context variable: accounts (a lower layer) renders the profile page and
cannot import this app; the template asks for the form by name.
"""

from __future__ import annotations

from django import template

from ..forms import preferences_form

register = template.Library()


@register.inclusion_tag("notifications/partials/preferences.html", takes_context=True)
def notification_preferences(context) -> dict:
    request = context["request"]
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"form": None}
    return {"form": preferences_form(user), "request": request, "csrf_token": context.get("csrf_token")}
