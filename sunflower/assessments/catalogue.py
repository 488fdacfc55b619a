"""Which instruments a cadre may take on their own, what each is for, and how it is paged.

The library (`sunflower.scales`) knows the instruments; this module knows the portal: the
self-assessment list with a plain purpose and the minutes it takes, and the page size.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sunflower.scales import Instrument, Library, load_library

PAGE_SIZE = 5


@dataclass(frozen=True)
class Entry:
    instrument_id: str
    purpose: str | Promise
    minutes: int
    page_size: int = PAGE_SIZE


SELF_ASSESSMENT = (
    Entry("phq9", _("了解近两周的情绪和兴趣状态，是常用的抑郁症状自查工具。"), 3),
    Entry("gad7", _("了解近两周的紧张、担忧等焦虑感受。"), 2),
    Entry("pss10", _("了解近一个月您感受到的压力和掌控感。"), 3),
    Entry("who5", _("从积极的角度看看近两周的身心状态和活力。"), 2),
    Entry("k10", _("了解近一个月总体的心理困扰程度。"), 3),
    Entry("sds", _("抑郁自评量表，了解近一周的情绪和身体感受。"), 5),
    Entry("sas", _("焦虑自评量表，了解近一周的紧张和身体反应。"), 5),
    Entry("scl90", _("较全面的症状自评，涵盖躯体、人际、情绪等十个方面。"), 20, 10),
)
ENTRIES = {entry.instrument_id: entry for entry in SELF_ASSESSMENT}


@functools.cache
def library() -> Library:
    """The instrument library, loaded once per process (released files never change)."""
    return load_library()


def entry(instrument_id: str) -> Entry | None:
    return ENTRIES.get(instrument_id)


def instrument(instrument_id: str, version: str | None = None) -> Instrument:
    return library().get(instrument_id, version)


def language() -> str:
    """The instrument text language for the current request: English or Chinese."""
    return "en" if (get_language() or "").startswith("en") else "zh-Hans"


def page_count(instrument_id: str, items: int) -> int:
    size = ENTRIES[instrument_id].page_size if instrument_id in ENTRIES else PAGE_SIZE
    return max(1, math.ceil(items / size))


def page_positions(instrument_id: str, items: int, page: int) -> range:
    """0-based item positions shown on 1-based *page*."""
    size = ENTRIES[instrument_id].page_size if instrument_id in ENTRIES else PAGE_SIZE
    return range((page - 1) * size, min(page * size, items))
