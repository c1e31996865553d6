from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from classifieds.accounts import views as accounts_views
from classifieds.accounts.urls import allauth_urlpatterns
from classifieds.core import views as core_views
from classifieds.core.observability import views as observability_views

# A database outage raised outside a view (e.g. saving the session) is a 503, not a 500.
handler500 = "classifieds.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readiness", core_views.readiness, name="readiness"),
    path("metrics", observability_views.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("classifieds.web.crawl_urls")),
    path("", include("classifieds.media.urls")),  # direct S3 upload API: no language prefix
]

urlpatterns += i18n_patterns(
    path("admin/login/", accounts_views.admin_login, name="admin_login"),
    path("admin/reports/", include("classifieds.web.report_urls")),
    path("admin/", admin.site.urls),
    path("", include("classifieds.accounts.urls")),
    path("", include(allauth_urlpatterns)),
    path("", include("classifieds.web.urls")),
    path("", include("classifieds.search.urls")),
    path("", include("classifieds.listings.urls")),
    path("", include("classifieds.payments.urls")),
    path("", include("classifieds.favorites.urls")),
    path("", include("classifieds.savedsearches.urls")),
    path("", include("classifieds.messaging.urls")),
    path("", include("classifieds.notifications.urls")),
    path("", include("classifieds.analytics.urls")),
    path("", include("classifieds.moderation.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    if "debug_toolbar" in settings.INSTALLED_APPS:
        urlpatterns = [path("__debug__/", include("debug_toolbar.urls")), *urlpatterns]
