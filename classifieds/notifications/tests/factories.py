from __future__ import annotations

from allauth.account.models import EmailAddress

from classifieds.accounts.tests.factories import UserFactory


def user_with_email(email: str = "seller@example.com", **kwargs):
    """A user whose email is confirmed (as accounts leave it once the link was followed)."""
    user = UserFactory(email=email, **kwargs)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
