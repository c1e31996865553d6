from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("payments/callback/", views.payment_callback, name="callback"),
    path("payments/sandbox/<int:pk>/", views.sandbox_checkout, name="sandbox_checkout"),
    path("payments/<slug:provider>/webhook/", views.payment_webhook, name="webhook"),
]
