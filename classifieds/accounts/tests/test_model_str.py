"""Every model's ``str()`` is a plain ``str``: Admin, logging and the debug toolbar all call it.

A lazy translation returned from ``__str__`` makes ``str(obj)`` raise TypeError,
which answered 500 on Admin pages of every phone-only account.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from classifieds.accounts.models import User

from . import realistic

pytestmark = pytest.mark.django_db

OUR_MODELS = sorted(
    (model for model in apps.get_models() if model.__module__.startswith("classifieds.")),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def marketplace():
    return realistic.build()


class TestEveryModelStr:
    def test_the_realistic_rows_cover_every_model_of_ours(self, marketplace):
        missing = {model._meta.label for model in OUR_MODELS} - {model._meta.label for model in marketplace.rows}
        assert not missing, f"add a realistic row for {sorted(missing)} to tests/realistic.py"

    @pytest.mark.parametrize("language", ["ru", "uz"])
    @pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model._meta.label)
    def test_str_of_a_realistic_row_is_a_plain_str(self, marketplace, model, language):
        obj = model._default_manager.get(pk=marketplace.row(model).pk)  # as Admin loads it
        with translation.override(language):
            text = str(obj)
        assert type(text) is str
        assert text


class TestUserStr:
    def test_a_phone_only_user_without_a_name_is_named_in_the_active_language(self):
        user = User(username="u-1", phone="+998901230001")
        with translation.override("ru"):
            assert type(str(user)) is str
            assert str(user) == "Пользователь Bozor"
        with translation.override("uz"):
            assert str(user) == "Bozor foydalanuvchisi"

    def test_a_named_user_is_their_name(self):
        assert str(User(username="u-2", display_name="Aziza")) == "Aziza"
