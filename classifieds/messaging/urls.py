from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/badge/", views.unread_badge, name="badge"),
    path("messages/<int:pk>/", views.conversation_page, name="conversation"),
    path("messages/<int:pk>/new/", views.conversation_poll, name="poll"),
    path("messages/<int:pk>/block/", views.conversation_block, name="block"),
    path("messages/<int:pk>/report/", views.conversation_report, name="report"),
    path("messages/write/<int:listing_pk>/", views.conversation_write, name="write"),
    path("messages/write/<int:listing_pk>/send/", views.conversation_write_signed_out, name="write_send"),
]
