"""{% training_upcoming %}: the cadre's next sessions on the 学习 tab (web:portal-learn)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("training/_upcoming.html", takes_context=True)
def training_upcoming(context: dict[str, Any]) -> dict[str, Any]:
    from sunflower.orgs.models import Person
    from sunflower.training.views_portal import upcoming_for

    request = context.get("request")
    user = getattr(request, "user", None)
    person = Person.objects.select_related("unit").filter(user=user).first() if user else None
    return {"sessions": upcoming_for(person, limit=3) if person else []}
