"""{% lesson_courses %}: the cadre's online courses and lesson progress on the 学习 tab."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("training/lessons/_portal_learn.html", takes_context=True)
def lesson_courses(context: dict[str, Any]) -> dict[str, Any]:
    from sunflower.orgs.models import Person
    from sunflower.training.lessons import courses_for_cadre

    request = context.get("request")
    user = getattr(request, "user", None)
    person = Person.objects.select_related("unit").filter(user=user).first() if user else None
    return {"rows": courses_for_cadre(person) if person else []}
