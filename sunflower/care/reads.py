"""The one shape every single-row T2 read in care takes (access.py, access_talks.py).

Find the row, decide the reader's role, write the "<thing>.read" audit entry in the caller's
transaction, and answer Http404 alike for a row that does not exist and one the actor may not
read (DESIGN.md §4 rule 2) — raised after the block, so that a refusal leaves the caller's
transaction usable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction
from django.http import Http404, HttpRequest

from sunflower.accounts.models import User
from sunflower.audit.events import record

Row = TypeVar("Row", bound=models.Model)


def is_uuid(value: Any) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def read_one(
    rows: models.QuerySet[Row],
    object_id: Any,
    *,
    role_of: Callable[[Row], str | None],
    action: str,
    actor: User,
    request: HttpRequest | None,
    lock: bool = False,
) -> Row:
    """The row of *rows* with primary key *object_id*, if role_of(row) names a role; the rows'
    model has a `unit` (the scope recorded with the audit entry)."""
    with transaction.atomic(savepoint=False):
        if lock:
            rows = rows.select_for_update(of=("self",))
        found = rows.filter(pk=object_id).first() if is_uuid(object_id) else None
        role = None if found is None else role_of(found)
        if found is not None and role is not None:
            record(
                action,
                actor=actor,
                actor_role=role,
                target=found,
                request=request,
                scope_unit_id=found.unit_id,  # type: ignore[attr-defined]
            )
    if found is None or role is None:
        raise Http404
    return found
