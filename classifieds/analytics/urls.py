from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("go/<str:token>/", views.tracked_link, name="go"),
]
