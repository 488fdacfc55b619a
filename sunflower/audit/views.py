"""The audit administrator's pages: search and filter the trail, export it, verify the chain.

Exports re-ask for the password (sudo mode) and are themselves audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import scope_roots, units_in_scope
from sunflower.accounts.sudo import sudo_required
from sunflower.audit import chain
from sunflower.audit.events import record
from sunflower.audit.forms import AuditFilterForm
from sunflower.audit.models import AuditEvent, AuditSeal

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000
COLUMNS: tuple[str, ...] = (
    "序号",
    "时间",
    "操作人",
    "角色",
    "操作",
    "对象类型",
    "对象编号",
    "范围单位",
    "来源地址",
    "结果",
    "变更摘要",
)


def events_in_scope(user: User) -> QuerySet[AuditEvent]:
    """Every event for a city-level audit admin; a district's admin sees its subtree's events."""
    events = AuditEvent.objects.select_related("actor", "seal")
    if any(root.level == 1 for root in scope_roots(user, [Role.AUDIT_ADMIN])):
        return events
    unit_ids = units_in_scope(user, [Role.AUDIT_ADMIN]).values("pk")
    return events.filter(scope_unit_id__in=unit_ids)


def filtered_events(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    events = events_in_scope(current_user(request)).order_by("-id")
    if not form.is_bound:
        return form, events
    if not form.is_valid():
        return form, events.none()
    data = form.cleaned_data
    zone = timezone.get_current_timezone()
    if data["start"]:
        events = events.filter(occurred_at__gte=dt.datetime.combine(data["start"], dt.time(), zone))
    if data["end"]:
        end = dt.datetime.combine(data["end"] + dt.timedelta(days=1), dt.time(), zone)
        events = events.filter(occurred_at__lt=end)
    if data["actor"]:
        events = events.filter(actor__username=data["actor"].strip())
    if data["action"]:
        events = events.filter(action__startswith=data["action"].strip())
    if data["object_id"]:
        events = events.filter(object_id=data["object_id"].strip())
    if data["outcome"]:
        events = events.filter(outcome=data["outcome"])
    return form, events


@role_required(Role.AUDIT_ADMIN)
def event_list(request: HttpRequest) -> HttpResponse:
    form, events = filtered_events(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    head = AuditSeal.objects.order_by("-seq").first()
    pending = AuditEvent.objects.filter(seal__isnull=True).count()
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "head": head,
            "pending": pending,
        },
    )


def _rows(events: QuerySet[AuditEvent]) -> Iterator[list[object]]:
    for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
        seal = getattr(event, "seal", None)
        yield [
            seal.seq if seal else "",
            timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor.username if event.actor else "",
            event.actor_role,
            event.action,
            event.object_type,
            event.object_id,
            event.scope_unit_id or "",
            event.source_ip or "",
            event.get_outcome_display(),
            ", ".join(f"{k}={v}" for k, v in sorted(event.changes.items())),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@role_required(Role.AUDIT_ADMIN)
@sudo_required
def export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    _form, events = filtered_events(request)
    count = min(events.count(), EXPORT_LIMIT)
    record(
        "audit.export",
        actor=current_user(request),
        actor_role=Role.AUDIT_ADMIN,
        request=request,
        changes={"format": fmt, "rows": count, "filter": sorted(k for k in request.GET if k)},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        writer = csv.writer(_Echo())
        rows: Iterator[list[object]] = itertools.chain([list(COLUMNS)], _rows(events))
        lines = itertools.chain(["\ufeff"], (writer.writerow(row) for row in rows))
        stream = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        stream["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return stream
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    sheet.append(list(COLUMNS))
    for row in _rows(events):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response


@require_POST
@role_required(Role.AUDIT_ADMIN)
def verify(request: HttpRequest) -> HttpResponse:
    chain.seal_all()
    verdict = chain.verify()
    record(
        "audit.verify",
        actor=current_user(request),
        actor_role=Role.AUDIT_ADMIN,
        request=request,
        outcome="ok" if verdict.ok else "failed",
        changes={"checked": verdict.checked, "broken_at": verdict.seq},
    )
    if verdict.ok:
        messages.success(
            request, _("审计链完整：已校验 %(count)d 条记录。") % {"count": verdict.checked}
        )
    else:
        messages.error(
            request,
            _("审计链校验失败：第 %(seq)s 条记录（事件编号 %(event)s）%(problem)s。")
            % {"seq": verdict.seq, "event": verdict.event_id or "—", "problem": verdict.problem},
        )
    return redirect("audit:event-list")
