"""Crypto-shredding: destroying one person's data key erases exactly their sensitive data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import transaction

from conftest import make_id_number
from sunflower.accounts.models import User
from sunflower.audit import chain
from sunflower.audit.models import AuditEvent
from sunflower.keystore import keyring
from sunflower.keystore.actions import shred_person_key
from sunflower.keystore.models import DataKey
from sunflower.keystore.tests.conftest import Cadre
from sunflower.keystore.tests.sensitive.models import SensitiveNote
from sunflower.lib import crypto
from sunflower.orgs.actions import do_create_person
from sunflower.orgs.models import Person


class ShredTestCase:
    def test_it_makes_the_persons_sensitive_data_unreadable_and_nothing_else(
        self, make_cadre: Callable[[], Cadre]
    ) -> None:
        shredded, kept = make_cadre(), make_cadre()
        second_note = SensitiveNote.objects.create(person=shredded.person, body="第二次谈话")

        shred_person_key(shredded.person.pk, reason="本人申请删除")

        keyring.forget_cached_keys()
        assert SensitiveNote.objects.get(pk=shredded.note.pk).body is None
        assert SensitiveNote.objects.get(pk=second_note.pk).body is None
        person = Person.objects.get(pk=shredded.person.pk)
        # Roster (T1) fields use the shared key and are kept under the HR legal basis.
        assert (person.id_number, person.mobile) == (shredded.id_number, shredded.mobile)
        kept.assert_readable()

    def test_it_evicts_the_key_from_this_process_at_once(
        self, make_cadre: Callable[[], Cadre]
    ) -> None:
        cadre = make_cadre()
        assert SensitiveNote.objects.get(pk=cadre.note.pk).body == cadre.note_text  # cached

        shred_person_key(cadre.person.pk)

        assert SensitiveNote.objects.get(pk=cadre.note.pk).body is None

    def test_it_wipes_the_wrapped_key_and_keeps_the_row(
        self, make_cadre: Callable[[], Cadre]
    ) -> None:
        cadre = make_cadre()
        shred_person_key(str(cadre.person.pk))
        row = DataKey.objects.get(subject=f"person:{cadre.person.pk}")
        assert bytes(row.wrapped) == b""
        assert row.shredded_at is not None
        with pytest.raises(crypto.KeyShreddedError):
            keyring.key_by_id(row.key_id)

    def test_it_refuses_new_sensitive_data_for_a_shredded_person(
        self, make_cadre: Callable[[], Cadre]
    ) -> None:
        cadre = make_cadre()
        shred_person_key(cadre.person.pk)
        with pytest.raises(crypto.KeyShreddedError), transaction.atomic():
            SensitiveNote.objects.create(person=cadre.person, body="新的谈话")

    def test_it_leaves_a_tombstone_for_a_person_without_a_key(
        self, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        row = shred_person_key(person.pk)
        assert row.subject == f"person:{person.pk}" and row.shredded_at is not None
        with pytest.raises(crypto.KeyShreddedError), transaction.atomic():
            SensitiveNote.objects.create(person=person, body="谈话")
        event = AuditEvent.objects.get(action="keys.shred")
        assert event.changes["had_key"] is False

    def test_it_audits_who_why_and_which_key_without_values(
        self, make_cadre: Callable[[], Cadre], bob: User
    ) -> None:
        cadre = make_cadre()
        row = shred_person_key(cadre.person.pk, actor=bob, reason="本人申请删除")
        event = AuditEvent.objects.get(action="keys.shred")
        assert event.actor == bob
        assert (event.object_type, event.object_id) == ("keystore.datakey", str(row.pk))
        assert event.changes == {
            "subject": f"person:{cadre.person.pk}",
            "had_key": True,
            "reason": "本人申请删除",
        }

    def test_the_audit_trail_still_verifies(
        self, make_cadre: Callable[[], Cadre], alice: User, city: object
    ) -> None:
        cadre = make_cadre()
        created = do_create_person(
            alice,
            {
                "name": "李四",
                "gender": "M",
                "birth_date": "1970-01-01",
                "id_number": make_id_number(901, birth="19700101"),
                "mobile": "13900001111",
                "unit": cadre.person.unit,
            },
        )
        SensitiveNote.objects.create(person=created, body="谈话")
        chain.seal_all()

        shred_person_key(created.pk, actor=alice)
        shred_person_key(cadre.person.pk)
        chain.seal_all()

        verdict = chain.verify()
        assert verdict.ok and verdict.checked == 3
        call_command("audit", "verify")  # exits non-zero on a broken chain
