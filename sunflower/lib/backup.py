"""Encrypted, consistent backups of the whole database, and restoring them (docs/adr/0010).

`write_backup(FILE)` takes a consistent snapshot — SQLite through its online backup API,
PostgreSQL with `pg_dump --format=custom` (one transaction-consistent snapshot by itself) —
and encrypts it into FILE:

    "SFBK1" ‖ u32 header length ‖ header (JSON) ‖ chunk* ;  chunk = u32 length ‖ sealed

The header names the cipher suite, the id of the master key that wrapped the backup's own
random data key, the wrapped key, the database engine, the creation time and the chunk size.
Each chunk is sealed (AES-256-GCM, or SM4-GCM with SUNFLOWER_CRYPTO_SUITE=sm) under a fresh
nonce, with the SHA-256 of the header, the chunk's index and a final-chunk flag as additional
authenticated data: an altered header, a changed, dropped, reordered or appended chunk, or a
file cut short all fail authentication.

The master key is not in the backup. Without it (or, after a rotation, the previous key that
wrapped the backup) the file cannot be read; keep it apart from the backups.

`restore_backup(FILE)` decrypts and verifies every chunk into a temporary file before it
touches anything, refuses an engine mismatch and a target that already holds data, then
copies the snapshot into place (SQLite backup API) or runs `pg_restore --clean --if-exists
--single-transaction` (PostgreSQL: a fresh database, or one that has only been migrated).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import connections, transaction
from django.utils import timezone

from sunflower.lib import crypto

MAGIC = b"SFBK1"
FORMAT_VERSION = 1
CHUNK_SIZE = 1 << 20
MAX_HEADER_BYTES = 64 * 1024
LENGTH = struct.Struct(">I")
CHUNK_AAD = struct.Struct(">QB")
ENGINES = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}
# A restore goes only into a database where none of these tables has a row.
SENTINEL_TABLES = ("orgs_unit", "accounts_user", "audit_auditevent")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; str() says why and what to do."""


@dataclass(frozen=True)
class Header:
    suite: str
    master_key_id: str
    wrapped_key: bytes
    engine: str
    created_at: str
    chunk_size: int
    format: int = FORMAT_VERSION

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "format": self.format,
                "suite": self.suite,
                "master_key_id": self.master_key_id,
                "wrapped_key": base64.b64encode(self.wrapped_key).decode(),
                "engine": self.engine,
                "created_at": self.created_at,
                "chunk_size": self.chunk_size,
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Header:
        try:
            data = json.loads(raw)
            header = cls(
                format=int(data["format"]),
                suite=str(data["suite"]),
                master_key_id=str(data["master_key_id"]),
                wrapped_key=base64.b64decode(data["wrapped_key"], validate=True),
                engine=str(data["engine"]),
                created_at=str(data["created_at"]),
                chunk_size=int(data["chunk_size"]),
            )
        except (ValueError, KeyError, TypeError):
            raise BackupError("the backup header is damaged (备份文件头已损坏)") from None
        if header.format != FORMAT_VERSION:
            raise BackupError(f"backup format {header.format} is not supported by this version")
        if not 0 < header.chunk_size <= 64 * CHUNK_SIZE:
            raise BackupError("the backup header is damaged (备份文件头已损坏)")
        return header


def _key_aad(engine: str, created_at: str) -> bytes:
    return f"sunflower-backup-key.{engine}.{created_at}".encode()


def _chunk_aad(header_digest: bytes, index: int, final: bool) -> bytes:
    return MAGIC + header_digest + CHUNK_AAD.pack(index, 1 if final else 0)


def _chunks(source: IO[bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """The source in pieces of *size* bytes, each with whether it is the last (at least one)."""
    current = source.read(size)
    while True:
        following = source.read(size)
        yield current, not following
        if not following:
            return
        current = following


def encrypt_stream(
    source: IO[bytes],
    target: IO[bytes],
    *,
    engine: str,
    master: crypto.MasterKey,
    suite: crypto.Suite,
    chunk_size: int = CHUNK_SIZE,
    created_at: str | None = None,
) -> Header:
    created_at = created_at or timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds")
    data_key = crypto.new_data_key(suite)
    header = Header(
        suite=suite.code,
        master_key_id=master.key_id,
        wrapped_key=master.wrap(suite, data_key, _key_aad(engine, created_at)),
        engine=engine,
        created_at=created_at,
        chunk_size=chunk_size,
    )
    raw = header.to_bytes()
    digest = hashlib.sha256(raw).digest()
    target.write(MAGIC + LENGTH.pack(len(raw)) + raw)
    for index, (piece, final) in enumerate(_chunks(source, chunk_size)):
        sealed = suite.seal(data_key, piece, _chunk_aad(digest, index, final))
        target.write(LENGTH.pack(len(sealed)) + sealed)
    return header


def _read_exact(source: IO[bytes], size: int, what: str) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupError(f"the backup is truncated ({what}) (备份文件不完整)")
    return data


def read_header(source: IO[bytes]) -> tuple[Header, bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("this is not a Sunflower backup file (不是向阳花备份文件)")
    (length,) = LENGTH.unpack(_read_exact(source, LENGTH.size, "header"))
    if length > MAX_HEADER_BYTES:
        raise BackupError("the backup header is damaged (备份文件头已损坏)")
    raw = _read_exact(source, length, "header")
    return Header.from_bytes(raw), raw


def decrypt_stream(source: IO[bytes], target: IO[bytes], *, keys: crypto.MasterKeys) -> Header:
    """Verify and decrypt a whole backup into *target*; raise BackupError on any defect."""
    header, raw = read_header(source)
    suite = crypto.get_suite(header.suite)
    try:
        master = keys.by_id(header.master_key_id)
    except crypto.CryptoError:
        raise BackupError(
            f"the backup was encrypted under master key {header.master_key_id}, which is not "
            "configured: set SUNFLOWER_MASTER_KEY_FILE (or list it in "
            "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES) to the key that was in use when the backup "
            "was made (备份所用的主密钥未配置)"
        ) from None
    try:
        data_key = master.unwrap(
            suite, header.wrapped_key, _key_aad(header.engine, header.created_at)
        )
    except crypto.CryptoError:
        raise BackupError(
            "the backup's key does not open with the configured master key: the header was "
            "altered or the key is wrong (备份密钥无法解开)"
        ) from None
    digest = hashlib.sha256(raw).digest()
    limit = header.chunk_size + crypto.NONCE_BYTES + crypto.TAG_BYTES
    index = 0
    while True:
        prefix = source.read(LENGTH.size)
        if not prefix:
            raise BackupError("the backup is truncated: its last part is missing (备份文件不完整)")
        if len(prefix) < LENGTH.size:
            raise BackupError(f"the backup is truncated at part {index} (备份文件不完整)")
        (length,) = LENGTH.unpack(prefix)
        if length > limit:
            raise BackupError(f"the backup is damaged at part {index} (备份文件已损坏)")
        sealed = _read_exact(source, length, f"part {index}")
        for final in (False, True):
            try:
                piece = suite.open(data_key, sealed, _chunk_aad(digest, index, final))
            except crypto.CryptoError:
                continue
            break
        else:
            raise BackupError(
                f"the backup is damaged or was altered at part {index}; nothing was restored "
                "(备份文件已损坏或被篡改，未恢复任何数据)"
            )
        target.write(piece)
        index += 1
        if final:
            if source.read(1):
                raise BackupError(
                    "the backup has unexpected data after its end (备份文件末尾有多余数据)"
                )
            return header


# Snapshots --------------------------------------------------------------------------------


def engine_of(alias: str = "default") -> str:
    vendor = connections[alias].settings_dict["ENGINE"]
    try:
        return ENGINES[vendor]
    except KeyError:
        raise BackupError(f"database engine {vendor} is not supported") from None


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools of the server's major "
            "version (e.g. the postgresql-client package)"
        )
    return path


def pg_environment(settings: dict[str, Any]) -> dict[str, str]:
    """libpq variables for the configured database: no password on any command line."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings.get("HOST"),
        "PGPORT": settings.get("PORT"),
        "PGUSER": settings.get("USER"),
        "PGPASSWORD": settings.get("PASSWORD"),
        "PGDATABASE": settings.get("NAME"),
    }
    options = settings.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ):
        pairs[variable] = options.get(option)
    for variable, value in pairs.items():
        if value not in (None, ""):
            env[variable] = str(value)
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 (fixed tools found on PATH, arguments are ours)
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{what} failed (exit {result.returncode}): " + " | ".join(detail))


def snapshot_database(path: Path, alias: str = "default") -> str:
    """Write a consistent copy of the database to *path*; returns the engine name."""
    engine = engine_of(alias)
    settings = connections[alias].settings_dict
    if engine == "sqlite":
        source = sqlite3.connect(str(settings["NAME"]), timeout=60)
        target = sqlite3.connect(str(path))
        try:
            # One step (pages=-1): the copy is of a single moment, even while others write.
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
            source.close()
    else:
        command = [_pg_tool("pg_dump"), "--format=custom", "--compress=6", f"--file={path}"]
        _run(command, pg_environment(settings), "pg_dump")
    return engine


# Writing and restoring ---------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    path: Path
    engine: str
    bytes: int
    created_at: str
    seconds: float


def _private_temp_dir() -> tempfile.TemporaryDirectory[str]:
    # mkdtemp makes the directory 0700; the unencrypted snapshot never leaves it.
    return tempfile.TemporaryDirectory(prefix="sunflower-backup-")


def write_backup(target: Path, *, force: bool = False, alias: str = "default") -> Summary:
    from sunflower.audit.events import record
    from sunflower.keystore import keyring

    started = time.perf_counter()
    target = Path(target)
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; choose another name or pass --force")
    if not target.parent.is_dir():
        raise BackupError(f"directory {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    with _private_temp_dir() as work:
        snapshot = Path(work) / "snapshot"
        engine = snapshot_database(snapshot, alias)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out, snapshot.open("rb") as plain:
                header = encrypt_stream(
                    plain,
                    out,
                    engine=engine,
                    master=keyring.master_key(),
                    suite=keyring.current_suite(),
                )
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    size = target.stat().st_size
    with transaction.atomic(using=alias):
        record(
            "backup.create",
            changes={
                "engine": engine,
                "bytes": size,
                "suite": header.suite,
                "master_key_id": header.master_key_id,
                "created_at": header.created_at,
            },
        )
    return Summary(target, engine, size, header.created_at, time.perf_counter() - started)


def verify_backup(source: Path) -> Header:
    """Decrypt and authenticate a whole backup without restoring it."""
    from sunflower.keystore import keyring

    with Path(source).open("rb") as encrypted, open(os.devnull, "wb") as sink:
        return decrypt_stream(encrypted, sink, keys=keyring.master_keys())


def tables_with_rows(alias: str = "default") -> dict[str, int]:
    """Which sentinel tables of the target database already hold rows (missing = empty)."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    found = {}
    with connection.cursor() as cursor:
        for table in SENTINEL_TABLES:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                count = cursor.fetchone()[0]
                if count:
                    found[table] = count
    return found


def restore_backup(source: Path, alias: str = "default") -> Summary:
    from sunflower.audit.events import record
    from sunflower.keystore import keyring

    started = time.perf_counter()
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    with _private_temp_dir() as work:
        snapshot = Path(work) / "snapshot"
        descriptor = os.open(snapshot, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with source.open("rb") as encrypted, os.fdopen(descriptor, "wb") as plain:
            header = decrypt_stream(encrypted, plain, keys=keyring.master_keys())
        engine = engine_of(alias)
        if header.engine != engine:
            raise BackupError(
                f"this is a {header.engine} backup but the configured database is {engine}: "
                "set DATABASE_URL to a database of the same kind (备份与目标数据库类型不一致)"
            )
        occupied = tables_with_rows(alias)
        if occupied:
            listed = ", ".join(f"{table} ({count} rows)" for table, count in occupied.items())
            raise BackupError(
                f"the target database is not empty: {listed}. Restore only into a new, empty "
                "database (目标数据库不是空的，未恢复任何数据)"
            )
        connections[alias].close()
        if engine == "sqlite":
            _restore_sqlite(snapshot, Path(connections[alias].settings_dict["NAME"]))
        else:
            _restore_postgresql(snapshot, connections[alias].settings_dict)
    connections[alias].close()
    with transaction.atomic(using=alias):
        record(
            "backup.restore",
            changes={"engine": engine, "backup_created_at": header.created_at},
        )
    return Summary(
        source, engine, source.stat().st_size, header.created_at, time.perf_counter() - started
    )


def _restore_sqlite(snapshot: Path, target: Path) -> None:
    check = sqlite3.connect(str(snapshot))
    try:
        verdict = check.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        check.close()
    if verdict != "ok":
        raise BackupError(f"the snapshot inside the backup is not a sound database: {verdict}")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(snapshot))
    destination = sqlite3.connect(str(target), timeout=60)
    try:
        source.backup(destination, pages=-1)
    finally:
        destination.close()
        source.close()


def _restore_postgresql(snapshot: Path, settings: dict[str, Any]) -> None:
    # --clean --if-exists lets the same command restore into a freshly created database and
    # into one that has only been migrated (its empty tables are replaced); a single
    # transaction leaves the target as it was if anything fails.
    command = [
        _pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={settings['NAME']}",
        str(snapshot),
    ]
    _run(command, pg_environment(settings), "pg_restore")
