"""Live alerts for record keepers and counsellors (alerts.py): a socket per browser tab, a
group per user.

The consumer only relays what alerts.send_alert put on the channel layer: {type, link, tier},
no name and no content. Record keepers and counsellors (who may be assigned a case) may
connect, under the pages' login policy (accounts/sockets.py), checked on connect and again
before each alert: a session that was logged out, timed out or never passed the second factor
gets no alert, and its socket is closed with 4401 so that the page stops reconnecting.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer

from sunflower.accounts.sockets import session_allows
from sunflower.care.alerts import ALERT_ROLES, group_name

SIGNED_OUT = 4401
FORBIDDEN = 4403


class CareAlertConsumer(JsonWebsocketConsumer):
    group = ""

    def connect(self) -> None:
        user = self.scope.get("user")
        if not self.session_is_current():
            self.close(code=SIGNED_OUT)
            return
        if not user.has_role(*ALERT_ROLES):
            self.close(code=FORBIDDEN)
            return
        self.group = group_name(user.pk)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()

    def disconnect(self, code: int) -> None:
        if self.group:
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def care_alert(self, event: dict[str, Any]) -> None:
        if not self.session_is_current():
            self.close(code=SIGNED_OUT)
            return
        self.send_json({"type": event["kind"], "link": event["link"], "tier": event["tier"]})

    def session_is_current(self) -> bool:
        return session_allows(self.scope.get("user"), self.scope.get("session"))
