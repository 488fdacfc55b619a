"""Fixtures for the key tests: fresh caches, master key files, people with encrypted data."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sunflower.keystore import keyring
from sunflower.keystore.tests.sensitive.models import SensitiveNote
from sunflower.lib import crypto
from sunflower.orgs.models import Person


def write_master_key(path: Path) -> str:
    """Write a new master key file; returns its key id."""
    secret = secrets.token_bytes(32)
    path.write_text(base64.urlsafe_b64encode(secret).decode() + "\n")
    path.chmod(0o600)
    return crypto.LocalMasterKey(secret).key_id


class MasterKeySwitch:
    """Master key files in a temporary directory, and switching the configuration between them
    the way an operator does: new settings, then a restart (here, a reload of the keyring)."""

    def __init__(self, directory: Path, settings: Any) -> None:
        self.directory = directory
        self.settings = settings
        self.ids: dict[str, str] = {}

    def create(self, name: str) -> Path:
        path = self.directory / f"{name}.key"
        self.ids[name] = write_master_key(path)
        return path

    def use(self, current: str, *previous: str) -> None:
        self.settings.SUNFLOWER_MASTER_KEY_FILE = str(self.directory / f"{current}.key")
        self.settings.SUNFLOWER_MASTER_KEY = ""
        self.settings.SUNFLOWER_PREVIOUS_MASTER_KEY_FILES = [
            str(self.directory / f"{name}.key") for name in previous
        ]
        keyring.reload_master_keys()


@pytest.fixture
def master_keys(tmp_path: Path, settings: Any) -> MasterKeySwitch:
    """Starts on a master key called "old"; tests create and switch to others."""
    switch = MasterKeySwitch(tmp_path, settings)
    switch.create("old")
    switch.use("old")
    return switch


@dataclass
class Cadre:
    """A person with roster (T1) values and one sensitive (T2) note, and what they should read."""

    person: Person
    note: SensitiveNote
    id_number: str
    mobile: str
    note_text: str

    def assert_readable(self) -> None:
        keyring.forget_cached_keys()  # read through the key rows, not this process's cache
        person = Person.objects.get(pk=self.person.pk)
        assert (person.id_number, person.mobile) == (self.id_number, self.mobile)
        assert SensitiveNote.objects.get(pk=self.note.pk).body == self.note_text


@pytest.fixture
def make_cadre(make_person: Callable[..., Person]) -> Callable[[], Cadre]:
    def make() -> Cadre:
        person = make_person()
        text = f"谈话记录 {person.name}：近期压力较大"
        note = SensitiveNote.objects.create(person=person, body=text)
        assert person.id_number is not None and person.mobile is not None
        return Cadre(person, note, person.id_number, person.mobile, text)

    return make
