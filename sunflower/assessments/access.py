"""Reads of assessment responses (T2). Views never query Response directly.

Each function checks who may read, writes an "assessment.read" audit entry in the same
transaction as the read, and answers Http404 alike for a response that does not exist and
one the actor may not see (DESIGN.md §4 rule 2).

Who may read a response, one condition per line in `_reader_role`:
- the cadre it belongs to;
- the record keeper whose scope holds the person's unit, for submitted identified and
  confidential campaign responses (never a self-assessment, never an anonymous response);
- the record keeper whose scope holds a warning raised on the response;
- a record keeper outside scope holding a live break-glass grant for the person (care), for
  what a record keeper in scope could read, audited under the role "break_glass".

The record keeper's list (`access_responses_in_scope`) and a campaign's data export
(`access_campaign_export`, after a second record keeper's approval) follow the same rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import people_in_scope, unit_in_scope
from sunflower.assessments.bulk_exports import ExportError, check_anonymous_size
from sunflower.assessments.models import (
    Campaign,
    CampaignMode,
    ExportRequest,
    Response,
    ResponseStatus,
)
from sunflower.audit.events import record
from sunflower.care.access import (
    BREAK_GLASS,
    break_glass_covers,
    record_keeper_may_read_response,
    response_has_warning,
)
from sunflower.lib.compiled import CompiledQuery
from sunflower.orgs.models import Unit

RECORD_KEEPER_ROLES = (Role.RECORD_KEEPER,)
# Campaign modes whose responses reach the record keeper; anonymous ones never do.
RECORD_KEEPER_MODES = (CampaignMode.IDENTIFIED, CampaignMode.CONFIDENTIAL)

# Every page request reads its response this way (compiled once: lib/compiled.py).
_RESPONSE: CompiledQuery[Response] = CompiledQuery(
    lambda response_id: Response.objects.select_related("person__unit", "campaign").filter(
        pk=response_id
    )[:1],
    response_id=Response._meta.get_field("id"),
)


def _reader_role(actor: User, response: Response) -> str | None:
    """The role under which *actor* may read *response*, or None."""
    if response.person_id is not None and response.person_id == actor.person_id:
        return Role.CADRE
    if _campaign_record_in_scope(actor, response):
        return Role.RECORD_KEEPER
    if record_keeper_may_read_response(actor, response):  # it has a warning (care app)
        return Role.RECORD_KEEPER
    if _kept_for_record_keepers(response) and break_glass_covers(actor, response.person_id):
        return BREAK_GLASS  # a record keeper outside scope, under an audited grant (care)
    return None


def _kept_for_record_keepers(response: Response) -> bool:
    """What a record keeper in scope could read of the person: a submitted identified or
    confidential campaign response, or one with a warning; never a private self-assessment."""
    return (
        response.status == ResponseStatus.SUBMITTED
        and response.person_id is not None
        and (
            (response.campaign is not None and response.campaign.mode in RECORD_KEEPER_MODES)
            or response_has_warning(response)
        )
    )


def _campaign_record_in_scope(actor: User, response: Response) -> bool:
    """A submitted identified or confidential campaign response of a person in the actor's
    record-keeper scope. Self-assessments stay the cadre's; anonymous ones have no person."""
    return (
        response.status == ResponseStatus.SUBMITTED
        and response.person is not None
        and response.campaign is not None
        and response.campaign.mode in RECORD_KEEPER_MODES
        and unit_in_scope(actor, response.person.unit, RECORD_KEEPER_ROLES)
    )


def access_response(
    actor: User, response_id: Any, request: HttpRequest | None = None, *, purpose: str = ""
) -> Response:
    """One response the actor may read, its reading audited; Http404 otherwise. *purpose*
    ("pdf", "fhir") is recorded for a download.

    Inside a caller's transaction (a page POST and its action) this joins it without a
    savepoint: the audit entry commits with the caller's work."""
    with transaction.atomic(savepoint=False):
        response = _RESPONSE.first(response_id=response_id) if _is_uuid(response_id) else None
        role = None if response is None else _reader_role(actor, response)
        if response is not None and role is not None:
            _audit_read(actor, role, response, request, purpose)
    # Raised outside the block: a refusal leaves the caller's transaction usable.
    if response is None or role is None:
        raise Http404
    return response


def _audit_read(
    actor: User, role: str, response: Response, request: HttpRequest | None, purpose: str
) -> None:
    record(
        "assessment.read",
        actor=actor,
        actor_role=role,
        target=response,
        request=request,
        scope_unit_id=response.person.unit_id if response.person is not None else None,
        changes={
            "instrument": f"{response.instrument_id}@{response.instrument_version}",
            **({"purpose": purpose} if purpose else {}),
        },
    )


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


def responses_on_record(actor: User, person_id: Any) -> list[tuple[Response, str]]:
    """For the mental-health record (care.record.access_record, which audits the read): the
    person's submitted responses that *actor* may read as record keeper, in scope or under
    break-glass, newest first, each with that role. `_reader_role` decides for each one, so
    a private self-assessment never appears, even to its own cadre here."""
    rows = (
        Response.objects.filter(person_id=person_id, status=ResponseStatus.SUBMITTED)
        .select_related("person__unit", "campaign")
        .order_by("-submitted_at", "pk")
    )
    found = []
    for response in rows:
        role = _reader_role(actor, response)
        if role in (Role.RECORD_KEEPER, BREAK_GLASS):
            found.append((response, str(role)))
    return found


def _is_uuid(value: Any) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# The record keeper's lists and exports -----------------------------------------------------


@dataclass(frozen=True)
class ResponseFilters:
    """What the record keeper's result list is narrowed to; empty values do not narrow."""

    campaign_id: int | None = None
    instrument_id: str = ""
    unit: Unit | None = None
    band: str = ""
    quality: str = ""  # "any", or one quality flag
    submitted_from: date | None = None
    submitted_to: date | None = None
    name: str = ""

    def for_audit(self) -> dict[str, Any]:
        values = {
            "campaign": self.campaign_id,
            "instrument": self.instrument_id,
            "unit": self.unit.pk if self.unit is not None else None,
            "band": self.band,
            "quality": self.quality,
            "from": self.submitted_from.isoformat() if self.submitted_from else None,
            "to": self.submitted_to.isoformat() if self.submitted_to else None,
            "name": bool(self.name),  # that a name was searched, not whom
        }
        return {key: value for key, value in values.items() if value}


def _campaign_records(actor: User) -> QuerySet[Response]:
    """Submitted identified and confidential campaign responses of people in the actor's
    record-keeper scope, as `_campaign_record_in_scope` decides for one."""
    return Response.objects.filter(
        status=ResponseStatus.SUBMITTED,
        campaign__mode__in=RECORD_KEEPER_MODES,
        person__in=people_in_scope(actor, RECORD_KEEPER_ROLES),
    )


def _narrowed(rows: QuerySet[Response], filters: ResponseFilters) -> QuerySet[Response]:
    if filters.campaign_id is not None:
        rows = rows.filter(campaign_id=filters.campaign_id)
    if filters.instrument_id:
        rows = rows.filter(instrument_id=filters.instrument_id)
    if filters.unit is not None:
        rows = rows.filter(person__unit__path__startswith=filters.unit.path)
    if filters.submitted_from is not None:
        rows = rows.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to is not None:
        rows = rows.filter(submitted_at__date__lte=filters.submitted_to)
    if filters.name:
        rows = rows.filter(person__name__icontains=filters.name)  # names are T1, in clear
    return rows


def _result_matches(response: Response, filters: ResponseFilters) -> bool:
    """Band and quality are inside the encrypted result: checked after decryption."""
    data = response.result_data()
    if filters.band and (data.get("band") or {}).get("code") != filters.band:
        return False
    quality = data.get("quality") or []
    if filters.quality == "any":
        return bool(quality)
    return not filters.quality or filters.quality in quality


def access_responses_in_scope(
    actor: User,
    filters: ResponseFilters | None = None,
    *,
    page: Any = 1,
    per_page: int = 25,
    request: HttpRequest | None = None,
) -> Page[Response]:
    """One page of the campaign responses the actor may read as record keeper, newest first;
    one audit entry naming the responses on the page (the ones whose results are shown)."""
    filters = filters or ResponseFilters()
    with transaction.atomic():
        rows = (
            _narrowed(_campaign_records(actor), filters)
            .select_related("person__unit", "campaign")
            .order_by("-submitted_at", "pk")
        )
        candidates: QuerySet[Response] | list[Response] = rows
        if filters.band or filters.quality:
            candidates = [r for r in rows.iterator(chunk_size=500) if _result_matches(r, filters)]
        shown = Paginator(candidates, per_page).get_page(page)
        record(
            "assessment.read",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            request=request,
            changes={
                "list": "campaign_results",
                "filters": filters.for_audit(),
                "responses": [str(r.pk) for r in shown.object_list],
            },
        )
    return shown


@dataclass(frozen=True)
class CampaignExport:
    export: ExportRequest
    campaign: Campaign
    rows: list[Response]

    @property
    def anonymous(self) -> bool:
        return self.campaign.mode == CampaignMode.ANONYMOUS


def export_rows(actor: User, campaign: Campaign) -> QuerySet[Response]:
    """The submitted responses of *campaign* an export by *actor* holds: for an anonymous
    campaign all of them (they carry no identity), otherwise those of people in scope."""
    rows = Response.objects.filter(campaign=campaign, status=ResponseStatus.SUBMITTED)
    if campaign.mode == CampaignMode.ANONYMOUS:
        # Random keys: the order says nothing about who submitted when.
        return rows.filter(person__isnull=True).order_by("instrument_id", "pk")
    return (
        rows.filter(person__in=people_in_scope(actor, RECORD_KEEPER_ROLES))
        .select_related("person__unit")
        .order_by("person__unit__path", "person__name", "instrument_id", "submitted_at")
    )


def access_campaign_export(
    actor: User, export_id: Any, request: HttpRequest | None = None
) -> CampaignExport:
    """The rows of an approved export, for the record keeper who requested it and while it is
    valid; the download is counted and audited. Http404 for another person's export or one
    outside scope; ExportError (a message) for one not approved or expired."""
    now = timezone.now()
    with transaction.atomic():
        export = (
            ExportRequest.objects.select_for_update()
            .filter(pk=export_id, requested_by=actor)
            .first()
            if _is_uuid(export_id)
            else None
        )
        campaign = (
            Campaign.objects.select_related("root_unit").get(pk=export.campaign_id)
            if export is not None
            else None
        )
        if (
            export is None
            or campaign is None
            or not unit_in_scope(actor, campaign.root_unit, RECORD_KEEPER_ROLES)
        ):
            raise Http404
        if not export.is_downloadable(now):
            raise ExportError(_("这份导出未获批准或已超过 24 小时的下载期限，请重新申请。"))
        rows = list(export_rows(actor, campaign))
        check_anonymous_size(campaign, len(rows))
        export.downloads += 1
        export.last_downloaded_at = now
        export.save(update_fields=["downloads", "last_downloaded_at"])
        record(
            "assessment.export.download",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=export,
            request=request,
            scope_unit_id=campaign.root_unit_id,
            changes={
                "campaign": campaign.pk,
                "format": export.file_format,
                "responses": len(rows),
                "download": export.downloads,
            },
        )
    return CampaignExport(export, campaign, rows)
