from django.urls import path

from sunflower.privacy import views

app_name = "privacy"

# Mounted at the site root by sunflower/urls.py: cadre pages under the portal's "me" tab,
# record keeper pages under the console.
urlpatterns = [
    path("m/me/privacy/", views.overview, name="overview"),
    path("m/me/privacy/consent/", views.consent, name="consent"),
    path("m/me/privacy/withdraw/", views.withdraw, name="withdraw"),
    path("m/me/privacy/delete/", views.request_deletion, name="request-deletion"),
    path("m/me/privacy/export.json", views.export_json, name="export-json"),
    path("m/me/privacy/export.pdf", views.export_pdf, name="export-pdf"),
    path("console/privacy/deletions/", views.deletion_requests, name="deletion-requests"),
    path(
        "console/privacy/deletions/<uuid:request_id>/",
        views.deletion_detail,
        name="deletion-detail",
    ),
    path(
        "console/privacy/deletions/<uuid:request_id>/decide/",
        views.deletion_decide,
        name="deletion-decide",
    ),
]
