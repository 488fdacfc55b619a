"""`sunflower keys rotate`: online, resumable re-wrapping under a new master key."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command

from sunflower.audit.models import AuditEvent
from sunflower.keystore import actions, keyring
from sunflower.keystore.models import DataKey
from sunflower.keystore.tests.conftest import Cadre, MasterKeySwitch
from sunflower.lib import crypto


class RotationInterruptedError(Exception):
    """Stands for a crash, a kill or a lost connection in the middle of a rotation."""


def keys(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def under(master_key_id: str) -> int:
    return DataKey.objects.filter(master_key_id=master_key_id, shredded_at__isnull=True).count()


class RotationTestCase:
    def test_it_resumes_an_interrupted_rotation_and_every_field_stays_readable(
        self, transactional_db: None, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        cadres = [make_cadre() for _ in range(3)]
        total = DataKey.objects.count()  # roster, blind index and one key per person
        assert total == 5
        master_keys.create("new")
        master_keys.use("new", "old")
        newcomers: list[Cadre] = []

        def crash_after_first_batch(run: actions.Rotation) -> None:
            # Online: while the rotation runs, people are read and new data is written.
            for cadre in cadres:
                cadre.assert_readable()
            newcomers.append(make_cadre())
            raise RotationInterruptedError

        with pytest.raises(RotationInterruptedError):
            actions.rotate(batch_size=2, on_batch=crash_after_first_batch)

        assert under(master_keys.ids["new"]) == 2 + 1  # the first batch and the newcomer's key
        assert under(master_keys.ids["old"]) == total - 2
        for cadre in cadres + newcomers:
            cadre.assert_readable()
        failed = AuditEvent.objects.get(action="keys.rotate")
        assert failed.outcome == "failed"
        assert failed.changes["rewrapped"] == 2 and failed.changes["remaining"] == total - 2

        output = keys("rotate", "--batch", "2")

        assert "re-wrapped 3 data keys" in output and "0 awaiting re-wrap" in output
        assert under(master_keys.ids["old"]) == 0
        assert not DataKey.objects.filter(rewrapped_at__isnull=True).exclude(
            subject=keyring.person_subject(newcomers[0].person.pk)
        )
        master_keys.use("new")  # the old master key is gone for good
        for cadre in cadres + newcomers:
            cadre.assert_readable()

    def test_it_audits_each_run_with_counts_only(
        self, db: None, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        make_cadre()
        master_keys.create("new")
        master_keys.use("new", "old")
        keys("rotate")
        event = AuditEvent.objects.get(action="keys.rotate")
        assert event.outcome == "ok"
        assert event.changes == {
            "master_key_id": master_keys.ids["new"],
            "to_do": 3,
            "rewrapped": 3,
            "batches": 1,
            "remaining": 0,
        }

    def test_it_skips_keys_already_under_the_current_master_key(
        self, db: None, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        make_cadre()
        master_keys.create("new")
        master_keys.use("new", "old")
        keys("rotate")
        stamps = dict(DataKey.objects.values_list("id", "rewrapped_at"))
        assert "re-wrapped 0 data keys" in keys("rotate")
        assert dict(DataKey.objects.values_list("id", "rewrapped_at")) == stamps

    def test_it_prints_progress_per_batch(
        self, db: None, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        make_cadre()
        make_cadre()
        master_keys.create("new")
        master_keys.use("new", "old")
        output = keys("rotate", "--batch", "3")
        assert "batch 1: 3 of 4 data keys re-wrapped" in output
        assert "batch 2: 4 of 4 data keys re-wrapped" in output
        assert "in 2 batches" in output

    def test_it_leaves_shredded_keys_alone(
        self, db: None, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        shredded, kept = make_cadre(), make_cadre()
        actions.shred_person_key(shredded.person.pk)
        master_keys.create("new")
        master_keys.use("new", "old")
        assert "re-wrapped 3 data keys" in keys("rotate")
        row = DataKey.objects.get(subject=keyring.person_subject(shredded.person.pk))
        assert bytes(row.wrapped) == b"" and row.rewrapped_at is None
        kept.assert_readable()

    def test_it_refuses_to_start_when_a_master_key_is_missing(
        self, db: None, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        cadre = make_cadre()
        master_keys.create("new")
        master_keys.use("new")  # the operator forgot SUNFLOWER_PREVIOUS_MASTER_KEY_FILES
        with pytest.raises(CommandError, match=rf"{master_keys.ids['old']} \(3 keys\)"):
            keys("rotate")
        assert under(master_keys.ids["old"]) == 3
        refused = AuditEvent.objects.get(action="keys.rotate")
        assert refused.outcome == "failed"
        assert refused.changes["unconfigured"] == {master_keys.ids["old"]: 3}
        with pytest.raises(crypto.CryptoError, match="is not configured"):
            cadre.assert_readable()

    def test_it_rejects_a_batch_below_one(self, db: None) -> None:
        with pytest.raises(CommandError, match="at least 1"):
            keys("rotate", "--batch", "0")


class StatusTestCase:
    def test_it_counts_keys_by_master_key_and_suite(
        self,
        db: None,
        master_keys: MasterKeySwitch,
        make_cadre: Callable[[], Cadre],
        settings: object,
    ) -> None:
        first, _second = make_cadre(), make_cadre()
        actions.shred_person_key(first.person.pk)
        master_keys.create("new")
        master_keys.use("new", "old")
        settings.SUNFLOWER_CRYPTO_SUITE = "sm"  # type: ignore[attr-defined]
        make_cadre()  # its person key: SM4, under the new master key
        actions.rewrap_batch(1)

        status = actions.key_status()

        old, new = master_keys.ids["old"], master_keys.ids["new"]
        assert status.current_master_key_id == new
        assert sorted((g.master_key_id, g.suite, g.keys, g.role) for g in status.groups) == sorted(
            [(old, "aes", 2, "previous"), (new, "aes", 1, "current"), (new, "sm", 1, "current")]
        )
        assert (status.live, status.shredded, status.awaiting_rewrap) == (4, 1, 2)
        output = keys("status")
        assert f"current master key: {new}" in output
        assert "shredded data keys: 1" in output
        assert "awaiting re-wrap: 2" in output

    def test_it_names_master_keys_that_are_not_configured(
        self, db: None, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        make_cadre()
        master_keys.create("new")
        master_keys.use("new")
        assert "not configured" in keys("status")
