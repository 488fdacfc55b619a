"""What part of the organisation a user may act on, by role.

A role is held over a unit subtree; a user's scope for a set of roles is the union of those
subtrees. Everything outside it answers "not found", never "forbidden".
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Q
from django.http import Http404

from sunflower.accounts.models import User
from sunflower.orgs.models import Person, PersonQuerySet, Unit, UnitQuerySet


def scope_roots(user: User, roles: Iterable[str]) -> list[Unit]:
    """The top units of the user's scope for *roles*, without units nested in another root."""
    cache: dict[frozenset[str], list[Unit]] = user.__dict__.setdefault("_scope_roots", {})
    key = frozenset(roles)
    if key not in cache:
        units = sorted(
            {a.unit for a in user.assignments.active().filter(role__in=key).select_related("unit")},
            key=lambda unit: unit.path,
        )
        roots: list[Unit] = []
        for unit in units:
            if not any(unit.is_within(root) for root in roots):
                roots.append(unit)
        cache[key] = roots
    return cache[key]


def _under(roots: list[Unit], field: str) -> Q:
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(**{f"{field}__startswith": root.path})
    return condition


def units_in_scope(user: User, roles: Iterable[str]) -> UnitQuerySet:
    return Unit.objects.filter(_under(scope_roots(user, roles), "path"))


def people_in_scope(user: User, roles: Iterable[str]) -> PersonQuerySet:
    return Person.objects.filter(_under(scope_roots(user, roles), "unit__path"))


def unit_in_scope(user: User, unit: Unit, roles: Iterable[str]) -> bool:
    return any(unit.is_within(root) for root in scope_roots(user, roles))


def get_person_in_scope(user: User, person_id: UUID | str, roles: Iterable[str]) -> Person:
    """The person if the user may act on them in one of *roles*; otherwise 404, as if missing."""
    person = people_in_scope(user, roles).select_related("unit").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person
