"""Admin for the catalog: tree-aware category and location lists, attribute schemas with their options.

Both trees are listed in ``path`` order with names indented by depth. Saving or
deleting a node recomputes ``path`` (and a category's ``is_leaf``) through the
services, so moving a subtree in the admin keeps every descendant right.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.settings import DEFAULT_LANGUAGE

from .models import Attribute, AttributeOption, Category, Location, TreeNode
from .services import category_rebuild_paths, location_rebuild_paths

INDENT = "\u2003"  # an em space per level: visible in HTML and in <select> options alike


def branch_name(node: Category | Location) -> str:
    """The name, with a branch mark below the top level."""
    return f"└ {node.name}" if node.depth else str(node.name)


def indented(node: Category | Location) -> str:
    """The node's name pushed right by its depth, as plain text (for choices)."""
    return f"{INDENT * node.depth}{branch_name(node)}"


def tree_trail(node: Category | Location) -> str:
    """Names from the root down to the node."""
    if node.pk is None:
        return "—"
    return " › ".join(str(ancestor.name) for ancestor in node.ancestors(include_self=True))


class ParentFilter(admin.SimpleListFilter):
    """Direct children of one node, or the top level."""

    title = _("parent")
    parameter_name = "parent"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        parents = model_admin.model.objects.filter(children__isnull=False).distinct().order_by("path")
        return [("none", gettext("— top level —")), *((str(node.pk), indented(node)) for node in parents)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "none":
            return queryset.filter(parent__isnull=True)
        if value and value.isdigit():
            return queryset.filter(parent_id=int(value))
        return queryset


class TreeNodeAdminForm(forms.ModelForm):
    """Refuses a parent that would make the node its own ancestor."""

    def clean_parent(self) -> TreeNode | None:
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk is not None and self.instance.pk in (parent.path or [parent.pk]):
            raise ValidationError(_("An item cannot be moved under itself or under one of its own subitems."))
        return parent


class CategoryAdminForm(TreeNodeAdminForm):
    def clean_parent(self) -> Category | None:
        parent = super().clean_parent()
        if parent is not None and parent.is_leaf and parent.listings.exists():
            # Listings live in leaves only; a leaf with listings cannot become a branch.
            raise ValidationError(
                _("“%(name)s” already has listings, so it cannot get subcategories.") % {"name": parent.name}
            )
        return parent


class TreeAdminMixin:
    """What the category and location admins share: indented names, child counts, a read-only trail."""

    ordering = ("path",)
    list_per_page = 200  # both trees fit on one page
    readonly_fields = ("trail",)

    @admin.display(description=_("name"), ordering="path")
    def tree_name(self, obj: Category | Location) -> SafeString:
        # Entities, because the changelist strips leading whitespace from the value.
        return format_html("{}{}", mark_safe("&emsp;" * obj.depth), branch_name(obj))

    @admin.display(description=_("subitems"), ordering="children_count")
    def children_count(self, obj: Category | Location) -> int:
        return obj.children_count

    @admin.display(description=_("path"))
    def trail(self, obj: Category | Location) -> str:
        return tree_trail(obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            kwargs["queryset"] = db_field.related_model.objects.order_by("path")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent" and field is not None:
            field.label_from_instance = indented
        return field

    def _save_in_default_language(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # modeltranslation fills the base column (``name``) from the active
        # language; keep it the default language's, as the loader does.
        with translation.override(DEFAULT_LANGUAGE):
            super().save_model(request, obj, form, change)  # type: ignore[misc]


class AttributeInline(TranslationTabularInline):
    model = Attribute
    extra = 0
    fields = ("order", "key", "label", "type", "unit", "required", "filterable", "min_value", "max_value")
    ordering = ("order", "pk")
    show_change_link = True  # options are edited on the attribute's own page


@admin.register(Category)
class CategoryAdmin(TreeAdminMixin, TranslationAdmin):
    form = CategoryAdminForm
    list_display = (
        "tree_name",
        "slug_ru",
        "slug_uz",
        "children_count",
        "attributes_count",
        "is_leaf",
        "requires_moderation",
        "listing_lifetime_days",
        "free_listings_per_30_days",
        "order",
    )
    list_filter = (ParentFilter, "is_leaf", "requires_moderation")
    search_fields = ("name_ru", "name_uz", "slug_ru", "slug_uz")
    readonly_fields = ("trail", "is_leaf")
    inlines = (AttributeInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                children_count=Count("children", distinct=True),
                attributes_count=Count("attributes", distinct=True),
            )
        )

    @admin.display(description=_("attributes"), ordering="attributes_count")
    def attributes_count(self, obj: Category) -> int:
        return obj.attributes_count

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        self._save_in_default_language(request, obj, form, change)
        category_rebuild_paths()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with translation.override(DEFAULT_LANGUAGE):
            super().save_formset(request, form, formset, change)

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        super().delete_model(request, obj)
        category_rebuild_paths()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        super().delete_queryset(request, queryset)
        category_rebuild_paths()


class OptionInline(TranslationTabularInline):
    model = AttributeOption
    extra = 0
    fields = ("order", "value", "label")
    ordering = ("order", "pk")


@admin.register(Attribute)
class AttributeAdmin(TranslationAdmin):
    list_display = ("key", "label", "category", "type", "unit", "required", "filterable", "options_count", "order")
    list_filter = ("type", "required", "filterable")
    search_fields = ("key", "label_ru", "label_uz", "category__name_ru", "category__name_uz")
    autocomplete_fields = ("category",)
    list_select_related = ("category",)
    ordering = ("category__path", "order", "pk")
    inlines = (OptionInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attribute]:
        return super().get_queryset(request).annotate(options_count=Count("options"))

    @admin.display(description=_("options"), ordering="options_count")
    def options_count(self, obj: Attribute) -> int:
        return obj.options_count

    def save_model(self, request: HttpRequest, obj: Attribute, form: Any, change: bool) -> None:
        with translation.override(DEFAULT_LANGUAGE):
            super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with translation.override(DEFAULT_LANGUAGE):
            super().save_formset(request, form, formset, change)


@admin.register(Location)
class LocationAdmin(TreeAdminMixin, TranslationAdmin):
    form = TreeNodeAdminForm
    list_display = ("tree_name", "kind", "slug", "children_count", "lat", "lon", "order")
    list_filter = ("kind", ParentFilter)
    search_fields = ("name_ru", "name_uz", "slug_ru", "slug_uz")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Location]:
        return super().get_queryset(request).annotate(children_count=Count("children"))

    def save_model(self, request: HttpRequest, obj: Location, form: Any, change: bool) -> None:
        self._save_in_default_language(request, obj, form, change)
        location_rebuild_paths()

    def delete_model(self, request: HttpRequest, obj: Location) -> None:
        super().delete_model(request, obj)
        location_rebuild_paths()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Location]) -> None:
        super().delete_queryset(request, queryset)
        location_rebuild_paths()
