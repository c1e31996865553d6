"""An index on listings for the alert runs, created here because the alerts are its only reader.

Each alert run asks the search backend for listings published in a short window
(``ListingQuery.published_after``/``published_until``); with this partial index the
window is found directly instead of walking every active listing of the category.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("savedsearches", "0001_initial"),
        ("listings", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS savedsearch_listing_published "
            "ON listings_listing (published_at, id) WHERE status = 'active'",
            "DROP INDEX CONCURRENTLY IF EXISTS savedsearch_listing_published",
        ),
    ]
