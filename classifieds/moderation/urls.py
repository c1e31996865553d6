from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("l/<int:pk>/report/", views.listing_report, name="listing_report"),
    path("u/<int:pk>/report/", views.seller_report, name="seller_report"),
]
