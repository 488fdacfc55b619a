from django.urls import path

from sunflower.notifications import views

app_name = "notifications"

urlpatterns = [
    path("m/messages/", views.portal_inbox, name="inbox"),
    path("console/messages/", views.console_inbox, name="console-inbox"),
    path("messages/<uuid:message_id>/", views.open_message, name="open"),
    path("messages/<uuid:message_id>/read/", views.mark_read, name="read"),
    path("messages/read-all/", views.mark_all_read, name="read-all"),
    path("messages/preferences/", views.preferences, name="preferences"),
]
