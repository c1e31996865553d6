from django.urls import path, re_path

from . import views

app_name = "accounts"

urlpatterns = [
    path("auth/otp/", views.auth_otp, name="otp"),
    path("auth/logout/", views.sign_out, name="logout"),
    path("u/profile/", views.profile, name="profile"),
    path("u/profile/delete/", views.profile_delete, name="profile_delete"),
]

# The URL names allauth reverses inside the flows we use, without a namespace.
# Only these views are mounted: no password login, signup or reset pages exist.
allauth_urlpatterns = [
    path("auth/otp/", views.auth_otp, name="account_login"),
    path("auth/otp/", views.auth_otp, name="account_request_login_code"),
    path("auth/otp/", views.auth_otp, name="account_confirm_login_code"),
    path("auth/logout/", views.sign_out, name="account_logout"),
    path("auth/inactive/", views.account_inactive, name="account_inactive"),
    re_path(r"^auth/email/confirm/(?P<key>[-:\w]+)/$", views.email_confirm, name="account_confirm_email"),
]
