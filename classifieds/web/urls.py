from django.urls import path

from .views import dashboard, home, posting, promote, saved, statistics

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    # The posting wizard and the seller's dashboard.
    path("post/", posting.post_category, name="post"),
    path("post/details/", posting.post_details, name="post_details"),
    path("post/review/", posting.post_review, name="post_review"),
    path("u/listings/", dashboard.seller_listings, name="seller_listings"),
    path("u/listings/<int:pk>/statistics/", statistics.listing_statistics, name="listing_statistics"),
    path("u/listings/<int:pk>/<slug:action>/", dashboard.seller_listing_action, name="seller_listing_action"),
    path("u/promote/<int:pk>/", promote.promotion_purchase, name="promote"),
    path("saved/", saved.saved_page, name="saved"),
]
