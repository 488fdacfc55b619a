"""Channel adapters: how a text reaches an address outside the platform.

An adapter has one method, `send(address, text)`, which returns when the provider accepted the
message and raises AdapterError otherwise. Its message names the failure (HTTP status, network
error) and never the address, the text or the provider's reply, because it is stored in
Delivery.last_error and logged.

Which adapter serves a channel comes from settings (docs/operations.md, "Notifications"):
- e-mail: Django's e-mail backend (SMTP from EMAIL_HOST in production, console in development,
  locmem in tests), on when SUNFLOWER_EMAIL_NOTIFICATIONS is true;
- SMS and WeChat: a JSON POST to SUNFLOWER_SMS_URL / SUNFLOWER_WECHAT_URL with a bearer token
  (SUNFLOWER_SMS_TOKEN / SUNFLOWER_WECHAT_TOKEN); without a URL, the console adapter outside
  production and nothing in production. SUNFLOWER_SMS_ADAPTER / SUNFLOWER_WECHAT_ADAPTER may
  name another adapter class by dotted path (a vendor's SDK), constructed without arguments.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sunflower.notifications.kinds import NEUTRAL_TEXT
from sunflower.notifications.models import Channel

logger = logging.getLogger(__name__)


class AdapterError(Exception):
    """The provider did not take the message; str() is safe to store and log."""


class Adapter(Protocol):
    def send(self, address: str, text: str) -> None: ...


class EmailAdapter:
    def send(self, address: str, text: str) -> None:
        message = EmailMessage(
            subject=_("向阳花平台消息"),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        try:
            message.send()
        except Exception as exc:
            raise AdapterError(f"e-mail: {type(exc).__name__}") from None


class ConsoleAdapter:
    """Development only: logs that a message went out. Only the neutral text is ever logged."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, address: str, text: str) -> None:
        shown = text if text == str(NEUTRAL_TEXT) else f"<{len(text)} characters>"
        logger.info("notification via %s (console): %s", self.channel, shown)


class HttpAdapter:
    """POSTs {"to": address, "text": text} as JSON with a bearer token to a gateway."""

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("an HTTP adapter needs an http:// or https:// URL")
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, address: str, text: str) -> None:
        body = json.dumps({"to": address, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                reply.read()
        except urllib.error.HTTPError as exc:
            raise AdapterError(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise AdapterError(f"network: {type(exc).__name__}") from None


def _external(prefix: str, channel: str) -> Adapter | None:
    custom = getattr(settings, f"SUNFLOWER_{prefix}_ADAPTER", "")
    if custom:
        adapter: Adapter = import_string(custom)()
        return adapter
    url = getattr(settings, f"SUNFLOWER_{prefix}_URL", "")
    if url:
        return HttpAdapter(url, getattr(settings, f"SUNFLOWER_{prefix}_TOKEN", ""))
    if getattr(settings, "SUNFLOWER_NOTIFY_CONSOLE", False):
        return ConsoleAdapter(channel)
    return None


def adapter_for(channel: str) -> Adapter | None:
    """The adapter serving *channel* now, or None when the channel is not configured."""
    if channel == Channel.EMAIL:
        return EmailAdapter() if settings.SUNFLOWER_EMAIL_NOTIFICATIONS else None
    if channel == Channel.SMS:
        return _external("SMS", channel)
    if channel == Channel.WECHAT:
        return _external("WECHAT", channel)
    raise ValueError(f"no such channel: {channel!r}")
