from collections.abc import Callable

import pytest
from django.db import connection

from sunflower.keystore import keyring
from sunflower.keystore.models import DataKey
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
