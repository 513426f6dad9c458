"""Statements of the check-in's hot path, with their SQL built once per process.

Django compiles a query every time it runs one. For the few fixed-shape statements of a
check-in (its INSERT or UPDATE, the read of the day's row, the submission key, the
pending reassessment, the device token's last use) that compilation was
a large share of the request's CPU (issue 13, point 2: cProfile over 300 check-ins).
On PostgreSQL the check-in's three writes go in one statement (`upsert`'s `then`).
These helpers write the same SQL once per model, column list and database, prepare every
value as `Model.save()` does (`field.pre_save`, then `field.get_db_prep_save`) and send
the model's `pre_save` / `post_save` signals as `save()` does, so what is stored is the
same; the database's errors come back as Django's (an IntegrityError is an IntegrityError).
On PostgreSQL `insert` and `upsert` also run as prepared statements (`_cursor`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from django.db import DatabaseError, connections, router
from django.db.models import Field, Model, signals

M = TypeVar("M", bound=Model)

_sql: dict[tuple[object, ...], str] = {}


def _quote(alias: str, name: str) -> str:
    return str(connections[alias].ops.quote_name(name))


def _fields(model: type[Model], names: Iterable[str]) -> list[Field[Any, Any]]:
    return [cast("Field[Any, Any]", model._meta.get_field(name)) for name in names]


def _columns(alias: str, model: type[Model], names: Iterable[str]) -> str:
    return ", ".join(_quote(alias, f.column) for f in _fields(model, names))


def _insert_sql(
    alias: str, model: type[Model], fields: Sequence[Field[Any, Any]], source: str = ""
) -> str:
    """INSERT … VALUES of one row, or with `source` (a SELECT) what it gives."""
    columns = ", ".join(_quote(alias, f.column) for f in fields)
    values = source or f"VALUES ({', '.join(['%s'] * len(fields))})"
    return f"INSERT INTO {_quote(alias, model._meta.db_table)} ({columns}) {values}"


def _on_conflict(
    alias: str,
    model: type[Model],
    fields: Sequence[Field[Any, Any]],
    unless_taken: Sequence[str],
    renew_if_set: str | None,
) -> str:
    """`insert`'s ON CONFLICT clause (see there); empty without `unless_taken`."""
    if not unless_taken:
        return ""
    sql = f" ON CONFLICT ({_columns(alias, model, unless_taken)})"
    if renew_if_set is None:
        return sql + " DO NOTHING"
    table, kept = _quote(alias, model._meta.db_table), set(unless_taken)
    sql += " DO UPDATE SET " + ", ".join(
        f"{_quote(alias, f.column)} = EXCLUDED.{_quote(alias, f.column)}"
        for f in fields
        if f.name not in kept
    )
    field = _fields(model, [renew_if_set])[0]
    return sql + f" WHERE {table}.{_quote(alias, field.column)} IS NOT NULL"


def _send(signal: signals.ModelSignal, instance: Model, alias: str, **kwargs: Any) -> None:
    """The model's save signal, sent as Model.save_base sends it (nothing to do, and
    almost no cost, for a model without receivers)."""
    if signal.has_listeners(type(instance)):
        kwargs.setdefault("update_fields", None)
        signal.send(sender=type(instance), instance=instance, raw=False, using=alias, **kwargs)


@contextmanager
def _cursor(connection: Any) -> Iterator[Any]:
    """Django's cursor (its checks, error wrapping and query log), but on PostgreSQL one
    that sends the values apart from the statement and has the server prepare it: each
    connection then parses and plans these fixed statements once, not on every check-in
    (PostgreSQL's CPU per first check-in of the day 1.9 -> 1.6 ms, per edit 1.6 -> 1.2 ms;
    issue 13, point 2). Every other statement stays as Django runs it: values quoted into
    the text, nothing prepared.

    Deploying: behind PgBouncer in transaction mode, use 1.22 or later with
    max_prepared_statements set (psycopg sends DEALLOCATE ALL after a rollback). A
    migration that changes the type of a column these statements return (an id,
    `submitted_at`, `revision`) fails them on connections opened before it ("cached plan
    must not change result type"): restart the app processes after such a migration."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # Django's health check, before the factory is swapped (its SELECT 1 is not for
    # preparing); `connection.cursor()` then finds the connection checked.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    usual = raw.cursor_factory
    raw.cursor_factory = _prepared_cursor()
    try:
        cursor = connection.cursor()
    finally:
        raw.cursor_factory = usual
    with cursor:
        yield cursor


# psycopg prepares a statement once it has run this many times, or when asked: only when
# asked, here. Django sets psycopg's threshold to None (preparing off, even when asked) on
# its connections; it is set only while these statements run, so psycopg keeps no count
# or copy of any other statement and no other statement is ever prepared.
_ONLY_WHEN_ASKED = 2**31 - 1


@cache
def _prepared_cursor() -> type[Any]:
    """A psycopg cursor binding values on the server (Django's class for that) that
    prepares what it runs."""
    # Defined only where psycopg 3 is installed, so not in django-stubs.
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            connection = self.connection
            usual = connection.prepare_threshold
            connection.prepare_threshold = _ONLY_WHEN_ASKED
            named_before = connection._prepared._prepared_idx
            try:
                return super().execute(query, params, prepare=True, **options)
            except Exception:
                _deallocate_forgotten(connection, named_before)
                raise
            finally:
                connection.prepare_threshold = usual

        def _convert_query(self, query: Any, params: Any = None) -> Any:
            # psycopg keeps the statement run in `_query` except when it runs a prepared
            # one; Django's query log (`last_executed_query`) reads it from there.
            self._query = converted = super()._convert_query(query, params)
            return converted

    return PreparedCursor


def _deallocate_forgotten(connection: Any, named_before: int) -> None:
    """When a statement's first run fails (a key seen before: the idempotent replay),
    psycopg forgets the statement it prepared for that run but leaves it on the server
    until the connection closes, and prepares a new copy next time; each replay would
    leave one (~120 kB of the server's memory). Have psycopg close those on the server
    after the connection's next statement, as it closes the ones it evicts (a protocol
    Close, which is no error for a name that was never prepared). psycopg's own
    bookkeeping (private: `test_write_path.py` checks that no copies are left)."""
    from psycopg import capabilities

    if not capabilities.has_send_close_prepared():
        return  # an older libpq: DEALLOCATE of a name never prepared would fail
    manager = connection._prepared
    held = set(manager._names.values())
    for number in range(named_before, manager._prepared_idx):
        name = f"_pg3_{number}".encode()
        if name not in held:
            manager._to_flush.append(name)


_converters: dict[tuple[str, str, str], tuple[Any, list[Any]]] = {}


def _from_db(connection: Any, table: str, field: Field[Any, Any], value: Any) -> Any:
    """A value read back (RETURNING) as the ORM would convert it for this field."""
    key = (connection.alias, table, field.attname)
    found = _converters.get(key)
    if found is None:
        column = field.get_col(table)
        converters = connection.ops.get_db_converters(column)
        converters += column.get_db_converters(connection)
        found = _converters[key] = (column, converters)
    column, converters = found
    for convert in converters:
        value = convert(value, column, connection)
    return value


# The statements below are built from the models' own table and column names, quoted by
# the database backend; every value is a parameter (hence the noqa: S608).


def insert(
    instance: Model,
    *,
    unless_taken: Sequence[str] = (),
    renew_if_set: str | None = None,
) -> bool:
    """INSERT a new row, as `instance.save(force_insert=True)` would, and set its id.

    `unless_taken`: the fields of a unique constraint; when a row already holds those
    values, insert nothing and return False (ON CONFLICT … DO NOTHING: no error, so no
    savepoint is needed around it). Any other constraint still raises IntegrityError.

    `renew_if_set` (a field), with `unless_taken`: the row already there is locked until
    this transaction ends (ON CONFLICT … DO UPDATE … WHERE, which locks the row even where
    it changes nothing; DO NOTHING locks nothing), and if that field of it is set (not
    NULL) the row is overwritten with this instance's fields and True returned, as for a
    new row (whose id is then the old row's)."""
    model = type(instance)
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    auto = meta.auto_field
    returning = auto is not None and connection.features.can_return_columns_from_insert
    fields: list[Field[Any, Any]] = [f for f in meta.local_concrete_fields if f is not auto]
    key = ("insert", meta.label, alias, tuple(unless_taken), renew_if_set)
    sql = _sql.get(key)
    if sql is None:
        sql = _insert_sql(alias, model, fields)
        sql += _on_conflict(alias, model, fields, unless_taken, renew_if_set)
        if returning:
            sql += f" RETURNING {_quote(alias, auto.column)}"  # type: ignore[union-attr]
        _sql[key] = sql
    _send(signals.pre_save, instance, alias)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with _cursor(connection) as cursor:
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
    _send(signals.post_save, instance, alias, created=True)
    return True


@dataclass(frozen=True)
class Then:
    """An INSERT that goes with the row `upsert` writes, as `insert(instance, unless_taken=…,
    renew_if_set=…)` makes it, and only when that row is written. `id_into`: a field of
    the instance that takes the written row's id (e.g. a submission key's object)."""

    instance: Model
    unless_taken: Sequence[str] = ()
    renew_if_set: str | None = None
    id_into: str | None = None


def upsert(
    instance: Model,
    *,
    key: Sequence[str],
    update: Sequence[str],
    counter: str,
    same: str,
    extra: Iterable[tuple[str, str]] = (),
    then: Sequence[Then] = (),
) -> bool | None:
    """INSERT the row, or when a row holds the values of the unique constraint `key`,
    UPDATE that row in the same statement (INSERT … ON CONFLICT … DO UPDATE): its fields
    `update` set from the instance, `counter` one more than stored, only if its `same`
    field equals the instance's. True: inserted; False: updated; None: a row was there
    but its `same` differs (nothing written; it stays locked until the transaction ends).

    The instance gets the stored row's id, `counter` and every field not written, and the
    `extra` (name, SQL) columns (as `first`'s, on the row written). `counter` must start at
    1 or more (a model default): a row that comes back with the instance's own value of it
    was inserted, one more than a stored value was updated.

    `then`: INSERTs made only when the row is written. On PostgreSQL they are in the same
    statement (data-modifying WITH: one round trip instead of one each; they see the row,
    and a constraint they break fails the whole statement); elsewhere they follow it, in
    the caller's transaction."""
    model = type(instance)
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    auto = meta.auto_field
    fields: list[Field[Any, Any]] = [f for f in meta.local_concrete_fields if f is not auto]
    written = {*key, *update, counter}
    back = [f for f in meta.concrete_fields if f.name not in written or f.name == counter]
    added = tuple(extra)
    together = bool(then) and connection.vendor == "postgresql"
    shape = tuple(
        (type(t.instance), tuple(t.unless_taken), t.renew_if_set, t.id_into) for t in then
    )
    cache_key: tuple[object, ...] = ("upsert", meta.label, alias, tuple(key), tuple(update))
    cache_key += (counter, same, added)
    cache_key += (shape,) if together else ()
    sql = _sql.get(cache_key)
    if sql is None:
        table = _quote(alias, meta.db_table)
        assignments = [
            f"{_quote(alias, f.column)} = EXCLUDED.{_quote(alias, f.column)}"
            for f in _fields(model, update)
        ]
        count, kept = (_quote(alias, f.column) for f in _fields(model, [counter, same]))
        assignments.append(f"{count} = {table}.{count} + 1")
        columns = [f"{table}.{_quote(alias, f.column)}" for f in back]
        columns += [f"{sql.format(table=table)}" for _, sql in added]
        sql = (
            f"{_insert_sql(alias, model, fields)} ON CONFLICT ({_columns(alias, model, key)}) "
            f"DO UPDATE SET {', '.join(assignments)} WHERE {table}.{kept} = EXCLUDED.{kept} "
            f"RETURNING {', '.join(columns)}"
        )
        if together:
            sql = _with_then(alias, sql, len(columns), back.index(meta.pk), then)
        _sql[cache_key] = sql
    sent = getattr(instance, _fields(model, [counter])[0].attname)
    _send(signals.pre_save, instance, alias)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    if together:
        params += [p for follow in then for p in _then_params(follow, connection)]
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(back) + len(added)
    for field, value in zip(back, row[: len(back)], strict=True):
        setattr(instance, field.attname, _from_db(connection, meta.db_table, field, value))
    for (name, _), value in zip(added, row[len(back) : width], strict=True):
        setattr(instance, name, value)
    created = getattr(instance, _fields(model, [counter])[0].attname) == sent
    instance._state.adding = False
    instance._state.db = alias
    _send(signals.post_save, instance, alias, created=created)
    for follow, follow_id in zip(
        then, row[width:] if together else [None] * len(then), strict=True
    ):
        if follow.id_into is not None:
            field = _fields(type(follow.instance), [follow.id_into])[0]
            setattr(follow.instance, field.attname, field.to_python(instance.pk))
        if not together:
            insert(
                follow.instance,
                unless_taken=follow.unless_taken,
                renew_if_set=follow.renew_if_set,
            )
        elif follow_id is not None:  # written (not left as it was on a conflict)
            _written(follow.instance, alias, follow_id)
    return created


def _then_fields(follow: Then) -> list[Field[Any, Any]]:
    meta = type(follow.instance)._meta
    return [
        f
        for f in meta.local_concrete_fields
        if f is not meta.auto_field and f.name != follow.id_into
    ]


def _then_params(follow: Then, connection: Any) -> list[Any]:
    _send(signals.pre_save, follow.instance, connection.alias)
    return [
        f.get_db_prep_save(f.pre_save(follow.instance, True), connection)
        for f in _then_fields(follow)
    ]


def _written(instance: Model, alias: str, new_id: Any) -> None:
    auto = instance._meta.auto_field
    if auto is not None:  # else new_id is TRUE: written, no id to set
        setattr(instance, auto.attname, new_id)
    instance._state.adding = False
    instance._state.db = alias
    _send(signals.post_save, instance, alias, created=True)


def _cast_type(field: Field[Any, Any], connection: Any) -> str:
    """The type a parameter is cast to: the column's, but text for a character column, so
    that the column's own length check refuses a value too long (a cast to varchar(n)
    would cut it short without a word)."""
    db_type = str(field.db_type(connection))
    return "text" if db_type.startswith("varchar") else db_type


def _with_then(alias: str, upsert_sql: str, width: int, id_at: int, then: Sequence[Then]) -> str:
    """The upsert as `w` of a data-modifying WITH on PostgreSQL, each INSERT of `then` as
    `t<n>` made from its rows (so from none when nothing was written), and the upsert's
    columns then each one's new id, or TRUE (NULL where nothing was inserted)."""
    connection = connections[alias]
    names = [f"c{n}" for n in range(width)]
    parts = [f"w ({', '.join(names)}) AS ({upsert_sql})"]
    ids = []
    for n, follow in enumerate(then):
        model = type(follow.instance)
        fields = _then_fields(follow)
        values = [f"CAST(%s AS {_cast_type(f, connection)})" for f in fields]
        columns = list(fields)
        if follow.id_into is not None:
            into = _fields(model, [follow.id_into])[0]
            columns.append(into)
            values.append(f"CAST(w.c{id_at} AS {_cast_type(into, connection)})")
        source = f"SELECT {', '.join(values)} FROM w"  # noqa: S608
        statement = _insert_sql(alias, model, columns, source)
        statement += _on_conflict(alias, model, columns, follow.unless_taken, follow.renew_if_set)
        auto = model._meta.auto_field
        # Its new id, or TRUE for a model without one: NULL where nothing was inserted.
        statement += f" RETURNING {_quote(alias, auto.column) if auto is not None else 'TRUE'}"
        ids.append(f"(SELECT * FROM t{n})")  # noqa: S608
        parts.append(f"t{n} AS ({statement})")
    return f"WITH {', '.join(parts)} SELECT {', '.join(['w.*', *ids])} FROM w"  # noqa: S608


# On PostgreSQL, an UPDATE whose own transaction commits without waiting for the WAL flush
# (set_config(…, true) is local to that transaction; the session keeps its setting).
_NO_FLUSH_WAIT = " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait"


def update(instance: Model, names: Sequence[str], *, bookkeeping: bool = False) -> None:
    """UPDATE the row's columns `names`, as `instance.save(update_fields=names)` would.

    `bookkeeping`: a value whose loss in a database crash harms nothing (a token's last
    use), run on its own outside a transaction: on PostgreSQL its commit does not wait
    for the write-ahead log to reach the disk, which an API request would otherwise wait
    for on top of its own write's (issue 13, point 2). The write itself is the same; a
    crash within a fraction of a second could lose it. Never for patient data."""
    model = type(instance)
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _fields(model, names)
    pk = meta.pk
    no_wait = bookkeeping and connection.vendor == "postgresql" and connection.get_autocommit()
    key = ("update", meta.label, alias, tuple(names), no_wait)
    sql = _sql.get(key)
    if sql is None:
        assignments = ", ".join(f"{_quote(alias, f.column)} = %s" for f in fields)
        table, pk_column = _quote(alias, meta.db_table), _quote(alias, pk.column)
        source = _NO_FLUSH_WAIT if no_wait else ""
        sql = f"UPDATE {table} SET {assignments}{source} WHERE {pk_column} = %s"  # noqa: S608
        _sql[key] = sql
    _send(signals.pre_save, instance, alias, update_fields=frozenset(names))
    params = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in fields]
    params.append(pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    _send(signals.post_save, instance, alias, created=False, update_fields=frozenset(names))


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
