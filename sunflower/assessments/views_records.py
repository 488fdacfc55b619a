"""The record keeper's results (desk console, /console/results/): campaign responses in scope,
one response in full with its PDF and FHIR copies, and a campaign's data export with a second
approver. Also the instrument list with each FHIR Questionnaire, for any staff member.

Responses are read only through access.py (each read audited); export requests change only
through bulk_exports.py.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.accounts.sudo import sudo_required
from sunflower.assessments import bulk_exports, interpret, reports
from sunflower.assessments.access import (
    access_campaign_export,
    access_response,
    access_responses_in_scope,
)
from sunflower.assessments.forms_records import (
    ExportDecisionForm,
    ExportRequestForm,
    ResultFilterForm,
)
from sunflower.assessments.models import ExportFormat, ExportStatus, Response
from sunflower.scales import UnknownInstrumentError

PAGE_SIZE = 25


def download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    """An attachment that no cache keeps; *filename* carries no name or result."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def fhir_download(resource: dict[str, Any], filename: str) -> HttpResponse:
    body = json.dumps(resource, ensure_ascii=False, indent=2).encode()
    return download(body, reports.FHIR_CONTENT_TYPE, filename)


def _row(response: Response) -> dict[str, Any]:
    try:
        view = interpret.result_view(response)
    except UnknownInstrumentError:  # an uploaded instrument removed since: show what is known
        return {"response": response, "name": response.instrument_id, "score": None}
    data = response.result_data()
    return {
        "response": response,
        "name": view.name,
        "score": view.score,
        "score_label": view.score_label,
        "band": view.band_label,
        "band_code": view.band_code,
        "critical": view.critical,
        "quality": [
            str(reports.QUALITY[code][0]) if code in reports.QUALITY else code
            for code in data.get("quality") or []
        ],
    }


@never_cache
@role_required(Role.RECORD_KEEPER)
def result_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = ResultFilterForm(request.GET or None, actor=actor)
    page: Page[Response]
    if form.is_bound and not form.is_valid():
        page = Paginator([], PAGE_SIZE).get_page(1)
    else:
        filters = form.filters() if form.is_bound else None
        page = access_responses_in_scope(
            actor, filters, page=request.GET.get("page"), per_page=PAGE_SIZE, request=request
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/records/result_list.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(r) for r in page.object_list],
            "query_string": query.urlencode(),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def _submitted(request: HttpRequest, result_id: UUID, purpose: str = "") -> Response:
    response = access_response(current_user(request), result_id, request, purpose=purpose)
    if not response.is_submitted:
        raise Http404
    return response


@never_cache
@role_required(Role.RECORD_KEEPER)
def result_detail(request: HttpRequest, result_id: UUID) -> HttpResponse:
    response = _submitted(request, result_id)
    return render(
        request,
        "assessments/records/result_detail.html",
        {
            "detail": reports.detail(response),
            "response": response,
            "duration": reports.duration_text(response),
            "quality_note": reports.QUALITY_NOTE,
        },
    )


@never_cache
@role_required(Role.RECORD_KEEPER)
def result_pdf(request: HttpRequest, result_id: UUID) -> HttpResponse:
    response = _submitted(request, result_id, "pdf")
    own = response.person_id is not None and response.person_id == current_user(request).person_id
    body = reports.response_pdf(response, own_copy=own)
    return download(body, "application/pdf", reports.report_filename(response, "pdf"))


@never_cache
@role_required(Role.RECORD_KEEPER)
def result_fhir(request: HttpRequest, result_id: UUID) -> HttpResponse:
    response = _submitted(request, result_id, "fhir")
    filename = reports.report_filename(response, "json", stem="questionnaire-response")
    return fhir_download(reports.response_fhir(response), filename)


# Exports -----------------------------------------------------------------------------------


@never_cache
@role_required(Role.RECORD_KEEPER)
def export_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    rows = bulk_exports.exports_in_scope(actor)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = rows.filter(status=ExportStatus.REQUESTED).exclude(requested_by=actor).count()
    return render(
        request,
        "assessments/records/export_list.html",
        {"page": page, "waiting": waiting, "now": timezone.now(), "actor": actor},
    )


@never_cache
@role_required(Role.RECORD_KEEPER)
@sudo_required
@require_http_methods(["GET", "POST"])
def export_create(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = ExportRequestForm(
        request.POST or None, campaigns=bulk_exports.exportable_campaigns(actor)
    )
    if request.method == "POST" and form.is_valid():
        try:
            export = bulk_exports.do_request_export(
                actor,
                campaign_id=form.cleaned_data["campaign"].pk,
                file_format=form.cleaned_data["file_format"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except bulk_exports.ExportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已提交导出申请，请等待另一位档案管理员审批。"))
            return redirect("results:export-detail", export_id=export.pk)
    return render(request, "assessments/records/export_form.html", {"form": form})


def _export_page(
    request: HttpRequest, export_id: UUID, form: ExportDecisionForm | None = None
) -> HttpResponse:
    actor = current_user(request)
    export = bulk_exports.get_export_in_scope(actor, export_id)
    now = timezone.now()
    return render(
        request,
        "assessments/records/export_detail.html",
        {
            "export": export,
            "form": form or ExportDecisionForm(),
            "own": export.requested_by_id == actor.pk,
            "can_decide": export.status == ExportStatus.REQUESTED
            and export.requested_by_id != actor.pk,
            "can_download": export.requested_by_id == actor.pk and export.is_downloadable(now),
            "expired": export.status == ExportStatus.APPROVED and not export.is_downloadable(now),
        },
    )


@never_cache
@role_required(Role.RECORD_KEEPER)
def export_detail(request: HttpRequest, export_id: UUID) -> HttpResponse:
    return _export_page(request, export_id)


@require_POST
@role_required(Role.RECORD_KEEPER)
@sudo_required
def export_decide(request: HttpRequest, export_id: UUID) -> HttpResponse:
    actor = current_user(request)
    bulk_exports.get_export_in_scope(actor, export_id)  # 404 before reading the form
    form = ExportDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未处理：请按提示修改后再提交"))
        return _export_page(request, export_id, form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        bulk_exports.do_decide_export(
            actor, export_id, approve=approve, note=form.cleaned_data["note"], request=request
        )
    except bulk_exports.ExportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已批准。申请人可在 24 小时内下载。") if approve else _("已记录不批准的决定和理由。"),
        )
    return redirect("results:export-detail", export_id=export_id)


@never_cache
@role_required(Role.RECORD_KEEPER)
@sudo_required
def export_download(request: HttpRequest, export_id: UUID) -> HttpResponse:
    try:
        export = access_campaign_export(current_user(request), export_id, request)
    except bulk_exports.ExportError as exc:
        messages.error(request, str(exc))
        return redirect("results:export-detail", export_id=export_id)
    header, rows = reports.export_table(export)
    stamp = timezone.localtime().strftime("%Y%m%d")
    if export.export.file_format == ExportFormat.CSV:
        return download(
            reports.write_csv(header, rows),
            "text/csv; charset=utf-8",
            f"responses-{stamp}.csv",
        )
    return download(
        reports.write_xlsx(header, rows), reports.XLSX_CONTENT_TYPE, f"responses-{stamp}.xlsx"
    )
