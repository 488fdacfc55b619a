"""The registry of notification kinds: which kinds exist and which are sensitive.

Each app declares the kinds it sends in its AppConfig.ready() (or a `notifications.py` module
imported there):

    from sunflower.notifications.kinds import register_kind

    register_kind("care.warning", sensitive=True, label=_("风险预警"))

A sensitive kind never carries content on any channel — the inbox, e-mail, SMS and WeChat all
show the fixed NEUTRAL_TEXT — because the fact of the message must not reveal a condition, a
person or a score (DESIGN.md §4 rule 9). The kinds the first consumers need are registered by
this app itself (register_builtin_kinds) so that other apps can use them at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NEUTRAL_TEXT = _("您有一条新的消息，请登录向阳花平台查看。")


class UnknownKindError(LookupError):
    """notify() was called with a kind nobody registered: a programming error."""


@dataclass(frozen=True)
class Kind:
    name: str
    sensitive: bool
    label: str | Promise


_registry: dict[str, Kind] = {}


def register_kind(kind: str, sensitive: bool, label: str | Promise) -> Kind:
    """Declare a kind; registering the same name again must agree on its sensitivity."""
    if not kind or "." not in kind or len(kind) > 64:
        raise ValueError(f"a kind is a dotted name of at most 64 characters: {kind!r}")
    known = _registry.get(kind)
    if known is not None and known.sensitive != sensitive:
        raise ValueError(f"kind {kind!r} is already registered with sensitive={known.sensitive}")
    _registry[kind] = Kind(kind, sensitive, label)
    return _registry[kind]


def get_kind(kind: str) -> Kind:
    try:
        return _registry[kind]
    except KeyError:
        raise UnknownKindError(f"notification kind {kind!r} is not registered") from None


def registered_kinds() -> list[Kind]:
    return sorted(_registry.values(), key=lambda k: k.name)


def register_builtin_kinds() -> None:
    register_kind("care.warning", sensitive=True, label=_("风险预警"))
    register_kind("care.case_assigned", sensitive=True, label=_("危机个案分派"))
    register_kind("care.sla_breach", sensitive=True, label=_("个案处置超时"))
    register_kind("care.escalation", sensitive=True, label=_("个案升级"))
    register_kind("care.tier_raised", sensitive=True, label=_("个案等级提高"))
    register_kind("audit.break_glass", sensitive=True, label=_("紧急调阅档案"))
    register_kind("talk.overdue", sensitive=True, label=_("谈心谈话逾期"))
    register_kind("care.attention_review", sensitive=True, label=_("重点关注复核到期"))
    register_kind("campaign.reminder", sensitive=False, label=_("测评提醒"))
    register_kind("training.reminder", sensitive=False, label=_("培训提醒"))
