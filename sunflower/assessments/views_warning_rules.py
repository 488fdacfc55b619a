"""The warning tier rules in the desk console (DESIGN.md §5): read by record keepers and
programme admins; created, edited and switched off by city-wide programme admins in sudo mode,
each change with a written reason (warning_rules.py). Rules are T0: no personal data here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import Role
from sunflower.accounts.sudo import sudo_required
from sunflower.assessments import catalogue, warning_rules
from sunflower.assessments.models import RULE_TIERS, WarningRule, WarningRuleKind
from sunflower.assessments.warning_rules import RuleFields, WarningRuleError
from sunflower.scales import UnknownInstrumentError

View = Callable[..., HttpResponseBase]


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_lazy("修改原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("例如：依据专家组 2026 年第 3 次会议意见调整。原因记入审计日志。"),
        error_messages={"required": _lazy("请写明修改原因。")},
    )


class WarningRuleForm(forms.Form):
    """A rule's condition and the reason for the change; the instrument only when creating."""

    instrument_id = forms.ChoiceField(label=_lazy("量表"))
    tier = forms.ChoiceField(
        label=_lazy("预警等级"), choices=[(tier.value, tier.label) for tier in RULE_TIERS]
    )
    kind = forms.ChoiceField(
        label=_lazy("规则类型"), choices=WarningRuleKind.choices, widget=forms.RadioSelect
    )
    score = forms.CharField(
        label=_lazy("分数"),
        required=False,
        max_length=40,
        help_text=_lazy("“分数达到阈值”时填写，例如 total（总分）、indices.index（标准分）。"),
    )
    threshold = forms.DecimalField(
        label=_lazy("阈值"),
        required=False,
        max_digits=8,
        decimal_places=2,
        help_text=_lazy("分数大于或等于此值时提出预警提示。"),
    )
    band = forms.CharField(
        label=_lazy("结果分级代码"),
        required=False,
        max_length=40,
        help_text=_lazy("“结果分级为”时填写，例如 severe。"),
    )
    reason = _reason_field()

    def __init__(self, *args: Any, rule: WarningRule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.rule_fields: RuleFields | None = None
        if rule is not None:
            del self.fields["instrument_id"]  # a rule stays with its instrument
            self._describe_options(rule.instrument_id)
        else:
            language = catalogue.language()
            library = catalogue.library()
            field = self.fields["instrument_id"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared above)
            field.choices = [("", "—")] + [
                (iid, f"{library.get(iid).label(language)}（{iid}）") for iid in library.ids()
            ]

    def _describe_options(self, instrument_id: str) -> None:
        """On the edit page the instrument is known: name its scores and bands."""
        try:
            instrument = catalogue.instrument(instrument_id)
        except UnknownInstrumentError:
            return
        refs = "、".join(warning_rules.score_ranges(instrument)) or "—"
        codes = "、".join(warning_rules.band_codes(instrument)) or "—"
        self.fields["score"].help_text = _("“分数达到阈值”时填写。本量表的分数：%(refs)s。") % {
            "refs": refs
        }
        self.fields["band"].help_text = _("“结果分级为”时填写。本量表的分级：%(codes)s。") % {
            "codes": codes
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(name in self.errors for name in self.fields if name != "reason"):
            return data  # a missing reason alone: still say what is wrong with the rule
        instrument_id = self.rule.instrument_id if self.rule else data["instrument_id"]
        try:
            self.rule_fields = warning_rules.check_rule(
                RuleFields(
                    instrument_id,
                    data["tier"],
                    data["kind"],
                    data.get("score", "").strip(),
                    data.get("threshold"),
                    data.get("band", "").strip(),
                ),
                self.rule.pk if self.rule else None,
            )
        except WarningRuleError as exc:
            add_rule_errors(self, exc)
        return data


class RuleStateForm(forms.Form):
    """Switching a rule off or on again: a reason, and for switching off a confirmation."""

    reason = _reason_field()
    confirm = forms.BooleanField(
        label=_lazy("我已了解：停用后，这条规则不再对新提交的结果提出预警提示。"),
        error_messages={"required": _lazy("请勾选确认后再停用。")},
    )

    def __init__(self, *args: Any, deactivating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not deactivating:
            del self.fields["confirm"]


def add_rule_errors(form: forms.Form, exc: WarningRuleError) -> None:
    for field, problems in exc.errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def city_wide_admin_required(view: View) -> View:
    """Before asking for sudo: only a programme admin over the whole city changes rules."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not warning_rules.may_edit(current_user(request)):
            raise PermissionDenied(_("只有全市范围的组织部门管理员可以修改预警规则。"))
        return view(request, *args, **kwargs)

    return wrapper


@role_required(Role.RECORD_KEEPER, Role.PROGRAMME_ADMIN)
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assessments/warning_rules/list.html",
        {
            "instruments": warning_rules.rules_by_instrument(),
            "may_edit": warning_rules.may_edit(current_user(request)),
        },
    )


def _rule_form(
    request: HttpRequest,
    form: WarningRuleForm,
    rule: WarningRule | None,
    save: Callable[[RuleFields, str], WarningRule],
    saved_message: str,
) -> HttpResponse:
    """The create and edit page: save through *save* (fields, reason), or show the errors."""
    if request.method == "POST" and form.is_valid() and form.rule_fields is not None:
        try:
            saved = save(form.rule_fields, form.cleaned_data["reason"])
        except WarningRuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, saved_message % {"instrument": saved.instrument_id})
            return redirect("warning-rules:list")
    return render(request, "assessments/warning_rules/form.html", {"form": form, "rule": rule})


@role_required(Role.PROGRAMME_ADMIN)
@city_wide_admin_required
@require_http_methods(["GET", "POST"])
@sudo_required
def rule_create(request: HttpRequest) -> HttpResponse:
    initial = {"instrument_id": request.GET.get("instrument", ""), "tier": request.GET.get("tier")}
    form = WarningRuleForm(request.POST or None, initial=initial)
    return _rule_form(
        request,
        form,
        None,
        lambda fields, reason: warning_rules.do_create_rule(
            current_user(request), fields, reason=reason, request=request
        ),
        _("已添加 %(instrument)s 的预警规则，新提交的结果即按新规则提出预警提示。"),
    )


@role_required(Role.PROGRAMME_ADMIN)
@city_wide_admin_required
@require_http_methods(["GET", "POST"])
@sudo_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(WarningRule, pk=rule_id)
    initial = {
        "tier": rule.tier,
        "kind": rule.kind,
        "score": rule.score,
        "threshold": (
            warning_rules.plain_number(rule.threshold) if rule.threshold is not None else None
        ),
        "band": rule.band,
    }
    form = WarningRuleForm(request.POST or None, initial=initial, rule=rule)
    return _rule_form(
        request,
        form,
        rule,
        lambda fields, reason: warning_rules.do_update_rule(
            current_user(request), rule.pk, fields=fields, reason=reason, request=request
        ),
        _("已保存 %(instrument)s 的预警规则，新提交的结果即按新规则提出预警提示。"),
    )


def _set_active(request: HttpRequest, rule_id: int, *, active: bool) -> HttpResponse:
    rule = get_object_or_404(WarningRule, pk=rule_id)
    if rule.active == active:
        messages.info(request, _("这条规则已经启用。") if active else _("这条规则已经停用。"))
        return redirect("warning-rules:list")
    form = RuleStateForm(request.POST or None, deactivating=not active)
    if request.method == "POST" and form.is_valid():
        try:
            warning_rules.do_update_rule(
                current_user(request),
                rule.pk,
                active=active,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except WarningRuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("规则已重新启用。") if active else _("规则已停用。"))
            return redirect("warning-rules:list")
    return render(
        request,
        "assessments/warning_rules/state.html",
        {
            "form": form,
            "rule": rule,
            "activating": active,
            "text": warning_rules.rule_text(rule),
        },
    )


@role_required(Role.PROGRAMME_ADMIN)
@city_wide_admin_required
@require_http_methods(["GET", "POST"])
@sudo_required
def rule_deactivate(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _set_active(request, rule_id, active=False)


@role_required(Role.PROGRAMME_ADMIN)
@city_wide_admin_required
@require_http_methods(["GET", "POST"])
@sudo_required
def rule_activate(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _set_active(request, rule_id, active=True)
