from django.urls import path, register_converter

from . import views

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
    path("l/<int:pk>-<anyslug:slug>/", views.listing_detail, name="detail"),
    path("l/<int:pk>/", views.listing_detail, name="detail_noslug"),
    path("l/<int:pk>/phone/", views.listing_reveal_phone, name="reveal_phone"),
    path("u/<int:pk>/", views.seller_page, name="seller"),
    path("l/extend/<str:token>/", views.listing_extend, name="extend"),
]
