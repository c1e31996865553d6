from django.contrib import admin

from .models import Favorite


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ("user", "listing", "saved_price", "saved_currency", "created_at")
    raw_id_fields = ("user", "listing")
    date_hierarchy = "created_at"
