from django.contrib import admin

from .models import Synonym
from .synonyms import forget_synonyms


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("__str__", "note")
    search_fields = ("terms", "note")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        forget_synonyms()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        forget_synonyms()
