"""Sign-in by phone, profile, account deletion, public seller pages, admin login guard."""

from __future__ import annotations

import time

from allauth.account.models import EmailAddress
from allauth.account.utils import get_next_redirect_url
from allauth.account.views import AccountInactiveView, ConfirmEmailView, LogoutView
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from classifieds.core.htmx import render_page
from classifieds.core.phones import format_phone
from classifieds.imaging.processing import ImageRejected
from classifieds.seo.meta import page_meta

from . import limits, otp, services, sms
from .decorators import login_required
from .forms import CodeForm, DeleteAccountForm, PhoneForm, ProfileForm
from .models import User

OTP_TARGET = "otp-step"


def _private_meta(url_name: str, title: str):
    """Meta of a page that must not be indexed but keeps hreflang and the language switcher."""
    return page_meta(lambda: reverse(url_name), title=title, robots="noindex,nofollow")


def _limit_message(exc: limits.Limited) -> str:
    if exc.scope == limits.UNAVAILABLE:
        return _("Sign-in is temporarily unavailable. Please try again in a minute.")
    if exc.scope == "attempts":
        return _("Too many wrong codes. This code no longer works: request a new one.")
    wait = limits.wait_text(exc.retry_after())
    if exc.scope == "cooldown":
        return _("A code was just sent. You can request a new one in %(wait)s.") % {"wait": wait}
    if exc.scope.startswith("admin-login"):
        return _("Too many sign-in attempts. Try again in %(wait)s.") % {"wait": wait}
    return _("Too many codes requested. Try again in %(wait)s.") % {"wait": wait}


def _otp_url(next_url: str) -> str:
    url = reverse("accounts:otp")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@never_cache
@require_http_methods(["GET", "POST"])
def auth_otp(request: HttpRequest) -> HttpResponse:
    """Sign in with a phone number and an SMS code: one URL, phone step then code step.

    Plain forms post here and are answered with a redirect back (PRG) or the page
    with errors; htmx posts target ``#otp-step`` and get only that step back.
    Limits answer 429 with the message and the step, for htmx and plain POST alike.
    """
    next_url = get_next_redirect_url(request) or ""
    if request.user.is_authenticated:
        return redirect(next_url or "web:home")
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx and not htmx.boosted and htmx.target == OTP_TARGET)
    pending = otp.pending_code(request)
    last_phone = otp.last_phone(request)
    phone_form = PhoneForm(initial={"phone": format_phone(last_phone) if last_phone else ""})
    code_form = CodeForm()
    status = 200
    error = ""
    tries_left = None

    if request.method == "POST":
        action = request.POST.get("action", "send")
        expired = _("This code has expired or was already used. Request a new one.")
        stepped = False  # the step changed: PRG for plain forms, the new step for htmx
        try:
            if action == "send":
                phone_form = PhoneForm(request.POST)
                if phone_form.is_valid():
                    pending = otp.send_code(request, phone=phone_form.cleaned_data["phone"])
                    stepped = True
            elif action == "resend":
                if pending is None:
                    error = expired
                else:
                    pending = otp.send_code(request, phone=pending.phone)
                    stepped = True
            elif action == "change":
                otp.cancel(request)
                pending = None
                stepped = True
            elif action == "verify":
                if pending is None:
                    error = expired
                else:
                    code_form = CodeForm(request.POST, code=pending.code)
                    result = otp.verify_code(request, pending, code_form, redirect_url=next_url)
                    if result.response is not None:  # signed in: a redirect (htmx: HX-Redirect, see middleware)
                        return result.response
                    if result.dead:
                        raise limits.Limited(scope="attempts", retry_at=time.time())
                    tries_left = result.tries_left
        except limits.Limited as exc:
            status = 429
            error = _limit_message(exc)
            pending = otp.pending_code(request)
        except services.AccountBanned:
            error = _(
                "This account is banned for breaking the rules of Bozor: signing in is not possible. "
                "Contact support if you think it is a mistake."
            )
        except services.AccountDisabled:
            error = _("This account is blocked. Contact support if you think it is a mistake.")
        if stepped and not fragment:
            return redirect(_otp_url(next_url))
        if stepped:
            last_phone = otp.last_phone(request)
            phone_form = PhoneForm(initial={"phone": format_phone(last_phone) if last_phone else ""})

    now = time.time()
    context = {
        "meta": _private_meta("accounts:otp", _("Sign in")),
        "fragment": fragment,
        "otp_url": _otp_url(next_url),
        "next_url": next_url,
        "pending": pending,
        "pending_phone": format_phone(pending.phone) if pending else "",
        "resend_in": max(0, int(pending.resend_at - now + 0.999)) if pending else 0,
        "code_minutes": max(1, round((pending.expires_at - pending.sent_at) / 60)) if pending else 0,
        "phone_form": phone_form,
        "code_form": code_form,
        "tries_left": tries_left,
        "error": error,
        "fixed_code": sms.FIXED_CODE if sms.uses_fixed_code() else "",
    }
    return render_page(request, "accounts/otp.html", context, fragments={OTP_TARGET: "step"}, status=status)


# allauth's own views where they fit, with our templates and page meta (hreflang, language switcher).


class _SignOutView(LogoutView):
    template_name = "accounts/sign_out.html"

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "meta": _private_meta("accounts:logout", _("Sign out"))}


class _AccountInactiveView(AccountInactiveView):
    template_name = "accounts/inactive.html"

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "meta": _private_meta("account_inactive", _("Account blocked"))}


sign_out = _SignOutView.as_view()
account_inactive = _AccountInactiveView.as_view()


class _ConfirmEmailView(ConfirmEmailView):
    template_name = "accounts/email_confirm.html"

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["meta"] = page_meta(
            lambda: reverse("account_confirm_email", kwargs={"key": self.kwargs["key"]}),
            title=_("Confirm your email"),
            robots="noindex,nofollow",
        )
        return context


email_confirm = _ConfirmEmailView.as_view()


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own profile: name, photo, about, optional email."""
    user: User = request.user
    status = 200
    pending_email = EmailAddress.objects.filter(user=user, verified=False).order_by("-pk").first()
    initial = {
        "display_name": user.display_name,
        "about": user.about,
        "avatar": user.avatar,
        "email": pending_email.email if pending_email else user.email,
    }
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            avatar = data["avatar"]
            if avatar is not False and not isinstance(avatar, UploadedFile):
                avatar = None  # unchanged: the form hands the current file back
            try:
                # The email first: over its limit nothing at all is saved.
                outcome = services.user_change_email(request=request, user=user, email=data["email"])
                services.user_update_profile(
                    user=user, display_name=data["display_name"], about=data["about"], avatar=avatar
                )
            except limits.Limited as exc:
                status = 429
                form.add_error(
                    "email",
                    _("Too many email changes. Try again in %(wait)s.") % {"wait": limits.wait_text(exc.retry_after())},
                )
            except ImageRejected as exc:  # decoding found what the header check could not (a damaged file)
                form.add_error("avatar", exc.reason)
            else:
                if outcome == "removed":
                    messages.success(request, _("Your email was removed."))
                messages.success(request, _("Profile saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(initial=initial)
    context = {
        "meta": _private_meta("accounts:profile", _("My profile")),
        "form": form,
        "profile_user": user,
        "phone": format_phone(user.phone) if user.phone else "",
        "pending_email": pending_email,
    }
    return TemplateResponse(request, "accounts/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account (soft: listings hidden, personal data scrubbed, audit kept)."""
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_soft_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account was deleted. Thank you for using Bozor."))
        return redirect("web:home")
    context = {"meta": _private_meta("accounts:profile_delete", _("Delete account")), "form": form}
    return TemplateResponse(request, "accounts/delete.html", context)


def admin_login(request: HttpRequest, **kwargs) -> HttpResponse:
    """Admin's password login with our limits in front (per IP and per username)."""
    if request.method == "POST":
        try:
            limits.admin_login_consume(ip=limits.client_ip(request), username=request.POST.get("username", ""))
        except limits.Limited as exc:
            context = {
                "meta": None,
                "title": _("Too many sign-in attempts"),
                "message": _limit_message(exc),
                "next_url": request.get_full_path(),
            }
            return TemplateResponse(request, "accounts/limited.html", context, status=429)
    return admin.site.login(request, **kwargs)
