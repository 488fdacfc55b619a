"""What the API reads and answers (pydantic, through Django Ninja); the OpenAPI document is
generated from these."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictInt

# Text from the phone: no control characters (a NUL would reach PostgreSQL and fail there).
PLAIN = r"^[^\x00-\x1f\x7f]*$"
# Instrument ids and submission tokens as the app gets and makes them.
INSTRUMENT_ID = r"^[A-Za-z0-9_.-]{1,40}$"
TOKEN = r"^[A-Za-z0-9_-]{8,64}$"  # noqa: S105 (a pattern, not a secret)
InstrumentId = Annotated[str, Field(pattern=INSTRUMENT_ID)]


class Problem(Schema):
    detail: str = Field(description="给用户看的中文说明")
    code: str = Field("", description="机器可读的原因，如 consent_required、missing_answers")


class TokenIn(Schema):
    login: str = Field(min_length=1, max_length=64, pattern=PLAIN, description="手机号或工号")
    password: str = Field(min_length=1, max_length=128, pattern=PLAIN)
    code: str = Field(
        "",
        max_length=32,
        pattern=PLAIN,
        description="开启了两步验证的账号：身份验证器中的动态验证码，或一个恢复码",
    )
    device: str = Field("", max_length=64, pattern=PLAIN, description="设备名称，显示在登录记录中")


class TokenOut(Schema):
    token: str = Field(
        description="访问令牌，只在此处出现一次；请求时放在 Authorization: Bearer 中"
    )
    expires_at: dt.datetime
    idle_hours: int = Field(description="连续这么多小时未使用，令牌失效")


class ConsentState(Schema):
    given: bool
    notice_version: str | None = Field(description="现行告知书版本；没有现行告知书时为空")
    notice_url: str | None = Field(description="现行告知书全文的网页地址")


class MeOut(Schema):
    display_name: str
    consent: ConsentState


class ConsentIn(Schema):
    notice_version: str = Field(
        min_length=1, max_length=32, pattern=PLAIN, description="用户阅读并同意的版本"
    )


class CampaignRef(Schema):
    id: int
    name: str
    closes_at: dt.datetime
    anonymous: bool


class InstrumentSummary(Schema):
    id: str
    version: str
    name: str
    purpose: str
    minutes: int
    items: int
    campaign: CampaignRef | None = None


class OptionOut(Schema):
    code: int
    label: str


class ItemOut(Schema):
    number: int
    text: str
    optional: bool
    options: list[OptionOut]


class InstrumentDetail(Schema):
    id: str
    version: str
    name: str
    instructions: str
    recall_period: str
    items: list[ItemOut]
    campaign: CampaignRef | None = None


class ResponseIn(Schema):
    instrument: InstrumentId
    answers: list[StrictInt | None] = Field(
        max_length=200, description="按题号顺序的选项代码，未答为 null"
    )
    token: str = Field(
        pattern=TOKEN,
        description="这次提交的唯一标识（8–64 位字母、数字、-、_）；网络重试时原样重发",
    )
    started_at: dt.datetime = Field(description="打开问卷的时间（用于作答质量提示）")
    campaign: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="为测评活动作答时填写活动编号（见量表详情的 campaign）；自评不填。"
        "与当前情况不符时拒绝（活动已截止、已完成，或自评期间活动开始），不会记到别处",
    )


class BandOut(Schema):
    code: str
    label: str


class NormOut(Schema):
    group: str
    t: Decimal
    percentile: Decimal


class HelpOut(Schema):
    title: str
    text: str
    hotline: str
    emergency: str
    follow_up: str


class ResultOut(Schema):
    id: uuid.UUID | None = Field(description="匿名测评为空：结果只在这次回答中出现")
    instrument: str
    version: str
    name: str
    submitted_at: dt.datetime
    anonymous: bool
    score_label: str
    score: Decimal | int | None
    score_max: Decimal | int | None
    band: BandOut
    interpretation: str
    norm: NormOut | None
    help: HelpOut | None = Field(description="回答涉及自伤念头时出现：热线与求助方式")


class HistoryRow(Schema):
    id: uuid.UUID
    instrument: str
    name: str
    submitted_at: dt.datetime
    score: Decimal | int | None
    band: BandOut
