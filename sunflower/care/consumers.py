"""Live alerts for record keepers (alerts.py): a socket per browser tab, a group per user.

The consumer only relays what alerts.send_alert put on the channel layer: {type, link, tier},
no name and no content. Only record keepers may connect.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer

from sunflower.accounts.models import Role
from sunflower.care.alerts import group_name


class CareAlertConsumer(JsonWebsocketConsumer):
    group = ""

    def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            self.close(code=4401)
            return
        if not user.has_role(Role.RECORD_KEEPER):
            self.close(code=4403)
            return
        self.group = group_name(user.pk)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()

    def disconnect(self, code: int) -> None:
        if self.group:
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def care_alert(self, event: dict[str, Any]) -> None:
        self.send_json({"type": event["kind"], "link": event["link"], "tier": event["tier"]})
