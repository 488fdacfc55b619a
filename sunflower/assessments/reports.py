"""What a response shows the record keeper, and its documents: the PDF report, the FHIR
resources and a campaign's data export (xlsx, CSV).

Everything here works on responses already read through `access.py` (audited there); nothing
here queries a response itself.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from sunflower.assessments import catalogue, interpret
from sunflower.assessments.access import CampaignExport
from sunflower.assessments.actions import STRAIGHT_LINE, TOO_FAST
from sunflower.assessments.models import Response
from sunflower.privacy.pdf import build_pdf, paragraph, record_table, report_styles
from sunflower.scales import Instrument
from sunflower.scales.fhir import DEFAULT_BASE_URL, questionnaire, questionnaire_response
from sunflower.scales.model import DEFAULT_LANGUAGE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FHIR_CONTENT_TYPE = "application/fhir+json; charset=utf-8"
HOTLINE = "12356"

QUALITY: dict[str, tuple[str | Promise, str | Promise]] = {
    TOO_FAST: (
        _lazy("作答过快"),
        _lazy("完成用时少于每题 2 秒，题目可能没有被仔细阅读。"),
    ),
    STRAIGHT_LINE: (
        _lazy("所有题目选了同一个选项"),
        _lazy("这份量表含反向计分题或题目较多，每题都选同一个选项时，作答可能不够认真。"),
    ),
}
QUALITY_NOTE = _lazy(
    "作答质量提示只供解读时参考：作答照常保存和计分，不会因为这些提示被删除或作废。"
    "如有疑问，可以在谈心谈话或回访时请本人重新作答。"
)
CRITICAL_ITEM = "critical_item"


def fhir_base_url() -> str:
    return str(settings.SUNFLOWER_FHIR_BASE_URL or DEFAULT_BASE_URL)


def _text(value: Any, language: str) -> str:
    return str(value.get(language) or value[DEFAULT_LANGUAGE])


def _number(value: Any) -> str:
    if value is None:
        return "—"
    return str(value)


@dataclass
class Answer:
    number: int
    text: str
    code: int | None
    label: str


@dataclass
class Flag:
    code: str
    label: str
    explanation: str = ""


@dataclass
class ResultDetail:
    """A submitted response laid out for the record keeper's page and the PDF report."""

    view: interpret.ResultView
    instrument: Instrument
    subscales: list[tuple[str, str]] = field(default_factory=list)
    indices: list[tuple[str, str]] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    quality: list[Flag] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    @property
    def response(self) -> Response:
        return self.view.response


def detail(response: Response) -> ResultDetail:
    language = catalogue.language()
    view = interpret.result_view(response)
    instrument = view.instrument
    data = response.result_data()
    found = ResultDetail(view=view, instrument=instrument)
    values = data.get("subscales") or {}
    found.subscales = [
        (_text(scale.name, language), _number(values.get(scale.key)))
        for scale in instrument.subscales
        if scale.key in values
    ]
    values = data.get("indices") or {}
    found.indices = [
        (_text(index.name, language), _number(values.get(index.key)))
        for index in instrument.indices
        if index.key in values
    ]
    reasons = {rule.code: _text(rule.reason, language) for rule in instrument.flags}
    found.flags = [
        Flag(
            code,
            str(_("关键条目阳性")) if code == CRITICAL_ITEM else code,
            reasons.get(code, ""),
        )
        for code in data.get("flags") or []
    ]
    found.quality = [
        Flag(code, str(QUALITY[code][0]), str(QUALITY[code][1]))
        if code in QUALITY
        else Flag(code, code)
        for code in data.get("quality") or []
    ]
    for item, code in zip(instrument.items, response.answer_list(), strict=False):
        option = next((o for o in item.options if o.code == code), None)
        found.answers.append(
            Answer(
                number=item.number,
                text=_text(item.text, language),
                code=code,
                label=_text(option.label, language) if option is not None else str(_("未作答")),
            )
        )
    return found


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(seconds, 60)
    if minutes:
        return _("%(m)d 分 %(s)d 秒") % {"m": minutes, "s": rest}
    return _("%(s)d 秒") % {"s": rest}


def duration_text(response: Response) -> str:
    return _duration(response.duration_seconds)


# PDF ---------------------------------------------------------------------------------------


def response_pdf(response: Response, *, own_copy: bool) -> bytes:
    """The report of one submitted response in Chinese: the cadre's own copy ("本人"), or the
    record keeper's copy naming the cadre and unit."""
    found = detail(response)
    view = found.view
    styles = report_styles()
    submitted = timezone.localtime(response.submitted_at) if response.submitted_at else None
    who: list[tuple[str, str]]
    if own_copy or response.person is None:
        who = [(_("对象"), _("本人"))]
    else:
        who = [(_("干部"), response.person.name), (_("单位"), response.person.unit.name)]
    score = _number(view.score)
    if view.score_max:
        score = f"{score} / {view.score_max}"
    rows = [
        *who,
        (_("量表"), f"{view.name}（{_('版本')} {response.instrument_version}）"),
        (_("完成时间"), submitted.strftime("%Y-%m-%d %H:%M") if submitted else "—"),
        (_("用时"), duration_text(response)),
        (view.score_label, score),
        (_("结果分级"), view.band_label or "—"),
    ]
    if response.campaign is not None:
        rows.insert(len(who), (_("测评活动"), response.campaign.name))
    if view.norm is not None:
        rows.append(
            (
                _("与常模比较"),
                _("与“%(group)s”相比，T 分 %(t)s，百分位约 %(pct)s")
                % {"group": view.norm.group, "t": view.norm.t, "pct": view.norm.percentile},
            )
        )
    title = _("心理测评结果报告")
    story: list[Any] = [
        paragraph(title, styles["title"]),
        paragraph(
            (_("本人副本") if own_copy else _("档案管理员存档副本"))
            + " · "
            + _("向阳花干部心理健康服务平台，生成时间：%(time)s")
            % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            styles["meta"],
        ),
        Spacer(1, 4 * mm),
        record_table(rows, styles),
    ]
    if view.interpretation:
        story += [
            paragraph(_("结果解读"), styles["h2"]),
            paragraph(view.interpretation, styles["body"]),
            paragraph(_("自测结果只反映近期的感受，不是诊断。"), styles["meta"]),
        ]
    if found.subscales:
        story += [paragraph(_("分量表得分"), styles["h2"]), record_table(found.subscales, styles)]
    if found.indices:
        story += [paragraph(_("其他指标"), styles["h2"]), record_table(found.indices, styles)]
    if not own_copy and (found.flags or found.quality):
        story.append(paragraph(_("提示"), styles["h2"]))
        notes = [(flag.label, flag.explanation or "—") for flag in found.flags]
        notes += [(flag.label, flag.explanation or "—") for flag in found.quality]
        story.append(record_table(notes, styles))
        if found.quality:
            story.append(paragraph(str(QUALITY_NOTE), styles["meta"]))
    story += [
        paragraph(_("需要帮助时"), styles["h2"]),
        paragraph(
            _(
                "全国统一心理援助热线 %(hotline)s（24 小时）；也可以联系所在单位的心理服务站"
                "（太阳岛）预约心理咨询，内容严格保密。"
            )
            % {"hotline": HOTLINE},
            styles["body"],
        ),
    ]
    footer = (
        _("本报告含有敏感个人信息，请妥善保管。第 %(page)d 页")
        if own_copy
        else _("敏感个人信息，仅限档案管理员按规定使用。第 %(page)d 页")
    )
    return build_pdf(story, title=title, footer=footer)


def report_filename(response: Response, extension: str, stem: str = "report") -> str:
    """No name, instrument or result in the file name: it lands in download folders."""
    when = timezone.localtime(response.submitted_at or timezone.now())
    return f"{stem}-{when:%Y%m%d}.{extension}"


# FHIR --------------------------------------------------------------------------------------


def response_fhir(response: Response) -> dict[str, Any]:
    """The response as a FHIR R4 QuestionnaireResponse, on the version it was answered on."""
    instrument = catalogue.instrument(response.instrument_id, response.instrument_version)
    authored = response.submitted_at or response.saved_at
    subject = None
    if response.person is not None:
        subject = {"reference": f"Patient/{response.person.pk}", "display": response.person.name}
    resource = questionnaire_response(
        instrument,
        response.answer_list(),
        authored,
        base_url=fhir_base_url(),
        subject=subject,
    )
    return {"id": str(response.pk), **resource}


def instrument_fhir(instrument: Instrument) -> dict[str, Any]:
    return questionnaire(instrument, base_url=fhir_base_url())


# Data export -------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
    apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value
    if value is None:
        return ""
    return cell_safe(str(value)) if not isinstance(value, int) else value


def export_table(export: CampaignExport) -> tuple[list[str], list[list[Any]]]:
    """A header and one row per response. Anonymous campaigns have no name or unit column.
    Subscale and index columns are the union over the campaign's instruments."""
    language = catalogue.language()
    rows = export.rows
    instruments = {
        (r.instrument_id, r.instrument_version): catalogue.instrument(
            r.instrument_id, r.instrument_version
        )
        for r in rows
    }
    scale_columns: dict[tuple[str, str], str] = {}
    index_columns: dict[tuple[str, str], str] = {}
    for instrument in instruments.values():
        for scale in instrument.subscales:
            scale_columns.setdefault(
                (instrument.id, scale.key),
                f"{instrument.abbreviation} {_text(scale.name, language)}",
            )
        for index in instrument.indices:
            index_columns.setdefault(
                (instrument.id, index.key),
                f"{instrument.abbreviation} {_text(index.name, language)}",
            )
    items = max((len(i.items) for i in instruments.values()), default=0)
    header = [str(_("测评活动"))]
    if not export.anonymous:
        header += [str(_("姓名")), str(_("单位"))]
    header += [
        str(_("量表")),
        str(_("量表版本")),
        str(_("提交日期")),
        str(_("总分")),
        str(_("结果分级")),
        *scale_columns.values(),
        *index_columns.values(),
        str(_("提示")),
        str(_("作答质量提示")),
        *[_("第%(n)d题") % {"n": n} for n in range(1, items + 1)],
    ]
    body: list[list[Any]] = []
    for response in rows:
        instrument = instruments[(response.instrument_id, response.instrument_version)]
        data = response.result_data()
        row: list[Any] = [export.campaign.name]
        if not export.anonymous:
            person = response.person
            row += [person.name, person.unit.name] if person is not None else ["", ""]
        submitted = timezone.localtime(response.submitted_at) if response.submitted_at else None
        code = (data.get("band") or {}).get("code") or ""
        subscales = data.get("subscales") or {}
        indices = data.get("indices") or {}
        answers = response.answer_list()
        row += [
            instrument.abbreviation,
            response.instrument_version,
            submitted.date().isoformat() if submitted else "",
            data.get("total"),
            interpret.band_label(instrument, code, language) or code,
            *[subscales.get(key) if iid == instrument.id else None for iid, key in scale_columns],
            *[indices.get(key) if iid == instrument.id else None for iid, key in index_columns],
            "、".join(data.get("flags") or []),
            "、".join(data.get("quality") or []),
            *[answers[n] if n < len(answers) else None for n in range(items)],
        ]
        body.append([_cell(value) for value in row])
    return [cell_safe(h) for h in header], body


def write_xlsx(header: list[str], rows: list[list[Any]], title: str = "测评数据") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with a byte-order mark as UTF-8
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
