"""Pages for consent and the person's rights.

Cadre portal (phone): the overview, the notice with the consent box, withdrawal, downloads
of one's own data (after re-entering the password), the deletion request.
Staff console (desk): the record keeper's list of deletion requests in scope and the decision,
which needs re-authentication and the applicant's name typed in.
"""

from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.accounts.scope import people_in_scope
from sunflower.accounts.sudo import sudo_required
from sunflower.privacy import actions
from sunflower.privacy.access import access_own_data, own_deletion_requests
from sunflower.privacy.consent import active_consent, current_notice, has_consent
from sunflower.privacy.export import registered_sections
from sunflower.privacy.forms import ConsentForm, DecisionForm, DeletionRequestForm
from sunflower.privacy.models import DeletionRequest, DeletionStatus
from sunflower.privacy.pdf import render_export_pdf

PAGE_SIZE = 30


def _portal(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    return render(request, template, {"tab": "me", **context})


@role_required(Role.CADRE)
def overview(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    person = actor.person
    consent = active_consent(person)
    notice = current_notice()
    return _portal(
        request,
        "privacy/overview.html",
        {
            "consent": consent,
            "notice": notice,
            "consented": has_consent(person),
            "outdated": consent is not None
            and notice is not None
            and consent.notice_id != notice.pk,
            "erased": person is not None and actions.is_erased(person),
            "requests": own_deletion_requests(actor),
        },
    )


@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    notice = current_notice()
    if notice is None:
        raise Http404
    form = ConsentForm(request.POST or None, initial={"version": notice.version})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] != notice.version:
            messages.error(request, _("告知书已更新，请重新阅读最新版本后再作出同意"))
            return redirect("privacy:consent")
        try:
            actions.do_give_consent(actor, notice, request)
        except actions.PrivacyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已记录您的同意。您可以随时在本页撤回。"))
            return redirect("privacy:overview")
    return _portal(
        request,
        "privacy/consent.html",
        {"notice": notice, "form": form, "consented": has_consent(actor.person)},
    )


@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    consent = active_consent(actor.person)
    if request.method == "POST":
        try:
            actions.do_withdraw_consent(actor, request)
        except actions.PrivacyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已撤回同意。平台已停止对您的心理健康信息进行新的处理。"))
        return redirect("privacy:overview")
    if consent is None:
        messages.info(request, _("您目前没有有效的同意，无需撤回"))
        return redirect("privacy:overview")
    return _portal(request, "privacy/withdraw.html", {"consent": consent})


@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def request_deletion(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_request_deletion(actor, form.cleaned_data["reason"], request)
        except actions.PrivacyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已提交删除申请，档案管理员审核后会在本页显示结果。"))
        return redirect("privacy:overview")
    sensitive = [str(s.title) for s in registered_sections() if s.sensitive]
    return _portal(request, "privacy/request_deletion.html", {"form": form, "sensitive": sensitive})


def _download(body: bytes, content_type: str, extension: str) -> HttpResponse:
    # No name or id in the file name: it lands in download folders and browser histories.
    filename = f"sunflower-my-data-{timezone.localdate():%Y%m%d}.{extension}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@role_required(Role.CADRE)
@sudo_required
def export_json(request: HttpRequest) -> HttpResponse:
    export = access_own_data(current_user(request), "json", request)
    body = json.dumps(export.as_json(), ensure_ascii=False, indent=2).encode()
    return _download(body, "application/json; charset=utf-8", "json")


@never_cache
@role_required(Role.CADRE)
@sudo_required
def export_pdf(request: HttpRequest) -> HttpResponse:
    export = access_own_data(current_user(request), "pdf", request)
    return _download(render_export_pdf(export), "application/pdf", "pdf")


# Record keeper ----------------------------------------------------------------------------


def _get_request_in_scope(request: HttpRequest, request_id: UUID) -> DeletionRequest:
    """The request if its person is in the record keeper's scope; otherwise 404, as if missing."""
    actor = current_user(request)
    found = (
        DeletionRequest.objects.filter(
            pk=request_id, person__in=people_in_scope(actor, [Role.RECORD_KEEPER])
        )
        .select_related("person", "person__unit", "decided_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


@role_required(Role.RECORD_KEEPER)
def deletion_requests(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    pending_first = Case(
        When(status=DeletionStatus.REQUESTED, then=Value(0)),
        When(status=DeletionStatus.APPROVED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = (
        DeletionRequest.objects.filter(person__in=people_in_scope(actor, [Role.RECORD_KEEPER]))
        .select_related("person", "person__unit", "decided_by")
        .order_by(pending_first, "-requested_at")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = rows.filter(status=DeletionStatus.REQUESTED).count()
    return render(request, "privacy/deletion_requests.html", {"page": page, "pending": pending})


@role_required(Role.RECORD_KEEPER)
def deletion_detail(request: HttpRequest, request_id: UUID) -> HttpResponse:
    deletion = _get_request_in_scope(request, request_id)
    form = DecisionForm(person_name=deletion.person.name)
    return _detail(request, deletion, form)


def _detail(request: HttpRequest, deletion: DeletionRequest, form: DecisionForm) -> HttpResponse:
    actor = current_user(request)
    sensitive = [str(s.title) for s in registered_sections() if s.sensitive]
    return render(
        request,
        "privacy/deletion_detail.html",
        {
            "deletion": deletion,
            "form": form,
            "sensitive": sensitive,
            "own": actor.person_id is not None and actor.person_id == deletion.person_id,
        },
    )


@require_POST
@role_required(Role.RECORD_KEEPER)
@sudo_required
def deletion_decide(request: HttpRequest, request_id: UUID) -> HttpResponse:
    deletion = _get_request_in_scope(request, request_id)
    form = DecisionForm(request.POST, person_name=deletion.person.name)
    if not form.is_valid():
        messages.error(request, _("未处理：请按提示修改后再提交"))
        return _detail(request, deletion, form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        actions.do_decide_deletion(
            current_user(request),
            deletion,
            approve=approve,
            note=form.cleaned_data["note"],
            request=request,
        )
    except actions.PrivacyError as exc:
        messages.error(request, str(exc))
    else:
        if approve:
            messages.success(request, _("已同意并完成删除：该干部的心理健康信息已永久不可读取。"))
        else:
            messages.success(request, _("已记录不同意的决定和理由。"))
    return redirect("privacy:deletion-detail", request_id=deletion.pk)
