import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from conftest import City
from sunflower.accounts.models import ROSTER_ROLES, User
from sunflower.accounts.scope import units_in_scope
from sunflower.audit.models import AuditEvent
from sunflower.keystore import keyring
from sunflower.lib.validators import id_check_code
from sunflower.orgs import exporter, importer
from sunflower.orgs.importer import ImportReport, ImportScope
from sunflower.orgs.models import EmploymentStatus, Person, Rank, Unit
from sunflower.orgs.tests.rosterfiles import HEADER, cadre, csv_bytes, error_tuples, id_number, xlsx


def city_scope() -> ImportScope:
    return ImportScope.of(Unit.objects.all())


def scope_of(user: User) -> ImportScope:
    return ImportScope.of(units_in_scope(user, ROSTER_ROLES))


def check(data: bytes, scope: ImportScope | None = None) -> ImportReport:
    return importer.check(io.BytesIO(data), scope or city_scope())


def apply(data: bytes, scope: ImportScope | None = None, actor: User | None = None) -> ImportReport:
    return importer.apply(io.BytesIO(data), scope or city_scope(), actor=actor, channel="test")


def find(number: str) -> Person | None:
    return Person.objects.filter(id_number_index=keyring.blind_index("id_number", number)).first()


class ImportTestCase:
    def test_it_creates_everyone_from_a_valid_file_and_audits_once(
        self, city: City, alice: User
    ) -> None:
        rows = [
            cadre(1, 职级="乡科级副职", 关注标签="工作条件艰苦、遭遇重大挫折"),
            cadre(2, unit="370100", 在职状态="借调", 职务="办公室主任"),
            cadre(3),
        ]
        report = apply(xlsx(rows), scope_of(alice), actor=alice)

        assert report.ok and report.applied
        assert report.counts() == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}
        assert Person.objects.count() == 3
        first = find(id_number(1))
        assert first is not None
        assert first.name == "导入1"
        assert first.mobile == "13700000001"
        assert first.unit == city.town_a1
        assert first.rank == Rank.SECTION_DEPUTY
        assert first.tag_codes == ["hard_conditions", "major_setback"]
        assert first.created_by == alice
        second = find(id_number(2))
        assert second is not None
        assert (second.unit, second.status, second.post) == (
            city.district_a,
            EmploymentStatus.SECONDED,
            "办公室主任",
        )
        assert Person.objects.filter(mobile_index=keyring.blind_index("mobile", "13700000003"))
        events = AuditEvent.objects.filter(action="roster.import")
        assert events.count() == 1
        assert events.get().changes == {
            "rows": 3,
            "created": 3,
            "updated": 0,
            "unchanged": 0,
            "channel": "test",
        }
        assert events.get().scope_unit_id == city.district_a.pk
        assert AuditEvent.objects.count() == 1  # not one entry per row

    def test_it_derives_gender_and_birth_date_from_the_id_number(self, city: City) -> None:
        first17 = "37160219771105002"  # an even 17th digit: female
        number = first17 + id_check_code(first17)
        apply(xlsx([cadre(1, 身份证号=number)]))
        person = find(number)
        assert person is not None
        assert (person.gender, person.birth_date) == ("F", dt.date(1977, 11, 5))

    def test_it_imports_nothing_when_any_row_is_invalid_and_reports_every_error(
        self, city: City
    ) -> None:
        bad_id = id_number(3)[:17] + ("0" if id_number(3)[17] != "0" else "1")
        rows = [
            cadre(1),  # row 2: fine
            cadre(2, 姓名="", 手机号="1380013800"),  # row 3
            cadre(3, 身份证号=bad_id),  # row 4
            cadre(4, 单位代码="999999", 职级="处长"),  # row 5
            cadre(5, 关注标签="工作条件艰苦，压力大", 在职状态="休假"),  # row 6
            cadre(6, 手机号="", 职务="长" * 81),  # row 7
        ]
        report = apply(xlsx(rows))

        assert not report.applied
        assert Person.objects.count() == 0
        assert AuditEvent.objects.count() == 0
        assert [(e.row, e.column, e.message) for e in report.errors] == [
            (3, "姓名", "请填写姓名"),
            (3, "手机号", "手机号应为11位，当前为10位"),
            (4, "身份证号", "身份证号校验位错误，请核对"),
            (5, "单位代码", "单位代码“999999”不存在或不在您的管理范围内"),
            (
                5,
                "职级",
                "“处长”不是有效的职级，可填写：厅局级、县处级正职、县处级副职、"
                "乡科级正职、乡科级副职、科员及以下、其他",
            ),
            (6, "在职状态", "“休假”不是有效的在职状态，可填写：在职、借调、已离开、退休"),
            (
                6,
                "关注标签",
                "“压力大”不是有效的关注标签，可填写：经常承担急难险重任务、工作条件艰苦、"
                "遭遇重大挫折、心理负担较重",
            ),
            (7, "手机号", "请填写手机号"),
            (7, "职务", "职务不能超过80个字"),
        ]
        assert (report.rows, report.error_rows, report.error_count) == (6, 5, 9)
        assert report.created == 1  # what the valid row would do

    def test_it_writes_nothing_on_a_dry_run(self, city: City) -> None:
        report = check(xlsx([cadre(1), cadre(2)]))
        assert report.ok and not report.applied
        assert report.created == 2
        assert Person.objects.count() == 0
        assert AuditEvent.objects.count() == 0

    def test_it_rolls_back_batches_already_written_when_a_later_row_fails(
        self, city: City, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(importer, "BATCH_SIZE", 2)
        rows = [cadre(n) for n in range(1, 6)] + [cadre(6, 手机号="12345")]
        report = apply(xlsx(rows))
        assert error_tuples(report) == [(7, "手机号")]
        assert Person.objects.count() == 0

    def test_it_reports_duplicates_inside_the_file_on_both_rows(self, city: City) -> None:
        rows = [
            cadre(1),
            cadre(2),
            cadre(3, 身份证号=id_number(1)),
            cadre(4, 身份证号=id_number(1)),
        ]
        report = check(xlsx(rows))
        assert [(e.row, e.message) for e in report.errors] == [
            (2, "与第4、5行的身份证号重复"),
            (4, "与第2行的身份证号重复"),
            (5, "与第2行的身份证号重复"),
        ]
        assert report.created == 1  # only row 3 is clean
        assert [change.row for change in report.changes] == [3]

    def test_it_finds_duplicates_however_the_number_is_written(self, city: City) -> None:
        first17 = "11010519491231002"
        rows = [cadre(1, 身份证号=first17 + "X"), cadre(2, 身份证号=f" {first17}x ")]
        report = check(xlsx(rows))
        assert error_tuples(report) == [(2, "身份证号"), (3, "身份证号")]

    def test_it_updates_a_person_already_on_the_roster(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(
            id_number=id_number(7), name="王五", mobile="13900000007", rank=Rank.STAFF
        )
        before = person.updated_at
        row = cadre(7, 姓名="王五", 手机号="13900000070", 单位代码="370100", 职务="副主任")
        report = check(xlsx([row]), scope_of(alice))
        assert report.counts() == {"rows": 1, "created": 0, "updated": 1, "unchanged": 0}
        assert report.changes[0].action == importer.UPDATE
        assert report.changes[0].fields == ["手机号", "单位代码", "职务"]

        apply(xlsx([row]), scope_of(alice), actor=alice)
        person.refresh_from_db()
        assert (person.mobile, person.unit, person.post) == (
            "13900000070",
            city.district_a,
            "副主任",
        )
        assert person.id_number == id_number(7)
        assert person.updated_at > before
        assert person.mobile_index == keyring.blind_index("mobile", "13900000070")
        assert Person.objects.count() == 1

    def test_it_keeps_rank_and_status_when_left_blank_for_someone_on_the_roster(
        self, city: City, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(id_number=id_number(8), rank=Rank.DIVISION_CHIEF)
        row = cadre(8, 姓名=person.name, 手机号=person.mobile, 职级="", 在职状态="", 职务="")
        report = apply(xlsx([row]))
        assert report.counts()["unchanged"] == 1
        person.refresh_from_db()
        assert (person.rank, person.status) == (Rank.DIVISION_CHIEF, EmploymentStatus.ACTIVE)

    def test_it_dates_a_departure_and_clears_it_on_return(
        self, city: City, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(id_number=id_number(9))
        apply(xlsx([cadre(9, 姓名=person.name, 手机号=person.mobile, 在职状态="退休")]))
        person.refresh_from_db()
        assert person.status == EmploymentStatus.RETIRED
        assert person.left_on is not None
        apply(xlsx([cadre(9, 姓名=person.name, 手机号=person.mobile, 在职状态="在职")]))
        person.refresh_from_db()
        assert (person.status, person.left_on) == (EmploymentStatus.ACTIVE, None)

    def test_it_gives_the_same_answer_for_a_missing_and_an_out_of_scope_unit(
        self, city: City, alice: User
    ) -> None:
        rows = [cadre(1, 单位代码="370200"), cadre(2, 单位代码="379999")]
        report = check(xlsx(rows), scope_of(alice))
        outside, missing = (e.message for e in report.errors)
        assert outside.replace("370200", "X") == missing.replace("379999", "X")

    def test_it_refuses_an_id_registered_outside_the_scope_without_naming_the_unit(
        self, city: City, alice: User, make_person: Callable[..., Person]
    ) -> None:
        make_person(unit=city.district_b, id_number=id_number(5))
        report = apply(xlsx([cadre(5)]), scope_of(alice), actor=alice)
        assert error_tuples(report) == [(2, "身份证号")]
        message = report.errors[0].message
        assert "范围以外" in message
        assert "西湖区" not in message and "370200" not in message
        assert Person.objects.count() == 1

    def test_it_lets_the_city_admin_move_someone_between_districts(
        self, city: City, bob: User, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(unit=city.district_b, id_number=id_number(5))
        report = apply(
            xlsx([cadre(5, 姓名=person.name, 手机号=person.mobile, 单位代码="370101", 职务="")]),
            scope_of(bob),
            actor=bob,
        )
        assert report.changes[0].fields == ["单位代码"]
        person.refresh_from_db()
        assert person.unit == city.town_a1

    def test_it_checks_gender_and_birth_date_against_the_id_number(self, city: City) -> None:
        header = [*HEADER, "性别", "出生日期"]
        rows = [
            cadre(1, 性别="男", 出生日期=dt.datetime(1990, 1, 1)),  # noqa: DTZ001 (an Excel date)
            cadre(2, 性别="男", 出生日期="1990/1/2"),  # serial 2 is a woman born on 1 January
            cadre(3, 性别="未知", 出生日期="1990-13-01"),
        ]
        report = check(xlsx(rows, header=header))
        assert [(e.row, e.column, e.message) for e in report.errors] == [
            (3, "性别", "性别与身份证号不一致"),
            (3, "出生日期", "出生日期与身份证号不一致"),
            (4, "性别", "“未知”不是有效的性别，可填写：男、女"),
            (4, "出生日期", "出生日期格式不正确，应如 1985-03-12"),
        ]

    def test_it_explains_an_id_number_that_excel_stored_as_a_number(self, city: City) -> None:
        report = check(xlsx([cadre(1, 身份证号=371602199001010000)]))
        assert error_tuples(report) == [(2, "身份证号")]
        assert "文本格式" in report.errors[0].message

    def test_it_accepts_numbers_that_excel_stored_as_numbers_when_exact(self, city: City) -> None:
        report = check(xlsx([cadre(1, 手机号=13700000001, 单位代码=370101)]))
        assert report.ok

    def test_it_skips_empty_rows_and_numbers_rows_as_excel_shows_them(self, city: City) -> None:
        rows = [cadre(1), None, None, cadre(2, 手机号="bad")]
        report = check(xlsx(rows))
        assert report.rows == 2
        assert error_tuples(report) == [(5, "手机号")]

    def test_it_names_missing_and_unknown_headers(self, city: City) -> None:
        header = ["姓名", "身份证号码", "手机号", "单位代码", "职务", "职级", "备注"]
        report = check(xlsx([cadre(1)], header=header))
        assert not report.ok
        assert report.file_errors == [
            "缺少必需的列：身份证号、在职状态、关注标签",
            "无法识别的列：身份证号码、备注。可以使用的列为：姓名、身份证号、手机号、单位代码、"
            "职务、职级、在职状态、关注标签、性别、出生日期",
        ]

    def test_it_tolerates_spaces_and_required_marks_in_headers(self, city: City) -> None:
        row = cadre(1)
        row["姓 名*"] = row.pop("姓名")
        report = check(xlsx([row], header=["姓 名*", *HEADER[1:]]))
        assert report.ok and report.created == 1

    def test_it_says_so_when_there_are_no_data_rows(self, city: City) -> None:
        report = check(xlsx([]))
        assert report.file_errors == ["文件中没有数据行，请在表头下方逐行填写"]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
    def test_it_reads_csv_as_chinese_excel_saves_it(self, city: City, encoding: str) -> None:
        rows = [cadre(1, 姓名="欧阳娜娜", 关注标签="经常承担急难险重任务，心理负担较重"), cadre(2)]
        report = apply(csv_bytes(rows, encoding=encoding))
        assert report.applied
        person = find(id_number(1))
        assert person is not None
        assert person.name == "欧阳娜娜"
        assert person.tag_codes == ["urgent_tasks", "heavy_burden"]

    def test_it_counts_csv_rows_by_record_not_by_line(self, city: City) -> None:
        rows = [cadre(1, 职务="第一行\n第二行"), cadre(2, 手机号="x")]
        report = check(csv_bytes(rows))
        assert error_tuples(report) == [(3, "手机号")]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "不是 Excel 表格"),
            (b"PK\x03\x04not really a zip", "无法读取该 Excel 文件"),
            (b"", "文件是空的"),
            ((",".join(HEADER) + "\n").encode() + b"a" * 200_000, "CSV 文件第2行附近格式有误"),
        ],
    )
    def test_it_refuses_a_file_that_is_not_a_roster_table(
        self, city: City, data: bytes, message: str
    ) -> None:
        report = check(data)
        assert not report.ok
        assert message in report.file_errors[0]

    def test_it_reads_the_roster_sheet_of_a_workbook_with_several(self, city: City) -> None:
        book = Workbook()
        notes = book.active
        assert notes is not None
        notes.title = "说明"
        notes.append(["随便写点什么"])
        sheet = book.create_sheet("花名册")
        sheet.append(HEADER)
        sheet.append(list(cadre(1).values()))
        out = io.BytesIO()
        book.save(out)
        assert check(out.getvalue()).created == 1

    def test_it_lists_a_limited_number_of_errors_but_counts_them_all(
        self, city: City, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(importer, "MAX_LISTED", 3)
        report = check(xlsx([cadre(n, 手机号="1") for n in range(1, 6)]))
        assert (report.error_count, len(report.errors), report.unlisted_errors) == (5, 3, 2)
        assert report.error_rows == 5

    def test_it_reports_in_english_when_the_ui_is_english(self, city: City) -> None:
        with translation.override("en"):
            report = check(xlsx([cadre(1, 手机号="")]))
            assert report.errors[0].message == translation.gettext("请填写手机号")
            assert importer.report_lines(report)[1].startswith(
                translation.gettext("第%(row)d行 [%(column)s] %(message)s")
                % {"row": 2, "column": "手机号", "message": ""}
            )

    def test_it_round_trips_a_summary(self, city: City) -> None:
        report = check(xlsx([cadre(1), cadre(2, 手机号="")]))
        assert ImportReport.from_summary(report.to_summary()) == report

    def test_it_prints_one_line_per_error(self, city: City) -> None:
        report = check(xlsx([cadre(1, 手机号=""), cadre(2, 单位代码="")]))
        assert importer.report_lines(report) == [
            "共读取 2 行：新增 0 人，更新 0 人，无变化 0 人，有错误 2 行。",
            "第2行 [手机号] 请填写手机号",
            "第3行 [单位代码] 请填写单位代码",
        ]


def sheet_values(data: bytes, title: str = "花名册") -> list[list[Any]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(row) for row in book[title].iter_rows(values_only=True)]
    book.close()
    return rows


class ExportTestCase:
    def test_it_writes_everyone_in_the_template_columns(
        self, city: City, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(name="李四", mobile="13912345678", post="科长")
        person.tag_codes = ["urgent_tasks", "heavy_burden"]
        person.save()
        person.refresh_from_db()
        out = io.BytesIO()
        count = exporter.do_export_roster(None, Person.objects.all(), out, channel="test")
        assert count == 1
        header, row = sheet_values(out.getvalue())
        assert header == list(importer.COLUMNS)
        assert row == [
            "李四",
            person.id_number,
            "13912345678",
            "370101",
            "科长",
            "科员及以下",
            "在职",
            "经常承担急难险重任务、心理负担较重",
            "男" if person.gender == "M" else "女",
            person.birth_date.isoformat(),
        ]
        event = AuditEvent.objects.get(action="roster.export")
        assert event.changes == {"rows": 1, "channel": "test"}

    def test_an_export_imports_back_unchanged(
        self, city: City, make_person: Callable[..., Person]
    ) -> None:
        for unit in (city.town_a1, city.district_a, city.district_b):
            make_person(unit=unit, rank=Rank.SECTION_CHIEF, post="主任")
        out = io.BytesIO()
        exporter.write_people(Person.objects.select_related("unit"), out)
        report = check(out.getvalue())
        assert report.ok
        assert report.counts() == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3}


class TemplateTestCase:
    def test_it_has_headers_only_and_the_rules_on_a_second_sheet(self, city: City) -> None:
        out = io.BytesIO()
        exporter.write_template(out)
        book = load_workbook(io.BytesIO(out.getvalue()))
        assert book.sheetnames == ["花名册", "填写说明"]
        assert list(book["花名册"].iter_rows(values_only=True)) == [tuple(importer.COLUMNS)]
        notes = "\n".join(
            str(value) for row in book["填写说明"].iter_rows(values_only=True) for value in row
        )
        assert "科员及以下" in notes and "心理负担较重" in notes and "已离开" in notes
        assert book["花名册"].column_dimensions["B"].number_format == "@"

    def test_the_template_alone_imports_nothing(self, city: City) -> None:
        out = io.BytesIO()
        exporter.write_template(out)
        report = check(out.getvalue())
        assert report.rows == 0
        assert not report.ok
