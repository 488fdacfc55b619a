"""Roster files for the import tests, built in memory in the template's columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from conftest import make_id_number
from sunflower.orgs.importer import REQUIRED_COLUMNS

HEADER = list(REQUIRED_COLUMNS)
# A birth date no conftest.make_person number uses, so that file IDs never collide with it.
BIRTH = "19900101"


def id_number(serial: int) -> str:
    return make_id_number(serial, birth=BIRTH)


def cadre(serial: int, unit: str = "370101", **columns: Any) -> dict[str, Any]:
    """One valid row; keyword arguments replace columns by their Chinese header."""
    row: dict[str, Any] = {
        "姓名": f"导入{serial}",
        "身份证号": id_number(serial),
        "手机号": f"137{serial:08d}",
        "单位代码": unit,
        "职务": "科员",
        "职级": "科员及以下",
        "在职状态": "在职",
        "关注标签": "",
    }
    row.update(columns)
    return row


def _table(rows: Iterable[dict[str, Any] | None], header: Sequence[str]) -> list[list[Any]]:
    return [list(header)] + [[] if row is None else [row.get(h) for h in header] for row in rows]


def xlsx(rows: Iterable[dict[str, Any] | None], header: Sequence[str] = HEADER) -> bytes:
    """An .xlsx file; a None row stays empty."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for values in _table(rows, header):
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(
    rows: Iterable[dict[str, Any] | None],
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8-sig",
) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    for values in _table(rows, header):
        writer.writerow(["" if value is None else value for value in values])
    return text.getvalue().encode(encoding)


def error_tuples(report: Any) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in report.errors]
