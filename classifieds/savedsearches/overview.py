"""Reads: a user's saved searches as the /saved/ page lists them, each with its new matches and an edit form."""

from __future__ import annotations

from django.http import HttpRequest

from . import services
from .forms import SavedSearchEditForm
from .models import MAX_SAVED_SEARCHES, SavedSearch
from .querying import srp_url


def saved_searches_context(request: HttpRequest) -> dict:
    """The saved-search half of /saved/: each with its new matches and an edit form."""
    if not request.user.is_authenticated:
        return {"searches": []}
    searches = list(SavedSearch.objects.of(request.user).select_related("category", "location").order_by("-created_at"))
    for saved in searches:
        saved.new_count = services.new_matches(saved)
        saved.url = srp_url(saved)
        saved.form = SavedSearchEditForm(initial={"title": saved.title, "frequency": saved.frequency})
    return {"searches": searches, "max_searches": MAX_SAVED_SEARCHES}
