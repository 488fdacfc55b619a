"""Care pages. Desk console: the record keeper's warning queue and review, cases with their
timeline, the duty roster and explanation requests; a counsellor's or talk officer's page to
raise a warning. Phone portal: the cadre's explanation request (PIPL Art. 24).

Every read of a warning, case or explanation goes through care/access.py; every change
through one care/actions.py function.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.accounts.scope import people_in_scope, units_in_scope
from sunflower.assessments import interpret
from sunflower.assessments.access import access_response
from sunflower.care import access, actions, forms
from sunflower.care.actions import CareError
from sunflower.care.models import CaseStatus, DutyShift
from sunflower.care.workflow import allowed_targets

KEEPER = Role.RECORD_KEEPER
CASE_ROLES = (Role.RECORD_KEEPER, Role.COUNSELLOR)


# Warnings -----------------------------------------------------------------------------


@never_cache
@role_required(KEEPER)
def warning_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    units = units_in_scope(actor, [KEEPER])
    form = forms.WarningFilterForm(request.GET or None, units=units)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "status": form.cleaned_data["status"],
            "tier": form.cleaned_data["tier"],
            "unit": form.cleaned_data["unit"],
        }
    page = access.access_warning_queue(
        actor, page=request.GET.get("page"), request=request, **filters
    )
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "care/warning_list.html",
        {
            "form": form,
            "page": page,
            "query_string": urlencode(query),
            "proposed": access.proposed_count(actor),
        },
    )


def _warning_page(request: HttpRequest, warning: Any, form: forms.ReviewForm) -> HttpResponse:
    actor = current_user(request)
    result = None
    if warning.response_id is not None:
        try:
            result = interpret.result_view(access_response(actor, warning.response_id, request))
        except Http404:
            result = None
    return render(
        request,
        "care/warning_detail.html",
        {
            "warning": warning,
            "form": form,
            "result": result,
            "case": access.open_case_of(actor, warning),
        },
    )


@never_cache
@role_required(KEEPER)
def warning_detail(request: HttpRequest, warning_id: UUID) -> HttpResponse:
    warning = access.access_warning(current_user(request), warning_id, request)
    return _warning_page(request, warning, forms.ReviewForm())


@require_POST
@role_required(KEEPER)
def warning_review(request: HttpRequest, warning_id: UUID) -> HttpResponse:
    actor = current_user(request)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        warning = access.access_warning(actor, warning_id, request)
        messages.error(request, _("未处理：请按提示修改后再提交"))
        return _warning_page(request, warning, form)
    try:
        _warning, case = actions.do_review_warning(
            actor,
            warning_id,
            form.cleaned_data["decision"],
            tier=form.cleaned_data["tier"],
            note=form.cleaned_data["note"],
            open_case=form.cleaned_data["open_case"],
            request=request,
        )
    except CareError as exc:
        warning = access.access_warning(actor, warning_id, request)
        messages.error(request, str(exc))
        return _warning_page(request, warning, form)
    if case is not None:
        messages.success(request, _("已确认预警，并已建立（或并入）危机个案。"))
        return redirect("care:case-detail", case_id=case.pk)
    messages.success(request, _("审核结论已保存。"))
    return redirect("care:warning-detail", warning_id=warning_id)


@never_cache
@role_required(Role.COUNSELLOR, Role.TALK_OFFICER)
def warning_raise(request: HttpRequest) -> HttpResponse:
    """Find a person in the actor's scope by name; then raise a warning for them."""
    actor = current_user(request)
    search = forms.PersonSearchForm(request.GET or None)
    people: list[Any] = []
    if search.is_valid():
        people = list(
            people_in_scope(actor, actions.RAISERS)
            .current()
            .filter(name__contains=search.cleaned_data["q"])
            .select_related("unit")[:20]
        )
    return render(request, "care/warning_raise.html", {"search": search, "people": people})


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.COUNSELLOR, Role.TALK_OFFICER)
def warning_raise_for(request: HttpRequest, person_id: UUID) -> HttpResponse:
    actor = current_user(request)
    person = people_in_scope(actor, actions.RAISERS).filter(pk=person_id).first()
    if person is None:
        raise Http404
    form = forms.RaiseWarningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_raise_warning(
                actor, person.pk, form.cleaned_data["tier"], form.cleaned_data["reason"], request
            )
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("预警已提交，档案管理员将尽快审核。"))
            return redirect("care:warning-raise")
    return render(request, "care/warning_raise_form.html", {"person": person, "form": form})


# Cases --------------------------------------------------------------------------------


@never_cache
@role_required(*CASE_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    assignee = request.GET.get("assignee", "")
    show_closed = request.GET.get("closed") == "1"
    sort = request.GET.get("sort", "")
    page = access.access_case_list(
        actor,
        assignee=assignee,
        show_closed=show_closed,
        sort=sort,
        page=request.GET.get("page"),
        request=request,
    )
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    colleagues = access.duty_colleagues(actor) if actor.has_role(KEEPER) else []
    return render(
        request,
        "care/case_list.html",
        {
            "page": page,
            "query_string": urlencode(query),
            "assignee": assignee,
            "show_closed": show_closed,
            "sort": sort,
            "colleagues": colleagues,
            "now": timezone.now(),
        },
    )


def _case_page(
    request: HttpRequest,
    case_id: UUID,
    *,
    transition: forms.TransitionForm | None = None,
    action: forms.ActionForm | None = None,
) -> HttpResponse:
    actor = current_user(request)
    detail = access.access_case_detail(actor, case_id, request)
    case = detail.case
    targets = allowed_targets(case.status)
    keeper = access.keeper_holds(actor, case.unit)
    return render(
        request,
        "care/case_detail.html",
        {
            "detail": detail,
            "case": case,
            "statuses": list(CaseStatus),
            "targets": targets,
            "transition_form": transition or forms.TransitionForm(targets=targets),
            "action_form": action or forms.ActionForm(initial={"at": timezone.localtime()}),
            "plan_form": forms.SafetyPlanForm(initial={"safety_plan": case.safety_plan}),
            "assign_form": (
                forms.AssignForm(
                    users=actions.assignable_users(case),
                    initial={"assignee": str(case.assignee_id or "")},
                )
                if keeper
                else None
            ),
            "due": case.contact_due_at(),
            "now": timezone.now(),
            "keeper": keeper,
        },
    )


@never_cache
@role_required(*CASE_ROLES)
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    return _case_page(request, case_id)


@require_POST
@role_required(*CASE_ROLES)
def case_transition(request: HttpRequest, case_id: UUID) -> HttpResponse:
    actor = current_user(request)
    target = request.POST.get("target", "")
    # Every status is a valid choice here: the action refuses a move the table does not allow
    # with its own message, rather than a form error that hides which move was asked for.
    form = forms.TransitionForm(request.POST, targets=list(CaseStatus.values))
    if not form.is_valid():
        messages.error(request, _("不能转为该状态：请从列出的状态中选择"))
        return _case_page(request, case_id)
    try:
        actions.do_transition(
            actor,
            case_id,
            target,
            note=form.cleaned_data["note"],
            closing_reason=form.cleaned_data["closing_reason"],
            referral_destination=form.cleaned_data["referral_destination"],
            request=request,
        )
    except CareError as exc:
        messages.error(request, str(exc))
        return _case_page(request, case_id)
    messages.success(request, _("个案状态已更新为“%(s)s”。") % {"s": CaseStatus(target).label})
    return redirect("care:case-detail", case_id=case_id)


@require_POST
@role_required(*CASE_ROLES)
def case_action(request: HttpRequest, case_id: UUID) -> HttpResponse:
    actor = current_user(request)
    form = forms.ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未保存：请按提示修改后再提交"))
        return _case_page(request, case_id, action=form)
    try:
        actions.do_add_action(
            actor,
            case_id,
            form.cleaned_data["kind"],
            form.cleaned_data["at"],
            form.cleaned_data["note"],
            request,
        )
    except CareError as exc:
        messages.error(request, str(exc))
        return _case_page(request, case_id, action=form)
    messages.success(request, _("处置记录已保存。"))
    return redirect("care:case-detail", case_id=case_id)


@require_POST
@role_required(*CASE_ROLES)
def case_safety_plan(request: HttpRequest, case_id: UUID) -> HttpResponse:
    form = forms.SafetyPlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未保存：安全计划过长"))
        return redirect("care:case-detail", case_id=case_id)
    try:
        actions.do_update_safety_plan(
            current_user(request), case_id, form.cleaned_data["safety_plan"], request
        )
    except CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("安全计划已保存。"))
    return redirect("care:case-detail", case_id=case_id)


@require_POST
@role_required(KEEPER)
def case_assign(request: HttpRequest, case_id: UUID) -> HttpResponse:
    try:
        actions.do_assign(current_user(request), case_id, request.POST.get("assignee"), request)
    except CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("负责人已更新。"))
    return redirect("care:case-detail", case_id=case_id)


# Duty roster --------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(KEEPER)
def duty(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    colleagues = access.duty_colleagues(actor)
    form = forms.ShiftForm(request.POST or None, users=colleagues)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_shift(
                actor,
                form.cleaned_data["user"],
                form.cleaned_data["starts_at"],
                form.cleaned_data["ends_at"],
                request,
            )
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("值班安排已添加。"))
            return redirect("care:duty")
    now = timezone.now()
    shifts = (
        DutyShift.objects.filter(user__in=[u.pk for u in colleagues], ends_at__gt=now)
        .select_related("user")
        .order_by("starts_at")[:100]
    )
    return render(request, "care/duty.html", {"form": form, "shifts": shifts, "now": now})


@require_POST
@role_required(KEEPER)
def duty_remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    try:
        actions.do_remove_shift(current_user(request), shift_id, request)
    except CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("值班安排已删除。"))
    return redirect("care:duty")


# Explanation requests -----------------------------------------------------------------


@never_cache
@role_required(KEEPER)
def explanation_list(request: HttpRequest) -> HttpResponse:
    page = access.access_explanation_queue(
        current_user(request), page=request.GET.get("page"), request=request
    )
    return render(request, "care/explanation_list.html", {"page": page})


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(KEEPER)
def explanation_detail(request: HttpRequest, explanation_id: UUID) -> HttpResponse:
    actor = current_user(request)
    form = forms.ExplanationAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_answer_explanation(
                actor, explanation_id, form.cleaned_data["answer"], request
            )
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("答复已发送给干部本人。"))
            return redirect("care:explanation-list")
    found = access.access_explanation(actor, explanation_id, request)
    return render(request, "care/explanation_detail.html", {"item": found, "form": form})


# Cadre portal -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.CADRE)
def explain_request(request: HttpRequest, response_id: UUID) -> HttpResponse:
    actor = current_user(request)
    response = access_response(actor, response_id, request)
    if response.person_id != actor.person_id:
        raise Http404
    if not response.is_submitted:
        return redirect("assessments:result", response_id=response.pk)
    form = forms.ExplanationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_request_explanation(actor, response, form.cleaned_data["question"], request)
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已提交，档案管理员答复后会通知您。"))
            return redirect("care-portal:explanations")
    return render(
        request,
        "care/portal_explain.html",
        {"form": form, "result": interpret.result_view(response), "tab": "assessments"},
    )


@never_cache
@role_required(Role.CADRE)
def explanations(request: HttpRequest) -> HttpResponse:
    found = access.access_own_explanations(current_user(request), request)
    return render(request, "care/portal_explanations.html", {"items": found, "tab": "me"})
