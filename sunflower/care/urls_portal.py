from django.urls import path

from sunflower.care import views

app_name = "care-portal"

# Mounted at /m/care/ by sunflower/urls.py (the cadre's phone portal).
urlpatterns = [
    path("explain/<uuid:response_id>/", views.explain_request, name="explain"),
    path("explanations/", views.explanations, name="explanations"),
]
