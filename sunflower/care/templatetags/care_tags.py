"""{% care_alerts %}: the live-alert banner and its script, on console pages of record keepers
and counsellors."""

from __future__ import annotations

from typing import Any

from django import template

from sunflower.care.alerts import ALERT_ROLES

register = template.Library()


@register.inclusion_tag("care/_alerts.html", takes_context=True)
def care_alerts(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    enabled = bool(user is not None and user.is_authenticated and user.has_role(*ALERT_ROLES))
    return {"enabled": enabled}
