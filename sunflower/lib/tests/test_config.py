"""Production refuses insecure settings and names each problem; dev generates its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_SECRET = "s" * 20 + "-a-long-and-random-production-secret-key-value"


def load_settings(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    full_env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SUNFLOWER_MASTER_KEY_FILE")
    }
    full_env.update({"SUNFLOWER_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-c", "import sunflower.settings"],
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def master_key(tmp_path: Path) -> str:
    path = tmp_path / "master.key"
    path.write_text("A" * 43 + "=\n")
    return str(path)


class ProductionSettingsTestCase:
    def test_it_refuses_missing_secrets_and_names_each(self, tmp_path: Path) -> None:
        result = load_settings({"SUNFLOWER_ENV": "prod"}, tmp_path)
        assert result.returncode != 0
        assert "SECRET_KEY is not set" in result.stderr
        assert "SUNFLOWER_MASTER_KEY_FILE is not set" in result.stderr
        assert "ALLOWED_HOSTS" in result.stderr

    def test_it_refuses_debug(self, tmp_path: Path, master_key: str) -> None:
        result = load_settings(
            {
                "SUNFLOWER_ENV": "prod",
                "DEBUG": "true",
                "SECRET_KEY": GOOD_SECRET,
                "SUNFLOWER_MASTER_KEY_FILE": master_key,
                "ALLOWED_HOSTS": "xyh.example.gov.cn",
            },
            tmp_path,
        )
        assert result.returncode != 0
        assert "DEBUG is on" in result.stderr

    def test_it_refuses_a_default_secret(self, tmp_path: Path, master_key: str) -> None:
        result = load_settings(
            {
                "SUNFLOWER_ENV": "prod",
                "SECRET_KEY": "django-insecure-abc",
                "SUNFLOWER_MASTER_KEY_FILE": master_key,
                "ALLOWED_HOSTS": "xyh.example.gov.cn",
            },
            tmp_path,
        )
        assert "SECRET_KEY is a default" in result.stderr

    def test_it_refuses_a_missing_master_key_file(self, tmp_path: Path) -> None:
        result = load_settings(
            {
                "SUNFLOWER_ENV": "prod",
                "SECRET_KEY": GOOD_SECRET,
                "SUNFLOWER_MASTER_KEY_FILE": str(tmp_path / "absent.key"),
                "ALLOWED_HOSTS": "xyh.example.gov.cn",
            },
            tmp_path,
        )
        assert "absent.key does not exist" in result.stderr

    def test_it_refuses_a_wildcard_host(self, tmp_path: Path, master_key: str) -> None:
        result = load_settings(
            {
                "SUNFLOWER_ENV": "prod",
                "SECRET_KEY": GOOD_SECRET,
                "SUNFLOWER_MASTER_KEY_FILE": master_key,
                "ALLOWED_HOSTS": "*",
            },
            tmp_path,
        )
        assert "ALLOWED_HOSTS" in result.stderr

    def test_it_starts_with_secure_values(self, tmp_path: Path, master_key: str) -> None:
        result = load_settings(
            {
                "SUNFLOWER_ENV": "prod",
                "SECRET_KEY": GOOD_SECRET,
                "SUNFLOWER_MASTER_KEY_FILE": master_key,
                "ALLOWED_HOSTS": "xyh.example.gov.cn",
            },
            tmp_path,
        )
        assert result.returncode == 0, result.stderr


class DevSettingsTestCase:
    def test_it_generates_secrets_under_var_once(self, tmp_path: Path) -> None:
        assert load_settings({"SUNFLOWER_ENV": "dev"}, tmp_path).returncode == 0
        secret = (tmp_path / "var" / "secret_key").read_text()
        master = (tmp_path / "var" / "master.key").read_text()
        assert oct((tmp_path / "var" / "master.key").stat().st_mode)[-3:] == "600"
        assert load_settings({"SUNFLOWER_ENV": "dev"}, tmp_path).returncode == 0
        assert (tmp_path / "var" / "secret_key").read_text() == secret
        assert (tmp_path / "var" / "master.key").read_text() == master

    def test_it_rejects_an_unknown_environment(self, tmp_path: Path) -> None:
        result = load_settings({"SUNFLOWER_ENV": "staging"}, tmp_path)
        assert result.returncode != 0
        assert "SUNFLOWER_ENV='staging'" in result.stderr
