"""Small pieces for the SQL we write out by hand (where building a query
through the ORM cost more than running it), so that it runs on PostgreSQL —
production and the tests — and on SQLite, the embedded database of `make run`."""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


def postgresql() -> bool:
    return connection.vendor == "postgresql"


def array_of(subquery: str, column: str) -> str:
    """One value per row: the list of what `subquery` selects as `column`, in
    its order (PostgreSQL: an array; SQLite: a JSON array). Read it with `as_list`."""
    if postgresql():
        return f"ARRAY({subquery})"
    return f'(SELECT json_group_array(x."{column}") FROM ({subquery}) x)'


def as_list(value) -> list:
    """A value of `array_of` as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return json.loads(value)
    return list(value)


def cast(placeholder: str, model, field: str) -> str:
    """`placeholder` as the column's own type (an INSERT ... SELECT of a text
    parameter into an inet column needs it on PostgreSQL)."""
    return f"CAST({placeholder} AS {model._meta.get_field(field).db_type(connection)})"


def db_value(model, field: str, value):
    """`value` as the database stores the field (SQLite: a UUID as 32 hex digits)."""
    return model._meta.get_field(field).get_db_prep_value(value, connection)


def py_value(model, field: str, value):
    """A value read by hand from the field's column, as the ORM would give it."""
    model_field = model._meta.get_field(field)
    for converter in model_field.get_db_converters(connection) + connection.ops.get_db_converters(
        model_field.get_col(model._meta.db_table)
    ):
        value = converter(value, model_field.get_col(model._meta.db_table), connection)
    return value


def month_start(column: str) -> str:
    """The first day of a date column's month, as a date."""
    if postgresql():
        return f"DATE_TRUNC('month', {column}::timestamp)::date"
    return f"date({column}, 'start of month')"


def in_values(column: str, values) -> tuple[str, list]:
    """`column` is one of `values`, with its parameters: one array on PostgreSQL,
    so the query's text is the same however many there are (and can be
    prepared, `execute_prepared`); a placeholder each on SQLite."""
    values = list(values)
    if postgresql():
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values)) or 'NULL'})", values


_PLACEHOLDER = re.compile(r"%%|%s")


#: At most this many statements per connection: a query whose text keeps
#: changing (an ORM query's LIMIT and OFFSET are part of it) then runs plainly.
MAX_PREPARED = 200


def execute_prepared(cursor, label: str, sql: str, params) -> None:
    """`cursor.execute(sql, params)`, as a prepared statement on PostgreSQL.

    For the queries every page asks, written out because they are hot: a
    prepared statement is planned once per connection (after five runs
    PostgreSQL keeps a generic plan), where planning each time costs more than
    running them — 0.8 ms against 0.2 ms for the children a user works with.
    The statement is prepared the first time a connection runs it, behind
    Django's back so it is neither counted nor logged as a query of the page;
    PREPARE outlives a rolled-back transaction, so it is prepared once. `sql`
    takes positional %s placeholders only (%% for a percent sign); the text must
    not depend on the number of values (use `in_values`). `label` names the
    statement in the queries a page shows: ``EXECUTE <label>_<hash>(...)``.

    ``DATABASE_PREPARED_STATEMENTS = False`` (e.g. behind a pooler in
    transaction mode, where a connection's statements are not one session's)
    runs the plain query; SQLite always does."""
    name = _statement(cursor, label, sql)
    if name is None:
        cursor.execute(sql, params)
    else:
        params = list(params)
        cursor.execute(_execute(name, params), params)


@contextmanager
def prepared(label: str):
    """The ORM's SELECTs in this block run as prepared statements (as
    `execute_prepared`), for a page whose queries are built through the ORM
    but are the same text on every visit (a list with its filters)."""

    def as_prepared(execute, sql, params, many, context):
        if many or not sql.lstrip().upper().startswith("SELECT"):
            return execute(sql, params, many, context)
        name = _statement(context["cursor"], label, sql)
        if name is None:
            return execute(sql, params, many, context)
        params = list(params or ())
        return execute(_execute(name, params), params, many, context)

    with connection.execute_wrapper(as_prepared):
        yield


def _statement(cursor, label: str, sql: str) -> str | None:
    """The name of `sql`'s prepared statement on the cursor's connection,
    prepared now if need be; None where statements are not prepared."""
    db = cursor.db
    if db.vendor != "postgresql" or not getattr(settings, "DATABASE_PREPARED_STATEMENTS", True):
        return None
    name = f"{label}_{hashlib.blake2b(sql.encode(), digest_size=6).hexdigest()}"
    raw = db.connection
    known = db.__dict__.get("_prepared_statements")
    if known is None or known[0] is not raw:
        # (the connection, its statements, the texts PostgreSQL would not prepare)
        known = db._prepared_statements = (raw, set(), set())
    if name in known[1]:
        return name
    if name in known[2] or len(known[1]) >= MAX_PREPARED:
        return None
    numbers = iter(range(1, sql.count("%s") + 1))
    numbered = _PLACEHOLDER.sub(lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)
    # In a transaction, a refused PREPARE (a parameter whose type PostgreSQL
    # cannot tell, say) must not abort it: it gets a savepoint of its own.
    savepoint = not db.get_autocommit()
    raw_cursor = cursor.cursor
    try:
        if savepoint:
            raw_cursor.execute("SAVEPOINT a4y_prepare")
        raw_cursor.execute(f"PREPARE {name} AS {numbered}")
    except db.Database.Error:
        if savepoint:
            raw_cursor.execute("ROLLBACK TO SAVEPOINT a4y_prepare")
        known[2].add(name)
        return None
    finally:
        if savepoint:
            raw_cursor.execute("RELEASE SAVEPOINT a4y_prepare")
    known[1].add(name)
    return name


def _execute(name: str, params: list) -> str:
    return f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
