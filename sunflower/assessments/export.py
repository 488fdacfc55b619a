"""The cadre's own assessment results in their personal data download (a sensitive section)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunflower.assessments import catalogue
from sunflower.assessments.interpret import band_label
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.orgs.models import Person
from sunflower.privacy.export import ExportSection, Record, register_section
from sunflower.scales import UnknownInstrumentError


def collect(person: Person) -> list[Record]:
    """Called only by privacy.access.access_own_data, which audits the export."""
    records = []
    rows = Response.objects.filter(person=person, status=ResponseStatus.SUBMITTED)
    for response in rows.order_by("submitted_at"):
        data = response.result_data()
        code = (data.get("band") or {}).get("code") or ""
        try:
            instrument = catalogue.instrument(response.instrument_id, response.instrument_version)
            name, band = (
                instrument.label(catalogue.language()),
                band_label(instrument, code, catalogue.language()),
            )
        except UnknownInstrumentError:
            name, band = response.instrument_id, code
        records.append(
            {
                "instrument": name,
                "version": response.instrument_version,
                "submitted_at": response.submitted_at,
                "duration_seconds": response.duration_seconds,
                "total": data.get("total"),
                "subscales": data.get("subscales") or {},
                "indices": data.get("indices") or {},
                "band": band,
                "flags": data.get("flags") or [],
                "answers": response.answer_list(),
            }
        )
    return records


SECTION = ExportSection(
    key="assessments",
    title=_("心理测评结果"),
    labels={
        "instrument": _("量表"),
        "version": _("量表版本"),
        "submitted_at": _("提交时间"),
        "duration_seconds": _("用时（秒）"),
        "total": _("总分"),
        "subscales": _("分量表得分"),
        "indices": _("其他指标"),
        "band": _("结果分级"),
        "flags": _("提示"),
        "answers": _("作答（选项编码，按题目顺序）"),
    },
    collect=collect,
    sensitive=True,
)


def register() -> None:
    register_section(SECTION)
