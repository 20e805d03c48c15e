"""Appending many new rows to one table quickly; returns their ids in row order. Imports use
it for people, consents and assessments, and `pathmark.audit.services.record_many` for audit
entries, so it belongs to no one app.

`bulk_create` builds a model instance for every row and prepares every value of every row
through the ORM one by one; on SQLite it also sends at most 999 parameters per statement,
about 50 assessments. For an import of 400,000 assessments that made the write ten times
slower than the insert itself. Here values that are the same for every row (the
organisation, the user, the time, each unlisted field's default) are prepared once, only the
columns whose type needs it (dates, JSON) are prepared per value, and the rows go in with
one `executemany` per chunk on SQLite, or on PostgreSQL one `INSERT ... SELECT` per chunk
from an array per column (so the statement has a handful of parameters, not one per value
for the driver to parse), as Django's own `bulk_create` does there.

Like the ORM it replaces, it refuses to touch a personal-data model outside a scope.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

import orjson
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

CHUNK_ROWS = 10_000
"""Rows per statement: large enough to amortise each call, small enough that only one
chunk's prepared values are in memory at a time."""

# Column types whose Python values the database drivers take as they are (str, int, float,
# bool, None), so preparing them through the field would only cost time.
PASSED_AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "FloatField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallAutoField",
        "SmallIntegerField",
        "TextField",
    }
)

# Column types whose values are immutable and hashable, so equal values need preparing only
# once: a file of 400,000 assessments holds a few hundred distinct dates.
PREPARED_BY_VALUE = frozenset({"DateField", "DateTimeField", "TimeField", "DecimalField"})


def append_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    same: Mapping[str, Any] | None = None,
    return_ids: bool = True,
) -> list[int]:
    """Insert `rows` (each a value per name in `columns`) into `model`'s table, with the
    values in `same` on every row and every other field's default (or the current time, for
    `auto_now` fields). Names are attribute names: `person_id`, not `person`.

    Returns the new primary keys in the order of `rows` (none when `return_ids` is False).
    Runs in a transaction (a savepoint inside the caller's), so a failure inserts nothing.
    """
    # A scoped model's manager raises ScopeError outside a scope, as a query would; core
    # stays below the organisations app, so it asks the manager rather than import it.
    model._default_manager.all()
    connection = connections[router.db_for_write(model)]
    fields = {field.attname: field for field in model._meta.concrete_fields}
    primary_key = model._meta.pk
    assert primary_key is not None
    constants = dict(same or {})
    unknown = [
        name for name in [*columns, *constants] if name not in fields or name == primary_key.attname
    ]
    if unknown or not columns:
        raise ValueError(f"{model._meta.label} has no field to append to named {unknown}")
    now = timezone.now()
    for name, field in fields.items():
        if field is primary_key or name in constants or name in columns:
            continue
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        constants[name] = now if automatic else field.get_default()
    if not rows:
        return []
    appender = Appender(
        connection,
        model._meta.db_table,
        primary_key.column,
        [fields[name] for name in columns],
        [fields[name] for name in constants],
        [fields[name].get_db_prep_save(value, connection) for name, value in constants.items()],
    )
    append = appender.sqlite if connection.vendor == "sqlite" else appender.unnest
    ids: list[int] = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            ids.extend(append(cursor, appender.prepared_columns(chunk), return_ids))
    return ids


class Appender:
    """One table's insert statement and how to prepare its values."""

    def __init__(
        self,
        connection: BaseDatabaseWrapper,
        name: str,
        primary_key: str,
        varying: list[models.Field],
        constant: list[models.Field],
        constants: list[Any],
    ) -> None:
        quote = connection.ops.quote_name
        self.connection = connection
        self.name = quote(name)
        self.primary_key = quote(primary_key)
        self.varying = varying
        self.constant = constant
        self.constants = constants
        self.column_list = ", ".join(quote(field.column) for field in [*varying, *constant])
        self.whole_json = connection.vendor != "sqlite"
        # Where the backend stores JSON as the text `json.dumps` gives (SQLite), a dict or a
        # list is encoded directly: the ORM's five calls around that one cost as much again.
        self.plain_json = (
            type(connection.ops).adapt_json_value is BaseDatabaseOperations.adapt_json_value
        )

    def prepared_columns(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """The rows' values column by column, each prepared for the database."""
        by_column: list[Any] = list(zip(*rows, strict=True))
        for index, field in enumerate(self.varying):
            # A foreign key's values are those of the key it points to.
            target = field.target_field if field.is_relation else field
            kind = target.get_internal_type()
            if kind in PASSED_AS_IS:
                continue
            if self.whole_json and _is_json(field):
                # One JSON array for the whole column, encoded in one call (see `unnest`).
                by_column[index] = _json_array(by_column[index], field.encoder)
            elif kind in PREPARED_BY_VALUE:
                by_column[index] = self._prepared(field, by_column[index], key=_itself)
            else:
                by_column[index] = self._prepared(field, by_column[index], key=id)
        return by_column

    def _prepared(
        self, field: models.Field, values: Sequence[Any], *, key: Callable[[Any], Any]
    ) -> list[Any]:
        # Imports hand the same object for many rows (one audit detail for a whole file), so
        # each distinct object (or, for dates, each distinct value) is prepared once; `values`
        # keeps the objects alive, so an id cannot be reused for another object meanwhile.
        prepare = self._preparer(field)
        done: dict[Any, Any] = {}
        prepared = []
        for value in values:
            known = key(value)
            if known not in done:
                done[known] = prepare(value)
            prepared.append(done[known])
        return prepared

    def _preparer(self, field: models.Field) -> Callable[[Any], Any]:
        connection = self.connection
        if not (self.plain_json and _is_json(field)):
            return lambda value: field.get_db_prep_save(value, connection)
        encoder = field.encoder

        def prepare_json(value: Any) -> Any:
            # What `JSONField.get_db_prep_save` gives for a plain dict or list; anything else
            # (None, an expression) takes the ORM's own path.
            if type(value) is dict or type(value) is list:
                return json.dumps(value, cls=encoder)
            if type(value) is EncodedList:
                return value.encoded_json
            return field.get_db_prep_save(value, connection)

        return prepare_json

    def sqlite(self, cursor: Any, columns: list[Any], return_ids: bool) -> Sequence[int]:
        """One executemany. SQLite gives the rows of one statement consecutive ids: a
        transaction that has written holds the database's only write lock until it ends, so
        no other connection can insert in between, and an AUTOINCREMENT key is always the
        largest so far plus one. The ids are therefore the `count` ids up to
        `last_insert_rowid()`, which is checked against the table before they are trusted."""
        placeholders = ", ".join(["%s"] * (len(self.varying) + len(self.constant)))
        # The repeated constants never end; the columns give the number of rows.
        rows = list(zip(*columns, *map(repeat, self.constants), strict=False))
        cursor.executemany(
            f"INSERT INTO {self.name} ({self.column_list}) VALUES ({placeholders})",  # noqa: S608
            rows,
        )
        if not return_ids:
            return []
        cursor.execute("SELECT last_insert_rowid()")
        last = cursor.fetchone()[0]
        first = last - len(rows) + 1
        cursor.execute(
            f"SELECT COUNT(*) FROM {self.name} WHERE {self.primary_key} BETWEEN %s AND %s",  # noqa: S608
            [first, last],
        )
        if cursor.fetchone()[0] != len(rows):
            raise RuntimeError(f"the new rows of {self.name} did not get consecutive ids")
        return range(first, last + 1)

    def unnest(self, cursor: Any, columns: list[Any], return_ids: bool) -> Sequence[int]:
        """One INSERT of an array per varying column and a single value per constant one.
        Sequence values are handed out outside transactions, so rows that other sessions
        insert meanwhile can take ids in between ours: the ids come back from RETURNING, in
        the order of the arrays (as `bulk_create` relies on too, with the same statement).

        A JSON column goes as one JSON array read by `jsonb_array_elements`, not as an array
        of jsonb: the driver would escape every quote inside every document one by one,
        which took longer than everything else in an import. `ROWS FROM` pairs the elements
        of all the columns by position, as UNNEST of several arrays does."""
        sources = []
        selected = []
        for index, field in enumerate(self.varying):
            if _is_json(field):
                sources.append("jsonb_array_elements((%s)::jsonb)")
                # A Python None is SQL NULL to Django, and JSON null inside the array.
                selected.append(f"NULLIF(c{index}, 'null'::jsonb)")
            else:
                # Without its length (varchar, not varchar(64)), as Django's own UNNEST insert.
                db_type = str(field.db_type(self.connection)).split("(")[0]
                sources.append(f"unnest((%s)::{db_type}[])")
                selected.append(f"c{index}")
        for field in self.constant:
            db_type = str(field.db_type(self.connection)).split("(")[0]
            selected.append(f"(%s)::{db_type}")
        names = ", ".join(f"c{index}" for index in range(len(self.varying)))
        returning = f" RETURNING {self.primary_key}" if return_ids else ""
        cursor.execute(
            f"INSERT INTO {self.name} ({self.column_list}) "  # noqa: S608
            f"SELECT {', '.join(selected)} FROM ROWS FROM ({', '.join(sources)}) AS appended({names})"
            + returning,
            # In the order of their placeholders: the constants are in the SELECT list.
            [
                *self.constants,
                *(
                    column if _is_json(field) else list(column)
                    for field, column in zip(self.varying, columns, strict=True)
                ),
            ],
        )
        return [row[0] for row in cursor.fetchall()] if return_ids else []


class EncodedList(list):  # type: ignore[type-arg]
    """A list that carries its own JSON text, encoded as the list is made, by orjson unless
    an `encoder` is given (about twenty times faster than `json.dumps` for a list of numbers;
    the same values, without the spaces): a trend rebuild encodes a series for each of a
    city's journeys. Equal to the plain list it holds. Only for lists of JSON's own types
    (str, int, float, bool, None, and lists and dicts with str keys of them)."""

    def __init__(self, values: Iterable[Any], encoder: type[json.JSONEncoder] | None = None):
        super().__init__(values)
        self.encoded_json = (
            orjson.dumps(self).decode() if encoder is None else json.dumps(self, cls=encoder)
        )


def _json_array(values: Sequence[Any], encoder: type[json.JSONEncoder] | None) -> str:
    """`json.dumps(values)` for a column of JSON values, using the text of those that carry
    their own."""
    if not any(type(value) is EncodedList for value in values):
        return json.dumps(values, cls=encoder)
    return (
        "["
        + ",".join(
            value.encoded_json if type(value) is EncodedList else json.dumps(value, cls=encoder)
            for value in values
        )
        + "]"
    )


def _is_json(field: models.Field) -> bool:
    return bool(field.get_internal_type() == "JSONField")


def _itself(value: Any) -> Any:
    return value
