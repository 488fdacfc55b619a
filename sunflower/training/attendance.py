"""Attendance taken by staff: the roll by hand, and an attendance sheet imported from Excel.

Both act only on cadres in the actor's roster scope (a liaison: their unit's subtree). Every
created, changed or removed attendance writes its own audit entry in the same transaction.
An imported sheet is checked row by row first; a single wrong row means nothing is applied,
and every problem is listed with its row and column, as in the roster import.

Neither may credit a session that has not happened: both are refused until the check-in code
opens (30 minutes before the start). Both lock the session row, as QR check-in does, so that
a roll, an import and the scans arriving meanwhile are applied one after another.

The roll form says which cadres and which attendances it showed. Only those are changed: a
cadre who scanned the code after the page was loaded keeps their check-in and its marks,
whatever the stale form says. A blank 迟到 or 早退 cell in a sheet never clears a mark.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from sunflower.accounts.models import ROSTER_ROLES, User
from sunflower.accounts.scope import people_in_scope
from sunflower.audit.events import record
from sunflower.keystore import keyring
from sunflower.lib.validators import IdentityError, normalise_mobile, parse_citizen_id
from sunflower.orgs.importer import XLSX_MAGIC, FileError, RowError
from sunflower.orgs.models import Person
from sunflower.training.actions import TrainingError
from sunflower.training.checkin import OPENS_BEFORE, late_after, may_attend
from sunflower.training.models import Attendance, AttendanceSource, Enrolment, Session

NAME, ID_NUMBER, MOBILE, TIME, LATE, EARLY = (
    "姓名",
    "身份证号",
    "手机号",
    "签到时间",
    "迟到",
    "早退",
)
COLUMNS = (NAME, ID_NUMBER, MOBILE, TIME, LATE, EARLY)
SHEET_TITLE = "签到表"
MAX_ROWS = 5000
YES = {"是", "y", "yes", "1", "√", "✓", "true"}
NO = {"", "否", "n", "no", "0", "×", "false"}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _audit(
    action: str, actor: User, attendance: Attendance, request: HttpRequest | None, **changes: Any
) -> None:
    record(
        action,
        actor=actor,
        actor_role="liaison" if actor.has_role("liaison") else "programme_admin",
        target=attendance,
        request=request,
        scope_unit_id=attendance.person.unit_id,
        changes={"session": attendance.session_id, "person": str(attendance.person_id), **changes},
    )


# The roll ---------------------------------------------------------------------------------


@dataclass
class RollLine:
    person: Person
    enrolled: bool
    attendance: Attendance | None


def roll(actor: User, session: Session) -> list[RollLine]:
    """The enrolled cadres and everyone already checked in, as far as the actor's scope goes."""
    scope = people_in_scope(actor, ROSTER_ROLES)
    enrolled = set(
        Enrolment.objects.filter(session=session, status="enrolled").values_list(
            "person_id", flat=True
        )
    )
    attendances = {a.person_id: a for a in Attendance.objects.filter(session=session)}
    people = scope.filter(pk__in=enrolled | set(attendances)).select_related("unit")
    return [
        RollLine(person, person.pk in enrolled, attendances.get(person.pk))
        for person in people.order_by("unit__path", "name")
    ]


def not_open_yet(session: Session, now: dt.datetime | None = None) -> bool:
    """Before the check-in code opens, nobody can have attended: no roll, no import."""
    return (now or timezone.now()) < session.starts_at - OPENS_BEFORE


def _lock(session: Session) -> Session:
    """The session row, locked until the transaction ends (read fresh: it may have changed)."""
    return Session.objects.select_for_update().get(pk=session.pk)


def _clamped_now(session: Session) -> dt.datetime:
    now = timezone.now()
    return min(max(now, session.starts_at), session.ends_at)


def do_take_roll(
    actor: User,
    session: Session,
    present: Iterable[str],
    late: Iterable[str],
    early: Iterable[str],
    *,
    shown: Iterable[str],
    shown_attendances: Iterable[str],
    request: HttpRequest | None = None,
) -> dict[str, int]:
    """Apply the roll's checkboxes to the lines the actor sees and the form showed (*shown*:
    person ids; *shown_attendances*: the ids of the attendances it showed as present). An
    attendance the form did not show is left as it is. Returns counts of changes; raises
    TrainingError when the session cannot have a roll now."""
    present, late, early = set(present), set(late), set(early)
    shown, seen = set(shown), set(shown_attendances)
    counts = {"created": 0, "updated": 0, "removed": 0}
    with transaction.atomic():
        session = _lock(session)
        if session.cancelled_at is not None:
            raise TrainingError(_("这一场培训已经取消，不能点名。"))
        if not_open_yet(session):
            raise TrainingError(
                _("培训还没有开始，不能点名：开始前 30 分钟起才能点名或导入签到表。")
            )
        for line in roll(actor, session):
            key = str(line.person.pk)
            current = line.attendance
            if key not in shown:
                continue  # enrolled or checked in after the form was loaded
            if current is not None and str(current.pk) not in seen:
                continue  # checked in (by QR) after the form was loaded: theirs stands
            if key in present and current is None:
                attendance = Attendance.objects.create(
                    session=session,
                    person=line.person,
                    checked_in_at=_clamped_now(session),
                    source=AttendanceSource.ROLL,
                    late=key in late,
                    left_early=key in early,
                    recorded_by=actor,
                )
                _audit("training.attendance_create", actor, attendance, request, source="roll")
                counts["created"] += 1
            elif key in present and current is not None:
                marks = {"late": key in late, "left_early": key in early}
                if marks != {"late": current.late, "left_early": current.left_early}:
                    before = {"late": current.late, "left_early": current.left_early}
                    current.late, current.left_early = marks["late"], marks["left_early"]
                    current.recorded_by = actor
                    current.save(update_fields=["late", "left_early", "recorded_by"])
                    _audit(
                        "training.attendance_update",
                        actor,
                        current,
                        request,
                        before=before,
                        after=marks,
                    )
                    counts["updated"] += 1
            elif key not in present and current is not None:
                current.person = line.person
                _audit(
                    "training.attendance_delete",
                    actor,
                    current,
                    request,
                    source=current.source,
                )
                current.delete()
                counts["removed"] += 1
    return counts


# The import ------------------------------------------------------------------------------


@dataclass
class AttendanceReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors


@dataclass
class _Row:
    number: int
    person: Person
    checked_in_at: dt.datetime | None
    late: bool | None  # None: the cell was blank
    early: bool | None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read(source: IO[bytes]) -> list[tuple[int, dict[str, Any]]]:
    source.seek(0)
    if not source.read(4).startswith(XLSX_MAGIC):
        raise FileError(_("请上传 Excel（.xlsx）格式的签到表"))
    source.seek(0)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileError(_("无法读取该 Excel 文件，请确认它是 .xlsx 格式且未损坏")) from exc
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        first = next(rows, None)
        if first is None:
            raise FileError(_("文件是空的"))
        positions: dict[str, int] = {}
        for position, value in enumerate(first[1]):
            name = re.sub(r"\s+", "", _text(value)).rstrip("*＊")
            if name in COLUMNS and name not in positions:
                positions[name] = position
        if NAME not in positions or not ({ID_NUMBER, MOBILE} & set(positions)):
            raise FileError(_("签到表应有“姓名”列，以及“身份证号”或“手机号”列"))
        found = []
        for number, values in rows:
            cells = {n: values[i] if i < len(values) else None for n, i in positions.items()}
            if any(_text(v) for v in cells.values()):
                found.append((number, cells))
                if len(found) > MAX_ROWS:
                    raise FileError(_("签到表超过 %(max)d 行，请分批导入") % {"max": MAX_ROWS})
        return found
    finally:
        book.close()


def _flag(value: Any, column: str, number: int, errors: list[RowError]) -> bool | None:
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return None if text == "" else False
    errors.append(RowError(number, column, _("请填写“是”或“否”，或留空")))
    return None


def _time(value: Any, session: Session, number: int, errors: list[RowError]) -> dt.datetime | None:
    if value is None or _text(value) == "":
        return None
    local_day = timezone.localtime(session.starts_at).date()
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.time):
        moment = dt.datetime.combine(local_day, value)
    else:
        text = _text(value).replace("：", ":")
        for shape in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%H:%M:%S", "%H:%M"):
            try:
                parsed = dt.datetime.strptime(text, shape)  # noqa: DTZ007 (made aware below)
            except ValueError:
                continue
            moment = parsed if "%Y" in shape else dt.datetime.combine(local_day, parsed.time())
            break
    if moment is None:
        errors.append(RowError(number, TIME, _("时间格式应为“HH:MM”或“YYYY-MM-DD HH:MM”")))
        return None
    aware = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    if not session.starts_at - dt.timedelta(hours=1) <= aware <= session.ends_at:
        errors.append(RowError(number, TIME, _("签到时间不在这一场培训的时间内")))
        return None
    return aware


def _person(
    cells: dict[str, Any], number: int, scope: Any, errors: list[RowError]
) -> Person | None:
    name = _text(cells.get(NAME))
    if not name:
        errors.append(RowError(number, NAME, _("请填写姓名")))
    raw_id, raw_mobile = _text(cells.get(ID_NUMBER)), _text(cells.get(MOBILE))
    candidates = None
    if raw_id:
        try:
            citizen = parse_citizen_id(raw_id)
        except IdentityError as exc:
            errors.append(RowError(number, ID_NUMBER, str(exc)))
            return None
        digest = keyring.blind_index("id_number", citizen.number)
        candidates = list(scope.filter(id_number_index=digest)[:2])
        column = ID_NUMBER
    elif raw_mobile:
        try:
            mobile = normalise_mobile(raw_mobile)
        except IdentityError as exc:
            errors.append(RowError(number, MOBILE, str(exc)))
            return None
        candidates = list(scope.filter(mobile_index=keyring.blind_index("mobile", mobile))[:2])
        column = MOBILE
    else:
        errors.append(RowError(number, ID_NUMBER, _("请填写身份证号或手机号")))
        return None
    if not candidates:
        errors.append(RowError(number, column, _("在您管理范围内的花名册中找不到这名干部")))
        return None
    if len(candidates) > 1:
        errors.append(RowError(number, column, _("该手机号对应多名干部，请改填身份证号")))
        return None
    person = candidates[0]
    if name and person.name != name:
        errors.append(
            RowError(
                number,
                NAME,
                _("姓名与花名册不一致（花名册中为“%(name)s”）") % {"name": person.name},
            )
        )
        return None
    return person


def check_sheet(
    actor: User, session: Session, source: IO[bytes]
) -> tuple[AttendanceReport, list[_Row]]:
    report = AttendanceReport()
    try:
        lines = _read(source)
    except FileError as exc:
        report.file_errors = exc.messages
        return report, []
    if not lines:
        report.file_errors = [_("签到表中没有数据行")]
        return report, []
    scope = people_in_scope(actor, ROSTER_ROLES).select_related("unit")
    rows: list[_Row] = []
    seen: dict[Any, int] = {}
    for number, cells in lines:
        report.rows += 1
        errors: list[RowError] = []
        person = _person(cells, number, scope, errors)
        moment = _time(cells.get(TIME), session, number, errors)
        late = _flag(cells.get(LATE), LATE, number, errors)
        early = _flag(cells.get(EARLY), EARLY, number, errors)
        if person is not None:
            if person.pk in seen:
                errors.append(
                    RowError(
                        number, NAME, _("与第 %(row)d 行是同一名干部") % {"row": seen[person.pk]}
                    )
                )
            elif not may_attend(session, person):
                errors.append(
                    RowError(number, NAME, _("这名干部既不在面向单位内，也没有报名这一场培训"))
                )
            seen.setdefault(person.pk, number)
        report.errors += errors
        if not errors and person is not None:
            rows.append(_Row(number, person, moment, late, early))
    return report, rows


def do_import_sheet(
    actor: User, session: Session, source: IO[bytes], request: HttpRequest | None = None
) -> AttendanceReport:
    """Check the sheet; apply it, all rows in one transaction, only when every row is right."""
    with transaction.atomic():
        # Locked so that a roll or scans taken meanwhile cannot interleave with the import.
        session = _lock(session)
        if session.cancelled_at is not None:
            return AttendanceReport(file_errors=[_("这一场培训已经取消，不能导入签到表。")])
        if not_open_yet(session):
            return AttendanceReport(
                file_errors=[
                    _("培训还没有开始，不能导入签到表：开始前 30 分钟起才能点名或导入签到表。")
                ]
            )
        report, rows = check_sheet(actor, session, source)
        if not report.ok:
            return report
        existing = {a.person_id: a for a in Attendance.objects.filter(session=session)}
        for row in rows:
            moment = row.checked_in_at
            # A blank 迟到 is judged from the time given; it may add the mark, never clear it.
            judged = bool(moment and moment > late_after(session))
            current = existing.get(row.person.pk)
            if current is None:
                attendance = Attendance.objects.create(
                    session=session,
                    person=row.person,
                    checked_in_at=moment or session.starts_at,
                    source=AttendanceSource.IMPORT,
                    late=row.late if row.late is not None else judged,
                    left_early=bool(row.early),
                    recorded_by=actor,
                )
                _audit(
                    "training.attendance_create",
                    actor,
                    attendance,
                    request,
                    source="import",
                    row=row.number,
                )
                report.created += 1
                continue
            before = {
                "late": current.late,
                "left_early": current.left_early,
                "checked_in_at": current.checked_in_at.isoformat(),
            }
            current.late = row.late if row.late is not None else current.late or judged
            current.left_early = row.early if row.early is not None else current.left_early
            if moment is not None:
                current.checked_in_at = moment
            after = {
                "late": current.late,
                "left_early": current.left_early,
                "checked_in_at": current.checked_in_at.isoformat(),
            }
            if after != before:
                current.recorded_by = actor
                current.save(update_fields=["late", "left_early", "checked_in_at", "recorded_by"])
                _audit(
                    "training.attendance_update",
                    actor,
                    current,
                    request,
                    source="import",
                    row=row.number,
                    fields=sorted(k for k in after if after[k] != before[k]),
                )
                report.updated += 1
        report.applied = True
    return report


def write_template(buffer: IO[bytes] | io.BytesIO) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook has one sheet)
    sheet.title = SHEET_TITLE
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["张三", "", "13800000000", "09:05", "否", "否"])
    for letter, width in zip("ABCDEF", (12, 22, 16, 18, 8, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = book.create_sheet("填写说明")
    for line in (
        "每行一名干部。姓名必填；身份证号和手机号至少填一项（优先按身份证号查找）。",
        "签到时间可留空（按培训开始时间记）；可写“09:05”或“2026-03-12 09:05”。",
        "迟到、早退填“是”或“否”；留空不会清除已有的标记，迟到留空时按签到时间自动判断。",
        "只要有一行有错误，整张表都不会导入。请删除示例行后再填写。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 80
    book.save(buffer)
