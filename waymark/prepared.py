"""Statements of the check-in's hot path, with their SQL built once per process.

Django compiles a query every time it runs one. For the few fixed-shape statements of a
check-in (its INSERT or UPDATE, the read of the day's row, the submission key, the
device token's last use) that compilation was a large share of the request's CPU
(issue 13, point 2: cProfile over 300 check-ins). These helpers write the same SQL once
per model, column list and database, and prepare every value as `Model.save()` does
(`field.pre_save`, then `field.get_db_prep_save`), so what is stored is the same; the
database's errors come back as Django's (an IntegrityError is an IntegrityError).

They send no model signals, so they are for models that have no save receivers
(waymark/tests/test_prepared.py checks the ones that use them). Anything else uses the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, cast

from django.db import DatabaseError, connections, router
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

_sql: dict[tuple[object, ...], str] = {}


def _quote(alias: str, name: str) -> str:
    return str(connections[alias].ops.quote_name(name))


def _fields(model: type[Model], names: Iterable[str]) -> list[Field[Any, Any]]:
    return [cast("Field[Any, Any]", model._meta.get_field(name)) for name in names]


# The statements below are built from the models' own table and column names, quoted by
# the database backend; every value is a parameter (hence the noqa: S608).


def insert(instance: Model, *, unless_taken: Sequence[str] = ()) -> bool:
    """INSERT a new row, as `instance.save(force_insert=True)` would, and set its id.

    `unless_taken`: the fields of a unique constraint; when a row already holds those
    values, insert nothing and return False (ON CONFLICT … DO NOTHING: no error, so no
    savepoint is needed around it). Any other constraint still raises IntegrityError."""
    model = type(instance)
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    auto = meta.auto_field
    returning = auto is not None and connection.features.can_return_columns_from_insert
    fields: list[Field[Any, Any]] = [f for f in meta.local_concrete_fields if f is not auto]
    key = ("insert", meta.label, alias, tuple(unless_taken))
    sql = _sql.get(key)
    if sql is None:
        columns = ", ".join(_quote(alias, f.column) for f in fields)
        values = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {_quote(alias, meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
        if unless_taken:
            taken = ", ".join(_quote(alias, f.column) for f in _fields(model, unless_taken))
            sql += f" ON CONFLICT ({taken}) DO NOTHING"
        if returning:
            sql += f" RETURNING {_quote(alias, auto.column)}"  # type: ignore[union-attr]
        _sql[key] = sql
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            row = cursor.fetchone()
            if row is None:
                return False  # taken (only with unless_taken)
            new_id = row[0]
        elif cursor.rowcount == 0:
            return False
        elif auto is not None:
            new_id = connection.ops.last_insert_id(cursor, meta.db_table, auto.column)
        if auto is not None:
            setattr(instance, auto.attname, new_id)
    instance._state.adding = False
    instance._state.db = alias
    return True


def update(instance: Model, names: Sequence[str]) -> None:
    """UPDATE the row's columns `names`, as `instance.save(update_fields=names)` would."""
    model = type(instance)
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _fields(model, names)
    pk = meta.pk
    key = ("update", meta.label, alias, tuple(names))
    sql = _sql.get(key)
    if sql is None:
        assignments = ", ".join(f"{_quote(alias, f.column)} = %s" for f in fields)
        table, pk_column = _quote(alias, meta.db_table), _quote(alias, pk.column)
        sql = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608
        _sql[key] = sql
    params = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in fields]
    params.append(pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def first(
    model: type[M], where: dict[str, Any], *, extra: Iterable[tuple[str, str]] = ()
) -> M | None:
    """The row whose fields equal `where` (a unique match: no order), as
    `model.objects.filter(**where).first()`. `extra`: (name, SQL) columns to add, set on
    the instance as annotations are; their SQL may name the table as {table}."""
    meta = model._meta
    alias = router.db_for_read(model)
    connection = connections[alias]
    fields = _fields(model, where)
    added = tuple(extra)
    key = ("first", meta.label, alias, tuple(where), added)
    sql = _sql.get(key)
    if sql is None:
        table = _quote(alias, meta.db_table)
        columns = [f"{table}.{_quote(alias, f.column)}" for f in meta.concrete_fields]
        columns += [f"{sql.format(table=table)} AS {_quote(alias, name)}" for name, sql in added]
        conditions = " AND ".join(f"{table}.{_quote(alias, f.column)} = %s" for f in fields)
        sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {conditions} LIMIT 1"  # noqa: S608
        _sql[key] = sql
    params = [
        f.get_db_prep_value(value, connection)
        for f, value in zip(fields, where.values(), strict=True)
    ]
    return next(iter(model._default_manager.raw(sql, params)), None)
