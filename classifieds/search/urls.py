from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_results, name="results"),
    path("c/<slug:category_slug>/", views.search_results, name="category"),
    path("c/<slug:category_slug>/<slug:location_slug>/", views.search_results, name="category_location"),
]
