"""Roster import: read a .xlsx or .csv roster, check every row, apply a valid file at once.

`check()` is the dry run. `apply()` checks the file again inside one transaction while it
writes, batch by batch, and rolls everything back if any row turns out to be invalid: the
roster may have changed since the dry run, so the check that counts is the one made under the
transaction, and the file is read only once to make it. Both stream the file and keep only
small state per row (the ID digests seen, the numbers of rows with errors), so that a
50,000-row file imports in bounded memory.

The web flow stages an uploaded file, encrypted, in a RosterImport between its check and its
application, and erases it once applied, rejected or abandoned.
"""

from __future__ import annotations

import base64
import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import IO, Any
from uuid import UUID

from django.db import IntegrityError, reset_queries, transaction
from django.db.models import Model, QuerySet, TextChoices
from django.http import Http404, HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from sunflower.accounts.models import User
from sunflower.audit.events import record
from sunflower.keystore import keyring
from sunflower.lib.validators import IdentityError, normalise_mobile, parse_citizen_id
from sunflower.orgs.models import (
    T1_KEY,
    AttentionTag,
    EmploymentStatus,
    Gender,
    Person,
    Rank,
    RosterImport,
    UnitQuerySet,
)

# The file's columns. They are the file format, so they stay Chinese in every UI language.
NAME = "姓名"
ID_NUMBER = "身份证号"
MOBILE = "手机号"
UNIT_CODE = "单位代码"
POST = "职务"
RANK = "职级"
STATUS = "在职状态"
TAGS = "关注标签"
GENDER = "性别"
BIRTH_DATE = "出生日期"
REQUIRED_COLUMNS = (NAME, ID_NUMBER, MOBILE, UNIT_CODE, POST, RANK, STATUS, TAGS)
OPTIONAL_COLUMNS = (GENDER, BIRTH_DATE)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
SHEET_TITLE = "花名册"

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls format
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Chinese Excel saves "CSV" as GB18030 (ANSI)

BATCH_SIZE = 1000
MAX_LISTED = 1000  # errors and changes kept for the report; the counts are always complete
NAME_MAX = 50
POST_MAX = 80
LEAVING_STATUSES = (EmploymentStatus.LEFT, EmploymentStatus.RETIRED)
STAGED_LIFETIME = dt.timedelta(hours=24)

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"

# Which file column a changed Person attribute came from, for the report.
COLUMN_OF_FIELD = {
    "name": NAME,
    "gender": GENDER,
    "birth_date": BIRTH_DATE,
    "mobile": MOBILE,
    "unit_id": UNIT_CODE,
    "post": POST,
    "rank": RANK,
    "status": STATUS,
    "tags": TAGS,
}
_TAG_SEPARATORS = re.compile(r"[,，、;；\n]+")
_DATE_SHAPES = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class FileError(Exception):
    """The file as a whole cannot be imported; each message is user-facing."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


# Reading ---------------------------------------------------------------------------------


def detect_kind(source: IO[bytes]) -> str:
    """Which kind of file this is, "xlsx" or "csv", judged by its content, not its name."""
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    if not head:
        raise FileError(_("文件是空的"))
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        raise FileError(_("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传"))
    csv_encoding(source)
    return "csv"


def csv_encoding(source: IO[bytes]) -> str:
    """The first encoding that decodes the whole file, read in chunks to keep memory flat."""
    for encoding in CSV_ENCODINGS:
        source.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := source.read(1 << 16):
                if "\x00" in decoder.decode(chunk):
                    raise FileError(_("文件内容不是 Excel 表格（.xlsx）或 CSV 文本"))
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            source.seek(0)
        return encoding
    raise FileError(_("文件内容不是 Excel 表格（.xlsx）或 CSV 文本"))


def _xlsx_rows(source: IO[bytes]) -> Generator[tuple[int, Sequence[Any]]]:
    unreadable = _("无法读取该 Excel 文件，请确认它是 .xlsx 格式且未损坏")
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise FileError(unreadable) from exc
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise FileError(unreadable)
        # Some programs write a wrong <dimension>; without this the rows past it are lost.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except FileError:
        raise
    except Exception as exc:
        raise FileError(unreadable) from exc
    finally:
        book.close()


def _csv_rows(source: IO[bytes]) -> Generator[tuple[int, Sequence[Any]]]:
    encoding = csv_encoding(source)
    text = io.TextIOWrapper(source, encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        # Numbered by record, not by line: Excel shows a cell with a line break as one row.
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise FileError(
            _("CSV 文件第%(line)d行附近格式有误，请在 Excel 中重新另存为 CSV 后再上传")
            % {"line": reader.line_num}
        ) from exc
    finally:
        text.detach()  # the caller owns the binary file


def _header_name(value: Any) -> str:
    return re.sub(r"\s+", "", _text(value)).rstrip("*＊")


def _columns(header: Sequence[Any]) -> list[tuple[int, str]]:
    positions: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for position, value in enumerate(header):
        name = _header_name(value)
        if not name:
            continue
        if name not in COLUMNS:
            unknown.append(name)
        elif name in positions:
            repeated.append(name)
        else:
            positions[name] = position
    problems = []
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        problems.append(_("缺少必需的列：%(columns)s") % {"columns": "、".join(missing)})
    if unknown:
        shown = "、".join(unknown[:10]) + ("…" if len(unknown) > 10 else "")
        problems.append(
            _("无法识别的列：%(columns)s。可以使用的列为：%(allowed)s")
            % {"columns": shown, "allowed": "、".join(COLUMNS)}
        )
    if repeated:
        problems.append(_("这些列出现了不止一次：%(columns)s") % {"columns": "、".join(repeated)})
    if problems:
        raise FileError(*problems)
    return [(position, name) for name, position in positions.items()]


def read_rows(source: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The data rows as (row number as Excel shows it, {column: raw value}); empty rows skipped.

    Raises FileError, on first use, for a file that is not a roster table.
    """
    kind = detect_kind(source)
    raw = _xlsx_rows(source) if kind == "xlsx" else _csv_rows(source)
    try:
        first = next(raw, None)
        if first is None:
            raise FileError(_("文件是空的"))
        columns = _columns(first[1])
        for number, values in raw:
            cells = {name: values[i] if i < len(values) else None for i, name in columns}
            if any(_text(value) for value in cells.values()):
                yield number, cells
    finally:
        raw.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# Scope and vocabulary --------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeUnit:
    id: int
    name: str
    is_active: bool


@dataclass(frozen=True)
class ImportScope:
    """The units an import may write to, by code, and the root recorded in the audit trail."""

    units: dict[str, ScopeUnit]
    unit_ids: frozenset[int]
    root_unit_id: int | None

    @classmethod
    def of(cls, units: UnitQuerySet) -> ImportScope:
        rows = list(units.values_list("id", "code", "name", "is_active", "parent_id"))
        ids = frozenset(row[0] for row in rows)
        roots = [row[0] for row in rows if row[4] not in ids]
        return cls(
            units={code: ScopeUnit(pk, name, active) for pk, code, name, active, _p in rows},
            unit_ids=ids,
            root_unit_id=roots[0] if len(roots) == 1 else None,
        )


class _Vocabulary:
    """Accepted spellings of choice values: Chinese labels, active-language labels, codes."""

    def __init__(self) -> None:
        self.rank = self._table(Rank)
        self.status = self._table(EmploymentStatus)
        self.tag = self._table(AttentionTag)
        self.gender = self._table(Gender)

    @staticmethod
    def _table(choices: type[TextChoices]) -> dict[str, str]:
        table = {member.value.lower(): member.value for member in choices}
        table.update({str(member.label).lower(): member.value for member in choices})
        with translation.override("zh-hans"):
            table.update({str(member.label): member.value for member in choices})
        return table


def allowed_labels(choices: type[TextChoices]) -> str:
    """The Chinese labels a file may use for *choices*, for messages and the template."""
    with translation.override("zh-hans"):
        return "、".join(str(member.label) for member in choices)


def tag_string(codes: Sequence[str]) -> str:
    """Tag codes in Person.tags' stored form (see Person.tag_codes)."""
    ordered = [tag.value for tag in AttentionTag if tag.value in set(codes)]
    return f",{','.join(ordered)}," if ordered else ""


# The report ------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowChange:
    row: int
    action: str  # CREATE or UPDATE
    name: str
    unit: str
    fields: list[str] = field(default_factory=list)  # file columns that change, for updates


@dataclass
class ImportReport:
    """What a file would do (or did) to the roster. Errors and changes are listed up to
    MAX_LISTED each; the counts always cover the whole file."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    error_rows: int = 0
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.error_count

    @property
    def unlisted_errors(self) -> int:
        return self.error_count - len(self.errors)

    @property
    def unlisted_changes(self) -> int:
        return self.created + self.updated - len(self.changes)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }

    def to_summary(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> ImportReport:
        data = dict(summary)
        data["errors"] = [RowError(**item) for item in data.get("errors", [])]
        data["changes"] = [RowChange(**item) for item in data.get("changes", [])]
        return cls(**data)


def report_lines(report: ImportReport) -> list[str]:
    """The report as text, one line per error: what the CLI prints."""
    lines = [
        _(
            "共读取 %(rows)d 行：新增 %(created)d 人，更新 %(updated)d 人，"
            "无变化 %(unchanged)d 人，有错误 %(error_rows)d 行。"
        )
        % {**report.counts(), "error_rows": report.error_rows}
    ]
    lines += [_("文件错误：%(message)s") % {"message": message} for message in report.file_errors]
    lines += [
        _("第%(row)d行 [%(column)s] %(message)s")
        % {"row": error.row, "column": error.column, "message": error.message}
        for error in report.errors
    ]
    if report.unlisted_errors:
        lines.append(_("另有 %(count)d 处错误未列出。") % {"count": report.unlisted_errors})
    return lines


# Checking and applying -------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    number: int
    name: str
    id_number: str
    digest: str
    mobile: str
    unit_id: int
    unit_name: str
    post: str
    rank: str | None  # None: not given (a new person gets the default, others keep theirs)
    status: str | None
    tags: str
    gender: str
    birth_date: dt.date


class _Pass:
    """One streaming pass over a file: validates every row and, when writing, applies the
    valid ones in batches until the first error (after which the caller rolls back)."""

    def __init__(self, scope: ImportScope, *, write: bool, actor: User | None = None) -> None:
        self.scope = scope
        self.write = write
        self.actor = actor
        self.words = _Vocabulary()
        self.report = ImportReport()
        self.error_rows: set[int] = set()
        # ID digest -> [first row with it, what that row does]; repeats: digest -> later rows.
        self.seen: dict[str, list[Any]] = {}
        self.repeats: dict[str, list[int]] = {}
        self.batch: list[_Row] = []

    def run(self, source: IO[bytes]) -> ImportReport:
        try:
            for number, cells in read_rows(source):
                self.report.rows += 1
                row = self._parse(number, cells)
                if row is not None:
                    self._queue(row)
            self._flush()
        except FileError as exc:
            self.report.file_errors.extend(exc.messages)
        self._report_repeats()
        if not self.report.rows and not self.report.file_errors:
            self.report.file_errors.append(_("文件中没有数据行，请在表头下方逐行填写"))
        order = {name: i for i, name in enumerate(COLUMNS)}
        self.report.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
        self.report.error_rows = len(self.error_rows)
        return self.report

    def _error(self, row: int, column: str, message: str) -> None:
        self.report.error_count += 1
        self.error_rows.add(row)
        if len(self.report.errors) < MAX_LISTED:
            self.report.errors.append(RowError(row, column, message))

    def _choice(
        self,
        cells: dict[str, Any],
        number: int,
        column: str,
        table: dict[str, str],
        choices: type[TextChoices],
    ) -> str | None:
        text = _text(cells.get(column))
        if not text:
            return None
        value = table.get(text) or table.get(text.lower())
        if value is None:
            self._error(number, column, _invalid_choice(text, column, choices))
        return value

    def _parse(self, number: int, cells: dict[str, Any]) -> _Row | None:
        errors_before = self.report.error_count

        name = " ".join(_text(cells[NAME]).split())
        if not name:
            self._error(number, NAME, _("请填写姓名"))
        elif len(name) > NAME_MAX:
            self._error(number, NAME, _("姓名不能超过%(max)d个字") % {"max": NAME_MAX})

        citizen = None
        raw_id = cells[ID_NUMBER]
        try:
            citizen = parse_citizen_id(_text(raw_id))
        except IdentityError as exc:
            message = str(exc)
            if isinstance(raw_id, int | float):
                message += _(
                    "（该单元格是数字格式，Excel 会把第15位以后的数字变成0；"
                    "请把这一列设为文本格式后重新填写）"
                )
            self._error(number, ID_NUMBER, message)

        mobile = ""
        try:
            mobile = normalise_mobile(_text(cells[MOBILE]))
        except IdentityError as exc:
            self._error(number, MOBILE, str(exc))

        code = _text(cells[UNIT_CODE])
        unit = self.scope.units.get(code)
        if not code:
            self._error(number, UNIT_CODE, _("请填写单位代码"))
        elif unit is None:
            # The same answer for a missing unit and one outside the importer's scope.
            self._error(
                number,
                UNIT_CODE,
                _("单位代码“%(code)s”不存在或不在您的管理范围内") % {"code": code},
            )
        elif not unit.is_active:
            self._error(
                number, UNIT_CODE, _("单位“%(name)s”已停用，不能导入人员") % {"name": unit.name}
            )

        post = " ".join(_text(cells[POST]).split())
        if len(post) > POST_MAX:
            self._error(number, POST, _("职务不能超过%(max)d个字") % {"max": POST_MAX})

        rank = self._choice(cells, number, RANK, self.words.rank, Rank)
        status = self._choice(cells, number, STATUS, self.words.status, EmploymentStatus)
        tags = self._tags(cells, number)
        gender = self._choice(cells, number, GENDER, self.words.gender, Gender)
        birth_date = self._birth_date(cells, number)
        if citizen is not None:
            if gender is not None and gender != citizen.gender:
                self._error(number, GENDER, _("性别与身份证号不一致"))
            if birth_date is not None and birth_date != citizen.birth_date:
                self._error(number, BIRTH_DATE, _("出生日期与身份证号不一致"))

        if self.report.error_count > errors_before or citizen is None or unit is None:
            return None
        return _Row(
            number=number,
            name=name,
            id_number=citizen.number,
            digest=keyring.blind_index("id_number", citizen.number),
            mobile=mobile,
            unit_id=unit.id,
            unit_name=unit.name,
            post=post,
            rank=rank,
            status=status,
            tags=tags,
            gender=citizen.gender,
            birth_date=citizen.birth_date,
        )

    def _tags(self, cells: dict[str, Any], number: int) -> str:
        codes = []
        for text in _TAG_SEPARATORS.split(_text(cells[TAGS])):
            label = text.strip()
            if not label:
                continue
            code = self.words.tag.get(label) or self.words.tag.get(label.lower())
            if code is None:
                self._error(number, TAGS, _invalid_choice(label, TAGS, AttentionTag))
            else:
                codes.append(code)
        return tag_string(codes)

    def _birth_date(self, cells: dict[str, Any], number: int) -> dt.date | None:
        text = _text(cells.get(BIRTH_DATE))
        if not text:
            return None
        for shape in _DATE_SHAPES:
            match = shape.match(text)
            if match:
                try:
                    return dt.date(*(int(part) for part in match.groups()))
                except ValueError:
                    break
        self._error(number, BIRTH_DATE, _("出生日期格式不正确，应如 1985-03-12"))
        return None

    def _queue(self, row: _Row) -> None:
        first = self.seen.get(row.digest)
        if first is not None:
            self._error(
                row.number,
                ID_NUMBER,
                _("与第%(rows)s行的身份证号重复") % {"rows": first[0]},
            )
            self.repeats.setdefault(row.digest, []).append(row.number)
            return
        self.seen[row.digest] = [row.number, ""]
        self.batch.append(row)
        if len(self.batch) >= BATCH_SIZE:
            self._flush()

    def _flush(self) -> None:
        rows, self.batch = self.batch, []
        if not rows:
            return
        existing = {
            person.id_number_index: person
            for person in Person.objects.filter(
                id_number_index__in=[row.digest for row in rows]
            ).defer("id_number")
        }
        creates: list[Person] = []
        updates: list[Person] = []
        update_fields: set[str] = set()
        for row in rows:
            person = existing.get(row.digest)
            if person is None:
                action, changed = CREATE, []
                creates.append(self._new_person(row))
            elif person.unit_id not in self.scope.unit_ids:
                self._error(
                    row.number,
                    ID_NUMBER,
                    _(
                        "该身份证号已登记在您管理范围以外的单位，不能在此导入；"
                        "如需调入，请联系上级组织部门"
                    ),
                )
                continue
            else:
                changed = _changed_fields(person, row)
                action = UPDATE if changed else UNCHANGED
                if changed:
                    update_fields.update(_apply_changes(person, row, changed))
                    updates.append(person)
            self.seen[row.digest][1] = action
            self._count(row, action, changed)
        if self.write and not self.report.error_count:
            # Once a row has failed the whole import rolls back, so writing more is wasted.
            Person.objects.bulk_create(creates)
            if updates:
                Person.objects.bulk_update(updates, sorted(update_fields))
            reset_queries()  # with DEBUG on, the query log would otherwise grow with the file

    def _new_person(self, row: _Row) -> Person:
        return Person(
            name=row.name,
            gender=row.gender,
            birth_date=row.birth_date,
            id_number=row.id_number,
            mobile=row.mobile,
            unit_id=row.unit_id,
            post=row.post,
            rank=row.rank or Rank.STAFF,
            status=row.status or EmploymentStatus.ACTIVE,
            tags=row.tags,
            created_by=self.actor,
        )

    def _count(self, row: _Row, action: str, changed: list[str]) -> None:
        if action == CREATE:
            self.report.created += 1
        elif action == UPDATE:
            self.report.updated += 1
        else:
            self.report.unchanged += 1
            return
        if len(self.report.changes) < MAX_LISTED:
            fields = [COLUMN_OF_FIELD[name] for name in changed]
            self.report.changes.append(
                RowChange(row.number, action, row.name, row.unit_name, fields)
            )

    def _report_repeats(self) -> None:
        """The first row with a repeated ID gets its error last, once all its repeats are known."""
        for digest, later in self.repeats.items():
            first, action = self.seen[digest]
            rows = "、".join(str(number) for number in later)
            self._error(first, ID_NUMBER, _("与第%(rows)s行的身份证号重复") % {"rows": rows})
            if action == CREATE:
                self.report.created -= 1
            elif action == UPDATE:
                self.report.updated -= 1
            elif action == UNCHANGED:
                self.report.unchanged -= 1
            self.report.changes = [c for c in self.report.changes if c.row != first]


def _invalid_choice(value: str, column: str, choices: type[TextChoices]) -> str:
    return _("“%(value)s”不是有效的%(column)s，可填写：%(allowed)s") % {
        "value": value,
        "column": column,
        "allowed": allowed_labels(choices),
    }


def _changed_fields(person: Person, row: _Row) -> list[str]:
    wanted: dict[str, Any] = {
        "name": row.name,
        "gender": row.gender,
        "birth_date": row.birth_date,
        "mobile": row.mobile,
        "unit_id": row.unit_id,
        "post": row.post,
        "tags": row.tags,
    }
    if row.rank is not None:
        wanted["rank"] = row.rank
    if row.status is not None:
        wanted["status"] = row.status
    return [
        name for name in COLUMN_OF_FIELD if name in wanted and getattr(person, name) != wanted[name]
    ]


def _apply_changes(person: Person, row: _Row, changed: list[str]) -> set[str]:
    """Set the changed attributes; return the model fields bulk_update must write.

    bulk_update calls no pre_save: encrypted fields still encrypt (get_prep_value, shared key)
    but blind indexes and auto_now must be set here.
    """
    fields = {"updated_at"}
    was_leaving = person.status in LEAVING_STATUSES
    for name in changed:
        setattr(person, name, getattr(row, name))
        fields.add("unit" if name == "unit_id" else name)
    if "mobile" in changed:
        person.mobile_index = keyring.blind_index("mobile", row.mobile)
        fields.add("mobile_index")
    if "status" in changed:
        if person.status in LEAVING_STATUSES and not was_leaving:
            person.left_on = timezone.localdate()
        elif person.status not in LEAVING_STATUSES and was_leaving:
            person.left_on = None
            person.left_reason = ""
        fields.update({"left_on", "left_reason"})
    person.updated_at = timezone.now()
    return fields


class _RejectedError(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("import rejected")
        self.report = report


def check(source: IO[bytes], scope: ImportScope) -> ImportReport:
    """The dry run: what the file would do, and every problem in it. Writes nothing."""
    return _Pass(scope, write=False).run(source)


def apply(
    source: IO[bytes],
    scope: ImportScope,
    *,
    actor: User | None,
    request: HttpRequest | None = None,
    target: Model | None = None,
    channel: str,
) -> ImportReport:
    """Check and write the file in one transaction: all of it, or nothing if any row fails."""
    # Create the roster's data keys before the transaction, so that the keyring may cache
    # them at once rather than look them up for each of tens of thousands of values.
    keyring.key_for_subject(T1_KEY)
    keyring.system_key("blind-index")
    try:
        with transaction.atomic():
            report = _Pass(scope, write=True, actor=actor).run(source)
            if not report.ok:
                raise _RejectedError(report)
            report.applied = True
            record(
                "roster.import",
                actor=actor,
                target=target,
                request=request,
                scope_unit_id=scope.root_unit_id,
                changes={**report.counts(), "channel": channel},
            )
    except _RejectedError as rejected:
        return rejected.report
    except IntegrityError:
        # Someone registered one of these ID numbers while the import ran.
        return ImportReport(
            file_errors=[_("导入过程中花名册被他人修改，未导入任何数据，请重新导入")]
        )
    return report


# Staged uploads (the web flow) -----------------------------------------------------------


def erase_stale_imports() -> None:
    cutoff = timezone.now() - STAGED_LIFETIME
    RosterImport.objects.filter(content__isnull=False, created_at__lt=cutoff).update(content=None)


def do_stage_import(actor: User, filename: str, data: bytes, scope: ImportScope) -> RosterImport:
    """Check an uploaded file and keep it, encrypted, until it is confirmed or abandoned."""
    erase_stale_imports()
    report = check(io.BytesIO(data), scope)
    staged = RosterImport(
        uploaded_by=actor,
        filename=filename[-200:],
        status=RosterImport.Status.CHECKED if report.ok else RosterImport.Status.REJECTED,
        summary=report.to_summary(),
    )
    # The file is kept only while there is something to apply.
    if report.ok and report.created + report.updated:
        staged.content = base64.b64encode(data).decode()
    staged.save()
    return staged


def get_staged_import(actor: User, import_id: UUID) -> RosterImport:
    """The uploader's own staged import; anyone else's answers 404, as if missing."""
    staged = (
        RosterImport.objects.defer("content").filter(pk=import_id).filter(uploaded_by=actor).first()
    )
    if staged is None:
        raise Http404
    return staged


def _pending(actor: User, import_id: UUID) -> QuerySet[RosterImport]:
    return RosterImport.objects.filter(
        pk=import_id,
        uploaded_by=actor,
        status=RosterImport.Status.CHECKED,
        content__isnull=False,
        created_at__gte=timezone.now() - STAGED_LIFETIME,
    )


def is_pending(actor: User, staged: RosterImport) -> bool:
    """Whether the checked file is still kept and may be applied."""
    return bool(_pending(actor, staged.pk).exists())


def recent_imports(actor: User, limit: int = 5) -> list[RosterImport]:
    imports = RosterImport.objects.defer("content").filter(uploaded_by=actor)
    return list(imports.order_by("-created_at")[:limit])


def do_apply_import(
    actor: User, staged: RosterImport, scope: ImportScope, request: HttpRequest | None = None
) -> ImportReport | None:
    """Apply a staged file, checking it again against the roster as it is now.

    None if the file is no longer pending (already applied, discarded or expired). Either way
    the file is erased and the report replaces the one from the upload.
    """
    with transaction.atomic():
        locked = _pending(actor, staged.pk).select_for_update().first()
        if locked is None or not locked.content:
            return None
        data = base64.b64decode(locked.content)
        report = apply(
            io.BytesIO(data), scope, actor=actor, request=request, target=locked, channel="web"
        )
        locked.status = (
            RosterImport.Status.APPLIED if report.applied else RosterImport.Status.REJECTED
        )
        locked.summary = report.to_summary()
        locked.applied_at = timezone.now() if report.applied else None
        locked.save(update_fields=["status", "summary", "applied_at"])
        _erase(locked.pk)
    return report


def do_discard_import(actor: User, staged: RosterImport) -> None:
    if _pending(actor, staged.pk).exists():
        _erase(staged.pk)


def _erase(import_id: UUID) -> None:
    RosterImport.objects.filter(pk=import_id).update(content=None)
