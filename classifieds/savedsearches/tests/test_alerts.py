"""Alert digests over a timeline of listings: exactly the matching new ones, none twice, none lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from classifieds.accounts.tests.factories import UserFactory
from classifieds.listings.models import Listing
from classifieds.savedsearches import services
from classifieds.savedsearches.models import CURSOR_END_ID, Digest, SavedSearch, SentAlert
from classifieds.savedsearches.querying import search_from_url
from classifieds.savedsearches.tasks import send_digest_task

pytestmark = [pytest.mark.django_db]


def saved_search(catalog, *, url="/c/cars/tashkent/?attrs.make=chevrolet", email="buyer@example.com", language="ru"):
    """A daily saved search created at t0 (its cursor starts there)."""
    saved, _ = services.saved_search_save(
        user=UserFactory(email=email), search=search_from_url(url), frequency="daily", language=language
    )
    SavedSearch.objects.filter(pk=saved.pk).update(
        cursor_published_at=catalog.t0, cursor_id=CURSOR_END_ID, created_at=catalog.t0
    )
    saved.refresh_from_db()
    return saved


def run(catalog, hours: float) -> int:
    return services.alert_run(frequency="daily", now=catalog.t0 + timedelta(hours=hours))


def alerted(saved) -> list[str]:
    return sorted(
        Listing.objects.filter(pk__in=SentAlert.objects.filter(saved_search=saved).values("listing_id")).values_list(
            "title", flat=True
        )
    )


def digest_titles(message) -> list[str]:
    return sorted(line.split(" — ")[0] for line in message.body.splitlines() if " — " in line)


class TestTimeline:
    def test_each_run_sends_exactly_the_matching_listings_published_since_the_last(
        self, catalog, django_capture_on_commit_callbacks
    ):
        saved = saved_search(catalog)
        catalog.car("chevrolet", minutes=-10, title="before saving")
        catalog.car("chevrolet", minutes=10, title="match 1")
        catalog.car("chevrolet", minutes=20, title="match 2", location=catalog.tashkent)
        catalog.car("daewoo", minutes=30, title="other make")
        catalog.car("chevrolet", minutes=40, title="other place", location=catalog.samarkand)
        catalog.car("chevrolet", minutes=50, title="sold already", status=Listing.Status.SOLD)
        with django_capture_on_commit_callbacks(execute=True):
            assert run(catalog, 2) == 1
        assert len(mail.outbox) == 1
        assert digest_titles(mail.outbox[0]) == ["match 1", "match 2"]

        catalog.car("chevrolet", minutes=3 * 60, title="match 3")
        with django_capture_on_commit_callbacks(execute=True):
            assert run(catalog, 2.5) == 0  # not due yet: daily
            assert run(catalog, 26) == 1
            assert run(catalog, 51) == 0  # nothing new
        assert len(mail.outbox) == 2
        assert digest_titles(mail.outbox[1]) == ["match 3"]
        assert alerted(saved) == ["match 1", "match 2", "match 3"]

    def test_a_listing_published_again_is_not_sent_twice(self, catalog, django_capture_on_commit_callbacks):
        saved = saved_search(catalog)
        listing = catalog.car("chevrolet", minutes=10, title="match")
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
            Listing.objects.filter(pk=listing.pk).update(published_at=catalog.t0 + timedelta(hours=5))
            run(catalog, 30)
        assert len(mail.outbox) == 1
        assert SentAlert.objects.filter(saved_search=saved).count() == 1

    def test_a_listing_not_yet_indexed_is_not_passed_over(self, catalog, django_capture_on_commit_callbacks):
        """The run looks only at listings published INDEX_LAG before it: the indexer has caught up by then."""
        saved = saved_search(catalog)
        catalog.car("chevrolet", minutes=119, title="just published")
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
            assert alerted(saved) == []
            run(catalog, 27)
        assert alerted(saved) == ["just published"]

    def test_a_run_that_dies_between_two_listings_loses_nothing_and_duplicates_nothing(
        self, catalog, django_capture_on_commit_callbacks
    ):
        saved = saved_search(catalog)
        catalog.car("chevrolet", minutes=10, title="first")
        second = catalog.car("chevrolet", minutes=20, title="second")
        # A real failure inside the database while the second listing is being recorded.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""CREATE FUNCTION crash_on_second() RETURNS trigger AS $$
                BEGIN IF NEW.listing_id = {second.pk} THEN RAISE EXCEPTION 'worker died'; END IF; RETURN NEW; END
                $$ LANGUAGE plpgsql;
                CREATE TRIGGER crash BEFORE INSERT ON savedsearches_sentalert
                FOR EACH ROW EXECUTE FUNCTION crash_on_second();"""
            )
        with django_capture_on_commit_callbacks(execute=True):
            assert run(catalog, 2) == 0  # logged; the other saved searches would go on
        saved.refresh_from_db()
        assert saved.cursor_published_at == catalog.t0  # the cursor did not move
        assert not Digest.objects.exists() and not SentAlert.objects.exists()
        assert mail.outbox == []
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER crash ON savedsearches_sentalert; DROP FUNCTION crash_on_second();")
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
            run(catalog, 30)
        assert len(mail.outbox) == 1
        assert digest_titles(mail.outbox[0]) == ["first", "second"]

    def test_a_crash_between_commit_and_send_resends_the_same_digest_once(
        self, catalog, django_capture_on_commit_callbacks
    ):
        saved_search(catalog)
        catalog.car("chevrolet", minutes=10, title="match")
        with django_capture_on_commit_callbacks(execute=False):  # the send task is lost
            run(catalog, 2)
        digest = Digest.objects.get()
        assert digest.sent_at is None and mail.outbox == []
        send_digest_task(digest.pk)  # the re-drive
        send_digest_task(digest.pk)  # a duplicate delivery of the task
        assert len(mail.outbox) == 1
        assert mail.outbox[0].extra_headers["X-Bozor-Digest"] == str(digest.pk)

    def test_switched_off_searches_are_not_alerted(self, catalog, django_capture_on_commit_callbacks):
        saved = saved_search(catalog)
        SavedSearch.objects.filter(pk=saved.pk).update(frequency="off")
        catalog.car("chevrolet", minutes=10)
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
        assert mail.outbox == [] and not SentAlert.objects.exists()


class TestWithoutEmail:
    def test_users_without_email_get_an_on_site_count_instead(
        self, client, catalog, django_capture_on_commit_callbacks
    ):
        saved = saved_search(catalog, email="")
        catalog.car("chevrolet", minutes=10)
        catalog.car("chevrolet", minutes=20)
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
        assert mail.outbox == []
        client.force_login(saved.user)
        header = client.get("/").content.decode()
        assert 'class="badge badge-new">2<' in header
        client.get(f"/saved/searches/{saved.pk}/open/")
        assert 'class="badge badge-new">' not in client.get("/").content.decode()


class TestMatchesWhatTheSrpShows:
    def test_a_text_and_price_search_alerts_exactly_the_listings_its_srp_lists(
        self, client, catalog, django_capture_on_commit_callbacks
    ):
        url = "/c/cars/?q=cobalt&price_max=120000000"
        saved = saved_search(catalog, url=url)
        catalog.car("chevrolet", minutes=10, title="Cobalt cheap", price="90000000")
        catalog.car("chevrolet", minutes=20, title="Cobalt dear", price="190000000")
        catalog.car("chevrolet", minutes=30, title="Spark cheap", price="80000000")
        with django_capture_on_commit_callbacks(execute=True):
            run(catalog, 2)
        assert alerted(saved) == ["Cobalt cheap"]
        srp = client.get(url).content.decode()
        assert "Cobalt cheap" in srp and "Cobalt dear" not in srp and "Spark cheap" not in srp

    def test_the_backend_honours_the_published_window_on_every_path(self, catalog):
        from dataclasses import replace

        from classifieds.savedsearches.querying import listing_query
        from classifieds.search.backends import get_search_backend

        saved = saved_search(catalog, url="/c/cars/?q=cobalt")
        inside = catalog.car("chevrolet", minutes=10, title="Cobalt inside")
        catalog.car("chevrolet", minutes=-10, title="Cobalt before")
        catalog.car("chevrolet", minutes=200, title="Cobalt after")
        query = listing_query(
            saved, published_after=(catalog.t0, CURSOR_END_ID), published_until=catalog.t0 + timedelta(hours=1)
        )
        backend = get_search_backend()
        assert backend.compute_summary(query).total == 1
        assert backend.ids(query, offset=0, limit=10) == [inside.pk]
        assert backend.ids(query, offset=0, limit=10, text_matches=3) == [inside.pk]  # text-first plan
        assert backend.ids(replace(query, sort="price_asc"), offset=0, limit=10) == [inside.pk]


class TestEmailRemovedBeforeSending:
    def test_the_digest_is_shown_on_the_site_instead(self, catalog, django_capture_on_commit_callbacks):
        saved = saved_search(catalog)
        catalog.car("chevrolet", minutes=10)
        with django_capture_on_commit_callbacks(execute=False):
            run(catalog, 2)
        type(saved.user).objects.filter(pk=saved.user_id).update(email="")
        send_digest_task(Digest.objects.get().pk)
        assert mail.outbox == []
        assert Digest.objects.unseen_count(saved.user) == 1
