"""The record keeper's forms: the result list's filters, an export request, a decision."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sunflower.accounts.models import User
from sunflower.accounts.scope import scope_roots, units_in_scope
from sunflower.assessments import catalogue
from sunflower.assessments.access import RECORD_KEEPER_MODES, RECORD_KEEPER_ROLES, ResponseFilters
from sunflower.assessments.actions import STRAIGHT_LINE, TOO_FAST
from sunflower.assessments.bulk_exports import MIN_REASON
from sunflower.assessments.models import Campaign, CampaignStatus, ExportFormat
from sunflower.orgs.forms import UnitChoiceField
from sunflower.orgs.models import Unit
from sunflower.scales import UnknownInstrumentError

FieldT = TypeVar("FieldT", bound=forms.Field)


def result_campaigns(actor: User) -> QuerySet[Campaign]:
    """Started identified and confidential campaigns that reach into the actor's scope: their
    range holds part of the scope, or lies inside it."""
    overlap = Q(pk__in=[])
    for root in scope_roots(actor, RECORD_KEEPER_ROLES):
        overlap |= Q(root_unit__path__startswith=root.path)
        # "/00000001/00000007/" → "/00000001/" and itself: the campaigns over its ancestors.
        parts = root.path.strip("/").split("/")
        ancestors = ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]
        overlap |= Q(root_unit__path__in=ancestors)
    return (
        Campaign.objects.filter(overlap, mode__in=RECORD_KEEPER_MODES)
        .exclude(status=CampaignStatus.DRAFT)
        .order_by("-opens_at", "-pk")
    )


class CampaignChoiceField(forms.ModelChoiceField[Campaign]):
    def label_from_instance(self, obj: Campaign) -> str:
        return f"{obj.name}（{obj.opens_at:%Y-%m-%d}）"


QUALITY_CHOICES = [
    ("", _lazy("全部")),
    ("any", _lazy("有任一质量提示")),
    (TOO_FAST, _lazy("作答过快")),
    (STRAIGHT_LINE, _lazy("所有题目选同一选项")),
]


class ResultFilterForm(forms.Form):
    q = forms.CharField(
        label=_lazy("干部姓名"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _lazy("姓名")}),
    )
    campaign = CampaignChoiceField(
        label=_lazy("测评活动"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_lazy("全部活动"),
    )
    instrument = forms.ChoiceField(label=_lazy("量表"), required=False)
    unit = UnitChoiceField(
        label=_lazy("单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_lazy("全部单位"),
    )
    band = forms.ChoiceField(label=_lazy("结果分级"), required=False)
    quality = forms.ChoiceField(label=_lazy("作答质量"), required=False, choices=QUALITY_CHOICES)
    submitted_from = forms.DateField(
        label=_lazy("提交日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    submitted_to = forms.DateField(
        label=_lazy("至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = result_campaigns(actor)
        self._field("campaign", CampaignChoiceField).queryset = campaigns
        self._field("unit", UnitChoiceField).queryset = units_in_scope(
            actor, RECORD_KEEPER_ROLES
        ).order_by("path")
        language = catalogue.language()
        instrument_ids = list(
            dict.fromkeys(i for c in campaigns.only("instruments") for i in c.instruments)
        )
        instruments = []
        for instrument_id in instrument_ids:
            try:
                instruments.append(catalogue.instrument(instrument_id))
            except UnknownInstrumentError:
                continue
        self._field("instrument", forms.ChoiceField).choices = [
            ("", _("全部量表")),
            *[(i.id, i.label(language)) for i in instruments],
        ]
        bands: dict[str, str] = {}
        for instrument in instruments:
            band_set = instrument.band_set()
            for band in band_set.bands if band_set is not None else ():
                bands.setdefault(band.code, band.label.get(language) or band.label["zh-Hans"])
        self._field("band", forms.ChoiceField).choices = [("", _("全部分级")), *bands.items()]

    def _field(self, name: str, kind: type[FieldT]) -> FieldT:
        found = self.fields[name]
        assert isinstance(found, kind)  # noqa: S101 (declared above)
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and end < start:
            self.add_error("submitted_to", _("结束日期不能早于开始日期。"))
        return data

    def filters(self) -> ResponseFilters:
        data = self.cleaned_data
        campaign = data.get("campaign")
        return ResponseFilters(
            campaign_id=campaign.pk if campaign is not None else None,
            instrument_id=data.get("instrument") or "",
            unit=data.get("unit"),
            band=data.get("band") or "",
            quality=data.get("quality") or "",
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            name=(data.get("q") or "").strip(),
        )


class ExportRequestForm(forms.Form):
    campaign = CampaignChoiceField(
        label=_lazy("测评活动"), queryset=Campaign.objects.none(), empty_label=_lazy("请选择")
    )
    file_format = forms.ChoiceField(
        label=_lazy("格式"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_lazy("用途说明"),
        min_length=MIN_REASON,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("写明为什么需要导出、谁将使用这份数据。审批人会看到这段说明。"),
    )

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, CampaignChoiceField)  # noqa: S101 (declared above)
        field.queryset = campaigns


class ExportDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    note = forms.CharField(
        label=_lazy("审批意见"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("不批准时请写明理由。"))
        return data
