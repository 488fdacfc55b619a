"""Roster import and export pages.

An upload is checked at once (a dry run) and staged, encrypted; its review page shows the
report, and a confirmation applies it after checking it again. Only the uploader sees it.
"""

from __future__ import annotations

import io
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import ROSTER_ROLES, User
from sunflower.accounts.scope import units_in_scope
from sunflower.orgs import exporter, importer
from sunflower.orgs.forms import ImportUploadForm
from sunflower.orgs.models import RosterImport
from sunflower.orgs.views import filtered_people

REPORT_PAGE_SIZE = 100


def _scope(user: User) -> importer.ImportScope:
    return importer.ImportScope.of(units_in_scope(user, ROSTER_ROLES))


@role_required(*ROSTER_ROLES)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            staged = importer.do_stage_import(user, upload.name, form.content(), _scope(user))
            return redirect("orgs:import-review", import_id=staged.pk)
    else:
        form = ImportUploadForm()
    context = {
        "form": form,
        "recent": importer.recent_imports(user),
        "max_bytes": settings.SUNFLOWER_MAX_IMPORT_BYTES,
    }
    return render(request, "orgs/import_upload.html", context)


@role_required(*ROSTER_ROLES)
def import_template(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    exporter.write_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=exporter.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("花名册导入模板") + ".xlsx"
    )
    return response


@role_required(*ROSTER_ROLES)
@require_http_methods(["GET", "POST"])
def import_review(request: HttpRequest, import_id: UUID) -> HttpResponse:
    user = current_user(request)
    staged = importer.get_staged_import(user, import_id)
    if request.method == "POST":
        return _confirm(request, user, staged)
    report = importer.ImportReport.from_summary(staged.summary)
    listed: list[Any] = report.errors if not report.ok else report.changes
    page = Paginator(listed, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "staged": staged,
        "report": report,
        "page": page,
        "pending": importer.is_pending(user, staged),
    }
    return render(request, "orgs/import_review.html", context)


def _confirm(request: HttpRequest, user: User, staged: RosterImport) -> HttpResponse:
    if request.POST.get("discard"):
        importer.do_discard_import(user, staged)
        messages.info(request, _("已放弃该文件，上传的内容已清除。"))
        return redirect("orgs:import")
    if not request.POST.get("confirm"):
        return redirect("orgs:import-review", import_id=staged.pk)
    report = importer.do_apply_import(user, staged, _scope(user), request=request)
    if report is None:
        messages.error(request, _("该文件已经导入、已放弃或已过期，请重新上传。"))
    elif report.applied:
        messages.success(
            request,
            _("导入完成：新增 %(created)d 人，更新 %(updated)d 人，无变化 %(unchanged)d 人。")
            % report.counts(),
        )
    else:
        messages.error(
            request, _("确认导入时重新校验发现问题（花名册可能已有变化），未导入任何数据。")
        )
    return redirect("orgs:import-review", import_id=staged.pk)


@role_required(*ROSTER_ROLES)
def export_roster(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    _form, people = filtered_people(request)
    buffer = io.BytesIO()
    exporter.do_export_roster(user, people, buffer, request=request, channel="web")
    response = HttpResponse(buffer.getvalue(), content_type=exporter.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_("花名册") + f"_{timezone.localdate():%Y%m%d}.xlsx"
    )
    return response
