from django.urls import path

from sunflower.orgs import views, views_import

app_name = "orgs"

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("<uuid:person_id>/", views.person_edit, name="person-edit"),
    path("<uuid:person_id>/transfer/", views.person_transfer, name="person-transfer"),
    path("<uuid:person_id>/leave/", views.person_leave, name="person-leave"),
    path("units/", views.unit_list, name="unit-list"),
    path("import/", views_import.import_upload, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import-template"),
    path("import/<uuid:import_id>/", views_import.import_review, name="import-review"),
    path("export.xlsx", views_import.export_roster, name="export"),
]
