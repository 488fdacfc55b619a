from django.urls import path

from sunflower.training import views_portal as views

app_name = "training-portal"

# Mounted at /m/training/ (the cadre's phone portal).
urlpatterns = [
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/enrol/", views.enrol, name="enrol"),
    path("sessions/<int:session_id>/cancel/", views.cancel, name="cancel"),
    path("checkin/<str:token>/", views.checkin_page, name="checkin"),
    path("record/", views.record, name="record"),
    path("certificates/<int:attendance_id>/", views.certificate, name="certificate"),
    path(
        "certificates/lessons/<int:lesson_id>/",
        views.lesson_certificate,
        name="lesson-certificate",
    ),
]
