from django.urls import path

from sunflower.content import views, views_recommendations

app_name = "content-admin"

# Mounted at /console/content/ (the programme admin's console).
urlpatterns = [
    path("", views.console_list, name="list"),
    path("new/", views.console_edit, name="create"),
    path("<int:item_id>/", views.console_edit, name="edit"),
    path("<int:item_id>/publish/", views.console_publish, name="publish"),
    path("<int:item_id>/unpublish/", views.console_unpublish, name="unpublish"),
    path("<int:item_id>/delete/", views.console_delete, name="delete"),
    path(
        "recommendations/",
        views_recommendations.recommendation_list,
        name="recommendations",
    ),
    path(
        "recommendations/new/",
        views_recommendations.recommendation_add,
        name="recommendation-add",
    ),
    path(
        "recommendations/<int:recommendation_id>/delete/",
        views_recommendations.recommendation_delete,
        name="recommendation-delete",
    ),
]
