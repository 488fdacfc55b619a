from django.urls import path

from sunflower.training import views, views_attendance, views_compliance

app_name = "training"

# Mounted at /console/training/ (programme admins and liaisons).
urlpatterns = [
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_form, name="plan-create"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:plan_id>/edit/", views.plan_form, name="plan-edit"),
    path("plans/<int:plan_id>/courses/new/", views.course_form, name="course-create"),
    path("courses/<int:course_id>/", views.course_detail, name="course-detail"),
    path("courses/<int:course_id>/edit/", views.course_form, name="course-edit"),
    path("courses/<int:course_id>/publish/", views.course_publish, name="course-publish"),
    path("courses/<int:course_id>/sessions/new/", views.session_form, name="session-create"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<int:session_id>/", views.session_detail, name="session-detail"),
    path("sessions/<int:session_id>/edit/", views.session_form, name="session-edit"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:session_id>/enrol/", views.session_enrol, name="session-enrol"),
    path(
        "sessions/<int:session_id>/enrolments/<uuid:person_id>/cancel/",
        views.enrolment_cancel,
        name="enrolment-cancel",
    ),
    path("sessions/<int:session_id>/qr/", views_attendance.session_qr, name="session-qr"),
    path(
        "sessions/<int:session_id>/qr/code/",
        views_attendance.session_qr_code,
        name="session-qr-code",
    ),
    path("sessions/<int:session_id>/roll/", views_attendance.session_roll, name="session-roll"),
    path(
        "sessions/<int:session_id>/import/", views_attendance.session_import, name="session-import"
    ),
    path("attendance-template/", views_attendance.attendance_template, name="attendance-template"),
    path("compliance/", views_compliance.compliance_overview, name="compliance"),
    path("compliance/missing/", views_compliance.non_compliant, name="non-compliant"),
    path(
        "compliance/missing/export/",
        views_compliance.non_compliant_export,
        name="non-compliant-export",
    ),
]
