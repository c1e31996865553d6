from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"SITE_NAME": settings.SITE_NAME, "BASE_URL": settings.BASE_URL, "APP_LINKS": app_links(request)}


def app_links(request: HttpRequest) -> dict[str, str]:
    """The ``al:*`` app-link tags of this page, from settings; the ones not configured are left out."""
    links = {}
    url = f"{settings.APP_URL_SCHEME}{request.path.lstrip('/')}" if settings.APP_URL_SCHEME else ""
    if settings.APP_ANDROID_PACKAGE:
        links |= {"al:android:package": settings.APP_ANDROID_PACKAGE, "al:android:app_name": settings.SITE_NAME}
        if url:
            links["al:android:url"] = url
    if settings.APP_IOS_STORE_ID:
        links |= {"al:ios:app_store_id": settings.APP_IOS_STORE_ID, "al:ios:app_name": settings.SITE_NAME}
        if url:
            links["al:ios:url"] = url
    return links
