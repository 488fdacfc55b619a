"""Key management: master-key rotation, crypto-shredding and the key inventory.

Each change writes its audit entry; the trail records counts and key ids, never key material.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from sunflower.audit.events import record
from sunflower.audit.models import Outcome
from sunflower.keystore import keyring
from sunflower.keystore.models import DataKey
from sunflower.lib import crypto

DEFAULT_BATCH = 500
MAX_REASON_CHARS = 200


class RotationError(crypto.CryptoError):
    """Rotation cannot start: some data keys are wrapped by a master key that is not configured."""


# Crypto-shredding ------------------------------------------------------------------------


@transaction.atomic
def shred_person_key(
    person_id: uuid.UUID | str,
    actor: Any = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> DataKey:
    """Destroy one person's data key, so that all their sensitive (T2) values read as None.

    The row stays, wiped, so that "destroyed" differs from "never existed" and so that no new
    sensitive data can be written for the person (writing raises KeyShreddedError). A person
    without a key gets such a row too. Roster (T1) fields use a shared key and stay readable;
    the audit trail holds no values and still verifies.
    """
    subject = keyring.person_subject(person_id)
    now = timezone.now()
    row, created = DataKey.objects.select_for_update().get_or_create(
        subject=subject,
        defaults={
            "suite": keyring.current_suite().code,
            "master_key_id": keyring.master_key().key_id,
            "wrapped": b"",
            "shredded_at": now,
        },
    )
    had_key = not created and row.shredded_at is None and bool(row.wrapped)
    if not created:
        row.wrapped = b""
        row.shredded_at = row.shredded_at or now
        row.save(update_fields=["wrapped", "shredded_at"])
    # Now for this process; again after commit, in case a reader cached it in between.
    keyring.forget_key(row.key_id, subject)
    key_id = row.key_id
    transaction.on_commit(lambda: keyring.forget_key(key_id, subject))
    record(
        "keys.shred",
        actor=actor,
        target=row,
        request=request,
        changes={"subject": subject, "had_key": had_key, "reason": reason[:MAX_REASON_CHARS]},
    )
    return row


# Master-key rotation ---------------------------------------------------------------------


def awaiting_rewrap() -> QuerySet[DataKey]:
    """Live data keys not yet wrapped by the current master key."""
    current = keyring.master_key().key_id
    live = DataKey.objects.filter(shredded_at__isnull=True).exclude(wrapped=b"")
    return live.exclude(master_key_id=current)


def unconfigured_master_keys() -> dict[str, int]:
    """Master key ids that wrap live data keys but are not configured, with their key counts."""
    configured = keyring.master_keys().configured_ids()
    rows = (
        awaiting_rewrap()
        .exclude(master_key_id__in=configured)
        .values("master_key_id")
        .annotate(keys=Count("id"))
        .order_by("master_key_id")
    )
    return {row["master_key_id"]: row["keys"] for row in rows}


@dataclass(frozen=True)
class Batch:
    rewrapped: int
    last_id: uuid.UUID | None  # None when nothing was left after the starting point


def rewrap_batch(size: int, after: uuid.UUID | None = None) -> Batch:
    """Re-wrap up to *size* keys (in id order, after *after*) in one transaction.

    Each batch commits on its own, so an interrupted rotation keeps its progress, and a key
    already re-wrapped is not picked again: its master key id is the current one.
    """
    with transaction.atomic():
        pending = awaiting_rewrap().select_for_update().order_by("id")
        if after is not None:
            pending = pending.filter(id__gt=after)
        rows = list(pending[:size])
        now = timezone.now()
        for row in rows:
            try:
                keyring.rewrap(row)
            except crypto.CryptoError as exc:
                raise crypto.CryptoError(
                    f"data key {row.key_id} cannot be re-wrapped: {exc}"
                ) from exc
            row.rewrapped_at = now
        DataKey.objects.bulk_update(rows, ["wrapped", "master_key_id", "rewrapped_at"])
    return Batch(rewrapped=len(rows), last_id=rows[-1].id if rows else None)


@dataclass
class Rotation:
    master_key_id: str
    to_do: int
    rewrapped: int = 0
    batches: int = 0
    remaining: int = 0

    def counts(self) -> dict[str, Any]:
        return {
            "master_key_id": self.master_key_id,
            "to_do": self.to_do,
            "rewrapped": self.rewrapped,
            "batches": self.batches,
            "remaining": self.remaining,
        }


def rotate(
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[Rotation], None] | None = None,
    actor: Any = None,
) -> Rotation:
    """Re-wrap every live data key not yet under the current master key, batch by batch.

    Online: the application keeps working throughout, because a key not yet re-wrapped still
    opens with its previous master key. Resumable: running it again continues where an
    interrupted run stopped. The run is audited ("keys.rotate", counts only), also when it fails.
    """
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    missing = unconfigured_master_keys()
    if missing:
        with transaction.atomic():
            record(
                "keys.rotate",
                actor=actor,
                outcome=Outcome.FAILED,
                changes={"master_key_id": keyring.master_key().key_id, "unconfigured": missing},
            )
        listed = ", ".join(f"{key_id} ({count} keys)" for key_id, count in missing.items())
        raise RotationError(
            f"data keys are wrapped by master keys that are not configured: {listed}; "
            "list their files in SUNFLOWER_PREVIOUS_MASTER_KEY_FILES"
        )
    run = Rotation(master_key_id=keyring.master_key().key_id, to_do=awaiting_rewrap().count())
    try:
        after = None
        while True:
            batch = rewrap_batch(batch_size, after)
            if batch.last_id is None:
                break
            after = batch.last_id
            run.rewrapped += batch.rewrapped
            run.batches += 1
            if on_batch is not None:
                on_batch(run)
        run.remaining = awaiting_rewrap().count()
    except BaseException:
        # Best effort: the failure that stopped the run matters more than its audit entry.
        with contextlib.suppress(DatabaseError):
            run.remaining = awaiting_rewrap().count()
            _record_rotation(run, actor, Outcome.FAILED)
        raise
    _record_rotation(run, actor, Outcome.OK)
    return run


def _record_rotation(run: Rotation, actor: Any, outcome: str) -> None:
    with transaction.atomic():
        record("keys.rotate", actor=actor, outcome=outcome, changes=run.counts())


# Inventory -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyGroup:
    master_key_id: str
    suite: str
    keys: int
    role: str  # "current", "previous" or "not configured"


@dataclass(frozen=True)
class KeyStatus:
    current_master_key_id: str
    groups: list[KeyGroup]
    shredded: int
    awaiting_rewrap: int

    @property
    def live(self) -> int:
        return sum(group.keys for group in self.groups)


def key_status() -> KeyStatus:
    keys = keyring.master_keys()
    current = keys.current.key_id
    configured = set(keys.configured_ids())
    rows = (
        DataKey.objects.filter(shredded_at__isnull=True)
        .values("master_key_id", "suite")
        .annotate(keys=Count("id"))
        .order_by("master_key_id", "suite")
    )
    groups = []
    for row in rows:
        key_id = row["master_key_id"]
        if key_id == current:
            role = "current"
        elif key_id in configured:
            role = "previous"
        else:
            role = "not configured"
        groups.append(KeyGroup(key_id, row["suite"], row["keys"], role))
    return KeyStatus(
        current_master_key_id=current,
        groups=groups,
        shredded=DataKey.objects.filter(shredded_at__isnull=False).count(),
        awaiting_rewrap=awaiting_rewrap().count(),
    )
