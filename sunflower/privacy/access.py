"""Audited reads of a person's own data (PIPL Art. 45: access and copy).

The export gathers every registered section, sensitive (T2) ones included, so it is the one
place those sections are read, and it writes one "privacy.export" audit entry naming the
sections and the format, in the same transaction as the read.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from sunflower.accounts.models import Role, User
from sunflower.audit.events import record
from sunflower.orgs.models import Person
from sunflower.privacy.export import PersonExport, collect_sections
from sunflower.privacy.models import DeletionRequest

EXPORT_FORMATS = ("json", "pdf")


def access_own_data(actor: User, fmt: str, request: HttpRequest | None = None) -> PersonExport:
    """Everything the platform holds about the actor's own roster person."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if actor.person_id is None:
        raise Http404
    with transaction.atomic():
        person = Person.objects.select_related("unit").get(pk=actor.person_id)
        export = PersonExport(person_id=person.pk, generated_at=timezone.now())
        export.sections = collect_sections(person)
        record(
            "privacy.export",
            actor=actor,
            actor_role=Role.CADRE,
            target=person,
            request=request,
            scope_unit_id=person.unit_id,
            changes={
                "format": fmt,
                "sections": [section.key for section in export.sections],
                "sensitive_sections": [s.key for s in export.sections if s.sensitive],
                "records": {s.key: len(s.records) for s in export.sections},
            },
        )
    return export


def own_deletion_requests(actor: User) -> list[DeletionRequest]:
    if actor.person_id is None:
        return []
    return list(DeletionRequest.objects.filter(person_id=actor.person_id).order_by("-requested_at"))
