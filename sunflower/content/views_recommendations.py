"""The recommendation rules in the content console: which knowledge items a result page shows
for an instrument and band (recommend.py). Programme admins, who edit the content, list, add
and delete them (recommendations.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.content import recommendations
from sunflower.content.forms import RecommendationFilterForm, RecommendationForm
from sunflower.content.models import Recommendation


@role_required(Role.PROGRAMME_ADMIN)
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    options = recommendations.instrument_options()
    form = RecommendationFilterForm(request.GET or None, options=options)
    instrument_id = form.cleaned_data["instrument"] if form.is_valid() else ""
    return render(
        request,
        "content/recommendations/list.html",
        {
            "form": form,
            "instrument_id": instrument_id,
            "instrument_name": next(
                (o.name for o in options if o.instrument_id == instrument_id), ""
            ),
            "groups": recommendations.rules_by_instrument(instrument_id),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def recommendation_add(request: HttpRequest) -> HttpResponse:
    form = RecommendationForm(
        request.POST or None,
        initial={"target": request.GET.get("target", "")},
        options=recommendations.instrument_options(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rule = recommendations.do_add_recommendation(
            current_user(request),
            instrument_id=form.instrument_id,
            band_code=form.band_code,
            tag=data["tag"],
            item=data["item"],
            position=data["position"],
            request=request,
        )
        messages.success(
            request,
            _("已添加推荐规则：%(rule)s。") % {"rule": recommendations.describe(rule)},
        )
        if rule.item is not None and not rule.item.is_published:
            messages.warning(request, _("这条内容还未发布，发布后才会出现在结果页上。"))
        return _back_to_list(rule.instrument_id)
    return render(request, "content/recommendations/form.html", {"form": form})


@role_required(Role.PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def recommendation_delete(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    rule = get_object_or_404(
        Recommendation.objects.select_related("tag", "item"), pk=recommendation_id
    )
    text = recommendations.describe(rule)
    if request.method == "POST":
        recommendations.do_delete_recommendation(current_user(request), rule.pk, request)
        messages.success(request, _("已删除推荐规则：%(rule)s。") % {"rule": text})
        return _back_to_list(rule.instrument_id)
    return render(request, "content/recommendations/delete.html", {"rule": rule, "text": text})


def _back_to_list(instrument_id: str) -> HttpResponse:
    url = reverse("content-admin:recommendations")
    return redirect(f"{url}?{urlencode({'instrument': instrument_id})}")
