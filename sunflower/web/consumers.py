"""A minimal WebSocket endpoint: proves the ASGI side is served and sessions reach it."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import JsonWebsocketConsumer


class PingConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        if not self.scope["user"].is_authenticated:
            self.close(code=4401)
            return
        self.accept()

    def receive_json(self, content: Any, **kwargs: Any) -> None:
        self.send_json({"type": "pong", "echo": content.get("ping")})
