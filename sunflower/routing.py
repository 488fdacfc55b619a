"""WebSocket routes. Each capability adds its consumers here."""

from django.urls import path

from sunflower.web.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
