"""Staff roles created by migration."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from classifieds.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


class TestRoles:
    def test_moderators_can_review_listings_and_photos_but_not_edit_users(self):
        perms = codenames("moderators")
        assert {"listings.view_listing", "listings.change_listing", "media.delete_listingphoto"} <= perms
        assert {"accounts.view_user", "audit.view_event"} <= perms
        assert "accounts.change_user" not in perms
        assert "listings.delete_listing" not in perms

    def test_support_can_help_users_and_read_listings(self):
        perms = codenames("support")
        assert {"accounts.view_user", "accounts.change_user", "listings.view_listing", "audit.view_event"} <= perms
        assert "listings.change_listing" not in perms

    def test_a_moderator_opens_listings_in_admin_but_not_users_edit(self, client):
        moderator = UserFactory(is_staff=True)
        moderator.groups.add(Group.objects.get(name="moderators"))
        client.force_login(moderator)
        assert client.get("/admin/listings/listing/").status_code == 200
        assert client.get("/admin/audit/event/").status_code == 200
        assert client.get("/admin/auth/group/").status_code == 403

    def test_staff_sign_in_to_admin_with_the_phone_flow(self, client, sign_in):
        moderator = UserFactory(phone="+998901112233", is_staff=True, display_name="Moderator")
        moderator.groups.add(Group.objects.get(name="moderators"))
        response = sign_in(client, "+998901112233", next_url="/admin/")
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
