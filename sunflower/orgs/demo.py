"""The demo city: a deterministic fictional city for `sunflower demo` and `make run`.

滨海市 does not exist. Its administrative codes (3799xx) are unassigned in GB/T 2260, its people
are drawn from weighted lists of common surnames and given-name characters, their ID numbers
carry valid GB 11643 check codes on those fictional region codes, and their mobiles come from
blocks such as 1380000xxxx. Every draw comes from one random.Random(seed), and every date is
relative to REFERENCE_DATE rather than today, so that one seed always gives the same city.

Planning (pure Python, no database) is kept apart from writing, so that each capability can
add its own demo data to build_demo_city as it lands (stations, experts, a year of history).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Protocol, TypedDict, Unpack

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from sunflower.accounts.models import Role, RoleAssignment, User
from sunflower.audit.models import AuditEvent
from sunflower.keystore.fields import EncryptedTextField
from sunflower.keystore.keyring import BLIND_INDEX_SUBJECT, prepared_keys
from sunflower.lib.validators import id_check_code
from sunflower.orgs.models import (
    AttentionTag,
    EmploymentStatus,
    Gender,
    Person,
    Rank,
    RosterImport,
    Unit,
    UnitType,
)

DEMO_PASSWORD = "Sunflower@2026"  # noqa: S105 (the published demo password)

# (role label, login, password) shown by `make run` and on the dev login page.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("干部 cadre", "13800000001", DEMO_PASSWORD),
    ("单位联络员 liaison", "liaison", DEMO_PASSWORD),
    ("组织部门管理员 programme admin", "admin", DEMO_PASSWORD),
    ("档案管理员 record keeper", "keeper", DEMO_PASSWORD),
    ("心理咨询师 counsellor", "counsellor", DEMO_PASSWORD),
    ("谈心谈话责任人 talk officer", "talker", DEMO_PASSWORD),
    ("志愿者 volunteer", "volunteer", DEMO_PASSWORD),
    ("领导小组成员 leader", "leader", DEMO_PASSWORD),
    ("系统管理员 system admin", "sysadmin", DEMO_PASSWORD),
    ("安全管理员 security admin", "secadmin", DEMO_PASSWORD),
    ("审计管理员 audit admin", "auditadmin", DEMO_PASSWORD),
]

DEFAULT_SEED = 2026
DEFAULT_CADRES = 2000
MAX_CADRES = 100_000
# Ages and dates are computed against this day, not today, so that the output never drifts.
REFERENCE_DATE = dt.date(2026, 1, 1)
CITY_CODE = "379900"
CITY_NAME = "滨海市"
LIAISON_DISTRICT_CODE = "379902"  # 海滨区: the liaison's and the talk officer's scope
CADRE_ACCOUNTS = 20  # cadres who can log in, with mobiles 13800000001…13800000020
ACCOUNT_MOBILE_PREFIX = "1380000"
# Roster-only mobiles: 10,000 numbers per block, the first block shared with the accounts.
MOBILE_BLOCKS = tuple(f"1{d}{e}0000" for d in "35" for e in "8976543210")
LEFT_SHARE = 0.02
TAGGED_SHARE = 0.08
BATCH_SIZE = 500

# Staff accounts: (login, role, scope unit code, display name).
STAFF_ACCOUNTS: tuple[tuple[str, Role, str, str], ...] = (
    ("liaison", Role.LIAISON, LIAISON_DISTRICT_CODE, "海滨区单位联络员"),
    ("admin", Role.PROGRAMME_ADMIN, CITY_CODE, "市委组织部管理员"),
    ("keeper", Role.RECORD_KEEPER, CITY_CODE, "心理健康档案管理员"),
    ("counsellor", Role.COUNSELLOR, CITY_CODE, "心理咨询师"),
    ("talker", Role.TALK_OFFICER, LIAISON_DISTRICT_CODE, "海滨区谈心谈话责任人"),
    ("volunteer", Role.VOLUNTEER, CITY_CODE, "心理志愿者"),
    ("leader", Role.LEADER, CITY_CODE, "领导小组成员"),
    ("sysadmin", Role.SYSTEM_ADMIN, CITY_CODE, "系统管理员"),
    ("secadmin", Role.SECURITY_ADMIN, CITY_CODE, "安全管理员"),
    ("auditadmin", Role.AUDIT_ADMIN, CITY_CODE, "审计管理员"),
)


def login_lines() -> list[str]:
    """The demo logins as aligned lines for a terminal (CJK characters are two columns wide)."""

    def pad(text: str, width: int) -> str:
        wide = sum(1 for char in text if unicodedata.east_asian_width(char) in "WF")
        return text + " " * max(1, width - len(text) - wide)

    lines = [
        f"{pad(label, 36)}{pad(login, 14)}{password}" for label, login, password in DEMO_LOGINS
    ]
    first, last = f"{ACCOUNT_MOBILE_PREFIX}0002", f"{ACCOUNT_MOBILE_PREFIX}{CADRE_ACCOUNTS:04d}"
    lines.append(f"{pad('更多干部 more cadres', 36)}{first} … {last}, {DEMO_PASSWORD}")
    return lines


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


class DemoError(Exception):
    """The demo city cannot be built or removed here; str() says why and what to do."""


# The organisation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    """One step of a unit's post ladder. `fixed` people, or `share` of the unit up to `cap`."""

    titles: tuple[str, ...]
    rank: str
    ages: tuple[int, int]
    fixed: int = 0
    share: float = 0.0
    cap: int = 1_000

    def size(self, headcount: int) -> int:
        return self.fixed or min(self.cap, round(headcount * self.share))


STAFF_AGES = (22, 50)

# {k}: 区/县/市 of a county-level unit; {head}/{vice}: the unit's chief and deputy titles;
# the last tier (everyone else) takes the unit's own staff titles and rank.
LADDERS: dict[str, tuple[Tier, ...]] = {
    "city": (
        Tier(("市委书记", "市长"), Rank.DEPARTMENT, (50, 58), fixed=2),
        Tier(("市委副书记", "副市长", "市委常委"), Rank.DEPARTMENT, (45, 57), share=0.1, cap=6),
        Tier(("市委副秘书长", "市政府副秘书长"), Rank.DIVISION_DEPUTY, (40, 55), share=0.1, cap=4),
        Tier(("科长", "一级主任科员"), Rank.SECTION_CHIEF, (33, 55), share=0.15),
        Tier(("副科长", "四级主任科员"), Rank.SECTION_DEPUTY, (30, 52), share=0.15),
    ),
    "county": (
        Tier(("{k}委书记", "{k}长"), Rank.DIVISION_CHIEF, (45, 57), fixed=2),
        Tier(
            ("{k}委副书记", "副{k}长", "{k}委常委"),
            Rank.DIVISION_DEPUTY,
            (40, 56),
            share=0.1,
            cap=6,
        ),
        Tier(("办公室主任", "科长", "一级主任科员"), Rank.SECTION_CHIEF, (33, 55), share=0.12),
        Tier(("办公室副主任", "副科长", "四级主任科员"), Rank.SECTION_DEPUTY, (30, 52), share=0.12),
    ),
    "town": (
        Tier(("党委书记", "{head}"), Rank.SECTION_CHIEF, (38, 55), fixed=2),
        Tier(
            ("党委副书记", "{vice}", "纪委书记"), Rank.SECTION_DEPUTY, (32, 52), share=0.15, cap=5
        ),
        Tier(("党政办主任", "站长"), Rank.STAFF, (28, 50), share=0.1),
    ),
    "bureau": (
        Tier(("{head}",), Rank.DIVISION_CHIEF, (45, 57), fixed=1),
        Tier(("{vice}",), Rank.DIVISION_DEPUTY, (40, 56), share=0.1, cap=4),
        Tier(("科长", "一级主任科员"), Rank.SECTION_CHIEF, (33, 55), share=0.12),
        Tier(("副科长", "四级主任科员"), Rank.SECTION_DEPUTY, (30, 52), share=0.12),
    ),
    "subunit": (
        Tier(("{head}",), Rank.DIVISION_DEPUTY, (42, 56), fixed=1),
        Tier(("{vice}",), Rank.SECTION_CHIEF, (36, 55), share=0.08, cap=3),
        Tier(("科室主任",), Rank.SECTION_DEPUTY, (32, 54), share=0.1),
    ),
}


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    unit_type: str
    parent_code: str | None
    ladder: str
    weight: int  # relative headcount
    is_key_department: bool = False
    titles: dict[str, str] = field(default_factory=dict)  # fills {k}, {head}, {vice}
    staff_titles: tuple[str, ...] = ("科员", "一级科员", "二级科员", "办事员")
    staff_rank: str = Rank.STAFF
    female_share: float = 0.42
    tag_weight: float = 1.0  # how much likelier than average its people are on key attention
    tag_choices: tuple[str, ...] = (AttentionTag.MAJOR_SETBACK, AttentionTag.HEAVY_BURDEN)

    @property
    def level(self) -> int:
        return 1 if self.parent_code is None else (2 if self.parent_code == CITY_CODE else 3)


URGENT = (AttentionTag.URGENT_TASKS, AttentionTag.HEAVY_BURDEN, AttentionTag.MAJOR_SETBACK)
HARD = (AttentionTag.HARD_CONDITIONS, AttentionTag.HEAVY_BURDEN, AttentionTag.MAJOR_SETBACK)

# (code, name, 区/县/市, [(town code suffix, town name)]). Suffixes follow GB/T 10114:
# 001–099 streets, 100–199 towns, 200–399 townships.
COUNTIES: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("379902", "海滨区", "区", (("001", "海滨街道"), ("002", "渔港街道"), ("003", "望海街道"),
                                ("004", "金沙街道"), ("005", "盐场街道"))),
    ("379903", "港城区", "区", (("001", "港湾街道"), ("002", "北岭街道"), ("003", "临港街道"),
                                ("101", "青石镇"), ("102", "白沙镇"))),
    ("379921", "东岭县", "县", (("101", "东岭镇"), ("102", "石门镇"), ("103", "柳河镇"),
                                ("104", "龙泉镇"), ("201", "桃园乡"))),
    ("379922", "清河县", "县", (("101", "清河镇"), ("102", "马集镇"), ("103", "杨庄镇"),
                                ("104", "沙河镇"), ("201", "北湖乡"))),
    ("379923", "南山县", "县", (("101", "南山镇"), ("102", "青龙镇"), ("103", "云台镇"),
                                ("201", "松林乡"))),
    ("379981", "鹿鸣市", "市", (("001", "城关街道"), ("002", "鹿鸣街道"), ("003", "新华街道"),
                                ("101", "河口镇"), ("102", "双桥镇"))),
)  # fmt: skip
# Region codes for ID numbers: the counties above and the city's old 市辖区 code.
REGION_CODES = ("379901", *(code for code, *_ in COUNTIES))


def _town(county_code: str, county: str, suffix: str, name: str) -> UnitPlan:
    if name.endswith("街道"):
        head, vice, weight = "街道办事处主任", "街道办事处副主任", 30
    elif name.endswith("乡"):
        head, vice, weight = "乡长", "副乡长", 20
    else:
        head, vice, weight = "镇长", "副镇长", 25
    township = name.endswith("乡")
    return UnitPlan(
        code=f"{county_code}{suffix}",
        name=f"{county}{name}",
        unit_type=UnitType.TOWN_STREET,
        parent_code=county_code,
        ladder="town",
        weight=weight,
        titles={"head": head, "vice": vice},
        staff_titles=("科员", "一级科员", "二级科员", "办事员"),
        tag_weight=2.0 if township else 1.4,
        tag_choices=HARD,
    )


class UnitTraits(TypedDict, total=False):
    unit_type: str
    is_key_department: bool
    staff_titles: tuple[str, ...]
    staff_rank: str
    female_share: float
    tag_weight: float
    tag_choices: tuple[str, ...]


def _dept(
    number: int,
    name: str,
    head: str,
    weight: int,
    parent: str = CITY_CODE,
    vice: str = "",
    **traits: Unpack[UnitTraits],
) -> UnitPlan:
    """A city department (level 2) or one of its sub-units (level 3)."""
    vice = vice or f"副{head}"
    plan = UnitPlan(
        code=f"{CITY_CODE}5{number:02d}" if parent == CITY_CODE else f"{parent}{number:02d}",
        name=name,
        unit_type=UnitType.PARTY_GOVERNMENT,
        parent_code=parent,
        ladder="bureau" if parent == CITY_CODE else "subunit",
        weight=weight,
        titles={"head": head, "vice": vice},
    )
    return replace(plan, **traits)


POLICE: UnitTraits = {
    "is_key_department": True,
    "staff_titles": ("民警", "一级警长", "二级警长", "科员"),
    "female_share": 0.18,
    "tag_weight": 3.0,
    "tag_choices": URGENT,
}


def _departments() -> list[UnitPlan]:
    police = f"{CITY_CODE}502"
    health = f"{CITY_CODE}503"
    education = f"{CITY_CODE}504"
    emergency = f"{CITY_CODE}505"
    unions = f"{CITY_CODE}509"
    women = f"{CITY_CODE}510"
    port = f"{CITY_CODE}512"
    return [
        _dept(1, "市委组织部", "部长", 35),
        _dept(2, "市公安局", "局长", 70, **POLICE),
        _dept(3, "市卫生健康委员会", "主任", 30, female_share=0.5),
        _dept(4, "市教育局", "局长", 30, female_share=0.5),
        _dept(
            5,
            "市应急管理局",
            "局长",
            30,
            is_key_department=True,
            female_share=0.25,
            tag_weight=3.0,
            tag_choices=URGENT,
        ),
        _dept(
            6,
            "市信访局",
            "局长",
            20,
            is_key_department=True,
            tag_weight=3.0,
            tag_choices=(AttentionTag.HEAVY_BURDEN, AttentionTag.URGENT_TASKS),
        ),
        _dept(7, "市人力资源和社会保障局", "局长", 30),
        _dept(8, "市财政局", "局长", 30),
        _dept(9, "市总工会", "主席", 15, unit_type=UnitType.MASS_ORGANISATION),
        _dept(
            10, "市妇女联合会", "主席", 12, unit_type=UnitType.MASS_ORGANISATION, female_share=0.85
        ),
        _dept(
            11,
            "中共滨海市委党校",
            "常务副校长",
            25,
            vice="副校长",
            unit_type=UnitType.PUBLIC_INSTITUTION,
        ),
        _dept(
            12,
            "滨海港务集团有限公司",
            "董事长",
            40,
            unit_type=UnitType.STATE_ENTERPRISE,
            staff_titles=("职员", "业务主管", "工程师"),
            staff_rank=Rank.OTHER,
            female_share=0.3,
        ),
        _dept(1, "市公安局交通警察支队", "支队长", 50, parent=police, **POLICE),
        _dept(2, "市公安局特警支队", "支队长", 40, parent=police, **POLICE),
        _dept(3, "市公安局海滨分局", "局长", 60, parent=police, **POLICE),
        _dept(4, "市公安局港城分局", "局长", 60, parent=police, **POLICE),
        _dept(
            1,
            "滨海市人民医院",
            "院长",
            80,
            parent=health,
            tag_weight=1.5,
            staff_titles=("主治医师", "住院医师", "主管护师", "护师"),
            unit_type=UnitType.PUBLIC_INSTITUTION,
            staff_rank=Rank.OTHER,
            female_share=0.65,
        ),
        _dept(
            2,
            "市疾病预防控制中心",
            "主任",
            30,
            parent=health,
            staff_titles=("主管医师", "医师", "检验技师"),
            unit_type=UnitType.PUBLIC_INSTITUTION,
            staff_rank=Rank.OTHER,
            female_share=0.65,
        ),
        _dept(
            3,
            "市精神卫生中心",
            "主任",
            30,
            parent=health,
            tag_weight=1.5,
            staff_titles=("精神科医师", "心理治疗师", "主管护师"),
            unit_type=UnitType.PUBLIC_INSTITUTION,
            staff_rank=Rank.OTHER,
            female_share=0.65,
        ),
        _dept(
            1,
            "滨海市第一中学",
            "校长",
            50,
            parent=education,
            unit_type=UnitType.PUBLIC_INSTITUTION,
            staff_titles=("一级教师", "二级教师", "高级教师"),
            staff_rank=Rank.OTHER,
            female_share=0.62,
        ),
        _dept(
            1,
            "市应急救援指挥中心",
            "主任",
            20,
            parent=emergency,
            unit_type=UnitType.PUBLIC_INSTITUTION,
            staff_titles=("值班员", "科员"),
            is_key_department=True,
            female_share=0.25,
            tag_weight=3.0,
            tag_choices=URGENT,
        ),
        _dept(
            1,
            "市职工服务中心",
            "主任",
            10,
            parent=unions,
            unit_type=UnitType.PUBLIC_INSTITUTION,
            staff_titles=("干事", "科员"),
        ),
        _dept(
            1,
            "市妇女儿童活动中心",
            "主任",
            10,
            parent=women,
            unit_type=UnitType.PUBLIC_INSTITUTION,
            staff_titles=("干事", "科员"),
            female_share=0.85,
        ),
        _dept(
            1,
            "滨海港集装箱码头有限公司",
            "总经理",
            40,
            parent=port,
            unit_type=UnitType.STATE_ENTERPRISE,
            staff_titles=("调度员", "职员", "工程师"),
            staff_rank=Rank.OTHER,
            female_share=0.25,
            tag_weight=1.5,
            tag_choices=HARD,
        ),
    ]


def plan_units() -> list[UnitPlan]:
    """The organisation tree, parents before children: 60 units on three levels."""
    units = [
        UnitPlan(
            code=CITY_CODE,
            name=CITY_NAME,
            unit_type=UnitType.PARTY_GOVERNMENT,
            parent_code=None,
            ladder="city",
            weight=40,
        )
    ]
    for code, name, kind, _towns in COUNTIES:
        units.append(
            UnitPlan(
                code=code,
                name=name,
                unit_type=UnitType.PARTY_GOVERNMENT,
                parent_code=CITY_CODE,
                ladder="county",
                weight=50,
                titles={"k": kind},
            )
        )
    departments = _departments()
    units.extend(unit for unit in departments if unit.level == 2)
    for code, name, _kind, towns in COUNTIES:
        units.extend(_town(code, name, suffix, town) for suffix, town in towns)
    units.extend(unit for unit in departments if unit.level == 3)
    return units


# People ----------------------------------------------------------------------------------

# Common surnames with their rough share of the population (per mille).
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22), ("赵", 21),
    ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 13), ("朱", 13), ("胡", 12), ("郭", 12),
    ("何", 11), ("高", 11), ("林", 11), ("罗", 9), ("郑", 9), ("梁", 9), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 7), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
    ("余", 5), ("杜", 5), ("叶", 5), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 4), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("付", 3), ("方", 3), ("白", 3), ("邹", 3), ("孟", 3), ("熊", 3), ("秦", 3), ("邱", 3),
    ("江", 3), ("尹", 3), ("薛", 3), ("闫", 3), ("段", 3), ("雷", 3), ("侯", 2), ("史", 2),
    ("陶", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2),
    ("钱", 2), ("武", 2), ("戴", 2), ("孔", 2), ("汤", 2), ("欧阳", 0.5),
)  # fmt: skip
# Given names common in each generation (born before 1980, in 1980–1994, from 1995), which a
# person gets most of the time; otherwise a name composed from the character lists below.
GIVEN_NAMES: dict[str, tuple[str, str, str]] = {
    Gender.MALE: (
        "建国 建军 建华 建平 国强 国庆 国华 卫东 卫国 志刚 志强 志勇 永刚 永强 新民 立新 立军"
        " 德明 春雷 海军 明 强 刚 勇 军 平 华 斌",
        "海峰 海涛 海波 晓东 晓明 晓峰 晓辉 志伟 俊杰 俊峰 文斌 文杰 鹏飞 鹏程 振华 东升 明辉"
        " 伟 磊 涛 鹏 超 辉 杰 亮 峰",
        "浩然 浩宇 宇航 宇轩 子豪 子轩 博文 天宇 一鸣 思远 嘉伟 家豪 皓轩 浩 宇 博 昊 鑫 帅 晨",
    ),
    Gender.FEMALE: (
        "秀英 桂英 玉兰 秀兰 丽华 丽萍 红梅 春梅 冬梅 玉梅 艳红 淑珍 凤英 爱华 桂兰"
        " 芳 红 霞 萍 梅 兰 静",
        "丽娟 海燕 晓燕 晓丽 晓红 晓梅 雪梅 春燕 美玲 慧敏 文静 艳玲 晓雪 丽 艳 娟 敏 燕 娜 洁 琳",
        "婷婷 丹丹 倩倩 欣怡 雨欣 思雨 佳琪 梦琪 诗涵 子涵 雅婷 静怡 梓涵 可欣 欣悦"
        " 婷 颖 璐 悦 蕾 雯",
    ),
}
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯峰建国志文俊海健林东晨宇坤亮成振庆新永德锋毅松鸿博昊"
)
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲燕红洁琳婷雪慧颖倩琴云萍梅莉兰晶丹蕾璐悦欣佳薇月岚雯嘉怡彤蓉"
NEUTRAL_CHARS = "晓佳海春雨宇欣家思安文立"
# Names of well-known people (leaders, athletes, artists, historical and fictional figures)
# and unfortunate homophones that the lists above could produce; a fictional roster avoids them.
_AVOIDED = """
    李强 李鹏 王毅 王勇 王晨 秦刚 刘宁 朱德 陈云 陈毅 贺龙 雷锋 黄坤明 孙春兰 胡春华
    王文涛 刘建超 袁家军 张杰 刘涛 李娜 王菲 刘翔 李宁 赵薇 姚明 林丹 马龙 马琳 田亮
    朱婷 张怡宁 吴敏霞 郑洁 王涛 许海峰 刘德华 黄晓明 杨丽萍 李宇春 赵丽颖 贾玲 邓超
    陈坤 黄磊 汪峰 韩红 杨坤 李健 毛宁 朱军 崔健 马云 雷军 丁磊 刘强东 王健林 李安
    张飞 马超 赵云 武松 黄蓉 孔子 孟子 朱子 孙子 马子 杨伟 吴德 范健 李明博 张一鸣
    宋丹丹 王志刚 李建国 黄海波 陈晓东 刘晓明
    """
AVOIDED_NAMES = frozenset(_AVOIDED.split())


def _weighted_key(rng: random.Random, weight: float) -> float:
    # Efraimidis–Spirakis: the k largest keys are a weighted sample without replacement.
    return float(rng.random() ** (1.0 / weight))


class NameMaker:
    """Chinese names by gender and generation, drawn from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [name for name, _ in SURNAMES]
        self.cumulative = list(accumulate(weight for _, weight in SURNAMES))
        self.given = {
            gender: tuple(tuple(names.split()) for names in generations)
            for gender, generations in GIVEN_NAMES.items()
        }

    def __call__(self, gender: str, birth_year: int) -> str:
        generation = 0 if birth_year < 1980 else (1 if birth_year < 1995 else 2)
        own = MALE_CHARS if gender == Gender.MALE else FEMALE_CHARS
        while True:
            surname = self.rng.choices(self.surnames, cum_weights=self.cumulative)[0]
            draw = self.rng.random()
            if draw < 0.65:
                given = self.rng.choice(self.given[gender][generation])
            elif draw < 0.75:
                given = self.rng.choice(own)
            else:
                given = self.rng.choice(own + NEUTRAL_CHARS) + self.rng.choice(own)
                if given[0] == given[1]:
                    continue
            name = surname + given
            if name not in AVOIDED_NAMES:
                return name


@dataclass(frozen=True)
class PersonPlan:
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    mobile: str
    unit_code: str
    post: str
    rank: str
    status: str = EmploymentStatus.ACTIVE
    left_on: dt.date | None = None
    left_reason: str = ""
    tags: tuple[str, ...] = ()
    account: int = 0  # 1…CADRE_ACCOUNTS for the cadres who can log in, else 0


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    units: list[UnitPlan]
    people: list[PersonPlan]


@dataclass(eq=False)
class _Slot:
    """A person being planned: unit and post first, identity once status and age are known."""

    unit: UnitPlan
    post: str
    rank: str
    ages: tuple[int, int]
    gender: str
    leader: bool
    status: str = EmploymentStatus.ACTIVE
    birth_date: dt.date = REFERENCE_DATE
    left_on: dt.date | None = None
    left_reason: str = ""
    tags: tuple[str, ...] = ()
    account: int = 0


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split *total* in proportion to *weights* (largest remainder), at least one each if enough."""
    floor = 1 if total >= len(weights) else 0
    rest = total - floor * len(weights)
    whole = sum(weights)
    shares = [rest * weight / whole for weight in weights]
    counts = [floor + int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (int(shares[i]) - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _posts(rng: random.Random, unit: UnitPlan, headcount: int) -> Iterator[tuple[str, Tier, bool]]:
    """(post, tier, is a leader) for each of the unit's people, the chiefs first."""
    tiers = LADDERS[unit.ladder]
    staff = Tier(unit.staff_titles, unit.staff_rank, STAFF_AGES)
    left = headcount
    for index, tier in enumerate(tiers):
        size = min(left, tier.size(headcount))
        for n in range(size):
            template = tier.titles[n] if tier.fixed else rng.choice(tier.titles)
            yield template.format(**unit.titles), tier, index < 2
        left -= size
    for _ in range(left):
        yield rng.choice(staff.titles), staff, False


def _birth_date(rng: random.Random, age: int) -> dt.date:
    """A birthday making the person exactly *age* on REFERENCE_DATE (a 1 January)."""
    latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)
    earliest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age - 1) + dt.timedelta(days=1)
    return dt.date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _mobiles(rng: random.Random, count: int) -> list[str]:
    """*count* distinct roster mobiles, skipping the accounts' 13800000001…0020."""
    wanted = -(-(2 * count + CADRE_ACCOUNTS + 1) // 10_000)  # half full at most
    blocks = min(len(MOBILE_BLOCKS), wanted)
    numbers = rng.sample(range(CADRE_ACCOUNTS + 1, 10_000 * blocks), count)
    return [f"{MOBILE_BLOCKS[n // 10_000]}{n % 10_000:04d}" for n in numbers]


def plan_demo_city(*, cadres: int = DEFAULT_CADRES, seed: int = DEFAULT_SEED) -> DemoPlan:
    """The whole demo city as plain data: the same seed always gives the same plan."""
    if not 1 <= cadres <= MAX_CADRES:
        raise DemoError(f"the demo city holds 1 to {MAX_CADRES} cadres, not {cadres}")
    rng = random.Random(seed)
    units = plan_units()
    slots: list[_Slot] = []
    for unit, headcount in zip(units, allocate(cadres, [u.weight for u in units]), strict=True):
        for post, tier, leader in _posts(rng, unit, headcount):
            female_share = unit.female_share / 2 if leader else unit.female_share
            gender = Gender.FEMALE if rng.random() < female_share else Gender.MALE
            slots.append(_Slot(unit, post, tier.rank, tier.ages, gender, leader))

    _plan_leavers(rng, slots)
    for slot in slots:
        if slot.status == EmploymentStatus.ACTIVE:
            low, high = slot.ages
            mode = low + (high - low) / 3 if slot.rank in (Rank.STAFF, Rank.OTHER) else None
            age = round(rng.triangular(low, high, mode))
            slot.birth_date = _birth_date(rng, age)
    _plan_tags(rng, slots)
    _plan_accounts(rng, slots)

    names = NameMaker(rng)
    id_numbers: set[str] = set()
    mobiles = iter(_mobiles(rng, sum(1 for slot in slots if not slot.account)))
    people = []
    for slot in slots:
        region = _region(rng, slot.unit)
        while True:
            serial = rng.randrange(500) * 2 + (1 if slot.gender == Gender.MALE else 0)
            first17 = f"{region}{slot.birth_date:%Y%m%d}{serial:03d}"
            if first17 not in id_numbers:
                id_numbers.add(first17)
                break
        people.append(
            PersonPlan(
                name=names(slot.gender, slot.birth_date.year),
                gender=slot.gender,
                birth_date=slot.birth_date,
                id_number=first17 + id_check_code(first17),
                mobile=(
                    f"{ACCOUNT_MOBILE_PREFIX}{slot.account:04d}" if slot.account else next(mobiles)
                ),
                unit_code=slot.unit.code,
                post=slot.post,
                rank=slot.rank,
                status=slot.status,
                left_on=slot.left_on,
                left_reason=slot.left_reason,
                tags=slot.tags,
                account=slot.account,
            )
        )
    return DemoPlan(seed=seed, units=units, people=people)


def _region(rng: random.Random, unit: UnitPlan) -> str:
    """Where a person was born: mostly the county they work in, else anywhere in the city."""
    county = unit.code[:6]
    if county != CITY_CODE and rng.random() < 0.7:
        return county
    return rng.choice(REGION_CODES)


def _plan_leavers(rng: random.Random, slots: list[_Slot]) -> None:
    """About 2% have left: a third retired at the statutory age, the rest moved on."""
    candidates = [slot for slot in slots if not slot.leader]
    leaving = rng.sample(candidates, min(len(candidates), round(len(slots) * LEFT_SHARE)))
    for n, slot in enumerate(leaving):
        if n % 3 == 0:
            retirement_age = 60 if slot.gender == Gender.MALE else 55
            age = retirement_age if slot.gender == Gender.MALE else rng.randint(55, 60)
            slot.birth_date = _birth_date(rng, age)
            slot.status = EmploymentStatus.RETIRED
            slot.left_on = _years_after(slot.birth_date, retirement_age)
            slot.left_reason = "退休"
        else:
            slot.birth_date = _birth_date(rng, rng.randint(*slot.ages))
            slot.status = EmploymentStatus.LEFT
            slot.left_on = REFERENCE_DATE - dt.timedelta(days=rng.randint(1, 360))
            slot.left_reason = rng.choice(("调离本市", "辞职", "转任市外单位", "考取研究生"))


TAG_CODES = [tag.value for tag in AttentionTag]


def _plan_tags(rng: random.Random, slots: list[_Slot]) -> None:
    """About 8% on key attention, likelier in key departments and remote townships."""
    current = [slot for slot in slots if slot.status == EmploymentStatus.ACTIVE]
    count = min(len(current), round(len(slots) * TAGGED_SHARE))
    keyed = sorted(
        ((_weighted_key(rng, slot.unit.tag_weight), n) for n, slot in enumerate(current)),
        reverse=True,
    )
    for _, n in keyed[:count]:
        slot = current[n]
        first = slot.unit.tag_choices[0] if rng.random() < 0.6 else rng.choice(TAG_CODES)
        tags = {str(first)}
        if rng.random() < 0.15:
            tags.add(rng.choice(TAG_CODES))
        slot.tags = tuple(code for code in TAG_CODES if code in tags)


def _plan_accounts(rng: random.Random, slots: list[_Slot]) -> None:
    """Twenty active cadres get accounts, the first in the liaison's district.

    Leaders are taken only when a small demo has too few other people.
    """
    current = [slot for slot in slots if slot.status == EmploymentStatus.ACTIVE]
    staff = [slot for slot in current if not slot.leader]
    leaders = [slot for slot in current if slot.leader]
    rng.shuffle(staff)
    rng.shuffle(leaders)
    candidates = staff + leaders
    in_district = [slot for slot in candidates if slot.unit.code.startswith(LIAISON_DISTRICT_CODE)]
    if in_district:
        candidates.remove(in_district[0])
        candidates.insert(0, in_district[0])
    for number, slot in enumerate(candidates[:CADRE_ACCOUNTS], start=1):
        slot.account = number


# Writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    units: int
    levels: int
    cadres: int
    accounts: int
    seconds: float


def has_data() -> bool:
    """Whether the organisation or any account exists: the demo city only goes into a blank one."""
    return Unit.objects.exists() or User.objects.exists()


def build_demo_city(
    *, cadres: int = DEFAULT_CADRES, seed: int = DEFAULT_SEED, stdout: Writer | None = None
) -> DemoSummary:
    """Plan and write the demo city into an empty database, in one transaction."""
    started = time.perf_counter()

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    plan = plan_demo_city(cadres=cadres, seed=seed)
    with transaction.atomic():
        if has_data():
            raise DemoError("数据库已有数据 (the database already has data)")
        units = _write_units(plan.units)
        say(f"  单位 units: {len(units)}\n")
        people = _write_people(plan.people, units)
        say(f"  干部 cadres: {len(people)}\n")
        accounts = _write_accounts(plan.people, people, units)
        say(f"  账号 accounts: {accounts}\n")
    return DemoSummary(
        seed=seed,
        units=len(units),
        levels=len({unit.level for unit in plan.units}),
        cadres=len(people),
        accounts=accounts,
        seconds=time.perf_counter() - started,
    )


def _write_units(plans: list[UnitPlan]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    siblings: dict[str | None, int] = {}
    for plan in plans:
        siblings[plan.parent_code] = siblings.get(plan.parent_code, 0) + 1
        unit = Unit(
            code=plan.code,
            name=plan.name,
            unit_type=plan.unit_type,
            parent=units[plan.parent_code] if plan.parent_code else None,
            is_key_department=plan.is_key_department,
            sort_order=siblings[plan.parent_code],
        )
        unit.save()
        units[plan.code] = unit
    return units


def _write_people(plans: list[PersonPlan], units: dict[str, Unit]) -> list[Person]:
    people = []
    for plan in plans:
        person = Person(
            name=plan.name,
            gender=plan.gender,
            birth_date=plan.birth_date,
            id_number=plan.id_number,
            mobile=plan.mobile,
            unit=units[plan.unit_code],
            post=plan.post,
            rank=plan.rank,
            status=plan.status,
            left_on=plan.left_on,
            left_reason=plan.left_reason,
        )
        person.tag_codes = list(plan.tags)
        people.append(person)
    # bulk_create runs each field's pre_save, which encrypts and fills the blind indexes; the
    # roster key is created in this transaction, so it is held in memory for the batch.
    subjects = {
        f.key_subject
        for f in Person._meta.fields
        if isinstance(f, EncryptedTextField) and f.key_subject
    } | {BLIND_INDEX_SUBJECT}
    with prepared_keys(subjects):
        Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
    return people


def _write_accounts(plans: list[PersonPlan], people: list[Person], units: dict[str, Unit]) -> int:
    # One Argon2 hash shared by every demo account: hashing thirty times would take seconds.
    password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    users = [
        User(
            username=f"demo-cadre-{plan.account:02d}",
            display_name=plan.name,
            person=person,
            mobile=plan.mobile,
            password=password,
            password_changed_at=now,
        )
        for plan, person in sorted(
            ((plan, person) for plan, person in zip(plans, people, strict=True) if plan.account),
            key=lambda pair: pair[0].account,
        )
    ]
    staff = [
        User(username=login, display_name=name, password=password, password_changed_at=now)
        for login, _role, _scope, name in STAFF_ACCOUNTS
    ]
    User.objects.bulk_create(users + staff, batch_size=BATCH_SIZE)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role, unit=units[scope], granted_at=now)
        for user, (_login, role, scope, _name) in zip(staff, STAFF_ACCOUNTS, strict=True)
    )
    return len(users) + len(staff)


def delete_demo_city() -> None:
    """Remove the organisation, roster and accounts, so that the demo can be built again.

    The audit trail is append-only and protects the accounts it names, so a database that has
    one is never emptied here: the answer is a fresh database.
    """
    with transaction.atomic():
        events = AuditEvent.objects.count()
        if events:
            raise DemoError(
                f"审计记录已有 {events} 条，不能清空重建；请使用新的数据库。"
                f" (The audit trail has {events} entries and is append-only: use a fresh"
                " database, e.g. another SUNFLOWER_VAR_DIR or DATABASE_URL.)"
            )
        try:
            RoleAssignment.objects.all().delete()
            RosterImport.objects.all().delete()
            User.objects.all().delete()
            Person.objects.all().delete()
            for level in sorted(set(Unit.objects.values_list("level", flat=True)), reverse=True):
                Unit.objects.filter(level=level).delete()
        except (ProtectedError, RestrictedError) as exc:
            raise DemoError(
                "其他数据仍引用这些单位、人员或账号，不能清空重建；请使用新的数据库。"
                f" (Other records still refer to them: use a fresh database. {exc.args[0]})"
            ) from None
