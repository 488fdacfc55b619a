"""`sunflower roster import FILE [--dry-run] [--user LOGIN]` and `sunflower roster export FILE`.

Without --user the command acts city-wide as the system; with it, in that user's roster scope
and in their name in the audit trail. An import with any error applies nothing and exits 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sunflower.accounts.models import ROSTER_ROLES, User
from sunflower.accounts.scope import people_in_scope, units_in_scope
from sunflower.orgs import exporter, importer
from sunflower.orgs.models import Person, Unit


class Command(BaseCommand):
    help = "Import the cadre roster from .xlsx/.csv, or export it to .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        to_import = actions.add_parser("import", help="check a roster file and apply it")
        to_import.add_argument("file", help=".xlsx or .csv in the import template's columns")
        to_import.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )
        to_import.add_argument("--user", help="act as this login, within its roster scope")
        to_export = actions.add_parser("export", help="write the roster to an .xlsx file")
        to_export.add_argument("file", help="the .xlsx file to write")
        to_export.add_argument("--user", help="export what this login may see")
        for sub in (to_import, to_export):
            # Also after the subcommand, where people type it; -v 2 lists every change.
            sub.add_argument(
                "-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=argparse.SUPPRESS
            )

    def handle(self, *args: Any, action: str, file: str, user: str | None, **options: Any) -> None:
        actor = self._actor(user)
        if action == "import":
            self._import(
                Path(file), actor, dry_run=options["dry_run"], verbosity=options["verbosity"]
            )
        else:
            self._export(Path(file), actor)

    def _actor(self, login: str | None) -> User | None:
        if login is None:
            return None
        actor = User.objects.filter(username=login, is_active=True).first()
        if actor is None:
            raise CommandError(_("没有登录名为 %(login)s 的启用账号") % {"login": login})
        if not actor.has_role(*ROSTER_ROLES):
            raise CommandError(_("%(login)s 没有维护花名册的角色") % {"login": login})
        return actor

    def _import(self, path: Path, actor: User | None, *, dry_run: bool, verbosity: int) -> None:
        units = units_in_scope(actor, ROSTER_ROLES) if actor else Unit.objects.all()
        scope = importer.ImportScope.of(units)
        try:
            with path.open("rb") as source:
                if dry_run:
                    report = importer.check(source, scope)
                else:
                    report = importer.apply(source, scope, actor=actor, channel="cli")
        except OSError as exc:
            raise CommandError(
                _("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        for line in importer.report_lines(report):
            self.stdout.write(line)
        if verbosity > 1:
            for change in report.changes:
                self.stdout.write(self._change_line(change))
        if not report.ok:
            raise CommandError(_("文件有错误，未导入任何数据。"))
        if dry_run:
            self.stdout.write(_("试运行：没有写入任何数据。"))
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成。")))

    @staticmethod
    def _change_line(change: importer.RowChange) -> str:
        if change.action == importer.CREATE:
            return _("第%(row)d行 新增 %(name)s（%(unit)s）") % vars(change)
        return _("第%(row)d行 更新 %(name)s：%(fields)s") % {
            **vars(change),
            "fields": "、".join(change.fields),
        }

    def _export(self, path: Path, actor: User | None) -> None:
        people = people_in_scope(actor, ROSTER_ROLES) if actor else Person.objects.all()
        try:
            with path.open("wb") as out:
                count = exporter.do_export_roster(actor, people, out, channel="cli")
        except OSError as exc:
            raise CommandError(
                _("无法写入文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        self.stdout.write(_("已导出 %(count)d 人到 %(path)s") % {"count": count, "path": path})
