"""Our django-allauth adapter: the phone lives on ``User.phone``, SMS goes through our backends."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from classifieds.core.phones import format_phone

from . import services, sms
from .forms import PhoneNumberField
from .models import User


def user_display(user: User) -> str:
    """How allauth names the user in messages to themselves (never shown to others)."""
    if user.display_name:
        return user.display_name
    return format_phone(user.phone) if user.phone else str(user.public_name)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": _("Wrong code."),
        "too_many_login_attempts": _("Too many wrong codes. Request a new one."),
        "rate_limited": _("Too many requests. Please try again later."),
    }

    # --- The phone number: User.phone is the single source of truth ---------------

    def phone_form_field(self, **kwargs: Any) -> PhoneNumberField:
        return PhoneNumberField(**kwargs)

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        services.user_set_phone(user=user, phone=phone, verified=verified)

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:
        services.user_mark_phone_verified(user=user, phone=phone)

    def get_user_by_phone(self, phone: str) -> User | None:
        return User.objects.filter(phone=phone).first()

    # --- Codes ------------------------------------------------------------------

    def generate_phone_verification_code(self, *, user: User, phone: str) -> str:
        if sms.uses_fixed_code():
            return sms.FIXED_CODE
        return super().generate_phone_verification_code(user=user, phone=phone)

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs: Any) -> None:
        services.sms_send_code(phone=phone, code=code)

    def pre_login(self, request: HttpRequest, user: User, **kwargs: Any):
        """A banned account never signs in, even with a code sent before the ban."""
        if user.banned_at is not None:
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    # --- Mail ---------------------------------------------------------------------

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every mail greets with our name, never with the host the request came to."""
        super().send_mail(template_prefix, email, {**context, "site_name": settings.SITE_NAME})

    def send_confirmation_mail(self, request: HttpRequest, emailconfirmation, signup: bool) -> None:
        """The link to confirm an address, and nothing a user typed: nobody has confirmed this address yet.

        allauth would hand the templates the user (their display name) and the
        request host; ours get only the link, so the form cannot carry anyone's
        text to a stranger's inbox.
        """
        context = {
            "key": emailconfirmation.key,
            "activate_url": self.get_email_confirmation_url(request, emailconfirmation),
        }
        prefix = "account/email/email_confirmation_signup" if signup else "account/email/email_confirmation"
        self.send_mail(prefix, emailconfirmation.email_address.email, context)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        """Absolute from ``BASE_URL`` (the one setting for absolute URLs), in the language of the request."""
        return f"{settings.BASE_URL}{reverse('account_confirm_email', kwargs={'key': emailconfirmation.key})}"

    # --- Where to go --------------------------------------------------------------

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Without an explicit ``next``: a new account first gets asked for a name."""
        user = request.user
        if user.is_authenticated and not user.display_name:
            return reverse("accounts:profile")
        return super().get_login_redirect_url(request)
