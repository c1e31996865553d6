"""Validation of the save and edit forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SavedSearch


class SaveSearchForm(forms.Form):
    url = forms.CharField(max_length=2000, widget=forms.HiddenInput)
    frequency = forms.ChoiceField(
        label=_("Email me new listings"), choices=SavedSearch.Frequency.choices, initial=SavedSearch.Frequency.DAILY
    )


class SavedSearchEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    frequency = forms.ChoiceField(label=_("Alerts"), choices=SavedSearch.Frequency.choices)
