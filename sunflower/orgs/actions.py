"""Roster changes. Each writes its audit entry in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from sunflower.accounts.models import User
from sunflower.audit.events import changed_fields, record
from sunflower.orgs.models import EmploymentStatus, Person, Unit

EDITABLE_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "unit",
    "post",
    "rank",
    "status",
    "tag_codes",
)


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in EDITABLE_FIELDS}


@transaction.atomic
def do_create_person(
    actor: User, fields: dict[str, Any], request: HttpRequest | None = None
) -> Person:
    person = Person(created_by=actor, **fields)
    person.save()
    record(
        "roster.create",
        actor=actor,
        target=person,
        request=request,
        scope_unit_id=person.unit_id,
        changes={"fields": sorted(fields)},
    )
    return person


@transaction.atomic
def do_update_person(
    actor: User, person: Person, fields: dict[str, Any], request: HttpRequest | None = None
) -> Person:
    before = _snapshot(person)
    for name, value in fields.items():
        setattr(person, name, value)
    diff = changed_fields(before, _snapshot(person))
    if diff["fields"]:
        person.save()
        record(
            "roster.update",
            actor=actor,
            target=person,
            request=request,
            scope_unit_id=person.unit_id,
            changes=diff,
        )
    return person


@transaction.atomic
def do_transfer_person(
    actor: User, person: Person, to_unit: Unit, request: HttpRequest | None = None
) -> Person:
    from_unit_id = person.unit_id
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.unit = to_unit
    person.save(update_fields=["unit", "updated_at"])
    record(
        "roster.transfer",
        actor=actor,
        target=person,
        request=request,
        scope_unit_id=to_unit.pk,
        changes={"from_unit": from_unit_id, "to_unit": to_unit.pk},
    )
    return person


@transaction.atomic
def do_mark_left(
    actor: User,
    person: Person,
    *,
    status: str,
    left_on: dt.date,
    reason: str,
    request: HttpRequest | None = None,
) -> Person:
    if status not in (EmploymentStatus.LEFT, EmploymentStatus.RETIRED):
        raise ValueError(f"not a leaving status: {status}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.status = status
    person.left_on = left_on
    person.left_reason = reason
    person.save(update_fields=["status", "left_on", "left_reason", "updated_at"])
    record(
        "roster.leave",
        actor=actor,
        target=person,
        request=request,
        scope_unit_id=person.unit_id,
        changes={"status": status},
    )
    return person


@transaction.atomic
def do_reinstate(actor: User, person: Person, request: HttpRequest | None = None) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.status = EmploymentStatus.ACTIVE
    person.left_on = None
    person.left_reason = ""
    person.save(update_fields=["status", "left_on", "left_reason", "updated_at"])
    record(
        "roster.reinstate",
        actor=actor,
        target=person,
        request=request,
        scope_unit_id=person.unit_id,
    )
    return person
