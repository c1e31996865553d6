from django.urls import path

from . import views

app_name = "promotions"

urlpatterns = [
    path("u/promote/<int:pk>/", views.promotion_purchase, name="purchase"),
]
