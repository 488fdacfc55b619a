"""Validators for Chinese identity data: citizen ID numbers (GB 11643-1999) and mobiles.

Pure functions returning normalised values or raising ValueError with a translatable message,
so that forms, the importer and the API share one set of rules and messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")


class IdentityError(ValueError):
    """A value that is not a valid ID number or mobile; str() is a user-facing message."""


@dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: dt.date
    gender: str  # "M" or "F", from the 17th digit (odd is male)


def id_check_code(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11]


def parse_citizen_id(raw: str) -> CitizenId:
    """Validate an 18-character resident ID number: shape, birth date and check code."""
    number = (raw or "").strip().upper().replace(" ", "")
    if not number:
        raise IdentityError(_("请填写身份证号"))
    if len(number) != 18:
        raise IdentityError(_("身份证号应为18位，当前为%(count)d位") % {"count": len(number)})
    if not _ID_SHAPE.match(number):
        raise IdentityError(_("身份证号只能包含数字，最后一位可以是X"))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(_("身份证号中的出生日期无效")) from None
    if birth.year < 1900 or birth > dt.date.today():  # noqa: DTZ011 (a calendar date, no zone)
        raise IdentityError(_("身份证号中的出生日期无效"))
    if id_check_code(number[:17]) != number[17]:
        raise IdentityError(_("身份证号校验位错误，请核对"))
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return CitizenId(number=number, birth_date=birth, gender=gender)


def normalise_mobile(raw: str) -> str:
    """Validate a mainland mobile number; accepts +86/0086 prefixes, spaces and dashes."""
    digits = re.sub(r"[\s\-]", "", raw or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if not digits:
        raise IdentityError(_("请填写手机号"))
    if not digits.isdigit():
        raise IdentityError(_("手机号只能包含数字"))
    if len(digits) != 11:
        raise IdentityError(_("手机号应为11位，当前为%(count)d位") % {"count": len(digits)})
    if not _MOBILE_SHAPE.match(digits):
        raise IdentityError(_("手机号格式不正确（应以13–19开头）"))
    return digits


def mask_id_number(number: str) -> str:
    return f"{number[:3]}***********{number[-4:]}" if len(number) == 18 else "***"


def mask_mobile(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}" if len(number) == 11 else "***"
