"""Reading one page of answers from a POST (option codes by item number); the campaign forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sunflower.assessments import campaigns, catalogue
from sunflower.assessments.actions import AssessmentError
from sunflower.assessments.models import CampaignMode, CampaignStatus
from sunflower.orgs.forms import UnitChoiceField
from sunflower.orgs.models import Unit, UnitQuerySet
from sunflower.scales import Instrument


def field_name(number: int) -> str:
    return f"q{number}"


def page_answers(
    data: Mapping[str, str], instrument: Instrument, positions: Iterable[int]
) -> dict[int, int | None]:
    """0-based position → chosen code (None when left empty); a non-number is refused here,
    a number outside the item's options by the action."""
    answers: dict[int, int | None] = {}
    for position in positions:
        raw = (data.get(field_name(instrument.items[position].number)) or "").strip()
        if not raw:
            answers[position] = None
            continue
        try:
            answers[position] = int(raw)
        except ValueError:
            raise AssessmentError(_("有答案不在选项范围内，请重新选择。")) from None
    return answers


class CampaignForm(forms.Form):
    """A new campaign; the unit choices are the programme admin's scope, nothing else."""

    name = forms.CharField(label=_lazy("名称"), max_length=120)
    instruments = forms.MultipleChoiceField(
        label=_lazy("量表"), widget=forms.CheckboxSelectMultiple
    )
    root_unit = UnitChoiceField(label=_lazy("测评范围（含下级单位）"), queryset=Unit.objects.none())
    opens_at = forms.DateTimeField(
        label=_lazy("开放时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_lazy("截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    mode = forms.ChoiceField(
        label=_lazy("方式"),
        choices=[(m.value, m.label) for m in campaigns.OFFERED_MODES],
        widget=forms.RadioSelect,
        initial=CampaignMode.IDENTIFIED,
        help_text=_lazy(
            "实名：结果由档案管理员跟进；保密：仅本人和档案管理员可见；"
            "匿名：不保存身份，危机作答无法通知任何人（干部开始前会被告知）。"
        ),
    )

    reminder_days = forms.IntegerField(
        label=_lazy("截止前提醒（天）"),
        min_value=0,
        max_value=30,
        initial=3,
        required=False,  # left empty: the default of 3 days
        help_text=_lazy("截止前几天提醒尚未完成的干部（站内消息、短信等），0 表示不提醒。"),
        error_messages={
            "invalid": _lazy("提前提醒的天数应为 0 到 30 之间的整数。"),
            "min_value": _lazy("提前提醒的天数应为 0 到 30 之间的整数。"),
            "max_value": _lazy("提前提醒的天数应为 0 到 30 之间的整数。"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["root_unit"]
        assert isinstance(unit_field, UnitChoiceField)  # noqa: S101 (declared above)
        unit_field.queryset = units.order_by("path")
        instruments = self.fields["instruments"]
        assert isinstance(instruments, forms.MultipleChoiceField)  # noqa: S101 (declared above)
        language = catalogue.language()
        instruments.choices = [
            (e.instrument_id, catalogue.instrument(e.instrument_id).label(language))
            for e in catalogue.campaign_entries()
        ]

    def clean_reminder_days(self) -> int:
        value = self.cleaned_data.get("reminder_days")
        return 3 if value is None else int(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("截止时间应晚于开始时间。"))
        return data


class CampaignFilterForm(forms.Form):
    q = forms.CharField(
        label=_lazy("搜索"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _lazy("活动名称")}),
    )
    status = forms.ChoiceField(
        label=_lazy("状态"),
        required=False,
        choices=[("", _lazy("全部")), *CampaignStatus.choices],
    )
