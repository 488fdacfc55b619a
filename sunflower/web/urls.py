from django.urls import path

from sunflower.assessments.views import catalogue_page
from sunflower.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("m/", views.portal, name="portal"),
    path("m/assessments/", catalogue_page, name="portal-assessments"),
    path("m/learn/", views.portal_learn, name="portal-learn"),
    path("m/services/", views.portal_services, name="portal-services"),
    path("m/me/", views.portal_me, name="portal-me"),
    path("console/", views.console, name="console"),
    path("preferences/", views.preferences, name="preferences"),
    path("healthz", views.healthz, name="healthz"),
]
