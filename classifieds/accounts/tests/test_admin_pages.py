"""Every Admin page opens, for a superuser and for a moderator, over rows real use leaves behind.

Admin calls ``str()`` on rows and renders every field, filter and inline; a
phone-only account without a name once made the user, listing, order and audit
pages answer 500. Moderators work in Russian or Uzbek, so what Admin names
(apps, models, filters, fields) is translated into both.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, label_for_field
from django.contrib.auth.models import Group
from django.utils import translation

from classifieds.accounts.tests.factories import UserFactory

from . import realistic

# Names that are the same word in English and the language.
SAME_WORDS = {"ru": {"ID"}, "uz": {"ID", "Audit"}}

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
LANGUAGES = ["ru", "uz"]

# What the moderators group may open (anything else answers 403). Moderators review listings
# and their photos, look up the account behind a listing and read the audit log; the catalog
# they can only read. Changing a listing's status is their work; nothing is added by hand.
MODERATOR_PAGES = {
    "accounts.User": {"changelist", "change"},
    "audit.Event": {"changelist", "change"},
    "listings.Listing": {"changelist", "change"},
    "messaging.Conversation": {"changelist", "change"},
    "messaging.ConversationReport": {"changelist", "change"},
    "taxonomy.Category": {"changelist", "change"},
    "taxonomy.Attribute": {"changelist", "change"},
    "taxonomy.Location": {"changelist", "change"},
    # The moderation workbench: queues and records to read, decisions through actions, lists to keep.
    "moderation.ReviewQueueItem": {"changelist", "change"},
    "moderation.SampledListing": {"changelist", "change"},
    "moderation.ReportedListing": {"changelist", "change"},
    "moderation.Seller": {"changelist", "change"},
    "moderation.ModerationAction": {"changelist", "change"},
    "moderation.Report": {"changelist", "change"},
    "moderation.Screening": {"changelist", "change"},
    "moderation.CategoryPriceStat": {"changelist", "change"},
    "moderation.ModerationSettings": {"changelist", "change"},
    "moderation.BannedWord": {"changelist", "add", "change"},
    "moderation.RiskyPhone": {"changelist", "add", "change"},
}
# Admins that refuse "add" to everyone (rows come from services, providers or the log).
NO_ADD = {
    "audit.Event",
    "messaging.Conversation",
    "messaging.ConversationReport",
    "notifications.Notification",
    "orders.Order",
    "payments.Payment",
    "promotions.Promotion",
    # Moderation's rows come from its services (decisions, reports, screenings) or are listings and accounts.
    "moderation.ReviewQueueItem",
    "moderation.SampledListing",
    "moderation.ReportedListing",
    "moderation.Seller",
    "moderation.ModerationAction",
    "moderation.Report",
    "moderation.Screening",
    "moderation.CategoryPriceStat",
    "moderation.ModerationSettings",
}


@pytest.fixture
def marketplace():
    return realistic.build()


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, display_name=""))
    return client


@pytest.fixture
def moderator_client(client):
    moderator = UserFactory(is_staff=True, display_name="", phone="+998901239999")
    moderator.groups.add(Group.objects.get(name="moderators"))
    client.force_login(moderator)
    return client


def admin_url(model, page: str, obj=None, language: str = "ru") -> str:
    prefix = "" if language == "ru" else f"/{language}"
    base = f"{prefix}/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return {"changelist": base, "add": f"{base}add/", "change": f"{base}{obj.pk if obj else 0}/change/"}[page]


PAGES = [
    pytest.param(model, page, id=f"{model._meta.label}-{page}")
    for model in REGISTERED
    for page in ("changelist", "add", "change")
]


class TestEveryAdminPage:
    def test_every_registered_model_has_a_realistic_row(self, marketplace):
        missing = {model._meta.label for model in REGISTERED} - {model._meta.label for model in marketplace.rows}
        assert not missing, f"add a realistic row for {sorted(missing)} to tests/realistic.py"

    @pytest.mark.parametrize(("model", "page"), PAGES)
    def test_a_superuser_opens_it(self, superuser_client, marketplace, model, page):
        response = superuser_client.get(admin_url(model, page, marketplace.row(model), "ru"))
        expected = 403 if page == "add" and model._meta.label in NO_ADD else 200
        assert response.status_code == expected, response.content.decode()[:2000]
        if page == "changelist":
            assert str(marketplace.row(model).pk) in response.content.decode() or model._meta.label == "auth.Group"

    @pytest.mark.parametrize(("model", "page"), PAGES)
    def test_a_moderator_in_uzbek_opens_what_the_group_allows_and_gets_403_elsewhere(
        self, moderator_client, marketplace, model, page
    ):
        response = moderator_client.get(admin_url(model, page, marketplace.row(model), "uz"))
        allowed = page in MODERATOR_PAGES.get(model._meta.label, set())
        assert response.status_code == (200 if allowed else 403), response.content.decode()[:2000]

    def test_a_moderator_may_change_a_listing_but_only_view_users(self, moderator_client, marketplace):
        listing_page = moderator_client.get(admin_url(marketplace.listing.__class__, "change", marketplace.listing))
        assert 'name="_save"' in listing_page.content.decode()
        user_page = moderator_client.get(admin_url(marketplace.phone_only.__class__, "change", marketplace.phone_only))
        assert 'name="_save"' not in user_page.content.decode()

    def test_the_phone_only_account_is_listed_under_its_fallback_name(self, superuser_client, marketplace):
        from classifieds.orders.models import Order

        html = superuser_client.get(admin_url(Order, "change", marketplace.row(Order))).content.decode()
        assert "Пользователь Bozor" in html


def _visible_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


class TestAdminSpeaksTheModeratorsLanguage:
    @pytest.mark.parametrize(
        ("language", "expected"),
        [
            (
                "ru",
                ["Аккаунты", "Аудит", "Избранное", "Объявления", "Поиск", "Каталог", "Сохранённые поиски", "Заказы"],
            ),
            (
                "uz",
                ["Hisoblar", "Audit", "Saralanganlar", "E’lonlar", "Qidiruv", "Katalog", "Saqlangan qidiruvlar"],
            ),
        ],
    )
    def test_the_index_names_every_app_in_the_language(self, superuser_client, language, expected):
        prefix = "" if language == "ru" else f"/{language}"
        text = _visible_text(superuser_client.get(f"{prefix}/admin/").content.decode())
        for name in expected:
            assert name in text

    @pytest.mark.parametrize(
        ("language", "foreign"),
        [
            ("ru", ["Django", "Filter by", "Select listing", "Show counts", "Select an option"]),
            # Django's Uzbek catalog lacks these, and Django then falls back to Russian.
            (
                "uz",
                [
                    "Django",
                    "Filter by",
                    "Select an option",
                    "Администрирование",
                    "Выберите",
                    "Показать",
                    "Начните",
                    "Недоступно",
                ],
            ),
        ],
    )
    def test_admins_own_words_are_in_the_language_too(self, moderator_client, marketplace, language, foreign):
        from classifieds.listings.models import Listing

        prefix = "" if language == "ru" else f"/{language}"
        pages = [
            f"{prefix}/admin/",
            admin_url(Listing, "changelist", language=language),
            admin_url(Listing, "change", marketplace.listing, language),
        ]
        for url in pages:
            text = _visible_text(moderator_client.get(url).content.decode())
            found = [word for word in foreign if word in text]
            assert not found, (url, found)

    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
    def test_app_model_filter_column_and_field_names_are_translated(self, rf, marketplace, model, language):
        """Each name Admin shows differs from its English source in ru and uz (unless it is the same word)."""
        model_admin = admin.site._registry[model]
        request = rf.get("/admin/")
        request.user = UserFactory(is_staff=True, is_superuser=True)
        obj = marketplace.row(model)

        def names() -> dict[str, str]:
            shown = {
                "app": str(model._meta.app_config.verbose_name),
                "model": str(model._meta.verbose_name),
                "models": str(model._meta.verbose_name_plural),
            }
            for item in model_admin.get_list_filter(request):
                if isinstance(item, type):  # a SimpleListFilter
                    shown[f"filter {item.__name__}"] = str(item.title)
                else:
                    path = item[0] if isinstance(item, tuple) else item
                    shown[f"filter {path}"] = str(get_fields_from_path(model, path)[-1].verbose_name)
            for name in model_admin.get_list_display(request):
                if name not in ("__str__", "action_checkbox"):
                    shown[f"column {name}"] = str(label_for_field(name, model, model_admin))
            form = model_admin.get_form(request, obj, change=True)
            for name, field in form.base_fields.items():
                shown[f"field {name}"] = str(field.label)
            for name in model_admin.get_readonly_fields(request, obj):
                shown[f"read-only {name}"] = str(label_for_field(name, model, model_admin, form=form))
            return shown

        with translation.override("en"):
            english = names()
        with translation.override(language):
            local = names()
        untranslated = [
            f"{what}: {text!r}"
            for what, text in english.items()
            if local[what] == text and text not in SAME_WORDS[language]
        ]
        assert not untranslated, untranslated
