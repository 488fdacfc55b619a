from django.urls import path

from sunflower.assessments import views_records as views

app_name = "results"

# Mounted at /console/results/ (the record keeper's console). No name, instrument or score
# ever appears in these URLs: only opaque ids.
urlpatterns = [
    path("", views.result_list, name="list"),
    path("<uuid:result_id>/", views.result_detail, name="detail"),
    path("<uuid:result_id>/report.pdf", views.result_pdf, name="pdf"),
    path("<uuid:result_id>/fhir.json", views.result_fhir, name="fhir"),
    path("exports/", views.export_list, name="exports"),
    path("exports/new/", views.export_create, name="export-create"),
    path("exports/<uuid:export_id>/", views.export_detail, name="export-detail"),
    path("exports/<uuid:export_id>/decide/", views.export_decide, name="export-decide"),
    path("exports/<uuid:export_id>/download/", views.export_download, name="export-download"),
]
