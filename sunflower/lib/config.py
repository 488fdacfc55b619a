"""Environment-driven configuration: read values, generate dev secrets, refuse insecure prod.

Kept free of Django so that settings.py and the tests can use it before Django is set up.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

ENVIRONMENTS = ("dev", "test", "prod")
INSECURE_SECRET_PREFIX = "django-insecure"  # noqa: S105 (the prefix we refuse)
MASTER_KEY_BYTES = 32
LOCAL_MASTER_KEY_PROVIDER = "sunflower.keystore.masterkeys.local_master_keys"


class ConfigError(Exception):
    """A configuration value is missing or insecure; the message names each problem."""


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None


def env_list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def read_or_create_secret(path: Path, nbytes: int) -> str:
    """Return the secret stored at *path*, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def decode_master_key(raw: str, origin: str) -> bytes:
    """Decode a master key: base64 (standard or URL-safe) of exactly 32 random bytes."""
    try:
        key = base64.urlsafe_b64decode(raw.strip())
    except ValueError:
        raise ConfigError(f"{origin} is not base64") from None
    if len(key) != MASTER_KEY_BYTES:
        raise ConfigError(f"{origin} holds {len(key)} bytes, not {MASTER_KEY_BYTES}")
    return key


def load_master_key(path: Path, setting: str = "SUNFLOWER_MASTER_KEY_FILE") -> bytes:
    """Read and decode a master key file."""
    try:
        raw = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{setting} {path} cannot be read: {exc.strerror}") from None
    return decode_master_key(raw, f"{setting} {path}")


def production_problems(
    *,
    debug: bool,
    secret_key: str,
    master_key_file: str,
    allowed_hosts: list[str],
    master_key: str = "",
    previous_master_key_files: list[str] | None = None,
    local_master_key: bool = True,
) -> list[str]:
    """List every insecure production value, so that an operator can fix them in one go.

    With local_master_key false a KMS adapter supplies the master keys, and it is the adapter
    that must fail when they are unavailable.
    """
    problems = []
    if debug:
        problems.append("DEBUG is on: set DEBUG=false")
    if not secret_key:
        problems.append("SECRET_KEY is not set")
    elif secret_key.startswith(INSECURE_SECRET_PREFIX) or len(secret_key) < 50:
        problems.append("SECRET_KEY is a default or shorter than 50 characters")
    if local_master_key:
        problems.extend(_master_key_problems(master_key_file, master_key))
        for path in previous_master_key_files or []:
            problems.extend(_key_file_problems(path, "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES entry"))
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("ALLOWED_HOSTS must list the site's host names (no '*')")
    return problems


def _master_key_problems(master_key_file: str, master_key: str) -> list[str]:
    # The file wins when both are given, as in the keyring.
    if master_key_file:
        return _key_file_problems(master_key_file, "SUNFLOWER_MASTER_KEY_FILE")
    if not master_key:
        return ["SUNFLOWER_MASTER_KEY_FILE is not set (nor SUNFLOWER_MASTER_KEY)"]
    try:
        decode_master_key(master_key, "SUNFLOWER_MASTER_KEY")
    except ConfigError as exc:
        return [str(exc)]
    return []


def _key_file_problems(path: str, setting: str) -> list[str]:
    if not Path(path).is_file():
        return [f"{setting} {path} does not exist"]
    try:
        load_master_key(Path(path), setting)
    except ConfigError as exc:
        return [str(exc)]
    return []
