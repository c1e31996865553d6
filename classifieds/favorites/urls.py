from django.urls import path

from . import views

app_name = "favorites"

urlpatterns = [
    path("saved/favorite/<int:pk>/", views.favorite_toggle, name="toggle"),
]
