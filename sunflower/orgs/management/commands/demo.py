"""`sunflower demo`: build the demo city (滨海市) and its demo accounts.

`make run` calls `sunflower demo --if-empty` on every start, so that path answers after one
or two cheap queries when the database already holds data.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from sunflower.audit.models import AuditEvent
from sunflower.lib.demo import DemoContext, demo_steps, reset_demo_steps
from sunflower.orgs import demo


class Command(BaseCommand):
    help = "Build the demo city: a fictional city of cadres and a demo account for every role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cadres", type=int, default=demo.DEFAULT_CADRES, help="number of cadres"
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="the same seed, the same city"
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="build only into an empty database, else do nothing (used by `make run`)",
        )
        group.add_argument(
            "--reset",
            action="store_true",
            help="first delete every unit, cadre and account (refused once there is an audit "
            "trail)",
        )

    def handle(
        self, *args: Any, cadres: int, seed: int, if_empty: bool, reset: bool, **options: Any
    ) -> None:
        if not 1 <= cadres <= demo.MAX_CADRES:
            raise CommandError(f"--cadres must be between 1 and {demo.MAX_CADRES}")
        if if_empty and demo.has_data():
            self.stdout.write(
                "数据库已有数据，未加载演示城市。"
                " (The database already has data; the demo city was not loaded.)"
            )
            return
        # One transaction, so that a failed rebuild after --reset leaves the old data in place.
        with transaction.atomic():
            self.build(cadres=cadres, seed=seed, reset=reset)
        if not if_empty:  # `make run` prints the logins itself when the server starts
            self.stdout.write("Demo logins (演示账号):")
            for line in demo.login_lines():
                self.stdout.write(f"  {line}")

    def build(self, *, cadres: int, seed: int, reset: bool) -> None:
        if demo.has_data():
            if not reset:
                raise CommandError(
                    "数据库已有数据，未加载演示城市；如需重建请加 --reset，或使用新的数据库。"
                    " (The database already has data: add --reset to replace it with the demo"
                    " city, or use a fresh database.)"
                )
            if settings.PRODUCTION:
                raise CommandError("--reset is refused in production (SUNFLOWER_ENV=prod)")
            try:
                if not AuditEvent.objects.exists():  # else delete_demo_city refuses
                    reset_demo_steps()
                demo.delete_demo_city()
            except demo.DemoError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write("已清空原有数据。 (Existing data removed.)")

        self.stdout.write(f"正在建立演示城市 {demo.CITY_NAME} (building the demo city)…")
        try:
            summary = demo.build_demo_city(cadres=cadres, seed=seed, stdout=self.stdout)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from None
        context = DemoContext(seed=seed, now=timezone.now(), say=self.stdout.write)
        for step in demo_steps():  # each app's history: campaigns, results, cases, …
            step.run(context)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市已建成 (demo city built) in {summary.seconds:.1f} s, seed {summary.seed}:"
            )
        )
        self.stdout.write(
            f"  {summary.units} units on {summary.levels} levels, {summary.cadres} cadres,"
            f" {summary.accounts} accounts"
        )
