"""Admin → Reports: staff-only pages mounted under /admin/reports/ (before the admin's own URLs)."""

from django.contrib import admin
from django.urls import path

from .views import reports

app_name = "reports"

urlpatterns = [
    path("", admin.site.admin_view(reports.report_index), name="index"),
    path("<slug:slug>/", admin.site.admin_view(reports.report_detail), name="detail"),
]
