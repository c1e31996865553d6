from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("uploads/presign", views.upload_presign, name="presign"),
    path("uploads/attach", views.upload_attach, name="attach"),
]
