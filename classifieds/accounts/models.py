from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet):
    def public(self):
        """Accounts whose public page may be shown: active, not deleted or banned, and signed in at least once.

        Asking for a sign-in code creates the account; until the code is entered
        (which verifies the phone and sets ``last_login``) nobody has shown they own
        the number, so such an account is not shown anywhere.
        """
        return self.filter(is_active=True, deleted_at__isnull=True, banned_at__isnull=True).filter(
            Q(phone_verified=True) | Q(last_login__isnull=False)
        )


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A buyer or seller. Identified by phone; email is optional."""

    phone = models.CharField(_("phone"), max_length=20, unique=True, null=True, blank=True, help_text=_("E.164"))
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    about = models.TextField(_("about"), blank=True, max_length=2000)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    is_business = models.BooleanField(_("business seller"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # Set and cleared only by the moderation services (ban, unban): "is banned" is ``banned_at is not None``.
    banned_at = models.DateTimeField(_("banned at"), null=True, blank=True, editable=False)
    ban_reason = models.TextField(_("ban reason"), blank=True, editable=False)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None

    def get_session_auth_hash(self) -> str:
        """A ban signs the account out everywhere: its sessions' hash no longer matches."""
        session_hash = super().get_session_auth_hash()
        return f"banned-{session_hash}"[: len(session_hash)] if self.banned_at is not None else session_hash

    @property
    def public_name(self) -> str:
        """The name others see; a plain ``str`` (never a lazy translation: Admin and logs call ``str()``)."""
        return self.display_name or self.first_name or str(_("Bozor user"))

    def get_absolute_url(self) -> str:
        return reverse("listings:seller", kwargs={"pk": self.pk})
