import datetime as dt
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import Workbook, load_workbook

from conftest import City, make_id_number
from sunflower.accounts.models import User
from sunflower.audit.models import AuditEvent
from sunflower.orgs.models import Person
from sunflower.orgs.tests.rosterfiles import cadre, xlsx

SUNFLOWER = str(Path(sys.executable).with_name("sunflower"))
# Runs the CLI as its only child and prints that child's peak resident memory (KiB) last.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, flush=True)\n"
    "sys.exit(code)\n"
)
PEAK_RSS_LIMIT_MB = 250  # measured about 90 MB; holding every row would pass 250


def roster(*args: str) -> str:
    out = io.StringIO()
    call_command("roster", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "roster.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


class RosterImportCommandTestCase:
    def test_it_imports_a_valid_file(self, city: City, tmp_path: Path) -> None:
        output = roster("import", write(tmp_path, xlsx([cadre(1), cadre(2, unit="370200")])))
        assert "共读取 2 行：新增 2 人，更新 0 人，无变化 0 人，有错误 0 行。" in output
        assert "导入完成" in output
        assert Person.objects.count() == 2  # city-wide without --user
        event = AuditEvent.objects.get(action="roster.import")
        assert event.actor is None
        assert event.changes["channel"] == "cli"

    def test_it_prints_every_error_and_fails_without_applying(
        self, city: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = write(tmp_path, xlsx([cadre(1), cadre(2, 手机号="abc"), cadre(3, 单位代码="")]))
        out = io.StringIO()
        with pytest.raises(CommandError, match="文件有错误，未导入任何数据"):
            call_command("roster", "import", path, stdout=out)
        assert out.getvalue().splitlines() == [
            "共读取 3 行：新增 1 人，更新 0 人，无变化 0 人，有错误 2 行。",
            "第3行 [手机号] 手机号只能包含数字",
            "第4行 [单位代码] 请填写单位代码",
        ]
        assert Person.objects.count() == 0

    def test_it_changes_nothing_on_a_dry_run(self, city: City, tmp_path: Path) -> None:
        output = roster("import", write(tmp_path, xlsx([cadre(1)])), "--dry-run")
        assert "新增 1 人" in output
        assert "试运行" in output
        assert Person.objects.count() == 0
        assert not AuditEvent.objects.exists()

    def test_it_lists_changes_when_verbose(self, city: City, tmp_path: Path) -> None:
        output = roster("import", write(tmp_path, xlsx([cadre(1)])), "--dry-run", "-v", "2")
        assert "第2行 新增 导入1（东港区海滨街道）" in output

    def test_it_imports_within_a_users_scope(self, city: City, alice: User, tmp_path: Path) -> None:
        path = write(tmp_path, xlsx([cadre(1), cadre(2, unit="370200")]))
        out = io.StringIO()
        with pytest.raises(CommandError):
            call_command("roster", "import", path, "--user", "alice", stdout=out)
        assert "第3行 [单位代码] 单位代码“370200”不存在或不在您的管理范围内" in out.getvalue()
        roster("import", write(tmp_path, xlsx([cadre(1)])), "--user", "alice")
        assert Person.objects.get().created_by == alice

    def test_it_refuses_an_unknown_user_or_one_without_a_roster_role(
        self, city: City, cadre: User, tmp_path: Path
    ) -> None:
        path = write(tmp_path, xlsx([]))
        with pytest.raises(CommandError, match="没有登录名为 nobody"):
            roster("import", path, "--user", "nobody")
        with pytest.raises(CommandError, match="没有维护花名册的角色"):
            roster("import", path, "--user", "cadre")

    def test_it_reports_a_missing_file(self, city: City, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="无法读取文件"):
            roster("import", str(tmp_path / "missing.xlsx"))


class RosterExportCommandTestCase:
    def test_it_exports_everyone_or_a_users_scope(
        self, city: City, alice: User, make_person: Callable[..., Person], tmp_path: Path
    ) -> None:
        make_person(unit=city.town_a1, name="甲")
        make_person(unit=city.district_b, name="乙")
        everyone, alices = tmp_path / "all.xlsx", tmp_path / "alice.xlsx"
        assert "已导出 2 人" in roster("export", str(everyone))
        assert "已导出 1 人" in roster("export", str(alices), "--user", "alice")
        names = [row[0] for row in _rows(alices)[1:]]
        assert names == ["甲"]
        assert AuditEvent.objects.filter(action="roster.export").count() == 2
        # An export re-imports as it is.
        assert "无变化 2 人" in roster("import", str(everyone), "--dry-run")


def _rows(path: Path) -> list[list[Any]]:
    book = load_workbook(path, read_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    book.close()
    return rows


# The real command in a child process, against the test database -------------------------


def database_url() -> str:
    settings = connection.settings_dict
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings['NAME']}"


def run_cli(*args: str, measure: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "SUNFLOWER_ENV": "test"}
    command = [SUNFLOWER, *args]
    if measure:
        command = [sys.executable, "-c", MEASURE, *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)


class RosterCommandProcessTestCase:
    def test_it_exits_1_on_errors_and_0_on_success(
        self, transactional_db: None, city: City, tmp_path: Path
    ) -> None:
        bad = run_cli("roster", "import", write(tmp_path, xlsx([cadre(1, 手机号="")]), "bad.xlsx"))
        assert bad.returncode == 1
        assert "第2行 [手机号] 请填写手机号" in bad.stdout
        assert "文件有错误，未导入任何数据" in bad.stderr
        assert Person.objects.count() == 0

        good = run_cli("roster", "import", write(tmp_path, xlsx([cadre(1)]), "good.xlsx"))
        assert good.returncode == 0, good.stderr
        assert "新增 1 人" in good.stdout
        assert Person.objects.count() == 1

    @pytest.mark.slow
    def test_it_imports_50000_rows_in_bounded_memory(
        self, transactional_db: None, city: City, tmp_path: Path
    ) -> None:
        path = tmp_path / "big.xlsx"
        write_big_roster(path, 50_000, [city.town_a1.code, city.district_a.code, "370200"])

        started = time.monotonic()
        result = run_cli("roster", "import", str(path), measure=True)
        elapsed = time.monotonic() - started

        assert result.returncode == 0, result.stderr
        *report, peak_kib = result.stdout.strip().splitlines()
        assert "共读取 50000 行：新增 50000 人" in report[0]
        peak_mb = int(peak_kib) / 1024
        print(f"50,000-row import: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB")
        assert peak_mb < PEAK_RSS_LIMIT_MB
        assert Person.objects.count() == 50_000
        sample = Person.objects.order_by("name").first()
        assert sample is not None and sample.id_number is not None  # readable in this process


def write_big_roster(path: Path, count: int, unit_codes: list[str]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(list(cadre(0)))
    first_birthday = dt.date(1970, 1, 1)
    for n in range(count):
        birth = first_birthday + dt.timedelta(days=n // 1000)
        row = cadre(
            n,
            unit=unit_codes[n % len(unit_codes)],
            身份证号=make_id_number(n, birth=f"{birth:%Y%m%d}"),
            手机号=f"13{n:09d}",
            关注标签="工作条件艰苦" if n % 7 == 0 else "",
        )
        sheet.append(list(row.values()))
    book.save(path)
