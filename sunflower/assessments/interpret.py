"""What a result means for the cadre: band text, norm comparison, history and change.

Texts are calm and plain: a screening score describes recent feelings, it is not a
diagnosis, and every band says what a sensible next step is. They are per instrument and band
code, the codes of the instrument's default band convention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sunflower.assessments import catalogue
from sunflower.assessments.models import Response
from sunflower.scales import Instrument, compare_to_norm, instrument_reliable_change

_KEEP = _("继续保持规律作息、适度运动和与亲友的交流，有需要时随时可以再做一次自测。")
_WATCH = _(
    "这些感受很常见，多数会随着休息和调整而缓解。可以留意近期的睡眠和工作节奏，"
    "两到四周后再做一次自测，看看变化。"
)
_TALK = _(
    "建议与心理咨询师聊一聊，一起梳理近期的压力和应对办法。预约咨询是保密的，越早交流越容易调整。"
)
_SOON = _(
    "近期的困扰可能已经明显影响到您的工作和生活。请尽快预约心理咨询师或到医院心理科"
    "进一步评估——这是照顾自己的积极一步，专业的帮助通常很有效。"
)

Text = str | Promise

INTERPRETATIONS: dict[str, dict[str, tuple[Text, Text]]] = {
    "phq9": {
        "minimal": (_("近两周您的情绪状态总体平稳，几乎没有抑郁相关的困扰。"), _KEEP),
        "mild": (_("近两周您有一些情绪低落或兴趣减退的感受，程度较轻。"), _WATCH),
        "moderate": (_("近两周您有较多情绪低落、疲惫或兴趣减退的感受。"), _TALK),
        "moderately_severe": (_("近两周您的情绪困扰比较明显。"), _SOON),
        "severe": (_("近两周您的情绪困扰很明显。"), _SOON),
    },
    "gad7": {
        "minimal": (_("近两周您几乎没有紧张或担忧方面的困扰。"), _KEEP),
        "mild": (_("近两周您有一些紧张、担忧的感受，程度较轻。"), _WATCH),
        "moderate": (_("近两周您有较多紧张、担忧或难以放松的感受。"), _TALK),
        "severe": (_("近两周您的紧张和担忧比较明显。"), _SOON),
    },
    "pss10": {
        "low": (_("近一个月您感受到的压力较低，对生活有较好的掌控感。"), _KEEP),
        "moderate": (_("近一个月您感受到中等程度的压力，这在工作繁忙时很常见。"), _WATCH),
        "high": (_("近一个月您感受到的压力较高。"), _TALK),
    },
    "who5": {
        "adequate": (_("近两周您的身心状态和活力总体良好。"), _KEEP),
        "poor": (_("近两周您的精力和愉悦感偏低。"), _TALK),
    },
    "k10": {
        "low": (_("近一个月您的心理困扰较少。"), _KEEP),
        "moderate": (_("近一个月您有一定程度的心理困扰。"), _WATCH),
        "high": (_("近一个月您的心理困扰较多。"), _TALK),
        "very_high": (_("近一个月您的心理困扰很明显。"), _SOON),
    },
    "sds": {
        "normal": (_("近一周您的情绪总体平稳，没有明显的抑郁症状。"), _KEEP),
        "mild": (_("近一周您有轻度的情绪低落。"), _WATCH),
        "moderate": (_("近一周您的情绪低落较为明显。"), _TALK),
        "severe": (_("近一周您的情绪困扰很明显。"), _SOON),
    },
    "sas": {
        "normal": (_("近一周您没有明显的焦虑症状。"), _KEEP),
        "mild": (_("近一周您有轻度的紧张和焦虑。"), _WATCH),
        "moderate": (_("近一周您的紧张和焦虑较为明显。"), _TALK),
        "severe": (_("近一周您的焦虑感受很明显。"), _SOON),
    },
    "scl90": {
        "negative": (_("近一周您在各个方面的症状都不明显，总体状态良好。"), _KEEP),
        "positive": (
            _("近一周您在某些方面的困扰比平时多（结果“筛查阳性”只说明值得进一步了解，不是诊断）。"),
            _TALK,
        ),
    },
}

# The score a norm comparison and a history use, when it is not the total.
MAIN_SCORE = {"sds": "indices.index", "sas": "indices.index", "who5": "indices.percentage"}


def main_score(instrument_id: str) -> str:
    return MAIN_SCORE.get(instrument_id, "total")


def value_of(result: dict[str, Any], ref: str) -> Any:
    group, _dot, key = ref.partition(".")
    if not key:
        return result.get(group)
    return (result.get(group) or {}).get(key)


@dataclass
class NormView:
    group: str
    t: Decimal
    percentile: Decimal


@dataclass
class ResultView:
    response: Response
    instrument: Instrument
    name: str
    score_label: str
    score: Any
    score_max: Any
    band_code: str
    band_label: str
    interpretation: str
    critical: bool
    norm: NormView | None
    flags: list[str] = field(default_factory=list)

    def recommendations(self) -> list[Any]:
        """Up to three knowledge items for this instrument and band (the content app's rules)."""
        from sunflower.content.recommend import recommended_items

        return recommended_items(self.instrument.id, self.band_code)


def band_label(instrument: Instrument, code: str, language: str) -> str:
    bands = instrument.band_set()
    for band in bands.bands if bands is not None else ():
        if band.code == code:
            return band.label.get(language) or band.label["zh-Hans"]
    return ""


SCORE_LABELS = {
    "total": _("总分"),
    "indices.index": _("标准分"),
    "indices.percentage": _("百分制得分"),
}


def _score_label(instrument: Instrument, ref: str) -> tuple[str, Any]:
    return str(SCORE_LABELS.get(ref, ref)), _range(instrument, ref)[1]


def _norm(instrument: Instrument, data: dict[str, Any], language: str) -> NormView | None:
    """Where the score stands in the instrument's norm group: its main score, else the total."""
    for ref in dict.fromkeys((main_score(instrument.id), "total")):
        value = value_of(data, ref)
        if value is None:
            continue
        try:
            comparison = compare_to_norm(instrument, ref, value)
        except KeyError:
            continue
        found = next(n for n in instrument.norms if n.group == comparison.group)
        return NormView(
            group=found.name.get(language) or found.name["zh-Hans"],
            t=comparison.t,
            percentile=comparison.percentile,
        )
    return None


def result_view(response: Response) -> ResultView:
    language = catalogue.language()
    instrument = catalogue.instrument(response.instrument_id, response.instrument_version)
    data = response.result_data()
    ref = main_score(instrument.id)
    score = value_of(data, ref)
    code = (data.get("band") or {}).get("code") or ""
    label, high = _score_label(instrument, ref)
    norm = _norm(instrument, data, language)
    return ResultView(
        response=response,
        instrument=instrument,
        name=instrument.label(language),
        score_label=label,
        score=score,
        score_max=high,
        band_code=code,
        band_label=band_label(instrument, code, language),
        interpretation="".join(
            str(part) for part in INTERPRETATIONS.get(instrument.id, {}).get(code, ())
        ),
        critical="critical_item" in (data.get("flags") or []),
        norm=norm,
        flags=list(data.get("flags") or []),
    )


# History -----------------------------------------------------------------------------------


@dataclass
class Point:
    response: Response
    score: Any
    band_label: str
    change: str  # "improved", "worsened", "no_reliable_change", "" for the first
    x: float = 0
    y: float = 0


@dataclass
class Chart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    low: Any
    high: Any


def reliable_change(instrument: Instrument, ref: str, before: Any, after: Any) -> str:
    """improved / worsened / no_reliable_change: the Jacobson–Truax RCI where the data file
    records SD and reliability, otherwise its published reliable-change threshold."""
    try:
        return instrument_reliable_change(instrument, ref, before, after).direction
    except KeyError:
        pass
    threshold = next(
        (
            c.value
            for c in instrument.change_thresholds
            if c.score == ref and c.kind == "reliable_change"
        ),
        None,
    )
    if threshold is None:
        return ""
    change = Decimal(after) - Decimal(before)
    if abs(change) < threshold:
        return "no_reliable_change"
    better = change < 0 if instrument.higher_is == "worse" else change > 0
    return "improved" if better else "worsened"


def history(instrument: Instrument, responses: list[Response]) -> Chart:
    """The points of the cadre's submitted responses, oldest first, laid out for an SVG."""
    language = catalogue.language()
    ref = main_score(instrument.id)
    points: list[Point] = []
    previous = None
    for response in responses:
        data = response.result_data()
        value = value_of(data, ref)
        if value is None:
            continue
        version = catalogue.instrument(response.instrument_id, response.instrument_version)
        change = "" if previous is None else reliable_change(version, ref, previous, value)
        code = (data.get("band") or {}).get("code") or ""
        points.append(Point(response, value, band_label(version, code, language), change))
        previous = value
    low, high = _range(instrument, ref)
    width, height, pad = 320, 160, 24
    span = (high - low) or 1
    step = (width - 2 * pad) / max(1, len(points) - 1)
    for n, point in enumerate(points):
        point.x = round(pad + n * step if len(points) > 1 else width / 2, 1)
        share = (Decimal(point.score) - Decimal(low)) / Decimal(span)
        point.y = round(height - pad - float(share) * (height - 2 * pad), 1)
    polyline = " ".join(f"{p.x},{p.y}" for p in points)
    return Chart(width, height, points, polyline, low, high)


def _range(instrument: Instrument, ref: str) -> tuple[Any, Any]:
    if ref == "total" and instrument.total is not None:
        return int(instrument.total.low), int(instrument.total.high)
    for index in instrument.indices:
        if f"indices.{index.key}" == ref:
            return int(index.low), int(index.high)
    return 0, 100
