from django.urls import path

from sunflower.training import views_lessons as views

app_name = "lessons"

# Mounted at the site root: the programme admin's pages under /console/, the cadre's under /m/.
urlpatterns = [
    path("console/lessons/", views.admin_courses, name="admin-courses"),
    path("console/lessons/course/<int:course_id>/", views.admin_list, name="admin-list"),
    path("console/lessons/course/<int:course_id>/new/", views.admin_create, name="admin-create"),
    path("console/lessons/<int:lesson_id>/", views.admin_edit, name="admin-edit"),
    path("console/lessons/<int:lesson_id>/publish/", views.admin_publish, name="admin-publish"),
    path("console/lessons/<int:lesson_id>/quiz/", views.admin_quiz, name="admin-quiz"),
    path(
        "console/lessons/<int:lesson_id>/quiz/<int:question_id>/remove/",
        views.admin_quiz_remove,
        name="admin-quiz-remove",
    ),
    path("lessons/<int:lesson_id>/media", views.lesson_media, name="media"),
    path("m/learn/courses/<int:course_id>/", views.course_lessons, name="course"),
    path("m/learn/lessons/<int:lesson_id>/", views.lesson_page, name="lesson"),
    path("m/learn/lessons/<int:lesson_id>/progress/", views.heartbeat, name="heartbeat"),
    path("m/learn/lessons/<int:lesson_id>/quiz/", views.quiz_submit, name="quiz"),
    path("m/learn/record/lessons/", views.my_progress, name="my-progress"),
]
