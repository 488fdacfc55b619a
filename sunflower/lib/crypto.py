"""Envelope encryption primitives: cipher suites, master keys, ciphertexts, blind indexes.

No Django models here: the keystore app stores wrapped data keys and caches unwrapped ones.

Two suites, both from the `cryptography` package:
- "aes": AES-256-GCM for data, HMAC-SHA-256 for blind indexes and key derivation (default);
- "sm":  SM4-GCM for data, HMAC-SM3 (national algorithms, GB/T 39786).

A ciphertext is ASCII text that names everything needed to open it:

    sf1.<suite>.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>

and is bound by its additional authenticated data to the column it was written for, so that a
value copied into another column or row-owner's field does not decrypt.

Master keys: `MasterKey` is the adapter interface (wrap, unwrap, key_id). `LocalMasterKey` keeps
the key in memory, read from a file or the environment; a KMS adapter implements the same
protocol and is plugged in by a provider function (see `MasterKeys` and
sunflower/keystore/masterkeys.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac as std_hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = "sf1"
NONCE_BYTES = 12
TAG_BYTES = 16


class CryptoError(Exception):
    """A ciphertext cannot be opened: malformed, tampered with, or its key is gone."""


class KeyShreddedError(CryptoError):
    """The data key was deliberately destroyed (crypto-shredding); the value is gone for good."""


@dataclass(frozen=True)
class Suite:
    code: str
    name: str
    key_bytes: int

    def hash_algorithm(self) -> hashes.HashAlgorithm:
        return hashes.SM3() if self.code == "sm" else hashes.SHA256()

    def _cipher(self, key: bytes, mode: modes.GCM) -> Cipher[modes.GCM]:
        algorithm = algorithms.SM4(key) if self.code == "sm" else algorithms.AES(key)
        return Cipher(algorithm, mode)

    def seal(self, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        encryptor = self._cipher(key, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(plaintext) + encryptor.finalize()
        return nonce + body + encryptor.tag

    def open(self, key: bytes, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < NONCE_BYTES + TAG_BYTES:
            raise CryptoError("ciphertext too short")
        nonce, body, tag = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:-TAG_BYTES], sealed[-TAG_BYTES:]
        decryptor = self._cipher(key, modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        try:
            return decryptor.update(body) + decryptor.finalize()
        except InvalidTag:
            raise CryptoError("ciphertext failed authentication") from None

    def mac(self, key: bytes, message: bytes) -> str:
        signer = crypto_hmac.HMAC(key, self.hash_algorithm())
        signer.update(message)
        return signer.finalize().hex()

    def derive(self, secret: bytes, info: bytes) -> bytes:
        return HKDF(
            algorithm=self.hash_algorithm(), length=self.key_bytes, salt=None, info=info
        ).derive(secret)


SUITES = {
    "aes": Suite(code="aes", name="AES-256-GCM/HMAC-SHA-256", key_bytes=32),
    "sm": Suite(code="sm", name="SM4-GCM/HMAC-SM3", key_bytes=16),
}


def get_suite(code: str) -> Suite:
    try:
        return SUITES[code]
    except KeyError:
        raise CryptoError(f"unknown cipher suite {code!r}") from None


class MasterKey(Protocol):
    """Wraps and unwraps data keys: the interface a KMS adapter implements.

    `key_id` names the key without revealing it; it is stored beside every data key wrapped
    with it, so that the right master key is picked to unwrap and rotation can tell which data
    keys still need re-wrapping. A KMS adapter holds no secret itself: `wrap` and `unwrap` call
    the KMS (or an HSM) with the data key, the suite code and the additional authenticated
    data, and `key_id` names the KMS key and its version.
    """

    key_id: str

    def wrap(self, suite: Suite, data_key: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, suite: Suite, wrapped: bytes, aad: bytes) -> bytes: ...


@dataclass(frozen=True)
class MasterKeys:
    """The master key that wraps new data keys, and earlier ones that still unwrap old ones.

    A master key provider is a function returning one of these; the keyring calls the provider
    named by the SUNFLOWER_MASTER_KEY_PROVIDER setting once per process.
    """

    current: MasterKey
    previous: tuple[MasterKey, ...] = ()

    def by_id(self, key_id: str) -> MasterKey:
        for key in (self.current, *self.previous):
            if key.key_id == key_id:
                return key
        raise CryptoError(
            f"master key {key_id} is not configured: list its file in "
            "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES until `sunflower keys rotate` has finished"
        )

    def configured_ids(self) -> list[str]:
        return [key.key_id for key in (self.current, *self.previous)]


class LocalMasterKey:
    """A master key held in process memory, read from a file or the environment."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise CryptoError("a master key is 32 bytes")
        self._secret = secret
        self.key_id = hashlib.sha256(b"sunflower-master-key-id\0" + secret).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"LocalMasterKey(key_id={self.key_id!r})"

    @classmethod
    def from_file(
        cls, path: str | Path, setting: str = "SUNFLOWER_MASTER_KEY_FILE"
    ) -> LocalMasterKey:
        from sunflower.lib.config import load_master_key

        return cls(load_master_key(Path(path), setting))

    @classmethod
    def from_base64(cls, text: str, origin: str = "SUNFLOWER_MASTER_KEY") -> LocalMasterKey:
        from sunflower.lib.config import decode_master_key

        return cls(decode_master_key(text, origin))

    def _wrapping_key(self, suite: Suite) -> bytes:
        return suite.derive(self._secret, b"sunflower-wrap-" + suite.code.encode())

    def wrap(self, suite: Suite, data_key: bytes, aad: bytes) -> bytes:
        return suite.seal(self._wrapping_key(suite), data_key, aad)

    def unwrap(self, suite: Suite, wrapped: bytes, aad: bytes) -> bytes:
        return suite.open(self._wrapping_key(suite), wrapped, aad)


def new_data_key(suite: Suite) -> bytes:
    return os.urandom(suite.key_bytes)


def _aad(suite_code: str, key_id: str, context: str) -> bytes:
    return f"{FORMAT_VERSION}.{suite_code}.{key_id}.{context}".encode()


def encrypt_text(suite: Suite, key_id: str, key: bytes, plaintext: str, context: str) -> str:
    sealed = suite.seal(key, plaintext.encode(), _aad(suite.code, key_id, context))
    body = base64.urlsafe_b64encode(sealed).decode().rstrip("=")
    return f"{FORMAT_VERSION}.{suite.code}.{key_id}.{body}"


@dataclass(frozen=True)
class CiphertextHeader:
    suite: Suite
    key_id: str
    sealed: bytes


def parse_ciphertext(text: str) -> CiphertextHeader:
    parts = text.split(".")
    if len(parts) != 4 or parts[0] != FORMAT_VERSION:
        raise CryptoError("not a Sunflower ciphertext")
    _, suite_code, key_id, body = parts
    try:
        sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        raise CryptoError("ciphertext body is not base64") from None
    return CiphertextHeader(suite=get_suite(suite_code), key_id=key_id, sealed=sealed)


def decrypt_text(header: CiphertextHeader, key: bytes, context: str) -> str:
    aad = _aad(header.suite.code, header.key_id, context)
    return header.suite.open(key, header.sealed, aad).decode()


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())
