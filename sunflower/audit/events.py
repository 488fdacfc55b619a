"""Writing audit entries. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from sunflower.audit.models import AuditEvent, Outcome


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    actor_role: str = "",
    scope_unit_id: int | None = None,
    outcome: str = Outcome.OK,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor,
        actor_role=actor_role,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        scope_unit_id=scope_unit_id,
        source_ip=client_ip(request),
        outcome=outcome,
        changes=changes or {},
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """The names of fields whose value differs: the digest kept in the trail, not the values."""
    return {"fields": sorted(name for name in after if before.get(name) != after.get(name))}
