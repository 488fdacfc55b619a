"""The readable copy of a person's data: a PDF in Chinese with no font files on the server.

ReportLab's built-in CID font STSong-Light is a font the PDF viewer supplies (every Chinese
reader has it), so nothing is embedded and nothing needs installing.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sunflower.privacy.export import PersonExport

FONT = "STSong-Light"
MARGIN = 18 * mm
LABEL_WIDTH = 34 * mm


def cid_font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def report_styles() -> dict[str, ParagraphStyle]:
    font = cid_font()
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, spaceAfter=4),
        "meta": ParagraphStyle(
            "meta", parent=base, fontSize=9.5, textColor=colors.HexColor("#555555")
        ),
        "body": base,
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=13.5, leading=20, spaceBefore=10, spaceAfter=4
        ),
        "label": ParagraphStyle("label", parent=base, textColor=colors.HexColor("#444444")),
        "empty": ParagraphStyle("empty", parent=base, textColor=colors.HexColor("#777777")),
    }


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def record_table(rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    width = A4[0] - 2 * MARGIN
    table = Table(
        [
            [paragraph(label, styles["label"]), paragraph(value, styles["body"])]
            for label, value in rows
        ],
        colWidths=[LABEL_WIDTH, width - LABEL_WIDTH],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F4F1EA")),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#D6D0C4")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def render_export_pdf(export: PersonExport) -> bytes:
    styles = report_styles()
    footer = _("本文件含有您的个人信息，请妥善保管。第 %(page)d 页")
    story: list[Any] = [
        paragraph(_("我的个人信息副本"), styles["title"]),
        paragraph(
            _("向阳花干部心理健康服务平台，生成时间：%(time)s")
            % {"time": timezone.localtime(export.generated_at).strftime("%Y-%m-%d %H:%M")},
            styles["meta"],
        ),
        Spacer(1, 4 * mm),
        paragraph(
            _(
                "这是平台保存的与您本人有关的全部信息，按类别列出。标注“敏感个人信息”的部分"
                "在数据库中加密保存，本次导出已记入审计日志。机器可读的版本请下载 JSON 文件。"
            ),
            styles["body"],
        ),
    ]
    for section in export.sections:
        title = section.title
        if section.sensitive:
            title = _("%(title)s（敏感个人信息）") % {"title": title}
        heading = paragraph(title, styles["h2"])
        if not section.records:
            story.append(KeepTogether([heading, paragraph(_("无记录"), styles["empty"])]))
            continue
        first, *rest = section.records
        story.append(KeepTogether([heading, record_table(section.rows(first), styles)]))
        for record in rest:
            story += [Spacer(1, 2 * mm), record_table(section.rows(record), styles)]

    return build_pdf(story, title=_("我的个人信息副本"), footer=footer)


def build_pdf(story: list[Any], *, title: str, footer: str) -> bytes:
    """An A4 document of *story*; *footer* is drawn on every page with %(page)d filled in.
    Shared by the other reports (assessments/reports.py)."""

    def draw_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(cid_font(), 8.5)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawCentredString(A4[0] / 2, 10 * mm, footer % {"page": doc.page})
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=_("向阳花"),
    )
    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
