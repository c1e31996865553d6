"""Writes on accounts: first sign-in, profile, email, soft delete, SMS sending."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from classifieds.audit.services import event_record
from classifieds.imaging.encode import EXTENSION as ENCODED_EXTENSION
from classifieds.imaging.encode import encode_upload
from classifieds.imaging.processing import ImageRejected

from . import limits
from .models import User
from .tasks import send_sms_task

# Shown at 96 px (192 px on dense screens); a little more leaves room for a larger layout.
AVATAR_MAX_SIDE = 512


class AccountDisabled(Exception):
    """The account behind this number was blocked or deleted: no code is sent."""


class AccountBanned(AccountDisabled):
    """The account behind this number was banned by a moderator: no code is sent, no sign-in."""


@transaction.atomic
def user_get_or_create_for_phone(*, phone: str) -> tuple[User, bool]:
    """The account with this E.164 ``phone``; on the first sign-in a new one.

    A new account has no password and an unverified phone until its first code
    is entered (as allauth's own phone signup creates the user before the code).
    Raises ``AccountDisabled`` for a blocked account.
    """
    user, created = User.objects.get_or_create(
        phone=phone,
        defaults={
            # Random, so the username never carries the number (it is personal data).
            "username": f"u-{secrets.token_hex(6)}",
            "phone_verified": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        event_record(topic="account.created", subject=user, actor=user)
    elif user.banned_at is not None:
        raise AccountBanned
    elif not user.is_active:
        raise AccountDisabled
    return user, created


def user_set_phone(*, user: User, phone: str, verified: bool) -> None:
    """Store the phone (our single source of truth for it; allauth reads it through the adapter)."""
    user.phone = phone
    user.phone_verified = verified
    user.save(update_fields=["phone", "phone_verified"])


def user_mark_phone_verified(*, user: User, phone: str) -> None:
    """The user proved they own ``phone`` by entering a code sent to it."""
    User.objects.filter(pk=user.pk, phone=phone).update(phone_verified=True)
    if user.phone == phone:
        user.phone_verified = True


def sms_send_code(*, phone: str, code: str) -> None:
    """Send a sign-in code by SMS in the current language, after the transaction commits."""
    text = _("Bozor: your sign-in code is %(code)s. Do not tell it to anyone.") % {"code": code}
    transaction.on_commit(partial(send_sms_task, phone, text))


@transaction.atomic
def user_update_profile(
    *, user: User, display_name: str, about: str, avatar: UploadedFile | bool | None = None
) -> User:
    """Change the public profile. ``avatar``: a new photo, ``False`` to remove it, ``None`` to keep it.

    A new photo goes through the photo pipeline before anything is written (raises
    ``ImageRejected``): stored is our own JPEG, metadata (GPS, camera) dropped,
    orientation applied, at most ``AVATAR_MAX_SIDE`` pixels long.
    """
    encoded = encode_upload(avatar, avatar.size or 0, max_side=AVATAR_MAX_SIDE) if avatar else None
    old_avatar = user.avatar.name if user.avatar else ""
    user.display_name = display_name
    user.about = about
    fields = ["display_name", "about"]
    if avatar is False:
        user.avatar = ""
        fields.append("avatar")
    elif encoded is not None:
        # A random name (the upload's may carry the person's name) and our extension, never the client's.
        user.avatar.save(f"{secrets.token_hex(8)}.{ENCODED_EXTENSION}", ContentFile(encoded.data), save=False)
        fields.append("avatar")
    user.save(update_fields=fields)
    if "avatar" in fields and old_avatar:
        _delete_file_on_commit(user.avatar.storage, old_avatar)
    return user


def users_reencode_avatars() -> tuple[int, int]:
    """Put every stored avatar through the photo pipeline (those stored before it existed kept EXIF/GPS).

    An avatar that cannot be decoded is removed. Returns (re-encoded, removed).
    Idempotent: a second run re-encodes our own JPEGs again, harmlessly.
    """
    done = removed = 0
    for user in User.objects.exclude(avatar="").only("pk", "avatar").iterator():
        old = user.avatar.name
        try:
            with user.avatar.storage.open(old, "rb") as stream:
                encoded = encode_upload(stream, user.avatar.storage.size(old), max_side=AVATAR_MAX_SIDE)
        except (ImageRejected, FileNotFoundError):
            User.objects.filter(pk=user.pk, avatar=old).update(avatar="")
            removed += 1
        else:
            user.avatar.save(f"{secrets.token_hex(8)}.{ENCODED_EXTENSION}", ContentFile(encoded.data), save=False)
            if not User.objects.filter(pk=user.pk, avatar=old).update(avatar=user.avatar.name):
                user.avatar.storage.delete(user.avatar.name)  # changed meanwhile: keep the user's new one
                continue
            done += 1
        if old:
            user.avatar.storage.delete(old)
    return done, removed


def user_change_email(*, request: HttpRequest, user: User, email: str) -> str:
    """Set the optional email. A new address is kept pending until its link is followed.

    Returns what happened: ``"unchanged"``, ``"removed"`` or ``"pending"``. The link
    goes to an address nobody has confirmed yet, so sending it is limited per user
    and per IP: raises ``limits.Limited`` (nothing changed, nothing sent).
    """
    current = user.email.lower()
    pending = EmailAddress.objects.filter(user=user, verified=False).order_by("-pk").first()
    if email == current or (pending is not None and email == pending.email):
        return "unchanged"
    if not email:
        with transaction.atomic():
            EmailAddress.objects.filter(user=user).delete()
            user.email = ""
            user.save(update_fields=["email"])
        return "removed"
    limits.email_change_consume(user_id=user.pk, ip=limits.client_ip(request))
    # allauth keeps the verified address until the new one is confirmed, then swaps them.
    EmailAddress.objects.add_new_email(request, user, email)
    return "pending"


# What the apps above accounts do with an account's rows when it is deleted (listings hide them):
# registered from their ``AppConfig.ready`` with ``account_deletion_step_register``, run by
# ``user_soft_delete`` inside its transaction. accounts sits below them and imports none.
AccountDeletionStep = Callable[..., dict[str, int]]
_deletion_steps: list[AccountDeletionStep] = []


def account_deletion_step_register(step: AccountDeletionStep) -> None:
    """``step(user=, actor=)`` runs in the deletion's transaction and returns counts for the audit event."""
    if step not in _deletion_steps:
        _deletion_steps.append(step)


@transaction.atomic
def user_soft_delete(*, user: User, actor: User | None = None) -> int:
    """Delete an account the soft way: its listings are hidden, its personal data scrubbed.

    The row stays (listings, orders and the audit log point at it) with
    ``deleted_at`` set, inactive, without phone, names, about, avatar or email,
    and with an unusable password, which also ends all its sessions. Returns the
    number of listings hidden (by the listings app's deletion step).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    counts: dict[str, int] = {}
    for step in _deletion_steps:
        counts.update(step(user=user, actor=actor or user))
    hidden = counts.get("listings_hidden", 0)
    EmailAddress.objects.filter(user=user).delete()
    avatar = user.avatar.name if user.avatar else ""
    user.username = f"deleted-{user.pk}"
    user.phone = None
    user.phone_verified = False
    user.display_name = ""
    user.first_name = ""
    user.last_name = ""
    user.about = ""
    user.email = ""
    user.avatar = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    if avatar:
        _delete_file_on_commit(user.avatar.storage, avatar)
    event_record(
        topic="account.deleted",
        subject=user,
        actor=actor or user,
        payload={"listings_hidden": hidden, "by_self": actor is None or actor.pk == user.pk},
    )
    return hidden


def _delete_file_on_commit(storage, name: str) -> None:
    transaction.on_commit(partial(storage.delete, name))


def users_purge_unverified(*, older_than: timedelta = timedelta(days=2), now: datetime | None = None) -> int:
    """Delete accounts created by a code request whose code was never entered; returns how many.

    Asking for a code creates the user row (see ``user_get_or_create_for_phone``); a number that
    never proves itself should not stay in our database. Staff, anyone who ever signed in and
    anyone with listings or orders are kept, whatever their flag says.
    """
    now = now or timezone.now()
    purged = 0
    with transaction.atomic():
        stale = (
            User.objects.filter(
                phone_verified=False, last_login__isnull=True, is_staff=False, date_joined__lt=now - older_than
            )
            .filter(listings__isnull=True, orders__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
        )
        for user in stale:
            event_record(topic="account.purged_unverified", payload={"user_id": user.pk})
            user.delete()
            purged += 1
    return purged
