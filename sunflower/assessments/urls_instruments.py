from django.urls import path

from sunflower.assessments import views_instruments as views

app_name = "instruments"

# Mounted at /console/instruments/ (staff read instrument definitions, T0; city-wide
# programme admins upload).
urlpatterns = [
    path("", views.instrument_list, name="list"),
    path("upload/", views.instrument_upload, name="upload"),
    path("<slug:instrument_id>/questionnaire.json", views.questionnaire, name="questionnaire"),
]
