from django.urls import path

from . import views

app_name = "savedsearches"

urlpatterns = [
    path("saved/searches/", views.saved_search_create, name="create"),
    path("saved/searches/<int:pk>/", views.saved_search_edit, name="edit"),
    path("saved/searches/<int:pk>/delete/", views.saved_search_delete, name="delete"),
    path("saved/searches/<int:pk>/open/", views.saved_search_open, name="open"),
    path("saved/unsubscribe/<str:token>/", views.saved_search_unsubscribe, name="unsubscribe"),
]
