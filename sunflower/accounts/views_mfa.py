"""Two-factor authentication pages: enrolment with a QR code, the verify step after the
password, recovery codes, and the settings page where a cadre may turn it on or off."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.models import Device

from sunflower.accounts import mfa
from sunflower.accounts.decorators import current_user
from sunflower.accounts.forms import EnrolForm, SecondFactorForm
from sunflower.accounts.sudo import in_sudo, sudo_required


def next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return default
    return target


def throttle_message(device: Device | None) -> str:
    """Empty while the device may try a code; otherwise how long to wait (django-otp doubles
    the pause after each wrong code)."""
    until = mfa.totp_allowed_after(device) if device is not None else None
    if until is None:
        return ""
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    return _("错误次数过多，请%(seconds)d秒后再试") % {"seconds": seconds}


WRONG_CODE = gettext_lazy("验证码不正确或已用过，请确认手机时间准确，输入验证器中的最新验证码")


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator: scan the QR code (or type the key), confirm with a code. Replacing
    an existing one needs the session to have passed it and a fresh re-authentication."""
    user = current_user(request)
    target = next_url(request)
    if mfa.has_second_factor(user):
        if not mfa.is_verified(request):
            return redirect("accounts:mfa-verify")
        if not in_sudo(request):
            back = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:sudo')}?{back}")
    device = mfa.pending_totp(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = throttle_message(device)
        codes = (
            None
            if wait
            else mfa.do_confirm_enrolment(request, user, form.cleaned_data["otp_token"])
        )
        if codes is not None:
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": target, "first_time": True},
            )
        form.add_error("otp_token", wait or WRONG_CODE)
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "form": form,
            "next": target,
            "qr_svg": mfa.qr_svg(device, _("用验证器App扫描此二维码")),
            "secret": mfa.secret_text(device),
            "required": user.is_staff_member,
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: a code from the authenticator, or a recovery code."""
    user = current_user(request)
    target = next_url(request)
    if mfa.is_verified(request):
        return redirect(target)
    if not mfa.has_second_factor(user):
        return redirect("accounts:mfa-enrol" if user.is_staff_member else target)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = throttle_message(mfa.confirmed_totp(user))
        if wait:
            form.add_error("otp_token", wait)
        elif mfa.do_verify(request, user, form.cleaned_data["otp_token"]) is not None:
            left = mfa.recovery_codes_left(user)
            if left <= 2:
                messages.warning(
                    request,
                    _("您的恢复码只剩%(count)d个，请在“两步验证”页面重新生成。") % {"count": left},
                )
            return redirect(target)
        else:
            form.add_error("otp_token", WRONG_CODE)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": target})


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """两步验证: whether it is on, recovery codes left, and the actions that apply."""
    user = current_user(request)
    return render(
        request,
        "accounts/mfa.html",
        {
            "enabled": mfa.has_second_factor(user),
            "required": user.is_staff_member,
            "codes_left": mfa.recovery_codes_left(user),
            "tab": "me",
        },
    )


@require_POST
@login_required
@sudo_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the old ones stop working."""
    try:
        codes = mfa.do_new_recovery_codes(request, current_user(request))
    except mfa.SecondFactorError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:mfa")
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:mfa"), "first_time": False},
    )


@require_POST
@login_required
def disable(request: HttpRequest) -> HttpResponseBase:
    """Turn the second factor off: cadres only, after re-authentication."""
    if current_user(request).is_staff_member:
        raise PermissionDenied
    return _disable(request)


@sudo_required
def _disable(request: HttpRequest) -> HttpResponse:
    try:
        mfa.do_disable(request, current_user(request))
    except mfa.SecondFactorError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已关闭两步验证"))
    return redirect("accounts:mfa")
