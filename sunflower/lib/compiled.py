"""Hot-path queries compiled to SQL once per process and then only executed.

Django builds a queryset and compiles it to SQL every time it is evaluated. For the handful of
reads that run on every request — the signed-in user, the person with their consent, the
response a page reads — building and compiling cost far more CPU than running the statement
(docs/performance.md, "bench submit"): 0.5–2 ms of Python each for SQL that never changes.

A `CompiledQuery` builds its queryset once per database connection alias, with placeholder
values for the parameters that change between calls, keeps the SQL and where each placeholder
went, and from then on only executes it: the same statement, the same rows and the same model
instances as the queryset (select_related, annotations and select_for_update included; values
prepared for the database by the same field methods). Only the SQL text is kept: every call
runs the query, so nothing read — no permission, no consent, no session — is cached.

Use it only for model querysets (no values(), prefetch_related() or related managers), and only
where the profile shows the cost; everywhere else the plain ORM is clearer.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import signals
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.sql import InsertQuery
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)


def _placeholder(field: models.Field[Any, Any]) -> Any:
    """A value of *field*'s type that no real parameter will equal."""
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.DateTimeField):
        offset = dt.timedelta(microseconds=secrets.randbelow(10**15))
        return dt.datetime(1901, 1, 1, tzinfo=dt.UTC) + offset
    if isinstance(field, models.IntegerField):
        return 2**40 + secrets.randbelow(2**50)
    if isinstance(field, models.CharField | models.TextField):
        return f"placeholder-{secrets.token_hex(16)}"
    raise TypeError(f"CompiledQuery has no placeholder for {type(field).__name__}")


def _target(field: models.Field[Any, Any]) -> models.Field[Any, Any]:
    """The field whose values a lookup on *field* compares (a foreign key's target)."""
    while field.is_relation and field.target_field is not None:  # type: ignore[attr-defined]
        field = field.target_field  # type: ignore[attr-defined]
    return field


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    for_update: bool
    model: type[models.Model]
    init_list: tuple[str, ...]
    model_slice: slice
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]
    converters: tuple[tuple[int, tuple[tuple[Any, ...], Any]], ...]


class CompiledQuery(Generic[M]):
    """`build(**placeholders)` returns the queryset; `params` names each parameter's field.

    >>> by_pk = CompiledQuery(lambda pk: User.objects.filter(pk=pk)[:1], pk=User._meta.pk)
    >>> by_pk.first(pk=some_id)
    """

    def __init__(
        self, build: Callable[..., models.QuerySet[M]], **params: models.Field[Any, Any]
    ) -> None:
        self.build = build
        self.fields = {name: _target(field) for name, field in params.items()}
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        placeholders = {name: _placeholder(field) for name, field in self.fields.items()}
        queryset = self.build(**placeholders)
        extras: Any = (
            getattr(queryset, "_prefetch_related_lookups", None),
            getattr(queryset, "_known_related_objects", None),
        )
        if queryset._iterable_class is not ModelIterable or any(extras):
            raise TypeError("CompiledQuery takes plain model querysets only")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        expected = {
            name: self.fields[name].get_db_prep_value(value, connection, prepared=False)
            for name, value in placeholders.items()
        }
        slots = tuple(
            (position, name)
            for position, param in enumerate(params)
            for name, value in expected.items()
            if type(param) is type(value) and param == value
        )
        missing = set(expected) - {name for _position, name in slots}
        if missing:
            raise TypeError(f"CompiledQuery parameters not found in the SQL: {sorted(missing)}")
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:
            raise TypeError("CompiledQuery takes model querysets only")
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            for_update=queryset.query.select_for_update,
            model=klass_info["model"],
            init_list=tuple(f[0].target.attname for f in select[start:end]),
            model_slice=slice(start, end),
            populators=tuple(get_related_populators(klass_info, select, using)),  # type: ignore[call-arg]
            annotations=tuple(compiler.annotation_col_map.items()),
            converters=tuple(converters.items()),
        )

    def fetch(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[M]:
        """Run the query with *values* for the named parameters: the queryset's instances."""
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        connection = connections[using]
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = self.fields[name].get_db_prep_value(
                values[name], connection, prepared=False
            )
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found: list[M] = []
        for raw in rows:
            row = list(raw)
            for position, (functions, expression) in compiled.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            obj = cast(
                M, compiled.model.from_db(using, compiled.init_list, row[compiled.model_slice])
            )
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> M | None:
        """The first instance, or None (slice the queryset to [:1] so that only one is read)."""
        found = self.fetch(using, **values)
        return found[0] if found else None


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    fields: tuple[models.Field[Any, Any], ...]
    returning: tuple[models.Field[Any, Any], ...]
    returns_columns: bool


class CompiledInsert(Generic[M]):
    """`save()` of a new row of *model*, the INSERT built once per database alias: the same
    statement and values as `obj.save(force_insert=True)` (each field's pre_save and database
    preparation run on every call). For models with an auto primary key and no parent model;
    with a pre_save or post_save receiver connected, or an expression as a value, it simply
    calls save()."""

    def __init__(self, model: type[M]) -> None:
        meta = model._meta
        if meta.parents or meta.auto_field is None or meta.auto_field is not meta.pk:
            raise TypeError("CompiledInsert takes models with an auto primary key, no parents")
        self.model = model
        self._compiled: dict[str, _CompiledInsert] = {}

    def _compile(self, using: str) -> _CompiledInsert:
        meta = self.model._meta
        fields = tuple(
            f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field
        )
        returning = tuple(meta.db_returning_fields)
        query = InsertQuery(self.model)
        query.insert_values(fields, [self.model()])
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = list(returning)
        ((sql, params),) = compiler.as_sql()
        if sql.count("%s") != len(fields) or len(params) != len(fields):
            raise TypeError("CompiledInsert needs one plain placeholder per field")
        connection = connections[using]
        return _CompiledInsert(
            sql, fields, returning, bool(connection.features.can_return_columns_from_insert)
        )

    def save(self, obj: M, using: str = DEFAULT_DB_ALIAS) -> M:
        if signals.pre_save.has_listeners(self.model) or signals.post_save.has_listeners(
            self.model
        ):
            obj.save(force_insert=True, using=using)
            return obj
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        connection = connections[using]
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        values = [field.pre_save(obj, True) for field in compiled.fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            obj.save(force_insert=True, using=using)
            return obj
        params = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(compiled.fields, values, strict=True)
        ]
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            if compiled.returning and compiled.returns_columns:
                returned = cursor.fetchone()
            elif compiled.returning:
                returned = (
                    connection.ops.last_insert_id(
                        cursor, self.model._meta.db_table, str(self.model._meta.pk.column)
                    ),
                )
            else:
                returned = ()
        for field, value in zip(compiled.returning, returned, strict=True):
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = using
        return obj
