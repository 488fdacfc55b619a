from django.urls import path

from sunflower.accounts import views, views_security

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/done/", views.PasswordChangedView.as_view(), name="password-changed"),
    path("sudo/", views_security.sudo, name="sudo"),
]

# Account and role administration, mounted under /console/accounts/ by sunflower/urls.py.
console_patterns = (
    [
        path("", views_security.user_list, name="user-list"),
        path("<uuid:user_id>/roles/", views_security.user_roles, name="user-roles"),
        path("<uuid:user_id>/roles/grant/", views_security.role_grant, name="role-grant"),
        path("roles/<int:assignment_id>/revoke/", views_security.role_revoke, name="role-revoke"),
    ],
    "accounts-admin",
)
