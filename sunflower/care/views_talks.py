"""Talk pages (desk console): the talk officer's cadres, the talk and visit forms and pages,
the record keeper's list of talks and visits, talk assignments, and counts for admins.

Every read of a talk or visit goes through care/access_talks.py; every change through one
care/talks.py function.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.accounts.scope import people_in_scope, units_in_scope
from sunflower.care import access_talks as access
from sunflower.care import forms_talks as forms
from sunflower.care import talks
from sunflower.care.actions import CareError
from sunflower.care.models_talks import MeetingStatus

KEEPER = Role.RECORD_KEEPER
OFFICER = Role.TALK_OFFICER
READERS = (KEEPER, OFFICER)


@never_cache
@role_required(OFFICER)
def my_cadres(request: HttpRequest) -> HttpResponse:
    rows = access.access_my_cadres(current_user(request), request=request)
    return render(
        request,
        "care/talk_cadres.html",
        {"rows": rows, "overdue": sum(1 for row in rows if row.overdue)},
    )


@never_cache
@role_required(*READERS)
def person_meetings(request: HttpRequest, person_id: UUID) -> HttpResponse:
    actor = current_user(request)
    found = access.access_person_meetings(actor, person_id, request)
    return render(
        request,
        "care/talk_person.html",
        {"found": found, "assigned": access.is_assigned(actor, found.person)},
    )


# Talks --------------------------------------------------------------------------------


def _intent(request: HttpRequest) -> str:
    return forms.PLAN if request.POST.get("intent") == forms.PLAN else forms.RECORD


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(OFFICER)
def talk_create(request: HttpRequest, person_id: UUID) -> HttpResponse:
    actor = current_user(request)
    person = access.assigned_person(actor, person_id)
    intent = _intent(request)
    form = forms.TalkForm(
        request.POST or None, intent=intent, initial={"when": timezone.localtime()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if intent == forms.PLAN:
                talk = talks.do_plan_talk(actor, person.pk, data["when"], data["kind"], request)
                messages.success(request, _("谈话计划已保存。"))
            else:
                talk = talks.do_record_talk(
                    actor,
                    person.pk,
                    data["when"],
                    _talk_details(data),
                    data["next_date"],
                    request=request,
                )
                messages.success(request, _("谈话记录已保存。"))
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("care:talk-detail", talk_id=talk.pk)
    elif request.method == "POST":
        messages.error(request, _("未保存：请按提示修改后再提交"))
    return render(request, "care/talk_form.html", {"person": person, "form": form})


def _talk_details(data: dict[str, Any]) -> Any:
    return talks.talk_details(
        data["kind"], data["areas"], data["pressure"], data["needs"], data["actions"], data["notes"]
    )


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def talk_detail(request: HttpRequest, talk_id: UUID) -> HttpResponse:
    """The talk; a planned one is recorded here by the officer who planned it."""
    talk = access.access_talk(current_user(request), talk_id, request)
    return _meeting_detail(
        request,
        talk,
        form_class=forms.TalkForm,
        record=lambda actor, data: talks.do_record_talk(
            actor,
            talk.person_id,
            data["when"],
            _talk_details(data),
            data["next_date"],
            talk_id=talk.pk,
            request=request,
        ),
        saved=_("谈话记录已保存。"),
        url=("care:talk-detail", "talk_id"),
        template="care/talk_detail.html",
        name="talk",
    )


def _meeting_detail(
    request: HttpRequest,
    meeting: Any,
    *,
    form_class: Any,
    record: Any,
    saved: str,
    url: tuple[str, str],
    template: str,
    name: str,
) -> HttpResponse:
    """A talk's or visit's page: its planner records a planned one here; others only read."""
    actor = current_user(request)
    details = meeting.get_details()
    form = None
    if meeting.status == MeetingStatus.PLANNED and meeting.officer_id == actor.pk:
        form = form_class(
            request.POST or None,
            initial={"kind": details.kind, "when": timezone.localtime()},
        )
        if request.method == "POST" and form.is_valid():
            try:
                record(actor, form.cleaned_data)
            except CareError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, saved)
                return redirect(url[0], **{url[1]: meeting.pk})
    elif request.method == "POST":
        raise Http404
    return render(request, template, {name: meeting, "details": details, "form": form})


# Visits -------------------------------------------------------------------------------


def _visit_details(data: dict[str, Any]) -> Any:
    return talks.visit_details(data["kind"], data["place"], data["notes"], data["follow_up"])


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(OFFICER)
def visit_create(request: HttpRequest, person_id: UUID) -> HttpResponse:
    actor = current_user(request)
    person = access.assigned_person(actor, person_id)
    intent = _intent(request)
    form = forms.VisitForm(
        request.POST or None, intent=intent, initial={"when": timezone.localtime()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if intent == forms.PLAN:
                visit = talks.do_plan_visit(actor, person.pk, data["when"], data["kind"], request)
                messages.success(request, _("走访计划已保存。"))
            else:
                visit = talks.do_record_visit(
                    actor,
                    person.pk,
                    data["when"],
                    _visit_details(data),
                    data["next_date"],
                    request=request,
                )
                messages.success(request, _("走访记录已保存。"))
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("care:visit-detail", visit_id=visit.pk)
    elif request.method == "POST":
        messages.error(request, _("未保存：请按提示修改后再提交"))
    return render(request, "care/visit_form.html", {"person": person, "form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def visit_detail(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    """The visit; a planned one is recorded here by the officer who planned it."""
    visit = access.access_visit(current_user(request), visit_id, request)
    return _meeting_detail(
        request,
        visit,
        form_class=forms.VisitForm,
        record=lambda actor, data: talks.do_record_visit(
            actor,
            visit.person_id,
            data["when"],
            _visit_details(data),
            data["next_date"],
            visit_id=visit.pk,
            request=request,
        ),
        saved=_("走访记录已保存。"),
        url=("care:visit-detail", "visit_id"),
        template="care/visit_detail.html",
        name="visit",
    )


# The record keeper's list -------------------------------------------------------------


@never_cache
@role_required(KEEPER)
def records(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = forms.RecordFilterForm(request.GET or None, units=units_in_scope(actor, [KEEPER]))
    kind, unit = "talk", None
    if form.is_valid():
        kind = form.cleaned_data["kind"] or "talk"
        unit = form.cleaned_data["unit"]
    page = access.access_meeting_records(
        actor, kind=kind, unit=unit, page=request.GET.get("page"), request=request
    )
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "care/talk_records.html",
        {"form": form, "page": page, "kind": kind, "query_string": urlencode(query)},
    )


# Assignments --------------------------------------------------------------------------


@never_cache
@role_required(*talks.ASSIGNERS)
def assignments(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    search = forms.PersonSearchForm(request.GET or None)
    people: list[Any] = []
    if search.is_valid():
        people = list(
            people_in_scope(actor, talks.ASSIGNERS)
            .current()
            .filter(name__contains=search.cleaned_data["q"])
            .select_related("unit")[:20]
        )
    rows = talks.assignments_in_scope(actor)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "care/talk_assignments.html",
        {"search": search, "people": people, "page": page, "query_string": urlencode(query)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*talks.ASSIGNERS)
def assign(request: HttpRequest, person_id: UUID) -> HttpResponse:
    actor = current_user(request)
    person = (
        people_in_scope(actor, talks.ASSIGNERS).select_related("unit").filter(pk=person_id).first()
    )
    if person is None:
        raise Http404
    form = forms.AssignForm(request.POST or None, officers=talks.assignable_officers(person))
    if request.method == "POST" and form.is_valid():
        try:
            talks.do_assign(
                actor,
                person.pk,
                form.cleaned_data["talk_officer"],
                form.cleaned_data["since"],
                request,
            )
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("谈心谈话分工已保存。"))
            return redirect("care:talk-assignments")
    current = talks.assignments_in_scope(actor).filter(person=person)
    return render(
        request, "care/talk_assign.html", {"person": person, "form": form, "current": current}
    )


@require_POST
@role_required(*talks.ASSIGNERS)
def assignment_end(request: HttpRequest, talk_assignment_id: int) -> HttpResponse:
    try:
        talks.do_end_assignment(current_user(request), talk_assignment_id, request)
    except CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("分工已结束。"))
    return redirect("care:talk-assignments")


# Counts -------------------------------------------------------------------------------


@never_cache
@role_required(*access.COUNT_ROLES)
def counts(request: HttpRequest) -> HttpResponse:
    table = access.unit_counts(current_user(request))
    return render(request, "care/talk_counts.html", {"table": table})
