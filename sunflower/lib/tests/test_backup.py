"""Encrypted backups: the envelope format, and a real round trip of the demo city.

The round trip backs up the test database in this process, then runs the real `sunflower
restore` and `sunflower audit verify` in child processes against a fresh database (a new
SQLite file, or a scratch PostgreSQL database created and dropped here), with the same
master key, and compares the row count of every table.
"""

from __future__ import annotations

import io
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from sunflower.audit import chain
from sunflower.audit.events import record
from sunflower.lib import backup, crypto
from sunflower.orgs.demo import build_demo_city

SUNFLOWER = str(Path(sys.executable).with_name("sunflower"))
MASTER = crypto.LocalMasterKey(b"m" * 32)
KEYS = crypto.MasterKeys(current=MASTER)


def seal(data: bytes, *, suite: str = "aes", chunk_size: int = 16, engine: str = "sqlite") -> bytes:
    out = io.BytesIO()
    backup.encrypt_stream(
        io.BytesIO(data),
        out,
        engine=engine,
        master=MASTER,
        suite=crypto.get_suite(suite),
        chunk_size=chunk_size,
    )
    return out.getvalue()


def unseal(blob: bytes, keys: crypto.MasterKeys = KEYS) -> bytes:
    out = io.BytesIO()
    backup.decrypt_stream(io.BytesIO(blob), out, keys=keys)
    return out.getvalue()


def split(blob: bytes) -> tuple[bytes, list[bytes]]:
    """The file's head (magic and header) and its chunk records (length prefix included)."""
    source = io.BytesIO(blob)
    backup.read_header(source)
    head = blob[: source.tell()]
    records = []
    while prefix := source.read(4):
        (length,) = backup.LENGTH.unpack(prefix)
        records.append(prefix + source.read(length))
    return head, records


class EnvelopeTestCase:
    @pytest.mark.parametrize("suite", ["aes", "sm"])
    @pytest.mark.parametrize("size", [0, 1, 16, 17, 100])
    def test_it_round_trips(self, suite: str, size: int) -> None:
        data = os.urandom(size)
        blob = seal(data, suite=suite)
        assert blob.startswith(b"SFBK1")
        assert unseal(blob) == data

    def test_the_header_names_what_restore_needs_and_no_secret(self) -> None:
        blob = seal(b"x" * 40, engine="postgresql")
        header, raw = backup.read_header(io.BytesIO(blob))
        assert (header.suite, header.engine, header.chunk_size) == ("aes", "postgresql", 16)
        assert header.master_key_id == MASTER.key_id
        assert b"m" * 32 not in blob
        assert b'"created_at"' in raw

    def test_it_hides_the_content(self) -> None:
        assert b"secret roster" not in seal(b"secret roster" * 10)

    def test_one_changed_byte_is_detected(self) -> None:
        blob = bytearray(seal(b"abcdefgh" * 10))
        blob[-20] ^= 0x01
        with pytest.raises(backup.BackupError, match="damaged or was altered"):
            unseal(bytes(blob))

    def test_a_missing_last_part_is_detected(self) -> None:
        head, records = split(seal(b"abcdefgh" * 10))
        with pytest.raises(backup.BackupError, match="truncated"):
            unseal(head + b"".join(records[:-1]))

    def test_a_file_cut_mid_part_is_detected(self) -> None:
        blob = seal(b"abcdefgh" * 10)
        with pytest.raises(backup.BackupError, match="truncated"):
            unseal(blob[:-5])

    def test_reordered_parts_are_detected(self) -> None:
        head, records = split(seal(b"abcdefgh" * 10))
        records[0], records[1] = records[1], records[0]
        with pytest.raises(backup.BackupError, match="damaged or was altered at part 0"):
            unseal(head + b"".join(records))

    def test_data_after_the_end_is_detected(self) -> None:
        head, records = split(seal(b"abcdefgh" * 10))
        with pytest.raises(backup.BackupError, match="after its end"):
            unseal(head + b"".join(records) + records[0])

    def test_an_altered_header_is_detected(self) -> None:
        blob = seal(b"abcdefgh" * 10)
        altered = blob.replace(b'"chunk_size": 16', b'"chunk_size": 17')
        assert altered != blob
        with pytest.raises(backup.BackupError, match="damaged or was altered at part 0"):
            unseal(altered)
        engine = blob.replace(b'"engine": "sqlite"', b'"engine": "sqlitf"')
        with pytest.raises(backup.BackupError, match="does not open"):
            unseal(engine)

    def test_it_needs_the_master_key_that_made_it(self) -> None:
        other = crypto.LocalMasterKey(b"n" * 32)
        with pytest.raises(backup.BackupError, match="not configured"):
            unseal(seal(b"data"), crypto.MasterKeys(current=other))
        # After a rotation the earlier key, listed as previous, still opens it.
        assert unseal(seal(b"data"), crypto.MasterKeys(current=other, previous=(MASTER,))) == (
            b"data"
        )

    def test_it_refuses_a_file_that_is_not_a_backup(self) -> None:
        with pytest.raises(backup.BackupError, match="not a Sunflower backup"):
            unseal(b"SQLite format 3\x00")


# The round trip ------------------------------------------------------------------------------


@dataclass
class Target:
    """A fresh database for the restore, in the engine of the test database."""

    url: str
    table_counts: Callable[[], dict[str, int]]


def _counts(cursor: Any, tables: list[str], quote_name: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote_name(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _counts(cursor, connection.introspection.table_names(), connection.ops.quote_name)


def _sqlite_target(tmp_path: Path) -> Iterator[Target]:
    path = tmp_path / "restored.sqlite3"

    def counts() -> dict[str, int]:
        if not path.exists():
            return {}
        db = sqlite3.connect(path)
        try:
            names = [
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return _counts(db.cursor(), names, lambda name: f'"{name}"')
        finally:
            db.close()

    yield Target(url=f"sqlite:///{path}", table_counts=counts)


def _postgres_target() -> Iterator[Target]:
    import psycopg

    settings = connection.settings_dict
    params = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
    }
    name = f"sf_restore_{secrets.token_hex(4)}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def counts() -> dict[str, int]:
        with psycopg.connect(dbname=name, **params) as db, db.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            names = [row[0] for row in cursor.fetchall()]
            return _counts(cursor, names, lambda table: f'"{table}"')

    credentials = quote(params["user"] or "")
    if params["password"]:
        credentials += ":" + quote(params["password"])
    try:
        yield Target(
            url=f"postgres://{credentials}@{params['host']}:{params['port']}/{name}",
            table_counts=counts,
        )
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_target(tmp_path: Path) -> Iterator[Target]:
    if connection.vendor == "postgresql":
        yield from _postgres_target()
    else:
        yield from _sqlite_target(tmp_path)


def cli(target: Target, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, on *target*, with this test's master key."""
    env = {**os.environ, "DATABASE_URL": target.url, "SUNFLOWER_ENV": "test"}
    return subprocess.run(
        [SUNFLOWER, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture
def demo_city(transactional_db: None) -> dict[str, int]:
    """The demo city with privacy records and sealed audit events, committed; its counts."""
    from sunflower.accounts.models import User
    from sunflower.privacy import actions
    from sunflower.privacy.models import ConsentNotice
    from sunflower.privacy.tests.conftest import seed

    build_demo_city(cadres=200)
    notice, _ = ConsentNotice.objects.get_or_create(
        version=1, defaults={"title": seed.TITLE, "body": seed.BODY, "published_at": timezone.now()}
    )
    cadres = list(User.objects.filter(person__isnull=False).order_by("username")[:3])
    for user in cadres:
        actions.do_give_consent(user, notice)
    actions.do_request_deletion(cadres[0], "备份测试")
    for n in range(5):
        record("test.event", changes={"n": n})
    chain.seal_all()
    record("test.unsealed")  # sealed later by `audit verify` on the restored copy
    return source_counts()


class BackupRoundTripTestCase:
    def test_it_restores_every_row_and_the_audit_chain_verifies(
        self, demo_city: dict[str, int], fresh_target: Target, tmp_path: Path
    ) -> None:
        assert demo_city["orgs_person"] == 200
        file = tmp_path / "city.sfbk"
        call_command("backup", str(file), stdout=io.StringIO())
        assert file.stat().st_mode & 0o777 == 0o600
        assert b"orgs_person" not in file.read_bytes()  # the whole file is encrypted

        restored = cli(fresh_target, "restore", str(file))

        assert restored.returncode == 0, restored.stderr
        after = fresh_target.table_counts()
        assert set(after) == set(demo_city)
        differences = {t: (demo_city[t], after[t]) for t in after if after[t] != demo_city[t]}
        # The one row more is the restore's own audit entry.
        assert differences == {
            "audit_auditevent": (demo_city["audit_auditevent"], demo_city["audit_auditevent"] + 1)
        }
        verified = cli(fresh_target, "audit", "verify")
        assert verified.returncode == 0, verified.stderr
        assert "audit chain intact" in verified.stdout

    def test_it_also_restores_into_a_database_that_was_only_migrated(
        self, demo_city: dict[str, int], fresh_target: Target, tmp_path: Path
    ) -> None:
        file = tmp_path / "city.sfbk"
        call_command("backup", str(file), stdout=io.StringIO())
        migrated = cli(fresh_target, "migrate", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr

        restored = cli(fresh_target, "restore", str(file))

        assert restored.returncode == 0, restored.stderr
        after = fresh_target.table_counts()
        after["audit_auditevent"] -= 1  # the restore's own entry
        assert after == demo_city

    def test_a_changed_byte_stops_the_restore_and_leaves_the_target_untouched(
        self, demo_city: dict[str, int], fresh_target: Target, tmp_path: Path
    ) -> None:
        file = tmp_path / "city.sfbk"
        call_command("backup", str(file), stdout=io.StringIO())
        blob = bytearray(file.read_bytes())
        blob[len(blob) // 2] ^= 0x40
        tampered = tmp_path / "tampered.sfbk"
        tampered.write_bytes(bytes(blob))

        result = cli(fresh_target, "restore", str(tampered))

        assert result.returncode == 1
        assert "damaged or was altered" in result.stderr
        assert "未恢复任何数据" in result.stderr
        assert fresh_target.table_counts() == {}

    def test_it_refuses_a_database_that_holds_data(
        self, demo_city: dict[str, int], tmp_path: Path
    ) -> None:
        file = tmp_path / "city.sfbk"
        call_command("backup", str(file), stdout=io.StringIO())
        with pytest.raises(CommandError, match="target database is not empty: orgs_unit"):
            call_command("restore", str(file))
        after = source_counts()
        assert after["orgs_person"] == demo_city["orgs_person"]

    def test_it_refuses_a_backup_of_the_other_engine(self, db: None, tmp_path: Path) -> None:
        from sunflower.keystore import keyring

        other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
        file = tmp_path / "other.sfbk"
        with file.open("wb") as out:
            backup.encrypt_stream(
                io.BytesIO(b"not really a dump"),
                out,
                engine=other,
                master=keyring.master_key(),
                suite=keyring.current_suite(),
            )
        with pytest.raises(CommandError, match=f"this is a {other} backup"):
            call_command("restore", str(file))

    def test_it_will_not_overwrite_a_file_unless_forced(self, db: None, tmp_path: Path) -> None:
        file = tmp_path / "exists.sfbk"
        file.write_bytes(b"keep me")
        with pytest.raises(CommandError, match="already exists"):
            call_command("backup", str(file), stdout=io.StringIO())
        assert file.read_bytes() == b"keep me"

    def test_verify_checks_a_backup_without_restoring(self, db: None, tmp_path: Path) -> None:
        file = tmp_path / "check.sfbk"
        call_command("backup", str(file), stdout=io.StringIO())
        out = io.StringIO()
        call_command("backup", "--verify", str(file), stdout=out)
        assert "backup intact" in out.getvalue()
