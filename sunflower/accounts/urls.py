from django.urls import path

from sunflower.accounts import views, views_mfa, views_security

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/done/", views.PasswordChangedView.as_view(), name="password-changed"),
    path("sudo/", views_security.sudo, name="sudo"),
    path("history/", views.login_history, name="login-history"),
    path("mfa/", views_mfa.settings_page, name="mfa"),
    path("mfa/setup/", views_mfa.enrol, name="mfa-enrol"),
    path("mfa/verify/", views_mfa.verify, name="mfa-verify"),
    path("mfa/recovery-codes/", views_mfa.recovery_codes, name="mfa-recovery-codes"),
    path("mfa/disable/", views_mfa.disable, name="mfa-disable"),
]

# Account and role administration, mounted under /console/accounts/ by sunflower/urls.py.
console_patterns = (
    [
        path("", views_security.user_list, name="user-list"),
        path("<uuid:user_id>/roles/", views_security.user_roles, name="user-roles"),
        path("<uuid:user_id>/roles/grant/", views_security.role_grant, name="role-grant"),
        path("roles/<int:assignment_id>/revoke/", views_security.role_revoke, name="role-revoke"),
        path("<uuid:user_id>/mfa-reset/", views_security.mfa_reset, name="mfa-reset"),
    ],
    "accounts-admin",
)
