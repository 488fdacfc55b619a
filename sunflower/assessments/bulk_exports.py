"""Exporting one campaign's responses: a request, a second record keeper's decision, a download.

DESIGN.md §2: a record keeper may never export in bulk without a second approver. A record
keeper asks (campaign, format, the written purpose); another record keeper whose scope covers
the campaign approves or refuses with a note; the requester downloads within 24 hours of the
approval (`access.access_campaign_export`, which counts and audits each download). Every step
is audited; the pages ask for re-authentication first.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import scope_roots, unit_in_scope
from sunflower.assessments.models import (
    Campaign,
    CampaignMode,
    CampaignStatus,
    ExportFormat,
    ExportRequest,
    ExportStatus,
)
from sunflower.audit.events import record
from sunflower.audit.models import Outcome

ROLES = (Role.RECORD_KEEPER,)
MIN_REASON = 4


class ExportError(Exception):
    """A request the rules refuse; str() is a message for the record keeper."""


def check_anonymous_size(campaign: Campaign, responses: int) -> None:
    """An anonymous campaign's rows carry no name, but a handful of them can still point at
    people: below the suppression threshold they are not exported at all."""
    minimum = int(settings.SUNFLOWER_MIN_CELL)
    if campaign.mode == CampaignMode.ANONYMOUS and 0 < responses < minimum:
        raise ExportError(_("匿名测评少于 %(k)d 份作答，为保护个人隐私不能导出。") % {"k": minimum})


def _campaigns_covered(actor: User) -> Q:
    condition = Q(pk__in=[])
    for root in scope_roots(actor, ROLES):
        condition |= Q(root_unit__path__startswith=root.path)
    return condition


def exportable_campaigns(actor: User) -> QuerySet[Campaign]:
    """Campaigns that have started, whose whole range lies in the actor's scope."""
    return (
        Campaign.objects.filter(_campaigns_covered(actor))
        .exclude(status=CampaignStatus.DRAFT)
        .select_related("root_unit")
    )


def exports_in_scope(actor: User) -> QuerySet[ExportRequest]:
    """The actor's own requests and those they may decide (campaign in scope)."""
    covered = Q(pk__in=[])
    for root in scope_roots(actor, ROLES):
        covered |= Q(campaign__root_unit__path__startswith=root.path)
    return ExportRequest.objects.filter(Q(requested_by=actor) | covered).select_related(
        "campaign", "campaign__root_unit", "requested_by", "decided_by"
    )


def get_export_in_scope(actor: User, export_id: Any) -> ExportRequest:
    found = exports_in_scope(actor).filter(pk=export_id).first()
    if found is None:
        raise Http404
    return found


def do_request_export(
    actor: User,
    *,
    campaign_id: Any,
    file_format: str,
    reason: str,
    request: HttpRequest | None = None,
) -> ExportRequest:
    campaign = exportable_campaigns(actor).filter(pk=campaign_id).first()
    if campaign is None or not actor.has_role(*ROLES):
        raise ExportError(_("所选测评活动不在您的管理范围内，或尚未开始。"))
    if file_format not in ExportFormat.values:
        raise ExportError(_("请选择导出格式。"))
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ExportError(_("请写明导出的用途（至少 %(n)d 个字）。") % {"n": MIN_REASON})
    with transaction.atomic():
        export = ExportRequest.objects.create(
            campaign=campaign,
            file_format=file_format,
            reason=reason,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        record(
            "assessment.export.request",
            actor=actor,
            actor_role=Role.RECORD_KEEPER,
            target=export,
            request=request,
            scope_unit_id=campaign.root_unit_id,
            changes={"campaign": campaign.pk, "format": file_format},
        )
    return export


def do_decide_export(
    actor: User,
    export_id: Any,
    *,
    approve: bool,
    note: str,
    request: HttpRequest | None = None,
) -> ExportRequest:
    """Approve or refuse a request: only another record keeper whose scope covers the
    campaign; a refusal says why. An attempt on one's own request is refused and audited."""
    note = note.strip()
    with transaction.atomic():
        export = get_export_in_scope(actor, export_id)
        export = (
            ExportRequest.objects.select_for_update()
            .select_related("campaign__root_unit")
            .get(pk=export.pk)
        )
        campaign = export.campaign
        if not unit_in_scope(actor, campaign.root_unit, ROLES):
            raise Http404
        if export.requested_by_id == actor.pk:
            record(
                "assessment.export.approve" if approve else "assessment.export.refuse",
                actor=actor,
                actor_role=Role.RECORD_KEEPER,
                target=export,
                request=request,
                scope_unit_id=campaign.root_unit_id,
                outcome=Outcome.DENIED,
                changes={"reason": "own_request"},
            )
            refusal = _("不能审批本人提出的导出申请，请由另一位档案管理员审批。")
        elif export.status != ExportStatus.REQUESTED:
            refusal = _("这份申请已经审批过了。")
        elif not approve and not note:
            refusal = _("不批准时请写明理由。")
        else:
            refusal = ""
            export.status = ExportStatus.APPROVED if approve else ExportStatus.REFUSED
            export.decided_by = actor
            export.decided_at = timezone.now()
            export.decision_note = note
            export.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
            record(
                "assessment.export.approve" if approve else "assessment.export.refuse",
                actor=actor,
                actor_role=Role.RECORD_KEEPER,
                target=export,
                request=request,
                scope_unit_id=campaign.root_unit_id,
                changes={"campaign": campaign.pk, "format": export.file_format},
            )
    if refusal:
        # Raised after the block: the refused attempt's audit entry is kept.
        raise ExportError(refusal)
    return export
