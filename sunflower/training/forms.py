from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunflower.orgs.forms import UnitChoiceField
from sunflower.orgs.models import Unit, UnitQuerySet
from sunflower.training.models import Audience, DeliveryMode

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PlanForm(forms.Form):
    unit = UnitChoiceField(label=_("组织单位"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=120)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)  # noqa: S101 (declared above)
        field.queryset = units


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=60)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)


class CourseForm(forms.Form):
    title = forms.CharField(label=_("课程名称"), max_length=120)
    summary = forms.CharField(label=_("课程简介"), required=False, widget=forms.Textarea)
    mode = forms.ChoiceField(label=_("形式"), choices=DeliveryMode.choices)
    audience = forms.ChoiceField(label=_("对象"), choices=Audience.choices)
    counts_toward_requirement = forms.BooleanField(
        label=_("计入每半年必修要求"), required=False, initial=True
    )
    hours = forms.DecimalField(
        label=_("学时"), max_digits=4, decimal_places=1, min_value=0.5, initial=2
    )


class UnitsField(forms.ModelMultipleChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * (obj.level - 1)}{obj.name}"


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_url = forms.URLField(label=_("线上链接"), required=False, assume_scheme="https")
    trainer = forms.CharField(label=_("授课人"), max_length=100, required=False)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=100000, initial=50)
    target_units = UnitsField(
        label=_("面向单位（含下级）"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("不选则面向培训计划所属单位及其下级单位的全体干部。"),
    )

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target_units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = units
        field.widget.attrs["size"] = 8

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", _("请填写地点或线上链接。"))
        return data


class SessionFilterForm(forms.Form):
    WHEN = (("upcoming", _("未开始和进行中")), ("past", _("已结束")), ("cancelled", _("已取消")))

    q = forms.CharField(label=_("搜索"), required=False, max_length=60)
    when = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *WHEN], required=False)
    mode = forms.ChoiceField(
        label=_("形式"), choices=[("", _("全部")), *DeliveryMode.choices], required=False
    )


class CancelSessionForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class AttendanceImportForm(forms.Form):
    file = forms.FileField(label=_("签到表（.xlsx）"))


class ComplianceForm(forms.Form):
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False)
    period = forms.ChoiceField(label=_("期间"), required=False)

    def __init__(
        self, *args: Any, units: UnitQuerySet, periods: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, UnitChoiceField)  # noqa: S101
        unit.queryset = units
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)  # noqa: S101
        period.choices = periods
