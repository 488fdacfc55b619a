"""Reads of assessment responses (T2). Views never query Response directly.

Each function checks who may read, writes an "assessment.read" audit entry in the same
transaction as the read, and answers Http404 alike for a response that does not exist and
one the actor may not see (DESIGN.md §4 rule 2).

Who may read a response, one condition per line in `_reader_role`:
- the cadre it belongs to;
- (issue 4, campaigns) the record keeper whose scope holds the person, for identified and
  confidential campaign responses — added there, with its own audit role.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest

from sunflower.accounts.models import Role, User
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.audit.events import record


def _reader_role(actor: User, response: Response) -> str | None:
    """The role under which *actor* may read *response*, or None."""
    if response.person_id is not None and response.person_id == actor.person_id:
        return Role.CADRE
    return None


def access_response(actor: User, response_id: Any, request: HttpRequest | None = None) -> Response:
    """One response the actor may read, its reading audited; Http404 otherwise.

    Inside a caller's transaction (a page POST and its action) this joins it without a
    savepoint: the audit entry commits with the caller's work."""
    with transaction.atomic(savepoint=False):
        response = (
            Response.objects.select_related("person").filter(pk=response_id).first()
            if _is_uuid(response_id)
            else None
        )
        role = None if response is None else _reader_role(actor, response)
        if response is None or role is None:
            raise Http404
        record(
            "assessment.read",
            actor=actor,
            actor_role=role,
            target=response,
            request=request,
            scope_unit_id=response.person.unit_id if response.person is not None else None,
            changes={"instrument": f"{response.instrument_id}@{response.instrument_version}"},
        )
    return response


def access_own_responses(
    actor: User,
    instrument_id: str | None = None,
    *,
    status: str | None = ResponseStatus.SUBMITTED,
    request: HttpRequest | None = None,
) -> list[Response]:
    """The actor's own responses, oldest first (all instruments, or one); one audit entry."""
    if actor.person_id is None:
        return []
    with transaction.atomic():
        rows = Response.objects.filter(person_id=actor.person_id)
        if instrument_id is not None:
            rows = rows.filter(instrument_id=instrument_id)
        if status is not None:
            rows = rows.filter(status=status)
        found = list(rows.order_by("started_at"))
        record(
            "assessment.read",
            actor=actor,
            actor_role=Role.CADRE,
            request=request,
            changes={
                "own": True,
                "instrument": instrument_id or "*",
                "status": status or "*",
                "responses": [str(r.pk) for r in found],
            },
        )
    return found


def _is_uuid(value: Any) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
