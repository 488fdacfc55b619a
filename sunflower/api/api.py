"""The REST API of the cadres' app (the mini-program), version 1 (ADR 16).

Token authentication only (api/tokens.py): a cadre signs in with the same login and password
as on the pages, under the same lockout, and gets a token for one device. Staff accounts are
refused: their work needs the second factor and the desk pages. Every operation goes through the
same actions and access functions as the pages (consent, scope, audit); the API adds no rule
of its own and reads no T2 row directly.

Errors answer `{"detail": "<中文说明>", "code": "<reason>"}` with 400 (a rule refused it),
401 (no valid token), 403 (staff account, consent missing), 404, 422 (malformed request) or 429
(too many requests, or too many failed sign-ins).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query, Router, Status
from ninja.errors import AuthenticationError, Throttled, ValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from sunflower.accounts import mfa, policy
from sunflower.accounts.backends import find_user
from sunflower.accounts.history import record_login_event
from sunflower.accounts.lockout import is_locked_out, lockout_message
from sunflower.accounts.models import LoginEvent, User
from sunflower.api import schemas, tokens
from sunflower.assessments import actions, campaigns, catalogue, interpret
from sunflower.assessments.access import access_own_responses, access_response
from sunflower.assessments.models import Assignment, CampaignMode, Response
from sunflower.audit.events import record
from sunflower.audit.models import Outcome
from sunflower.privacy.actions import PrivacyError, do_give_consent
from sunflower.privacy.consent import ConsentRequired, active_consent, current_notice

# Django Ninja's exceptions answer in English; these are the app's.
NOT_SIGNED_IN = "not_signed_in"
STAFF_REFUSED = "staff_account"
CONSENT_REQUIRED = "consent_required"


class CadreToken(HttpBearer):
    """A live token of an active cadre account; staff tokens are refused outright."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = tokens.user_for(token)
        if found is None:
            return None
        user, row = found
        if user.is_staff_member:
            raise StaffAccount
        if policy.password_expired(user):
            raise PasswordExpired
        request.user = user
        request.api_token = row  # type: ignore[attr-defined]
        return user


class StaffAccount(Exception):  # noqa: N818 (reads as what is wrong)
    pass


class PasswordExpired(Exception):  # noqa: N818 (reads as what is wrong)
    pass


class PerAccount(SimpleRateThrottle):
    """At most SUNFLOWER_API_RATE requests per signed-in account (read on every request)."""

    scope = "api"

    def __init__(self) -> None:
        super().__init__(settings.SUNFLOWER_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        if self.rate != settings.SUNFLOWER_API_RATE:
            self.rate = settings.SUNFLOWER_API_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "auth", None)
        return f"throttle_api_{user.pk}" if isinstance(user, User) else None


api = NinjaAPI(
    title="向阳花 API",
    version="1",
    description=(
        "向阳花干部端小程序与集成使用的接口。先用手机号或工号和密码换取访问令牌，"
        "之后在请求头 `Authorization: Bearer <令牌>` 中携带；工作人员账号请使用电脑端工作台。"
        '出错时返回 `{"detail": "中文说明", "code": "原因"}`。'
    ),
    urls_namespace="api",
    auth=CadreToken(),
    throttle=[PerAccount()],
    docs_url="docs/",
    openapi_url="openapi.json",
)


def problem(request: HttpRequest, status: int, detail: str, code: str = "") -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code}, status=status)


@api.exception_handler(AuthenticationError)
def _not_signed_in(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 401, _("请先登录，或登录已过期，请重新登录。"), NOT_SIGNED_IN)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    seconds = max(1, int(exc.wait or 1))
    response = problem(
        request, 429, _("请求过于频繁，请%(seconds)d秒后再试。") % {"seconds": seconds}, "throttled"
    )
    response["Retry-After"] = str(seconds)
    return response


@api.exception_handler(StaffAccount)
def _staff(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request,
        403,
        _("工作人员账号请在电脑端登录工作台使用，不能通过移动应用接口访问。"),
        STAFF_REFUSED,
    )


@api.exception_handler(PasswordExpired)
def _password_expired(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request, 403, _("您的密码已过期，请先在网页端登录并修改密码。"), "password_expired"
    )


@api.exception_handler(actions.TokenReused)
@api.exception_handler(actions.CampaignChanged)
def _conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    code = "token_reused" if isinstance(exc, actions.TokenReused) else "campaign_changed"
    return problem(request, 409, str(exc), code)


@api.exception_handler(ConsentRequired)
def _consent(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 403, str(exc), CONSENT_REQUIRED)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 404, _("没有找到，或您没有权限查看。"), "not_found")


@api.exception_handler(ValidationError)
def _malformed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = sorted(
        {".".join(str(part) for part in error.get("loc", ())[1:]) for error in exc.errors}
    )
    detail = _("请求内容不完整或格式不正确：%(fields)s") % {"fields": "、".join(fields) or "-"}
    return problem(request, 422, detail, "malformed")


@api.exception_handler(actions.MissingAnswers)
def _missing(request: HttpRequest, exc: actions.MissingAnswers) -> HttpResponse:
    return problem(request, 400, str(exc), "missing_answers")


@api.exception_handler(actions.AssessmentError)
def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 400, str(exc), "refused")


@api.exception_handler(PrivacyError)
def _privacy(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 400, str(exc), "refused")


# Signing in and out --------------------------------------------------------------------------

auth_router = Router(tags=["登录"])


@auth_router.post(
    "token",
    auth=None,
    response={
        201: schemas.TokenOut,
        401: schemas.Problem,
        403: schemas.Problem,
        429: schemas.Problem,
    },
    summary="用手机号或工号和密码登录，取得访问令牌",
)
def issue_token(request: HttpRequest, body: schemas.TokenIn) -> Any:
    user = authenticate(request, username=body.login, password=body.password)
    if not isinstance(user, User):
        found = find_user(body.login)
        if is_locked_out(request):
            if found is not None:
                record_login_event(found, LoginEvent.Outcome.LOCKED, request)
            return Status(429, {"detail": lockout_message(request), "code": "locked_out"})
        if found is not None:
            record_login_event(found, LoginEvent.Outcome.FAILED, request)
        return Status(401, {"detail": _("账号或密码不正确，请重新输入。"), "code": "invalid_login"})
    if user.is_staff_member:
        # The password was right: leave a trace, as the login page does for a sign-in.
        record("auth.api.refused", target=user, request=request, outcome=Outcome.DENIED)
        raise StaffAccount
    record_login_event(user, LoginEvent.Outcome.LOGIN, request)
    if policy.password_expired(user):
        raise PasswordExpired
    if mfa.has_second_factor(user):
        # The cadre turned two-step verification on: the app asks for it as the pages do.
        if not body.code:
            return Status(
                401,
                {
                    "detail": _("您开启了两步验证，请输入身份验证器中的动态验证码或一个恢复码。"),
                    "code": "second_factor_required",
                },
            )
        if mfa.check_second_factor(request, user, body.code) is None:
            return Status(
                401,
                {
                    "detail": _("验证码不正确或已过期，请重新输入。"),
                    "code": "second_factor_failed",
                },
            )
    issued = tokens.issue(user, body.device)
    return Status(
        201,
        {
            "token": issued.token,
            "expires_at": issued.row.expires_at,
            "idle_hours": settings.SUNFLOWER_API_TOKEN_IDLE_HOURS,
        },
    )


@auth_router.delete("token", response={204: None}, summary="退出登录：本设备的令牌立即失效")
def revoke_token(request: HttpRequest) -> Any:
    tokens.revoke(request.api_token)  # type: ignore[attr-defined]
    record_login_event(request.auth, LoginEvent.Outcome.LOGOUT, request)  # type: ignore[attr-defined]
    return Status(204, None)


# The signed-in cadre ---------------------------------------------------------------------------

me_router = Router(tags=["我的"])


def _consent_state(user: User) -> dict[str, Any]:
    notice = current_notice()
    consent = active_consent(user.person) if user.person_id is not None else None
    given = notice is not None and consent is not None and consent.notice_id == notice.pk
    return {
        "given": given,
        "notice_version": str(notice.version) if notice is not None else None,
        "notice_url": reverse("privacy:consent") if notice is not None else None,
    }


@me_router.get("", response=schemas.MeOut, summary="当前账号与授权状态")
def me(request: HttpRequest) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    return {"display_name": user.display_name, "consent": _consent_state(user)}


@me_router.post(
    "consent",
    response={200: schemas.ConsentState, 400: schemas.Problem},
    summary="同意现行告知书（须先向用户完整展示告知书全文）",
)
def give_consent(request: HttpRequest, body: schemas.ConsentIn) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    notice = current_notice()
    if notice is None or str(notice.version) != body.notice_version.strip():
        raise PrivacyError(_("告知书已更新，请重新阅读最新版本后再作出同意"))
    do_give_consent(user, notice, request)
    return Status(200, _consent_state(user))


# Instruments -------------------------------------------------------------------------------

instruments_router = Router(tags=["测评"])


def _campaign(assignment: Assignment | None) -> dict[str, Any] | None:
    if assignment is None:
        return None
    campaign = assignment.campaign
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "closes_at": campaign.closes_at,
        "anonymous": campaign.mode == CampaignMode.ANONYMOUS,
    }


def _text(text: Any, language: str) -> str:
    return str(text.get(language) or text["zh-Hans"])


@instruments_router.get(
    "", response=list[schemas.InstrumentSummary], summary="可以作答的量表：自评与进行中的测评活动"
)
def instrument_list(request: HttpRequest) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    language = catalogue.language()
    assigned = {a.instrument_id: a for a in campaigns.open_assignments(user.person_id)}
    rows = []
    shown = [e.instrument_id for e in catalogue.self_assessment_entries()]
    shown += [i for i in assigned if i not in shown]
    for instrument_id in shown:
        entry = catalogue.entry(instrument_id)
        if entry is None:
            continue
        instrument = catalogue.instrument(instrument_id)
        rows.append(
            {
                "id": instrument.id,
                "version": instrument.version,
                "name": instrument.label(language),
                "purpose": str(entry.purpose),
                "minutes": entry.minutes,
                "items": len(instrument.items),
                "campaign": _campaign(assigned.get(instrument_id)),
            }
        )
    return rows


@instruments_router.get(
    "{instrument_id}", response=schemas.InstrumentDetail, summary="量表的指导语、题目与选项"
)
def instrument_detail(
    request: HttpRequest, instrument_id: str = Path(..., pattern=schemas.INSTRUMENT_ID)
) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    entry = catalogue.entry(instrument_id)
    assignment = campaigns.open_assignment(user.person_id, instrument_id)
    if entry is None or not (entry.self_assessment or assignment is not None):
        raise Http404
    language = catalogue.language()
    instrument = catalogue.instrument(instrument_id)
    return {
        "id": instrument.id,
        "version": instrument.version,
        "name": instrument.label(language),
        "instructions": _text(instrument.instructions, language),
        "recall_period": _text(instrument.recall_period, language),
        "items": [
            {
                "number": item.number,
                "text": _text(item.text, language),
                "optional": item.optional,
                "options": [
                    {"code": o.code, "label": _text(o.label, language)} for o in item.options
                ],
            }
            for item in instrument.items
        ],
        "campaign": _campaign(assignment),
    }


# Responses ---------------------------------------------------------------------------------

responses_router = Router(tags=["测评"])


def _help(anonymous: bool) -> dict[str, str]:
    """The crisis panel of the result page, as data (the same words)."""
    return {
        "title": _("您不必独自面对"),
        "text": _(
            "您的回答提到了伤害自己的念头。这样的念头在压力很大时可能出现，说出来、找人聊一聊会有帮助。"
        ),
        "hotline": "12356",
        "emergency": _("（24 小时）。如果有紧急危险，请拨打 120 或 110，或请身边的人陪伴您。"),
        "follow_up": _(
            "这是匿名测评，平台没有保存您的身份，无法通知任何人来联系您。请主动拨打热线或联系服务站，我们随时在这里。"
        )
        if anonymous
        else _("负责心理健康档案的专人会尽快与您联系，内容严格保密。"),
    }


def _result(response: Response) -> dict[str, Any]:
    view = interpret.result_view(response)
    anonymous = response.person_id is None
    return {
        "id": None if anonymous else response.pk,
        "instrument": response.instrument_id,
        "version": response.instrument_version,
        "name": view.name,
        "submitted_at": response.submitted_at,
        "anonymous": anonymous,
        "score_label": view.score_label,
        "score": view.score,
        "score_max": view.score_max,
        "band": {"code": view.band_code, "label": view.band_label},
        "interpretation": view.interpretation,
        "norm": view.norm,
        "help": _help(anonymous) if view.critical else None,
    }


@responses_router.post(
    "",
    response={
        201: schemas.ResultOut,
        200: schemas.ResultOut,
        400: schemas.Problem,
        403: schemas.Problem,
        404: schemas.Problem,
    },
    summary="提交一份完整的问卷并取得结果（同一 token 重发返回同一结果）",
)
def submit(request: HttpRequest, body: schemas.ResponseIn) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    started_at = body.started_at
    if timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at, dt.UTC)
    response, created = actions.do_submit_answers(
        user,
        body.instrument,
        body.answers,
        body.token,
        started_at,
        request,
        campaign_id=body.campaign,
    )
    if response.is_anonymised:  # the token of an anonymous response sent again: shown once
        raise actions.AssessmentError(_("这份匿名问卷已经提交，结果只在提交时显示一次。"))
    if not created:  # a retry reads what was stored: through the access layer, audited
        response = access_response(user, response.pk, request)
    return Status(201 if created else 200, _result(response))


@responses_router.get("", response=list[schemas.HistoryRow], summary="我已提交的测评（最新在前）")
@paginate(PageNumberPagination, page_size=20)
def history(
    request: HttpRequest, instrument: str | None = Query(None, pattern=schemas.INSTRUMENT_ID)
) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    rows = []
    for response in reversed(access_own_responses(user, instrument, request=request)):
        view = interpret.result_view(response)
        rows.append(
            {
                "id": response.pk,
                "instrument": response.instrument_id,
                "name": view.name,
                "submitted_at": response.submitted_at,
                "score": view.score,
                "band": {"code": view.band_code, "label": view.band_label},
            }
        )
    return rows


@responses_router.get(
    "{response_id}",
    response={200: schemas.ResultOut, 404: schemas.Problem},
    summary="我的一次测评结果",
)
def result(request: HttpRequest, response_id: UUID) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    response = access_response(user, response_id, request)
    if response.person_id != user.person_id or not response.is_submitted:
        raise Http404
    return _result(response)


api.add_router("auth/", auth_router)
api.add_router("me/", me_router)
api.add_router("instruments/", instruments_router)
api.add_router("responses/", responses_router)
