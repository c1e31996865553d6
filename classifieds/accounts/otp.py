"""Phone sign-in by one-time code on one URL: a thin layer over allauth's login-by-code flow.

allauth does the authentication. Its ``LoginCodeVerificationProcess`` generates
the code (through our adapter, so the console backend's code is ``000000``),
has the adapter send it, keeps it with the pending login in the session,
expires it after ``ACCOUNT_LOGIN_BY_CODE_TIMEOUT``, compares it in constant time
(its ``ConfirmLoginCodeForm``), and on success records the authentication,
marks the phone verified and logs in, which rotates the session key.

What allauth has no setting for, and so lives here:
- one URL for both steps (allauth has a request and a confirm URL) so htmx can
  swap the step in place and the no-JS form posts back to the same page;
- the first sign-in creates the account (allauth's login by code only signs in
  accounts that exist; its phone signup is a separate form and flow);
- our exact limits, counted in the shared cache with the time to retry, which
  the view answers with HTTP 429 (``limits``);
- the wrong-code count kept in the cache as well as in the session, so parallel
  guesses cannot outrun allauth's per-session counter.

It reaches into ``allauth.account.internal`` (the flow and stage classes the
headless API uses too); the version is pinned and tests/test_signin.py covers it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from allauth.account.internal.stagekit import clear_login
from allauth.account.stages import LoginByCodeStage, LoginStageController
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import limits, services
from .forms import CodeForm

ISSUE_KEY = "bozor_issue"  # our id of one issued code, in allauth's process state
LAST_PHONE_SESSION_KEY = "otp_last_phone"  # to fill the number in again after a code died


@dataclass
class PendingCode:
    """A code was sent and the login waits for it."""

    process: LoginCodeVerificationProcess

    @property
    def phone(self) -> str:
        return self.process.state["phone"]

    @property
    def code(self) -> str:
        return self.process.code

    @property
    def sent_at(self) -> float:
        return self.process.state["at"]

    @property
    def expires_at(self) -> float:
        return self.sent_at + settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT

    @property
    def resend_at(self) -> float:
        return limits.code_resend_available_at(phone=self.phone, sent_at=self.sent_at)

    @property
    def issue(self) -> str:
        return self.process.state.get(ISSUE_KEY, "")


@dataclass
class Verification:
    response: HttpResponse | None = None  # signed in: allauth's redirect
    tries_left: int | None = None  # wrong code, this many tries remain
    dead: bool = False  # out of tries: the code is gone, a new one is needed


def pending_code(request: HttpRequest) -> PendingCode | None:
    """The code this browser is waiting for, or None (none sent, expired, used up)."""
    if request.user.is_authenticated:
        return None
    stage = LoginStageController.enter(request, LoginByCodeStage.key)
    if stage is None:
        return None
    process = LoginCodeVerificationProcess.resume(stage)  # None, and cleared, once expired
    if process is None or not process.state.get("phone") or not process.state.get(ISSUE_KEY):
        return None
    return PendingCode(process)


def send_code(request: HttpRequest, *, phone: str) -> PendingCode:
    """Send a fresh code to ``phone`` (E.164) and make it the one this browser waits for.

    Raises ``limits.Limited`` (nothing sent) or ``services.AccountDisabled``.
    A new code replaces the previous one, with a new expiry and new tries.
    """
    taken = limits.code_send_consume(phone=phone, ip=limits.client_ip(request))
    try:
        user, _created = services.user_get_or_create_for_phone(phone=phone)
    except services.AccountDisabled:
        limits.release(taken)
        raise
    process = LoginCodeVerificationProcess.initiate(request=request, user=user, phone=phone)
    process.state[ISSUE_KEY] = secrets.token_urlsafe(16)
    process.persist()
    request.session[LAST_PHONE_SESSION_KEY] = phone
    return PendingCode(process)


def verify_code(
    request: HttpRequest, pending: PendingCode, form: CodeForm, *, redirect_url: str | None
) -> Verification:
    """Check the entered code; on success allauth signs the user in and answers with a redirect."""
    try:
        tries_left = limits.code_attempt_consume(issue=pending.issue)
    except limits.Limited:
        pending.process.abort()
        return Verification(dead=True)
    if form.is_valid():
        return Verification(response=pending.process.finish(redirect_url or None))
    still_open = pending.process.record_invalid_attempt()  # allauth's own count (aborts at the limit)
    if not still_open or tries_left == 0:
        pending.process.abort()
        return Verification(dead=True)
    return Verification(tries_left=tries_left)


def cancel(request: HttpRequest) -> None:
    """Forget the pending code (the user wants to use another number)."""
    clear_login(request)


def last_phone(request: HttpRequest) -> str:
    return request.session.get(LAST_PHONE_SESSION_KEY, "")
