"""Key-attention pages (desk console): the list, finding a cadre to add, the entry with its
plan, and exiting with a reason after a confirmation page.

Reads go through care/access_talks.py; changes through care/talks.py.
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
from sunflower.accounts.models import Role, User
from sunflower.accounts.scope import people_in_scope, units_in_scope
from sunflower.care import access_talks as access
from sunflower.care import forms_talks as forms
from sunflower.care import talks
from sunflower.care.actions import CareError
from sunflower.care.models_talks import AttentionStatus, KeyAttention
from sunflower.orgs.models import Person

KEEPER = Role.RECORD_KEEPER
READERS = (Role.RECORD_KEEPER, Role.TALK_OFFICER)


@never_cache
@role_required(*READERS)
def attention_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    units = units_in_scope(actor, READERS)
    data = request.GET.copy() if request.GET else None
    if data is not None and "status" not in data:
        data["status"] = AttentionStatus.ACTIVE
    form = forms.AttentionFilterForm(data, units=units, initial={"status": AttentionStatus.ACTIVE})
    filters: dict[str, Any] = {"status": AttentionStatus.ACTIVE}
    if form.is_valid():
        filters = {
            "status": form.cleaned_data["status"],
            "reason": form.cleaned_data["reason"],
            "unit": form.cleaned_data["unit"],
            "overdue": form.cleaned_data["overdue"],
        }
    page = access.access_attention_list(
        actor, page=request.GET.get("page"), request=request, **filters
    )
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "care/attention_list.html",
        {"form": form, "page": page, "query_string": urlencode(query)},
    )


def _candidates(actor: User, name: str) -> list[Person]:
    """Cadres the actor may put on the list: in a record keeper's scope, or assigned."""
    rows = Person.objects.none()
    if actor.has_role(KEEPER):
        rows = people_in_scope(actor, [KEEPER])
    if actor.has_role(Role.TALK_OFFICER):
        assigned = access.active_assignments().filter(talk_officer=actor).values("person_id")
        rows = rows | people_in_scope(actor, [Role.TALK_OFFICER]).filter(pk__in=assigned)
    return list(rows.current().filter(name__contains=name).select_related("unit")[:20])


@never_cache
@role_required(*READERS)
def attention_find(request: HttpRequest) -> HttpResponse:
    search = forms.PersonSearchForm(request.GET or None)
    people: list[Person] = []
    if search.is_valid():
        people = _candidates(current_user(request), search.cleaned_data["q"])
    return render(request, "care/attention_find.html", {"search": search, "people": people})


def _form_values(form: Any) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "codes": data["codes"],
        "note": data["note"],
        "talk_every_days": data["talk_every_days"],
        "visit_every_days": data["visit_every_days"],
        "responsible_id": data["responsible"],
        "review_on": data["review_on"],
    }


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def attention_create(request: HttpRequest, person_id: UUID) -> HttpResponse:
    actor = current_user(request)
    person = Person.objects.select_related("unit").filter(pk=person_id).first()
    if person is None or not talks.may_create_attention(actor, person):
        raise Http404
    users = talks.attention_responsibles(person)
    form = forms.AttentionForm(
        request.POST or None, users=users, initial={"responsible": str(actor.pk)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = talks.do_create_attention(
                actor, person.pk, request=request, **_form_values(form)
            )
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已纳入重点关注。"))
            return redirect("care:attention-detail", attention_id=entry.pk)
    elif request.method == "POST":
        messages.error(request, _("未保存：请按提示修改后再提交"))
    return render(request, "care/attention_form.html", {"person": person, "form": form})


def _detail_page(
    request: HttpRequest, entry: KeyAttention, plan: forms.AttentionForm | None = None
) -> HttpResponse:
    actor = current_user(request)
    manage = access.may_manage_attention(actor, entry) and entry.is_active
    reasons = entry.get_reasons()
    if manage and plan is None:
        plan = forms.AttentionForm(
            users=talks.attention_responsibles(entry.person),
            initial={
                "codes": reasons.codes,
                "note": reasons.note,
                "talk_every_days": entry.talk_every_days,
                "visit_every_days": entry.visit_every_days,
                "responsible": str(entry.responsible_id),
                "review_on": entry.review_on,
            },
        )
    due = access.plan_dues([entry])[entry.pk]
    now = timezone.now()
    return render(
        request,
        "care/attention_detail.html",
        {
            "entry": entry,
            "reasons": reasons,
            "due": due,
            "overdue": due.overdue(now) if entry.is_active else [],
            "plan_form": plan if manage else None,
            "manage": manage,
            "assigned": access.is_assigned(actor, entry.person),
        },
    )


@never_cache
@role_required(*READERS)
def attention_detail(request: HttpRequest, attention_id: UUID) -> HttpResponse:
    entry = access.access_attention(current_user(request), attention_id, request)
    return _detail_page(request, entry)


@require_POST
@role_required(KEEPER)
def attention_plan(request: HttpRequest, attention_id: UUID) -> HttpResponse:
    actor = current_user(request)
    entry = access.access_attention(actor, attention_id, request)
    form = forms.AttentionForm(request.POST, users=talks.attention_responsibles(entry.person))
    if not form.is_valid():
        messages.error(request, _("未保存：请按提示修改后再提交"))
        return _detail_page(request, entry, form)
    try:
        talks.do_update_attention(actor, entry.pk, request=request, **_form_values(form))
    except CareError as exc:
        messages.error(request, str(exc))
        return _detail_page(request, entry, form)
    messages.success(request, _("关注计划已更新。"))
    return redirect("care:attention-detail", attention_id=entry.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(KEEPER)
def attention_exit(request: HttpRequest, attention_id: UUID) -> HttpResponse:
    """A page of its own: exiting is confirmed with a reason, never a single click."""
    actor = current_user(request)
    entry = access.access_attention(actor, attention_id, request)
    if not access.may_manage_attention(actor, entry):
        raise Http404
    if not entry.is_active:
        return redirect("care:attention-detail", attention_id=entry.pk)
    form = forms.ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            talks.do_exit_attention(actor, entry.pk, form.cleaned_data["reason"], request)
        except CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已退出重点关注。"))
            return redirect("care:attention-detail", attention_id=entry.pk)
    return render(request, "care/attention_exit.html", {"entry": entry, "form": form})
