"""Roster export and the import template, both .xlsx in the importer's columns.

An export re-imports cleanly: same headers, Chinese labels, ID numbers and mobiles in full as
text cells. The template's first sheet holds the headers only, so that nothing in it can be
imported by mistake; the rules and allowed values are on a second sheet, 填写说明.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sunflower.accounts.models import User
from sunflower.audit.events import record
from sunflower.orgs import importer
from sunflower.orgs.importer import (
    BIRTH_DATE,
    COLUMNS,
    GENDER,
    ID_NUMBER,
    MOBILE,
    NAME,
    POST,
    RANK,
    SHEET_TITLE,
    STATUS,
    TAGS,
    UNIT_CODE,
)
from sunflower.orgs.models import (
    AttentionTag,
    EmploymentStatus,
    Gender,
    Person,
    PersonQuerySet,
    Rank,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTES_TITLE = "填写说明"
TEXT_FORMAT = "@"
TEXT_COLUMNS = (ID_NUMBER, MOBILE, UNIT_CODE)  # digits that Excel must not turn into numbers
WIDTHS = {
    NAME: 12,
    ID_NUMBER: 22,
    MOBILE: 15,
    UNIT_CODE: 12,
    POST: 20,
    RANK: 14,
    STATUS: 10,
    TAGS: 30,
    GENDER: 8,
    BIRTH_DATE: 12,
}
TEMPLATE_ROWS = 50_000  # how far down the template's drop-down lists reach
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FFE9B3")


def _set_widths(sheet: Any) -> None:
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[name]


def write_people(people: Iterable[Person], out: IO[bytes]) -> int:
    """Write *people* as an importable roster to *out*; returns how many rows were written.

    Write-only mode streams rows to disk, so memory stays flat however long the roster is.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    _set_widths(sheet)
    sheet.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    sheet.append(header)
    with translation.override("zh-hans"):
        ranks = {member.value: str(member.label) for member in Rank}
        statuses = {member.value: str(member.label) for member in EmploymentStatus}
        tags = {member.value: str(member.label) for member in AttentionTag}
        genders = {member.value: str(member.label) for member in Gender}
    count = 0
    for person in people:
        values: dict[str, Any] = {
            NAME: person.name,
            ID_NUMBER: person.id_number,
            MOBILE: person.mobile,
            UNIT_CODE: person.unit.code,
            POST: person.post,
            RANK: ranks.get(person.rank, person.rank),
            STATUS: statuses.get(person.status, person.status),
            TAGS: "、".join(tags[code] for code in person.tag_codes if code in tags),
            GENDER: genders.get(person.gender, person.gender),
            BIRTH_DATE: person.birth_date.isoformat() if person.birth_date else "",
        }
        row: list[Any] = []
        for name in COLUMNS:
            if name in TEXT_COLUMNS:
                cell = WriteOnlyCell(sheet, value=values[name])
                cell.number_format = TEXT_FORMAT
                row.append(cell)
            else:
                row.append(values[name])
        sheet.append(row)
        count += 1
    book.save(out)
    return count


def do_export_roster(
    actor: User | None,
    people: PersonQuerySet,
    out: IO[bytes],
    *,
    request: HttpRequest | None = None,
    channel: str,
) -> int:
    """Export *people* (already limited to what the actor may see) and audit it."""
    rows = people.select_related("unit").order_by("unit__path", "name", "pk")
    count = write_people(rows.iterator(chunk_size=2000), out)
    record(
        "roster.export",
        actor=actor,
        request=request,
        changes={"rows": count, "channel": channel},
    )
    return count


def _notes(sheet: Worksheet) -> None:
    required, optional, column_only = _("必填"), _("选填"), _("列必须有，内容可空")
    rows = [
        (NAME, required, _("不超过50个字"), ""),
        (
            ID_NUMBER,
            required,
            _("18位居民身份证号，最后一位可以是X；已在花名册中的身份证号会更新该干部的信息"),
            "",
        ),
        (MOBILE, required, _("11位手机号，可带 +86"), ""),
        (
            UNIT_CODE,
            required,
            _("干部所在单位的代码，见“组织机构”页面；只能填写您管理范围内的单位"),
            "",
        ),
        (POST, column_only, _("不超过80个字"), ""),
        (
            RANK,
            column_only,
            _("留空时：新增人员按“科员及以下”，已有人员保持不变"),
            importer.allowed_labels(Rank),
        ),
        (
            STATUS,
            column_only,
            _("留空时：新增人员按“在职”，已有人员保持不变"),
            importer.allowed_labels(EmploymentStatus),
        ),
        (
            TAGS,
            column_only,
            _("可填多个，用逗号或顿号分隔；留空表示没有关注标签"),
            importer.allowed_labels(AttentionTag),
        ),
        (
            GENDER,
            optional,
            _("可以不要这一列；填写时必须与身份证号一致"),
            importer.allowed_labels(Gender),
        ),
        (
            BIRTH_DATE,
            optional,
            _("可以不要这一列；填写时必须与身份证号一致，格式如 1985-03-12"),
            "",
        ),
    ]
    sheet.append([_("列名"), _("是否必填"), _("填写要求"), _("可填写的值")])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append(list(row))
    sheet.append([])
    for line in (
        _("说明："),
        _("1. 请在“花名册”工作表第1行表头下方逐行填写，每行一人；表头不要修改。"),
        _("2. 身份证号、手机号、单位代码三列已设为文本格式，请不要改成数字格式。"),
        _("3. 上传后系统会先逐行校验；只要有一行有错误，整个文件都不会导入。"),
        _("4. 也可以先导出花名册，修改后再导入。"),
    ):
        sheet.append([line])
    for letter, width in zip("ABCD", (12, 16, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_template(out: IO[bytes]) -> None:
    """The import template: headers only on the first sheet, the rules on 填写说明."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # noqa: S101 (a new workbook's first sheet)
    sheet.title = SHEET_TITLE
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    _set_widths(sheet)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        if name in TEXT_COLUMNS:
            sheet.column_dimensions[get_column_letter(index)].number_format = TEXT_FORMAT
    for name, choices in ((RANK, Rank), (STATUS, EmploymentStatus), (GENDER, Gender)):
        letter = get_column_letter(COLUMNS.index(name) + 1)
        options = importer.allowed_labels(choices).replace("、", ",")
        validation = DataValidation(
            type="list",
            formula1=f'"{options}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=name,
            error=_("请从下拉列表中选择"),
        )
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)
    _notes(book.create_sheet(NOTES_TITLE))
    book.save(out)
