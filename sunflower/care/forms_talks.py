"""Input for talk, visit, assignment and key-attention pages. Rules live in talks.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunflower.accounts.models import User
from sunflower.care.models_talks import (
    AttentionReason,
    AttentionStatus,
    TalkArea,
    TalkKind,
    VisitKind,
)
from sunflower.care.talks import MAX_DAYS, MAX_TEXT
from sunflower.orgs.forms import UnitChoiceField
from sunflower.orgs.models import Unit, UnitQuerySet

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PRESSURE = [(str(n), str(n)) for n in range(1, 6)]
RECORD, PLAN = "record", "plan"


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _user_choices(field: forms.Field, users: list[User]) -> None:
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared as one)
    field.choices = [("", _("请选择")), *((str(u.pk), u.display_name) for u in users)]


class _MeetingForm(forms.Form):
    """Shared by talks and visits: *intent* is "record" (held) or "plan" (scheduled)."""

    def __init__(self, *args: Any, intent: str = RECORD, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.intent = intent

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        when = data.get("when")
        if (
            when is not None
            and self.intent == RECORD
            and when > timezone.now() + timedelta(minutes=10)
        ):
            self.add_error("when", _("记录的时间不能晚于现在；以后的安排请点“安排计划”"))
        if when is not None and self.intent == PLAN and when < timezone.now():
            self.add_error("when", _("计划时间应晚于现在"))
        return data


class TalkForm(_MeetingForm):
    kind = forms.ChoiceField(label=_("谈话类型"), choices=TalkKind.choices)
    when = forms.DateTimeField(label=_("时间"), widget=DATETIME)
    areas = forms.MultipleChoiceField(
        label=_("涉及方面"),
        required=False,
        choices=TalkArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    pressure = forms.TypedChoiceField(
        label=_("观察到的压力程度"),
        required=False,
        choices=PRESSURE,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "scale-1-5"}),
        help_text=_("1 = 很轻松，5 = 压力很大；是谈话人的观察，不是诊断"),
    )
    needs = forms.CharField(
        label=_("表达的诉求"), required=False, max_length=MAX_TEXT, widget=_textarea()
    )
    actions = forms.CharField(
        label=_("商定的措施"), required=False, max_length=MAX_TEXT, widget=_textarea()
    )
    notes = forms.CharField(
        label=_("谈话记录"),
        required=False,
        max_length=MAX_TEXT,
        widget=_textarea(5),
        help_text=_("加密保存，仅您本人和范围内的档案管理员可见"),
    )
    next_date = forms.DateField(label=_("下次谈话日期"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.intent == RECORD:
            if not data.get("areas"):
                self.add_error("areas", _("请选择谈话涉及的方面"))
            if data.get("pressure") is None:
                self.add_error("pressure", _("请选择观察到的压力程度"))
        return data


class VisitForm(_MeetingForm):
    kind = forms.ChoiceField(label=_("走访类型"), choices=VisitKind.choices)
    when = forms.DateTimeField(label=_("时间"), widget=DATETIME)
    place = forms.CharField(
        label=_("地点"), required=False, max_length=200, help_text=_("例如：家中、医院、单位")
    )
    notes = forms.CharField(
        label=_("走访记录"),
        required=False,
        max_length=MAX_TEXT,
        widget=_textarea(5),
        help_text=_("加密保存，仅您本人和范围内的档案管理员可见"),
    )
    follow_up = forms.CharField(
        label=_("后续跟进"), required=False, max_length=MAX_TEXT, widget=_textarea()
    )
    next_date = forms.DateField(label=_("下次走访日期"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.intent == RECORD and not (data.get("place") or "").strip():
            self.add_error("place", _("请填写走访地点"))
        return data


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=50)


class AssignForm(forms.Form):
    talk_officer = forms.ChoiceField(label=_("谈心谈话责任人"))
    since = forms.DateField(label=_("开始日期"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _user_choices(self.fields["talk_officer"], officers)


class AttentionForm(forms.Form):
    codes = forms.MultipleChoiceField(
        label=_("关注原因"), choices=AttentionReason.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("具体情况"),
        required=False,
        max_length=MAX_TEXT,
        widget=_textarea(4),
        help_text=_("原因和情况均加密保存，仅责任人、负责的谈心谈话责任人和档案管理员可见"),
    )
    talk_every_days = forms.IntegerField(
        label=_("谈心谈话间隔（天）"), min_value=1, max_value=MAX_DAYS, initial=30
    )
    visit_every_days = forms.IntegerField(
        label=_("走访间隔（天）"),
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        help_text=_("不安排定期走访可留空"),
    )
    responsible = forms.ChoiceField(label=_("责任人"))
    review_on = forms.DateField(label=_("复核日期"), widget=DATE)

    def __init__(self, *args: Any, users: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _user_choices(self.fields["responsible"], users)
        self.fields["review_on"].initial = timezone.localdate() + timedelta(days=90)


class ExitForm(forms.Form):
    reason = forms.CharField(
        label=_("退出理由"),
        max_length=MAX_TEXT,
        widget=_textarea(4),
        help_text=_("例如：经复核情况好转、压力源已解除；加密保存"),
    )
    confirm = forms.BooleanField(label=_("我已核实情况，确认将该干部移出重点关注名单"))


class AttentionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), *AttentionStatus.choices],
    )
    reason = forms.ChoiceField(
        label=_("原因"), required=False, choices=[("", _("全部")), *AttentionReason.choices]
    )
    unit = UnitChoiceField(label=_("单位"), required=False, queryset=Unit.objects.none())
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False)

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)  # noqa: S101 (declared above)
        field.queryset = units
        field.empty_label = _("全部单位")


class RecordFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("talk", _("谈心谈话")), ("visit", _("走访慰问"))]
    )
    unit = UnitChoiceField(label=_("单位"), required=False, queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)  # noqa: S101 (declared above)
        field.queryset = units
        field.empty_label = _("全部单位")
