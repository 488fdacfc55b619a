from django.urls import path

from sunflower.assessments import views_campaigns as views

app_name = "campaigns"

# Mounted at /console/campaigns/ (the programme admin's console).
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/open/", views.campaign_open, name="open"),
]
