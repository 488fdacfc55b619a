"""Writing audit entries. Call inside the transaction of the change being recorded."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from sunflower.audit.models import AuditEvent, Outcome
from sunflower.lib.compiled import CompiledInsert

# Every request writes one or more entries: the INSERT is built once (lib/compiled.py).
_INSERT: CompiledInsert[AuditEvent] = CompiledInsert(AuditEvent)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: the peer's, or behind SUNFLOWER_PROXY_COUNT reverse proxies the
    one the outermost proxy appended to X-Forwarded-For (entries before it are the client's
    own claims and are ignored)."""
    if request is None:
        return None
    hops = int(getattr(settings, "SUNFLOWER_PROXY_COUNT", 0))
    if hops:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= hops:
            candidate = forwarded[-hops].strip()
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
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
    return _INSERT.save(
        AuditEvent(
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
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """The names of fields whose value differs: the digest kept in the trail, not the values."""
    return {"fields": sorted(name for name in after if before.get(name) != after.get(name))}
