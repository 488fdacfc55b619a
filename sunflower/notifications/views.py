from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sunflower.accounts.decorators import current_user, role_required
from sunflower.accounts.models import STAFF_ROLES, Role
from sunflower.notifications import inbox
from sunflower.notifications.actions import do_save_preferences
from sunflower.notifications.delivery import address_for, preference_for
from sunflower.notifications.forms import PreferenceForm
from sunflower.notifications.kinds import registered_kinds
from sunflower.notifications.models import Channel

PER_PAGE = 20


def _inbox(request: HttpRequest, template: str, extra: dict[str, object]) -> HttpResponse:
    user = current_user(request)
    page = Paginator(inbox.messages_for(user), PER_PAGE).get_page(request.GET.get("page"))
    # A sensitive kind's label (风险预警, 个案升级) would say what the message is about: the
    # inbox names only plain kinds, like every other channel.
    labels = {kind.name: kind.label for kind in registered_kinds() if not kind.sensitive}
    for message in page.object_list:
        message.kind_label = labels.get(message.kind, _("消息"))  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"page": page, "unread": inbox.unread_count(user), **extra},
    )


@role_required(Role.CADRE)
def portal_inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request, "notifications/portal_inbox.html", {"tab": "inbox"})


@role_required(*STAFF_ROLES)
def console_inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request, "notifications/console_inbox.html", {})


@login_required
@require_GET
def open_message(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    """Mark the message read and follow its link (a page that checks access as usual)."""
    user = current_user(request)
    message = inbox.get_own_message(user, message_id)
    inbox.do_mark_read(user, message)
    if inbox.safe_link(message.link, request.get_host(), request.is_secure()):
        return redirect(message.link)
    return redirect(inbox.inbox_url(user))


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if inbox.safe_link(target, request.get_host(), request.is_secure()):
        return redirect(target)
    return redirect(inbox.inbox_url(current_user(request)))


@login_required
@require_POST
def mark_read(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    inbox.do_mark_read(user, inbox.get_own_message(user, message_id))
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = inbox.do_mark_all_read(current_user(request))
    if changed:
        messages.success(request, _("已将全部消息标为已读。"))
    return _back(request)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    preference = preference_for(user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            do_save_preferences(user, request=request, **form.cleaned_data)
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={
                "email": preference.email,
                "email_enabled": preference.email_enabled and bool(preference.email),
                "sms_enabled": preference.sms_enabled,
                "wechat_enabled": preference.wechat_enabled,
            }
        )
    mobile = address_for(user, Channel.SMS, type(preference)(user=user))
    context = {
        "form": form,
        "masked_mobile": f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "",
        "wechat_bound": bool(preference.wechat_openid),
        "tab": "me",
    }
    return render(request, "notifications/preferences.html", context)
