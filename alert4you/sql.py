"""Small pieces for the SQL we write out by hand (where building a query
through the ORM cost more than running it), so that it runs on PostgreSQL —
production and the tests — and on SQLite, the embedded database of `make run`."""

from __future__ import annotations

import json

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
