"""Bulk inserts for the roll import: one executemany per few thousand rows, each value adapted exactly as
the ORM adapts it (the field's get_db_prep_save), without building a model instance or an INSERT per batch
of 999 parameters. bulk_create spends most of a 10,000-officer import preparing values one by one."""

from collections.abc import Iterable

from django.db import connection, models

_PLAIN = {"CharField", "TextField", "IntegerField", "PositiveIntegerField", "BigIntegerField", "AutoField",
          "BigAutoField", "BooleanField", "SmallIntegerField", "PositiveSmallIntegerField"}


def _converter(field: models.Field):
    if field.is_relation or field.get_internal_type() in _PLAIN:
        return None

    def convert(value, field=field):
        return field.get_db_prep_save(value, connection)

    return convert


def insert_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple], batch: int = 5000) -> int:
    """INSERT `rows` (tuples in `columns` order; a foreign key as its id) into the model's table."""
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]
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
