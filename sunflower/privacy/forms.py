from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sunflower.privacy.actions import MAX_TEXT


class ConsentForm(forms.Form):
    """Separate, explicit consent: an unticked box of its own and the version that was read."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label=_("我已阅读并理解上述告知书，单独同意平台按告知书处理我的心理健康信息"),
        required=True,
        error_messages={"required": _("请先勾选，表示您已阅读并单独同意")},
    )


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("申请理由（选填）"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("档案管理员审核时会看到，最多500字"),
    )
    understood = forms.BooleanField(
        label=_("我了解：删除后这些信息将永久无法恢复"),
        required=True,
        error_messages={"required": _("请先勾选，确认您了解删除的后果")},
    )


class DecisionForm(forms.Form):
    """A record keeper's decision. Approval needs the person's name typed in full."""

    DECISIONS = (("approve", _("同意并删除")), ("reject", _("不同意")))

    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    confirm_name = forms.CharField(
        label=_("确认删除：请输入申请人的姓名"),
        required=False,
        max_length=50,
        help_text=_("同意删除时必须填写，用于确认对象无误"),
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不同意时必须填写理由，申请人将看到这条意见"),
    )

    def __init__(self, *args: Any, person_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person_name = person_name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == "approve" and (data.get("confirm_name") or "").strip() != self.person_name:
            self.add_error("confirm_name", _("姓名与申请人不一致，未删除任何数据"))
        if decision == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("请填写不同意删除的理由"))
        return data
