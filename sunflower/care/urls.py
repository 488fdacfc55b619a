from django.urls import path

from sunflower.care import views, views_attention, views_record, views_talks

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
    path("people/", views_record.record_search, name="record-search"),
    path("people/<uuid:person_id>/record/", views_record.record_detail, name="record"),
    path("break-glass/", views_record.break_glass_list, name="break-glass-list"),
    path("break-glass/new/", views_record.break_glass, name="break-glass"),
    path("explanations/", views.explanation_list, name="explanation-list"),
    path(
        "explanations/<uuid:explanation_id>/",
        views.explanation_detail,
        name="explanation-detail",
    ),
    # Talks, visits and key attention (issue 5 items 5–6): views_talks.py, views_attention.py.
    path("talks/", views_talks.my_cadres, name="talk-cadres"),
    path("talks/records/", views_talks.records, name="talk-records"),
    path("talks/counts/", views_talks.counts, name="talk-counts"),
    path("talks/assignments/", views_talks.assignments, name="talk-assignments"),
    path("talks/assignments/<uuid:person_id>/", views_talks.assign, name="talk-assign"),
    path(
        "talks/assignments/<int:talk_assignment_id>/end/",
        views_talks.assignment_end,
        name="talk-assignment-end",
    ),
    path("talks/people/<uuid:person_id>/", views_talks.person_meetings, name="talk-person"),
    path("talks/new/<uuid:person_id>/", views_talks.talk_create, name="talk-create"),
    path("talks/<uuid:talk_id>/", views_talks.talk_detail, name="talk-detail"),
    path("visits/new/<uuid:person_id>/", views_talks.visit_create, name="visit-create"),
    path("visits/<uuid:visit_id>/", views_talks.visit_detail, name="visit-detail"),
    path("attention/", views_attention.attention_list, name="attention-list"),
    path("attention/new/", views_attention.attention_find, name="attention-find"),
    path(
        "attention/new/<uuid:person_id>/",
        views_attention.attention_create,
        name="attention-create",
    ),
    path(
        "attention/<uuid:attention_id>/",
        views_attention.attention_detail,
        name="attention-detail",
    ),
    path(
        "attention/<uuid:attention_id>/plan/",
        views_attention.attention_plan,
        name="attention-plan",
    ),
    path(
        "attention/<uuid:attention_id>/exit/",
        views_attention.attention_exit,
        name="attention-exit",
    ),
]
