"""Roster pages for liaisons and programme admins, each limited to the user's own subtree."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import ROSTER_ROLES
from sunflower.accounts.scope import get_person_in_scope, people_in_scope, units_in_scope
from sunflower.keystore import keyring
from sunflower.lib.validators import IdentityError, normalise_mobile, parse_citizen_id
from sunflower.orgs import actions
from sunflower.orgs.forms import LeaveForm, PersonForm, RosterFilterForm, TransferForm
from sunflower.orgs.models import EmploymentStatus, PersonQuerySet

PAGE_SIZE = 50


def filtered_people(request: HttpRequest) -> tuple[RosterFilterForm, PersonQuerySet]:
    """The roster in the user's scope, narrowed by the filter form in the query string."""
    user = current_user(request)
    units = units_in_scope(user, ROSTER_ROLES)
    form = RosterFilterForm(request.GET or None, units=units)
    people = people_in_scope(user, ROSTER_ROLES).select_related("unit")
    if not form.is_bound:
        return form, people.current()
    if not form.is_valid():
        return form, people.none()
    data = form.cleaned_data
    status = data.get("status")
    if status == "all":
        pass
    elif status:
        people = people.filter(status=status)
    else:
        people = people.current()
    if data.get("unit"):
        people = people.filter(unit__path__startswith=data["unit"].path)
    if data.get("rank"):
        people = people.filter(rank=data["rank"])
    if data.get("tag"):
        people = people.with_tag(data["tag"])
    query = (data.get("q") or "").strip()
    if query:
        people = people.filter(_search_condition(query))
    return form, people


def _search_condition(query: str) -> Q:
    """Names match by substring; ID numbers and mobiles only exactly, by their blind index."""
    condition = Q(name__icontains=query)
    try:
        number = parse_citizen_id(query).number
        condition |= Q(id_number_index=keyring.blind_index("id_number", number))
    except IdentityError:
        pass
    try:
        mobile = normalise_mobile(query)
        condition |= Q(mobile_index=keyring.blind_index("mobile", mobile))
    except IdentityError:
        pass
    return condition


@role_required(*ROSTER_ROLES)
def person_list(request: HttpRequest) -> HttpResponse:
    form, people = filtered_people(request)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "query_string": query.urlencode(),
        "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    template = (
        "orgs/_person_rows.html" if request.headers.get("HX-Request") else "orgs/person_list.html"
    )
    return render(request, template, context)


@role_required(*ROSTER_ROLES)
def person_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    units = units_in_scope(user, ROSTER_ROLES)
    form = PersonForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["tag_codes"] = data.pop("tags")
        person = actions.do_create_person(user, data, request=request)
        messages.success(request, _("已添加干部 %(name)s") % {"name": person.name})
        return redirect("orgs:person-list")
    return render(request, "orgs/person_form.html", {"form": form, "creating": True})


@role_required(*ROSTER_ROLES)
def person_edit(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = current_user(request)
    person = get_person_in_scope(user, person_id, ROSTER_ROLES)
    units = units_in_scope(user, ROSTER_ROLES)
    form = PersonForm(request.POST or None, units=units, instance=person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["tag_codes"] = data.pop("tags")
        actions.do_update_person(user, person, data, request=request)
        messages.success(request, _("已保存 %(name)s 的信息") % {"name": person.name})
        return redirect("orgs:person-list")
    return render(request, "orgs/person_form.html", {"form": form, "person": person})


@role_required(*ROSTER_ROLES)
def person_transfer(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = current_user(request)
    person = get_person_in_scope(user, person_id, ROSTER_ROLES)
    units = units_in_scope(user, ROSTER_ROLES)
    form = TransferForm(request.POST or None, units=units, current=person.unit)
    if request.method == "POST" and form.is_valid():
        to_unit = form.cleaned_data["unit"]
        actions.do_transfer_person(user, person, to_unit, request=request)
        messages.success(
            request,
            _("%(name)s 已调往 %(unit)s") % {"name": person.name, "unit": to_unit.name},
        )
        return redirect("orgs:person-list")
    return render(request, "orgs/person_transfer.html", {"form": form, "person": person})


@role_required(*ROSTER_ROLES)
def person_leave(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = current_user(request)
    person = get_person_in_scope(user, person_id, ROSTER_ROLES)
    if request.method == "POST" and request.POST.get("reinstate") and person.has_left:
        actions.do_reinstate(user, person, request=request)
        messages.success(request, _("%(name)s 已恢复为在职") % {"name": person.name})
        return redirect("orgs:person-list")
    form = LeaveForm(request.POST or None, initial={"status": EmploymentStatus.LEFT})
    if request.method == "POST" and form.is_valid() and not person.has_left:
        data = form.cleaned_data
        actions.do_mark_left(
            user,
            person,
            status=data["status"],
            left_on=data["left_on"],
            reason=data["reason"],
            request=request,
        )
        messages.success(request, _("%(name)s 已标记为离开") % {"name": person.name})
        return redirect("orgs:person-list")
    return render(request, "orgs/person_leave.html", {"form": form, "person": person})


@role_required(*ROSTER_ROLES)
def unit_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    units = list(units_in_scope(user, ROSTER_ROLES))
    counts: dict[int, int] = {}
    for unit_id in people_in_scope(user, ROSTER_ROLES).current().values_list("unit_id", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    rows: list[dict[str, Any]] = [
        {"unit": unit, "people": counts.get(unit.pk, 0)} for unit in units
    ]
    return render(request, "orgs/unit_list.html", {"rows": rows})
