"""Forms of sign-in and profile (validation only; writes are in services)."""

from __future__ import annotations

import phonenumbers
from allauth.account.forms import ConfirmLoginCodeForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from classifieds.imaging.processing import ACCEPT, ImageRejected, inspect_image

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
AVATAR_MAX_BYTES = 5 * 1024 * 1024


def normalize_phone(raw: str) -> str:
    """Any way people write a number -> E.164, or ``ValidationError``.

    Uzbek numbers may be written nationally (``90 123 45 67``), with the
    country code (``998 90 123-45-67``) or in E.164; other countries in E.164.
    Codes go only to valid *mobile* numbers of ``PHONE_ALLOWED_COUNTRY_CODES``,
    so nobody can make us pay for SMS to premium or foreign ranges.
    """
    value = (raw or "").strip()
    if not value or len(value) > 32:
        raise ValidationError(_("Enter a phone number, for example 90 123 45 67."), code="invalid_phone")
    try:
        number = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("This does not look like a phone number."), code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This does not look like a phone number."), code="invalid_phone")
    if str(number.country_code) not in settings.PHONE_ALLOWED_COUNTRY_CODES:
        raise ValidationError(_("Numbers of this country are not supported yet."), code="country_not_allowed")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(_("We can send a code only to a mobile number."), code="not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumberField(forms.CharField):
    """A phone number input that cleans to E.164 (our allauth adapter's ``phone_form_field``)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Phone number"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "autocomplete": "tel",
                    "inputmode": "tel",
                    "placeholder": "90 123 45 67",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else value


class PhoneForm(forms.Form):
    phone = PhoneNumberField()


class CodeForm(ConfirmLoginCodeForm):
    """allauth's code form (constant-time compare, its error message); the template draws the input."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Code from the SMS")


class AvatarField(forms.FileField):
    """A photo the photo pipeline accepts, checked from its header (type, bytes, pixels); re-encoded when saved."""

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        if upload.size > AVATAR_MAX_BYTES:
            raise ValidationError(_("The photo is too large (at most 5 MB)."), code="too_large")
        try:
            inspect_image(upload, upload.size)
        except ImageRejected as exc:
            raise ValidationError(exc.reason, code="image") from None
        return upload


class ProfileForm(forms.Form):
    """What a user tells about themselves. ``avatar`` cleans to a file, ``False`` (remove) or ``None`` (keep)."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        required=False,
        help_text=_("Buyers see it on your listings and your page."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    avatar = AvatarField(label=_("Photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    about = forms.CharField(
        label=_("About you"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("For receipts and notifications. We send a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_display_name(self) -> str:
        return " ".join(self.cleaned_data["display_name"].split())

    def clean_about(self) -> str:
        return self.cleaned_data["about"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my listings disappear and my account cannot be restored."), required=True
    )
