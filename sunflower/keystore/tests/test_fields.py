from collections.abc import Callable

import pytest
from django.db import connection

from sunflower.keystore import actions, keyring
from sunflower.keystore.models import DataKey
from sunflower.keystore.tests.conftest import Cadre, MasterKeySwitch
from sunflower.keystore.tests.sensitive.models import SensitiveNote
from sunflower.lib import crypto
from sunflower.orgs.models import Person


def raw_column(table: str, column: str, pk: object) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


class EncryptedFieldTestCase:
    def test_it_stores_ciphertext_and_reads_plaintext(
        self, make_person: Callable[..., Person]
    ) -> None:
        person = make_person(id_number="11010519491231002X", mobile="13912345678")
        stored = raw_column("orgs_person", "id_number", person.pk.hex)
        assert stored.startswith("sf1.aes.")
        assert "11010519491231002X" not in stored
        assert Person.objects.get(pk=person.pk).id_number == "11010519491231002X"
        assert Person.objects.get(pk=person.pk).mobile == "13912345678"

    def test_it_finds_people_by_blind_index_only(self, make_person: Callable[..., Person]) -> None:
        person = make_person(id_number="11010519491231002X")
        digest = keyring.blind_index("id_number", "11010519491231002X")
        assert Person.objects.get(id_number_index=digest) == person
        with pytest.raises(TypeError, match="blind index"):
            Person.objects.filter(id_number="11010519491231002X").exists()

    def test_it_refuses_a_ciphertext_moved_to_another_column(
        self, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        stored = raw_column("orgs_person", "id_number", person.pk.hex)
        with pytest.raises(crypto.CryptoError):
            keyring.decrypt(stored, "orgs_person.mobile")

    def test_it_reads_none_after_the_key_is_shredded(
        self, make_person: Callable[..., Person]
    ) -> None:
        person = make_person()
        DataKey.objects.filter(subject="system:roster").update(wrapped=b"")
        keyring.forget_cached_keys()
        assert Person.objects.get(pk=person.pk).id_number is None


class SuiteTestCase:
    @pytest.mark.parametrize("code", ["aes", "sm"])
    def test_it_round_trips_and_detects_tampering(self, code: str) -> None:
        suite = crypto.get_suite(code)
        key = crypto.new_data_key(suite)
        text = crypto.encrypt_text(suite, "k1", key, "谈话内容", "t.c")
        header = crypto.parse_ciphertext(text)
        assert crypto.decrypt_text(header, key, "t.c") == "谈话内容"
        tampered = text[:-2] + ("A" if text[-2] != "A" else "B") + text[-1]
        with pytest.raises(crypto.CryptoError):
            crypto.decrypt_text(crypto.parse_ciphertext(tampered), key, "t.c")

    def test_it_wraps_keys_with_the_master_key(self) -> None:
        master = crypto.LocalMasterKey(b"m" * 32)
        suite = crypto.get_suite("sm")
        wrapped = master.wrap(suite, b"k" * 16, b"aad")
        assert master.unwrap(suite, wrapped, b"aad") == b"k" * 16
        with pytest.raises(crypto.CryptoError):
            crypto.LocalMasterKey(b"n" * 32).unwrap(suite, wrapped, b"aad")


class NationalSuiteTestCase:
    """With SUNFLOWER_CRYPTO_SUITE=sm every new key is SM4, blind indexes HMAC-SM3."""

    def test_it_encrypts_fields_with_sm4_end_to_end(
        self,
        settings: object,
        make_person: Callable[..., Person],
        master_keys: MasterKeySwitch,
    ) -> None:
        settings.SUNFLOWER_CRYPTO_SUITE = "sm"  # type: ignore[attr-defined]
        person = make_person(id_number="11010519491231002X", mobile="13912345678")
        note = SensitiveNote.objects.create(person=person, body="谈话内容")
        assert raw_column("orgs_person", "id_number", person.pk.hex).startswith("sf1.sm.")
        assert raw_column("keystore_sensitive_test_sensitivenote", "body", note.pk.hex).startswith(
            "sf1.sm."
        )
        assert set(DataKey.objects.values_list("suite", flat=True)) == {"sm"}
        keyring.forget_cached_keys()
        assert Person.objects.get(pk=person.pk).id_number == "11010519491231002X"
        assert SensitiveNote.objects.get(pk=note.pk).body == "谈话内容"
        digest = keyring.blind_index("mobile", "13912345678")
        blind_key = keyring.system_key("blind-index")
        assert digest == blind_key.suite.mac(blind_key.secret, b"mobile\x0013912345678")
        assert blind_key.suite.hash_algorithm().name == "sm3"
        assert Person.objects.get(mobile_index=digest) == person

    def test_it_rotates_and_shreds_sm4_keys(
        self, settings: object, master_keys: MasterKeySwitch, make_cadre: Callable[[], Cadre]
    ) -> None:
        settings.SUNFLOWER_CRYPTO_SUITE = "sm"  # type: ignore[attr-defined]
        shredded, kept = make_cadre(), make_cadre()
        master_keys.create("new")
        master_keys.use("new", "old")
        rotation = actions.rotate()
        assert rotation.rewrapped == 4
        actions.shred_person_key(shredded.person.pk)
        master_keys.use("new")
        kept.assert_readable()
        assert SensitiveNote.objects.get(pk=shredded.note.pk).body is None

    def test_old_aes_values_still_read_after_switching_to_sm(
        self, settings: object, make_cadre: Callable[[], Cadre]
    ) -> None:
        before = make_cadre()
        settings.SUNFLOWER_CRYPTO_SUITE = "sm"  # type: ignore[attr-defined]
        keyring.forget_cached_keys()
        after = make_cadre()
        before.assert_readable()
        after.assert_readable()
        suites = dict(DataKey.objects.values_list("subject", "suite"))
        assert suites[keyring.person_subject(before.person.pk)] == "aes"
        assert suites[keyring.person_subject(after.person.pk)] == "sm"


class KeyCacheTestCase:
    def test_a_key_created_in_a_rolled_back_transaction_is_not_reused(
        self, make_person: Callable[..., Person]
    ) -> None:
        from django.db import transaction

        make_person()  # the roster and blind-index keys exist and are committed (test savepoint)
        with pytest.raises(RuntimeError), transaction.atomic():
            keyring.key_for_subject("system:rolled-back")
            raise RuntimeError
        assert not DataKey.objects.filter(subject="system:rolled-back").exists()
        key = keyring.key_for_subject("system:rolled-back")
        assert DataKey.objects.filter(subject="system:rolled-back", id=key.key_id).exists()


class MalformedCiphertextTestCase:
    def test_a_malformed_key_id_is_a_crypto_error_not_a_crash(self, db: None) -> None:
        with pytest.raises(crypto.CryptoError, match="malformed data key id"):
            keyring.decrypt("sf1.aes.not-a-uuid.AAAA", "orgs_person.mobile")
