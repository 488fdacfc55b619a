"""WebSocket routes. Each capability adds its consumers here."""

from django.urls import path

from sunflower.care.consumers import CareAlertConsumer
from sunflower.web.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/care/alerts/", CareAlertConsumer.as_asgi()),
]
