"""Unwrapped data keys, cached per process, and the operations built on them.

Only this module unwraps keys. A cached key lives for KEY_CACHE_SECONDS at most, so a key
shredded in one process stops working in every other within that time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction

from sunflower.keystore.models import DataKey
from sunflower.lib import crypto

KEY_CACHE_SECONDS = 300
KEY_CACHE_SIZE = 20_000


@dataclass(frozen=True)
class OpenKey:
    key_id: str
    suite: crypto.Suite
    secret: bytes


_cache: dict[str, tuple[float, OpenKey]] = {}
_subject_ids: dict[str, str] = {}
_cache_lock = threading.Lock()


@cache
def master_key() -> crypto.LocalMasterKey:
    return crypto.LocalMasterKey.from_file(settings.SUNFLOWER_MASTER_KEY_FILE)


def current_suite() -> crypto.Suite:
    return crypto.get_suite(settings.SUNFLOWER_CRYPTO_SUITE)


def _wrap_aad(subject: str, key_id: str) -> bytes:
    return f"sunflower-data-key.{subject}.{key_id}".encode()


def forget_cached_keys() -> None:
    with _cache_lock:
        _cache.clear()
        _subject_ids.clear()


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
    secret = master_key().unwrap(suite, bytes(row.wrapped), _wrap_aad(row.subject, row.key_id))
    return _remember(OpenKey(key_id=row.key_id, suite=suite, secret=secret))


def key_by_id(key_id: str) -> OpenKey:
    with _cache_lock:
        hit = _cache.get(key_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    row = DataKey.objects.filter(id=key_id).first()
    if row is None:
        raise crypto.KeyShreddedError(f"data key {key_id} does not exist")
    return _open(row)


def key_for_subject(subject: str) -> OpenKey:
    """The data key for *subject*, created on first use (safe under concurrent first use)."""
    known_id = _subject_ids.get(subject)
    if known_id is not None:
        return key_by_id(known_id)
    row = DataKey.objects.filter(subject=subject).first()
    if row is None:
        suite = current_suite()
        row = DataKey(subject=subject, suite=suite.code, master_key_id=master_key().key_id)
        row.wrapped = master_key().wrap(
            suite, crypto.new_data_key(suite), _wrap_aad(subject, row.key_id)
        )
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            row = DataKey.objects.get(subject=subject)
    key = _open(row)
    with _cache_lock:
        _subject_ids[subject] = key.key_id
    return key


def system_key(purpose: str) -> OpenKey:
    return key_for_subject(f"system:{purpose}")


def encrypt(subject: str, plaintext: str, context: str) -> str:
    key = key_for_subject(subject)
    return crypto.encrypt_text(key.suite, key.key_id, key.secret, plaintext, context)


def decrypt(ciphertext: str, context: str) -> str:
    header = crypto.parse_ciphertext(ciphertext)
    key = key_by_id(header.key_id)
    return crypto.decrypt_text(header, key.secret, context)


def blind_index(purpose: str, value: str) -> str:
    """Keyed hash of a normalised value for exact-match lookup without storing the value."""
    key = system_key("blind-index")
    return key.suite.mac(key.secret, f"{purpose}\0{value}".encode())
