"""Master keys: from a file or the environment, previous keys, KMS providers, `new-master`."""

from __future__ import annotations

import base64
import io
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from sunflower.keystore import keyring
from sunflower.keystore.models import DataKey
from sunflower.keystore.tests.conftest import Cadre, MasterKeySwitch, write_master_key
from sunflower.lib import crypto
from sunflower.lib.config import ConfigError

GOOD_SECRET = "s" * 20 + "-a-long-and-random-production-secret-key-value"
KEY_SETTINGS = (
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SUNFLOWER_MASTER_KEY_FILE",
    "SUNFLOWER_MASTER_KEY",
    "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES",
    "SUNFLOWER_MASTER_KEY_PROVIDER",
)


def base64_key() -> tuple[str, str]:
    """A master key as SUNFLOWER_MASTER_KEY holds it, and its key id."""
    secret = secrets.token_bytes(32)
    return base64.b64encode(secret).decode(), crypto.LocalMasterKey(secret).key_id


def load_settings(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter and print the master key settings."""
    full_env = {key: value for key, value in os.environ.items() if key not in KEY_SETTINGS}
    full_env.update({"SUNFLOWER_VAR_DIR": str(tmp_path / "var"), **env})
    script = (
        "import sunflower.settings as s; "
        "print(repr(s.SUNFLOWER_MASTER_KEY_FILE), s.SUNFLOWER_PREVIOUS_MASTER_KEY_FILES)"
    )
    return subprocess.run(
        [sys.executable, "-c", script], env=full_env, capture_output=True, text=True, check=False
    )


def production(**env: str) -> dict[str, str]:
    return {
        "SUNFLOWER_ENV": "prod",
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "xyh.example.gov.cn",
        **env,
    }


class ProductionMasterKeyTestCase:
    def test_it_refuses_to_start_without_a_master_key(self, tmp_path: Path) -> None:
        result = load_settings(production(), tmp_path)
        assert result.returncode != 0
        assert "SUNFLOWER_MASTER_KEY_FILE is not set (nor SUNFLOWER_MASTER_KEY)" in result.stderr

    def test_it_starts_with_a_key_in_the_environment(self, tmp_path: Path) -> None:
        key, _key_id = base64_key()
        result = load_settings(production(SUNFLOWER_MASTER_KEY=key), tmp_path)
        assert result.returncode == 0, result.stderr

    def test_it_refuses_a_malformed_key_in_the_environment(self, tmp_path: Path) -> None:
        short = base64.b64encode(b"k" * 16).decode()
        result = load_settings(production(SUNFLOWER_MASTER_KEY=short), tmp_path)
        assert "SUNFLOWER_MASTER_KEY holds 16 bytes, not 32" in result.stderr

    def test_it_refuses_a_master_key_file_that_is_not_a_key(self, tmp_path: Path) -> None:
        path = tmp_path / "master.key"
        path.write_text("not a key\n")
        result = load_settings(production(SUNFLOWER_MASTER_KEY_FILE=str(path)), tmp_path)
        assert result.returncode != 0
        assert f"SUNFLOWER_MASTER_KEY_FILE {path}" in result.stderr

    def test_it_refuses_a_missing_previous_key_file(self, tmp_path: Path) -> None:
        key, _key_id = base64_key()
        env = production(
            SUNFLOWER_MASTER_KEY=key,
            SUNFLOWER_PREVIOUS_MASTER_KEY_FILES=str(tmp_path / "gone.key"),
        )
        result = load_settings(env, tmp_path)
        assert "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES entry" in result.stderr
        assert "gone.key does not exist" in result.stderr

    def test_it_leaves_the_check_to_a_kms_provider(self, tmp_path: Path) -> None:
        env = production(SUNFLOWER_MASTER_KEY_PROVIDER="example.kms.master_keys")
        assert load_settings(env, tmp_path).returncode == 0


class DevMasterKeyTestCase:
    def test_it_uses_the_environment_key_without_creating_a_file(self, tmp_path: Path) -> None:
        key, _key_id = base64_key()
        result = load_settings({"SUNFLOWER_ENV": "dev", "SUNFLOWER_MASTER_KEY": key}, tmp_path)
        assert result.stdout.startswith("''"), result.stderr
        assert not (tmp_path / "var" / "master.key").exists()

    def test_it_reads_previous_key_files_as_a_list(self, tmp_path: Path) -> None:
        env = {"SUNFLOWER_ENV": "dev", "SUNFLOWER_PREVIOUS_MASTER_KEY_FILES": "/k/1.key, /k/2.key"}
        result = load_settings(env, tmp_path)
        assert "['/k/1.key', '/k/2.key']" in result.stdout, result.stderr


class LocalProviderTestCase:
    def test_it_reads_the_key_from_the_environment(self, settings: Any) -> None:
        key, key_id = base64_key()
        settings.SUNFLOWER_MASTER_KEY_FILE = ""
        settings.SUNFLOWER_MASTER_KEY = key
        keyring.reload_master_keys()
        assert keyring.master_key().key_id == key_id

    def test_the_file_wins_over_the_environment(self, settings: Any, tmp_path: Path) -> None:
        key, _env_id = base64_key()
        file_id = write_master_key(tmp_path / "m.key")
        settings.SUNFLOWER_MASTER_KEY_FILE = str(tmp_path / "m.key")
        settings.SUNFLOWER_MASTER_KEY = key
        keyring.reload_master_keys()
        assert keyring.master_key().key_id == file_id

    def test_it_fails_loudly_without_any_key(self, settings: Any) -> None:
        settings.SUNFLOWER_MASTER_KEY_FILE = ""
        settings.SUNFLOWER_MASTER_KEY = ""
        keyring.reload_master_keys()
        with pytest.raises(ConfigError, match="no master key"):
            keyring.master_key()

    def test_it_opens_data_keys_wrapped_by_a_previous_master_key(
        self, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        cadre = make_cadre()
        master_keys.create("new")
        master_keys.use("new", "old")
        cadre.assert_readable()
        newcomer = make_cadre()
        row = DataKey.objects.get(subject=keyring.person_subject(newcomer.person.pk))
        assert row.master_key_id == master_keys.ids["new"]
        newcomer.assert_readable()


class FakeKmsKey:
    """A KMS adapter as a test sees it: it names its key and delegates to the "KMS"."""

    def __init__(self, name: str) -> None:
        self.key_id = name
        self._service = crypto.LocalMasterKey(name.encode().ljust(32, b"\0"))
        self.calls = 0

    def wrap(self, suite: crypto.Suite, data_key: bytes, aad: bytes) -> bytes:
        self.calls += 1
        return self._service.wrap(suite, data_key, aad)

    def unwrap(self, suite: crypto.Suite, wrapped: bytes, aad: bytes) -> bytes:
        self.calls += 1
        return self._service.unwrap(suite, wrapped, aad)


KMS_KEY = FakeKmsKey("kms:sunflower/v1")


def fake_kms_master_keys() -> crypto.MasterKeys:
    return crypto.MasterKeys(current=KMS_KEY)


class KmsProviderTestCase:
    def test_a_provider_named_in_the_settings_supplies_the_master_key(
        self, settings: Any, make_cadre: Callable[[], Cadre]
    ) -> None:
        settings.SUNFLOWER_MASTER_KEY_PROVIDER = f"{__name__}.fake_kms_master_keys"
        keyring.reload_master_keys()
        before = KMS_KEY.calls
        cadre = make_cadre()
        cadre.assert_readable()
        assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {KMS_KEY.key_id}
        assert KMS_KEY.calls > before

    def test_a_provider_must_return_master_keys(self, settings: Any) -> None:
        settings.SUNFLOWER_MASTER_KEY_PROVIDER = f"{__name__}.base64_key"
        keyring.reload_master_keys()
        with pytest.raises(crypto.CryptoError, match=r"must return crypto\.MasterKeys"):
            keyring.master_key()


class NewMasterTestCase:
    def test_it_writes_a_private_32_byte_key(self, tmp_path: Path) -> None:
        path = tmp_path / "master-2.key"
        out = io.StringIO()
        call_command("keys", "new-master", str(path), stdout=out)
        assert oct(path.stat().st_mode)[-3:] == "600"
        key = crypto.LocalMasterKey.from_file(path)
        assert f"wrote master key {key.key_id}" in out.getvalue()

    def test_it_never_overwrites_a_file(self, tmp_path: Path) -> None:
        path = tmp_path / "master.key"
        path.write_text("precious\n")
        with pytest.raises(CommandError, match="never overwritten"):
            call_command("keys", "new-master", str(path))
        assert path.read_text() == "precious\n"
