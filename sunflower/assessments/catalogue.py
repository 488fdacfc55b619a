"""Which instruments a cadre may take, what each is for, and how it is paged.

The library (`sunflower.scales`) knows the instruments; this module knows the portal: the
self-assessment list with a plain purpose and the minutes it takes, and the page size.

The library here is the shipped instruments, those installed with `sunflower scales install`
(VAR_DIR/instruments) and those a programme admin uploaded (InstalledInstrument rows, shared
by every process of a cluster). It is loaded once per process and reloaded when an instrument
it does not know is asked for, since another process may have installed it since.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sunflower.scales import Instrument, Library, UnknownInstrumentError, load_library
from sunflower.scales.loader import parse_instrument

PAGE_SIZE = 5


@dataclass(frozen=True)
class Entry:
    instrument_id: str
    purpose: str | Promise
    minutes: int
    page_size: int = PAGE_SIZE
    # Offered in the cadre's own catalogue; False: only in campaigns that assign it.
    self_assessment: bool = True


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


@dataclass(frozen=True)
class _Loaded:
    library: Library
    installed: dict[str, Entry]  # uploaded instruments by id (latest upload's description)
    at: float  # time.monotonic() of loading


# Lists (the catalogue, the campaign form) pick up another process's uploads within this time;
# a lookup of an instrument this process does not know reloads at once.
RELOAD_SECONDS = 60.0


_loaded: _Loaded | None = None
_lock = threading.Lock()


def local_instruments_dir() -> Path:
    """Where `sunflower scales install` puts instrument files on this server."""
    return Path(settings.VAR_DIR) / "instruments"


def _load() -> _Loaded:
    from sunflower.assessments.models import InstalledInstrument

    local = local_instruments_dir()
    found = load_library(*([local] if local.is_dir() else []))
    installed: dict[str, Entry] = {}
    for row in InstalledInstrument.objects.order_by("pk"):
        label = f"{row.instrument_id}.v{row.version}.yaml"
        found.add(parse_instrument(row.source.encode("utf-8"), label))
        installed[row.instrument_id] = Entry(
            row.instrument_id, row.purpose, row.minutes, self_assessment=row.self_assessment
        )
    return _Loaded(found, installed, time.monotonic())


def _current() -> _Loaded:
    global _loaded
    with _lock:
        if _loaded is None or time.monotonic() - _loaded.at > RELOAD_SECONDS:
            _loaded = _load()
        return _loaded


def forget() -> None:
    """Drop this process's copy: the next use loads the library again."""
    global _loaded
    with _lock:
        _loaded = None


def library() -> Library:
    return _current().library


def entry(instrument_id: str) -> Entry | None:
    """The portal's description of an instrument a cadre may be given, or None."""
    found = ENTRIES.get(instrument_id)
    if found is not None:
        return found
    found = _current().installed.get(instrument_id)
    if found is None and _installed_elsewhere(instrument_id):
        forget()
        found = _current().installed.get(instrument_id)
    return found


def self_assessment_entries() -> list[Entry]:
    installed = [e for e in _current().installed.values() if e.self_assessment]
    return [*SELF_ASSESSMENT, *installed]


def campaign_entries() -> list[Entry]:
    """Every instrument a campaign may assign: the shipped portal list and every upload."""
    return [*SELF_ASSESSMENT, *_current().installed.values()]


def instrument(instrument_id: str, version: str | None = None) -> Instrument:
    try:
        return library().get(instrument_id, version)
    except UnknownInstrumentError:
        if not _installed_elsewhere(instrument_id, version):
            raise
        forget()
        return library().get(instrument_id, version)


def _installed_elsewhere(instrument_id: str, version: str | None = None) -> bool:
    """Whether the database holds an upload this process has not loaded yet."""
    from sunflower.assessments.models import InstalledInstrument

    rows = InstalledInstrument.objects.filter(instrument_id=instrument_id)
    if version is not None:
        rows = rows.filter(version=version)
    known = _current().library
    return any(f"{i}@{v}" not in known for i, v in rows.values_list("instrument_id", "version"))


def language() -> str:
    """The instrument text language for the current request: English or Chinese."""
    return "en" if (get_language() or "").startswith("en") else "zh-Hans"


def page_size(instrument_id: str) -> int:
    found = ENTRIES.get(instrument_id) or _current().installed.get(instrument_id)
    return found.page_size if found is not None else PAGE_SIZE


def page_count(instrument_id: str, items: int) -> int:
    return max(1, math.ceil(items / page_size(instrument_id)))


def page_positions(instrument_id: str, items: int, page: int) -> range:
    """0-based item positions shown on 1-based *page*."""
    size = page_size(instrument_id)
    return range((page - 1) * size, min(page * size, items))
