"""Input for the care pages. Rules about what may change are in actions.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunflower.accounts.models import User
from sunflower.care.actions import MAX_TEXT
from sunflower.care.models import CaseActionKind, WarningStatus
from sunflower.care.tiers import Tier
from sunflower.care.workflow import CaseStatus
from sunflower.orgs.forms import UnitChoiceField
from sunflower.orgs.models import Unit, UnitQuerySet

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class WarningFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *WarningStatus.choices]
    )
    tier = forms.ChoiceField(
        label=_("等级"), required=False, choices=[("", _("全部")), *Tier.choices]
    )
    unit = UnitChoiceField(label=_("单位"), required=False, queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)  # noqa: S101 (declared above)
        field.queryset = units
        field.empty_label = _("全部单位")


class ReviewForm(forms.Form):
    DECISIONS = (
        ("confirm", _("确认该等级")),
        ("change", _("调整等级")),
        ("dismiss", _("排除预警")),
    )

    decision = forms.ChoiceField(
        label=_("审核结论"), choices=DECISIONS, widget=forms.RadioSelect, initial="confirm"
    )
    tier = forms.ChoiceField(
        label=_("调整为"),
        required=False,
        choices=[("", _("（不调整）")), *Tier.choices],
        help_text=_("仅在“调整等级”时选择"),
    )
    note = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=MAX_TEXT,
        widget=_textarea(),
        help_text=_("调整等级或排除预警时必须填写；加密保存，仅档案管理员可见"),
    )
    open_case = forms.BooleanField(
        label=_("为三级（黄色）预警建立危机个案"),
        required=False,
        help_text=_("一级、二级预警确认后自动建立个案"),
    )


class RaiseWarningForm(forms.Form):
    tier = forms.ChoiceField(label=_("预警等级"), choices=Tier.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("理由"),
        max_length=MAX_TEXT,
        widget=_textarea(4),
        help_text=_("请写明观察到的情况和判断依据；加密保存，由档案管理员审核"),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名"), max_length=50)


class TransitionForm(forms.Form):
    target = forms.ChoiceField(label=_("转为"), choices=CaseStatus.choices)
    note = forms.CharField(label=_("说明"), required=False, max_length=MAX_TEXT, widget=_textarea())
    referral_destination = forms.CharField(
        label=_("转介去向"),
        required=False,
        max_length=MAX_TEXT,
        help_text=_("转介时必须填写，例如接诊医院或专业机构"),
    )
    closing_reason = forms.CharField(
        label=_("结案理由"),
        required=False,
        max_length=MAX_TEXT,
        widget=_textarea(),
        help_text=_("结案时必须填写"),
    )

    def __init__(self, *args: Any, targets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared above)
        field.choices = [(s.value, s.label) for s in CaseStatus if s.value in targets]


class ActionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=CaseActionKind.choices,
        help_text=_(
            "联系家属或所在单位须符合《精神卫生法》第二十八条：仅在本人有伤害自身或他人的危险等"
            "法定情形下，由近亲属、所在单位等依法送诊；记录联系的对象、依据和结果，不扩散病情。"
        ),
    )
    at = forms.DateTimeField(label=_("时间"), widget=DATETIME)
    note = forms.CharField(label=_("记录"), max_length=MAX_TEXT, widget=_textarea(4))


class SafetyPlanForm(forms.Form):
    safety_plan = forms.CharField(
        label=_("安全计划"),
        required=False,
        max_length=MAX_TEXT,
        widget=_textarea(6),
        help_text=_("预警信号、应对方法、可联系的人和机构（含 12356 心理援助热线）、环境安全措施"),
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("负责人"))

    def __init__(self, *args: Any, users: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared above)
        field.choices = [(str(u.pk), u.display_name) for u in users]


class ShiftForm(forms.Form):
    user = forms.ChoiceField(label=_("值班人员"))
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)

    def __init__(self, *args: Any, users: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared above)
        field.choices = [(str(u.pk), u.display_name) for u in users]


class ExplanationRequestForm(forms.Form):
    question = forms.CharField(
        label=_("您希望了解什么"),
        max_length=MAX_TEXT,
        widget=_textarea(4),
        help_text=_("例如：系统依据什么作出提示？会由谁查看？档案管理员会在平台内答复您。"),
    )


class ExplanationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复"),
        max_length=MAX_TEXT,
        widget=_textarea(5),
        help_text=_("说明自动提示所依据的规则、人工审核的结论和可获得的帮助；干部本人可见"),
    )
