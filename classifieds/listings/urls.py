from django.urls import path, register_converter

from . import dashboard_views, posting_views, views

app_name = "listings"


class SlugConverter:
    """Like Django's slug converter, but allows an empty slug (then 301)."""

    regex = "[-a-zA-Z0-9_]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SlugConverter, "anyslug")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("c/<slug:category_slug>/", views.search_page, name="category"),
    path("c/<slug:category_slug>/<slug:location_slug>/", views.search_page, name="category_location"),
    path("l/<int:pk>-<anyslug:slug>/", views.listing_detail, name="detail"),
    path("l/<int:pk>/", views.listing_detail, name="detail_noslug"),
    path("l/<int:pk>/phone/", views.listing_reveal_phone, name="reveal_phone"),
    # Posting wizard and the seller's dashboard (posting_views.py, dashboard_views.py).
    path("post/", posting_views.post_category, name="post"),
    path("post/details/", posting_views.post_details, name="post_details"),
    path("post/review/", posting_views.post_review, name="post_review"),
    path("u/listings/", dashboard_views.seller_listings, name="seller_listings"),
    path("u/listings/<int:pk>/<slug:action>/", dashboard_views.seller_listing_action, name="seller_listing_action"),
]
