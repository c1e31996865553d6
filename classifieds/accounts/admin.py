from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User

# Admin's password form gets a link to the phone sign-in (staff may use either).
admin.site.login_template = "admin/bozor_login.html"
# Our name in the moderators' language, not "Django administration".
admin.site.site_header = _("Bozor administration")
admin.site.site_title = _("Bozor administration")
admin.site.index_title = _("Site administration")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("id", "phone", "display_name", "email", "is_business", "is_staff", "date_joined")
    search_fields = ("phone", "display_name", "email", "username")
    list_filter = ("is_business", "is_staff", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Bozor profile"),
            {"fields": ("phone", "phone_verified", "display_name", "about", "avatar", "is_business", "deleted_at")},
        ),
    )
