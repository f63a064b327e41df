"""Bulk inserts for the roll import: one executemany per few thousand rows, each value adapted exactly as
the ORM adapts it (the field's get_db_prep_save), without building a model instance or an INSERT per batch
of 999 parameters. bulk_create spends most of a 10,000-officer import preparing values one by one."""

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, models

_PLAIN = {
    "CharField",
    "TextField",
    "IntegerField",
    "PositiveIntegerField",
    "BigIntegerField",
    "AutoField",
    "BigAutoField",
    "BooleanField",
    "SmallIntegerField",
    "PositiveSmallIntegerField",
}


def _converter(field: models.Field, connection):
    if field.is_relation or field.get_internal_type() in _PLAIN:
        return None
    prep = field.get_db_prep_save
    if isinstance(field, models.JSONField):
        return lambda value: prep(value, connection)
    cache = {}  # measurements, dates and timestamps repeat: adapt each distinct value once

    def convert(value):
        try:
            return cache[value]
        except KeyError:
            out = cache[value] = prep(value, connection)
            return out

    return convert


def insert_rows(
    model: type[models.Model], columns: list[str], rows: Iterable[tuple], batch: int = 5000
) -> int:
    """INSERT `rows` (tuples in `columns` order; a foreign key as its id) into the model's table."""
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-attribute proxy
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f, connection)) is not None]
    count, chunk = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            if converters:
                row = list(row)
                for i, convert in converters:
                    row[i] = convert(row[i])
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count, chunk = count + len(chunk), []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count
