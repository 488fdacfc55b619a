from django.urls import path

from sunflower.assessments import views_warning_rules as views

app_name = "warning-rules"

# Mounted at /console/warning-rules/ (record keepers and programme admins read; city-wide
# programme admins change, in sudo mode).
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new/", views.rule_create, name="create"),
    path("<int:rule_id>/", views.rule_edit, name="edit"),
    path("<int:rule_id>/deactivate/", views.rule_deactivate, name="deactivate"),
    path("<int:rule_id>/activate/", views.rule_activate, name="activate"),
]
