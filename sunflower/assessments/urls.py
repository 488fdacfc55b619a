from django.urls import path

from sunflower.assessments import views, views_reports

app_name = "assessments"

# Mounted at /m/assessments/ (the cadre portal's "assessments" tab). The catalogue itself is
# web:portal-assessments, the tab's URL.
urlpatterns = [
    path("r/<uuid:response_id>/", views.result, name="result"),
    path("r/<uuid:response_id>/<int:page>/", views.page, name="page"),
    path("r/<uuid:response_id>/report.pdf", views_reports.own_pdf, name="report-pdf"),
    path("r/<uuid:response_id>/fhir.json", views_reports.own_fhir, name="fhir"),
    path("<slug:instrument_id>/", views.intro, name="intro"),
    path("<slug:instrument_id>/history/", views.history, name="history"),
]
