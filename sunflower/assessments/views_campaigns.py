"""The programme admin's campaign pages (desk console): list, create, open, participation.

Campaigns are narrowed to the admin's scope (outside it answers 404); participation shows
suppressed counts only — never who completed, never an answer or a score.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.accounts.scope import units_in_scope
from sunflower.assessments import campaigns, catalogue
from sunflower.assessments.forms import CampaignFilterForm, CampaignForm
from sunflower.assessments.models import CampaignStatus

PAGE_SIZE = 25


@role_required(Role.PROGRAMME_ADMIN)
def campaign_list(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    form = CampaignFilterForm(request.GET or None)
    rows = campaigns.campaigns_in_scope(actor)
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            rows = rows.filter(name__icontains=query)
        if status := form.cleaned_data["status"]:
            rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "assessments/campaign_list.html",
        {
            "form": form,
            "page": page,
            "query_string": query_string.urlencode(),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    actor = current_user(request)
    units = units_in_scope(actor, campaigns.ADMIN_ROLES)
    form = CampaignForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.do_create_campaign(
                actor,
                name=form.cleaned_data["name"],
                instruments=form.cleaned_data["instruments"],
                root_unit=form.cleaned_data["root_unit"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                mode=form.cleaned_data["mode"],
                reminder_days=form.cleaned_data["reminder_days"],
                request=request,
            )
        except campaigns.CampaignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("测评活动已创建。确认无误后即可开始。"))
            return redirect("campaigns:detail", campaign_id=campaign.pk)
    return render(request, "assessments/campaign_form.html", {"form": form})


@role_required(Role.PROGRAMME_ADMIN)
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = current_user(request)
    campaign = campaigns.get_campaign_in_scope(actor, campaign_id)
    language = catalogue.language()
    return render(
        request,
        "assessments/campaign_detail.html",
        {
            "campaign": campaign,
            "instruments": [catalogue.instrument(i).label(language) for i in campaign.instruments],
            "participation": campaigns.participation(campaign),
            "min_cell": settings.SUNFLOWER_MIN_CELL,
            "can_open": campaign.status == CampaignStatus.DRAFT
            and not campaign.is_past(timezone.now()),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_POST
def campaign_open(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = current_user(request)
    try:
        campaigns.do_open_campaign(actor, campaign_id, request)
    except campaigns.CampaignError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("测评活动已开始，测评任务已发给范围内的干部。"))
    return redirect("campaigns:detail", campaign_id=campaign_id)
