from modeltranslation.translator import TranslationOptions, register

from .models import Attribute, AttributeOption, Category, Location


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "slug")
    required_languages = ("ru", "uz")


@register(Attribute)
class AttributeTranslation(TranslationOptions):
    fields = ("label", "unit")
    required_languages = {"ru": ("label",), "uz": ("label",)}


@register(AttributeOption)
class AttributeOptionTranslation(TranslationOptions):
    fields = ("label",)
    required_languages = ("ru", "uz")


@register(Location)
class LocationTranslation(TranslationOptions):
    fields = ("name", "slug")
    required_languages = ("ru", "uz")
