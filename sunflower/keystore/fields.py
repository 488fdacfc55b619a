"""Model fields that encrypt on the way into the database and decrypt on the way out.

The rest of the code reads and assigns plain strings. Encrypted columns cannot be filtered or
ordered on; exact-match lookups go through a BlindIndexField beside them.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Model

from sunflower.keystore import keyring
from sunflower.lib import crypto


class Ciphertext(str):
    """A value already encrypted by pre_save; passed to the database untouched."""


class EncryptedTextField(models.TextField):
    """Text encrypted with a data key.

    key_subject="system:<purpose>" encrypts with a shared key (roster T1 fields);
    owner_field="person" encrypts with the data key of the person the row belongs to, so that
    shredding that key makes the value unreadable (T2 data). With fallback_subject, a row
    whose owner is null (an anonymous response) is encrypted with that shared key instead.
    """

    def __init__(
        self,
        *args: Any,
        key_subject: str = "",
        owner_field: str = "",
        fallback_subject: str = "",
        **kwargs: Any,
    ) -> None:
        if bool(key_subject) == bool(owner_field):
            raise ValueError("give exactly one of key_subject and owner_field")
        if fallback_subject and not owner_field:
            raise ValueError("fallback_subject needs owner_field")
        self.key_subject = key_subject
        self.owner_field = owner_field
        self.fallback_subject = fallback_subject
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        # null and blank default to True here, so False must be written out (Field omits it).
        for option in ("null", "blank"):
            if not getattr(self, option):
                kwargs[option] = False
        if self.key_subject:
            kwargs["key_subject"] = self.key_subject
        if self.owner_field:
            kwargs["owner_field"] = self.owner_field
        if self.fallback_subject:
            kwargs["fallback_subject"] = self.fallback_subject
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def subject_for(self, instance: Model) -> str:
        if self.key_subject:
            return self.key_subject
        owner_id = getattr(instance, f"{self.owner_field}_id")
        if owner_id is None and self.fallback_subject:
            return self.fallback_subject
        if owner_id is None:
            raise crypto.CryptoError(f"{self.context}: no {self.owner_field} to own the value")
        return keyring.person_subject(owner_id)

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None or isinstance(value, Ciphertext):
            return value
        subject = self.subject_for(model_instance)
        return Ciphertext(keyring.encrypt(subject, str(value), self.context))

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, Ciphertext):
            return value
        # Paths that skip pre_save (bulk_update, update()) can only use a shared key.
        if not self.key_subject:
            raise crypto.CryptoError(f"{self.context}: save the object to encrypt this value")
        return keyring.encrypt(self.key_subject, str(value), self.context)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        try:
            return keyring.decrypt(value, self.context)
        except crypto.KeyShreddedError:
            return None

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"{self.context} is encrypted: look it up by its blind index")
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC of another field's normalised value, maintained on save, for exact lookups."""

    def __init__(self, *args: Any, source: str = "", purpose: str = "", **kwargs: Any) -> None:
        if not source or not purpose:
            raise ValueError("a blind index needs a source field and a purpose")
        self.source = source
        self.purpose = purpose
        kwargs["max_length"] = 64
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        kwargs.pop("max_length", None)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = getattr(model_instance, self.source)
        digest = keyring.blind_index(self.purpose, str(value)) if value else None
        setattr(model_instance, self.attname, digest)
        return digest
