from django.urls import path

from sunflower.care import views

app_name = "care"

# Mounted at /console/care/ by sunflower/urls.py (desk console).
urlpatterns = [
    path("warnings/", views.warning_list, name="warning-list"),
    path("warnings/raise/", views.warning_raise, name="warning-raise"),
    path("warnings/raise/<uuid:person_id>/", views.warning_raise_for, name="warning-raise-for"),
    path("warnings/<uuid:warning_id>/", views.warning_detail, name="warning-detail"),
    path("warnings/<uuid:warning_id>/review/", views.warning_review, name="warning-review"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<uuid:case_id>/transition/", views.case_transition, name="case-transition"),
    path("cases/<uuid:case_id>/actions/", views.case_action, name="case-action"),
    path("cases/<uuid:case_id>/safety-plan/", views.case_safety_plan, name="case-safety-plan"),
    path("cases/<uuid:case_id>/assign/", views.case_assign, name="case-assign"),
    path("duty/", views.duty, name="duty"),
    path("duty/<int:shift_id>/remove/", views.duty_remove, name="duty-remove"),
    path("explanations/", views.explanation_list, name="explanation-list"),
    path(
        "explanations/<uuid:explanation_id>/",
        views.explanation_detail,
        name="explanation-detail",
    ),
]
