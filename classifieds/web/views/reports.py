"""Staff reports in Admin: a list, each report as a table, and its CSV export (staff only, through admin_view)."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from classifieds.web.reports import REPORTS

DAYS_DEFAULT = 30
DAYS_CHOICES = [7, 30, 90, 365]


def _days(request: HttpRequest) -> int:
    raw = request.GET.get("days", "")
    return int(raw) if raw.isdigit() and int(raw) in DAYS_CHOICES else DAYS_DEFAULT


@require_GET
def report_index(request: HttpRequest) -> TemplateResponse:
    """The list of staff reports."""
    context = {**admin.site.each_context(request), "title": _("Reports"), "reports": REPORTS.values()}
    return TemplateResponse(request, "admin/reports/index.html", context)


@require_GET
def report_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One report over the last ``days`` days (7, 30, 90 or 365), as a page or, with ``format=csv``, a CSV file."""
    report = REPORTS.get(slug)
    if report is None:
        raise Http404(_("No such report."))
    days = _days(request)
    end = timezone.localdate()
    start = end - timedelta(days=days - 1)
    table = report.build(start, end)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slug}-{start}-{end}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read the Cyrillic as UTF-8
        writer = csv.writer(response)
        writer.writerow(table.columns)
        writer.writerows(
            [value.isoformat() if hasattr(value, "isoformat") else value for value in row] for row in table.rows
        )
        return response
    context = {
        **admin.site.each_context(request),
        "title": str(report.title),
        "report": report,
        "table": table,
        "days": days,
        "days_choices": DAYS_CHOICES,
        "start": start,
        "end": end,
    }
    return TemplateResponse(request, "admin/reports/report.html", context)
