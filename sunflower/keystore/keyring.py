"""Unwrapped data keys, cached per process, and the operations built on them.

Only this module unwraps keys. A cached key lives for KEY_CACHE_SECONDS at most, so a key
shredded in one process stops working in every other within that time. Each data key is
unwrapped by the master key named on its row, so that keys not yet re-wrapped by a rotation
still open with a previous master key.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from sunflower.keystore.models import DataKey
from sunflower.lib import crypto

KEY_CACHE_SECONDS = 300
KEY_CACHE_SIZE = 20_000
PREPARE_BATCH = 500


@dataclass(frozen=True)
class OpenKey:
    key_id: str
    suite: crypto.Suite
    secret: bytes


_cache: dict[str, tuple[float, OpenKey]] = {}
_subject_ids: dict[str, str] = {}
_uncommitted_subjects: set[str] = set()
_cache_lock = threading.Lock()
_prepared = threading.local()  # prepared_keys(): subject -> key, for the block's duration


@cache
def master_keys() -> crypto.MasterKeys:
    """The configured master keys, from the provider named in the settings (once per process)."""
    provider = import_string(settings.SUNFLOWER_MASTER_KEY_PROVIDER)
    keys = provider()
    if not isinstance(keys, crypto.MasterKeys):
        raise crypto.CryptoError(
            f"{settings.SUNFLOWER_MASTER_KEY_PROVIDER} must return crypto.MasterKeys"
        )
    return keys


def master_key() -> crypto.MasterKey:
    """The master key that wraps new data keys."""
    return master_keys().current


def current_suite() -> crypto.Suite:
    return crypto.get_suite(settings.SUNFLOWER_CRYPTO_SUITE)


def _wrap_aad(subject: str, key_id: str) -> bytes:
    return f"sunflower-data-key.{subject}.{key_id}".encode()


def forget_cached_keys() -> None:
    with _cache_lock:
        _cache.clear()
        _subject_ids.clear()
        _uncommitted_subjects.clear()


def forget_key(key_id: str, subject: str) -> None:
    """Drop one data key from this process's cache (other processes drop it on expiry)."""
    with _cache_lock:
        _cache.pop(key_id, None)
        _subject_ids.pop(subject, None)


def reload_master_keys() -> None:
    """Read the master keys again and forget every unwrapped data key (after a config change)."""
    master_keys.cache_clear()
    forget_cached_keys()


def _remember(key: OpenKey) -> OpenKey:
    with _cache_lock:
        if len(_cache) >= KEY_CACHE_SIZE:
            _cache.clear()
        _cache[key.key_id] = (time.monotonic() + KEY_CACHE_SECONDS, key)
    return key


def _open(row: DataKey) -> OpenKey:
    if row.shredded_at is not None or not row.wrapped:
        raise crypto.KeyShreddedError(f"data key {row.key_id} was shredded")
    suite = crypto.get_suite(row.suite)
    wrapping = master_keys().by_id(row.master_key_id)
    secret = wrapping.unwrap(suite, bytes(row.wrapped), _wrap_aad(row.subject, row.key_id))
    return _remember(OpenKey(key_id=row.key_id, suite=suite, secret=secret))


def rewrap(row: DataKey) -> None:
    """Re-wrap *row*'s data key with the current master key, in memory; the caller saves it.

    The data key itself does not change, so no ciphertext, blind index or cached key does.
    """
    if row.shredded_at is not None or not row.wrapped:
        raise crypto.KeyShreddedError(f"data key {row.key_id} was shredded")
    suite = crypto.get_suite(row.suite)
    keys = master_keys()
    aad = _wrap_aad(row.subject, row.key_id)
    secret = keys.by_id(row.master_key_id).unwrap(suite, bytes(row.wrapped), aad)
    row.wrapped = keys.current.wrap(suite, secret, aad)
    row.master_key_id = keys.current.key_id


def key_by_id(key_id: str) -> OpenKey:
    with _cache_lock:
        hit = _cache.get(key_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    try:
        uuid.UUID(key_id)
    except ValueError:
        raise crypto.CryptoError(f"malformed data key id {key_id!r}") from None
    row = DataKey.objects.filter(id=key_id).first()
    if row is None:
        raise crypto.KeyShreddedError(f"data key {key_id} does not exist")
    return _open(row)


@contextmanager
def prepared_keys(subjects: Iterable[str]) -> Iterator[None]:
    """Serve the data keys of *subjects* from memory until the block ends, creating the
    missing ones in one batch: for bulk writes inside one transaction (the demo city), where
    key_for_subject would otherwise look up every key that transaction created, once per value.

    Use it inside the transaction that writes: the keys it creates are committed or rolled
    back with that work, and nothing outlives the block except what key_for_subject caches
    anyway.
    """
    wanted = sorted(set(subjects))
    rows: dict[str, DataKey] = {}
    for start in range(0, len(wanted), PREPARE_BATCH):
        chunk = wanted[start : start + PREPARE_BATCH]
        rows.update((row.subject, row) for row in DataKey.objects.filter(subject__in=chunk))
    suite = current_suite()
    wrapping = master_key()
    new = []
    for subject in wanted:
        if subject not in rows:
            row = DataKey(subject=subject, suite=suite.code, master_key_id=wrapping.key_id)
            row.wrapped = wrapping.wrap(
                suite, crypto.new_data_key(suite), _wrap_aad(subject, row.key_id)
            )
            rows[subject] = row
            new.append(row)
    DataKey.objects.bulk_create(new, batch_size=PREPARE_BATCH)
    previous: dict[str, OpenKey] | None = getattr(_prepared, "keys", None)
    _prepared.keys = {**(previous or {}), **{s: _open(row) for s, row in rows.items()}}
    try:
        yield
    finally:
        _prepared.keys = previous


def key_for_subject(subject: str) -> OpenKey:
    """The data key for *subject*, created on first use (safe under concurrent first use)."""
    prepared: dict[str, OpenKey] | None = getattr(_prepared, "keys", None)
    if prepared is not None and subject in prepared:
        return prepared[subject]
    known_id = _subject_ids.get(subject)
    if known_id is not None:
        return key_by_id(known_id)
    row = DataKey.objects.filter(subject=subject).first()
    created = False
    if row is None:
        suite = current_suite()
        wrapping = master_key()
        row = DataKey(subject=subject, suite=suite.code, master_key_id=wrapping.key_id)
        row.wrapped = wrapping.wrap(
            suite, crypto.new_data_key(suite), _wrap_aad(subject, row.key_id)
        )
        try:
            with transaction.atomic():
                row.save(force_insert=True)
            created = True
        except IntegrityError:
            row = DataKey.objects.get(subject=subject)
    key = _open(row)
    if created:
        # A key created inside a transaction that later rolls back must not go on encrypting
        # new values in this process: remember it only once its row is committed.
        with _cache_lock:
            _uncommitted_subjects.add(subject)
        transaction.on_commit(lambda: _remember_subject(subject, key.key_id))
    elif subject not in _uncommitted_subjects:
        _remember_subject(subject, key.key_id)
    return key


def _remember_subject(subject: str, key_id: str) -> None:
    with _cache_lock:
        _uncommitted_subjects.discard(subject)
        _subject_ids[subject] = key_id


def system_key(purpose: str) -> OpenKey:
    return key_for_subject(f"system:{purpose}")


def person_subject(person_id: uuid.UUID | str) -> str:
    """The subject of one person's data key, whichever form of the id is given."""
    return f"person:{uuid.UUID(str(person_id))}"


def encrypt(subject: str, plaintext: str, context: str) -> str:
    key = key_for_subject(subject)
    return crypto.encrypt_text(key.suite, key.key_id, key.secret, plaintext, context)


def decrypt(ciphertext: str, context: str) -> str:
    header = crypto.parse_ciphertext(ciphertext)
    key = key_by_id(header.key_id)
    return crypto.decrypt_text(header, key.secret, context)


BLIND_INDEX_SUBJECT = "system:blind-index"


def blind_index(purpose: str, value: str) -> str:
    """Keyed hash of a normalised value for exact-match lookup without storing the value."""
    key = key_for_subject(BLIND_INDEX_SUBJECT)
    return key.suite.mac(key.secret, f"{purpose}\0{value}".encode())
