"""Hot-path SQL: one statement per shape, built once per process from the models' metadata.

Compiling a ``select_related(...).filter(...)`` costs the ORM about a millisecond of CPU
and an ``INSERT`` about a third of one: more than the database takes to run them. The
statements that run on every request (the token, the requester and its organisation, the
rows a ticket create or an audit event writes) are built here once and reused. Rows come
back exactly as the ORM makes them (``Model.from_db`` after the backend's converters) and
inserted values go through each field's own ``pre_save``/``get_db_prep_save``, so the
rest of the code cannot tell the difference. Anything else stays on the ORM.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import connections, models

M = TypeVar("M", bound=models.Model)

def _converter(field: models.Field, alias: str, connection: Any) -> Callable[[Any], Any] | None:
    """One function turning a column's database value into the ORM's Python value."""
    if connection.vendor == "sqlite" and field.get_internal_type() == "DateTimeField":
        # The driver has already parsed the column (a naive UTC datetime); the ORM's own
        # converter would re-check it through settings on every value.
        zone = connection.timezone

        def sqlite_datetime(value: Any) -> Any:
            if value is None:
                return None
            if not isinstance(value, datetime):
                value = datetime.fromisoformat(value)
            return value if value.tzinfo else value.replace(tzinfo=zone)

        return sqlite_datetime
    col = field.get_col(alias)
    funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
    if not funcs:
        return None

    def convert(value: Any) -> Any:
        for func in funcs:
            value = func(value, col, connection)
        return value

    return convert


class Columns:
    """The concrete columns of ``model`` under a table alias, and how to rebuild a row."""

    def __init__(self, model: type[models.Model], alias: str, using: str = "default",
                 names: Sequence[str] | None = None) -> None:
        self.model = model
        self.alias = alias
        self.using = using
        connection = connections[using]
        quote = connection.ops.quote_name
        if names is None:
            fields = list(model._meta.concrete_fields)
        else:
            fields = [model._meta.get_field(name) for name in names]
        self.width = len(fields)
        self.attnames = [f.attname for f in fields]
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in fields)
        self._converters: list[tuple[int, Callable[[Any], Any]]] = []
        for index, field in enumerate(fields):
            convert = _converter(field, alias, connection)
            if convert is not None:
                self._converters.append((index, convert))
        pk = model._meta.pk.attname
        self.pk_index = self.attnames.index(pk) if pk in self.attnames else None

    def values(self, row: Sequence[Any], start: int = 0) -> list[Any]:
        """The Python values of ``row[start:start + width]``, as the ORM would give them."""
        values = list(row[start:start + self.width])
        for index, convert in self._converters:
            values[index] = convert(values[index])
        return values

    def build(self, row: Sequence[Any], start: int = 0) -> models.Model | None:
        """The instance in ``row[start:start + width]``; None for an unmatched outer join."""
        if row[start + self.pk_index] is None:
            return None
        return self.model.from_db(self.using, self.attnames, self.values(row, start))


def fetch_one(sql: str, params: Sequence[Any], using: str = "default") -> tuple | None:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: Sequence[Any], using: str = "default") -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def marks(values: Sequence[Any]) -> str:
    """``%s, %s, ...`` for an ``IN (...)`` list of ``values`` (never empty)."""
    return ", ".join(["%s"] * len(values))


class JoinedGet:
    """``model.objects.select_related(*related).filter(**eq).first()`` for plain equality
    on ``model``'s own fields and single-level forward relations, prepared once."""

    def __init__(self, model: type[models.Model], related: tuple[str, ...],
                 keys: tuple[str, ...], using: str = "default") -> None:
        quote = connections[using].ops.quote_name
        opts = model._meta
        self.base = Columns(model, "t0", using)
        self.joins: list[tuple[Any, Columns]] = []
        from_sql = f"{quote(opts.db_table)} t0"
        for n, name in enumerate(related, start=1):
            field = opts.get_field(name)
            target = field.related_model
            cols = Columns(target, f"t{n}", using)
            from_sql += (
                f" LEFT OUTER JOIN {quote(target._meta.db_table)} t{n}"
                f" ON t{n}.{quote(field.target_field.column)} = t0.{quote(field.column)}"
            )
            self.joins.append((field, cols))
        where = " AND ".join(f"t0.{quote(opts.get_field(k).column)} = %s" for k in keys)
        select = ", ".join([self.base.sql] + [cols.sql for _, cols in self.joins])
        self.sql = f"SELECT {select} FROM {from_sql} WHERE {where}"
        self.using = using

    def get(self, values: Sequence[Any]) -> models.Model | None:
        row = fetch_one(self.sql, values, self.using)
        if row is None:
            return None
        obj = self.base.build(row)
        start = self.base.width
        for field, cols in self.joins:
            field.set_cached_value(obj, cols.build(row, start))
            start += cols.width
        return obj


_prepared: dict[tuple, JoinedGet | None] = {}  # None: a shape the ORM answers


def _field(model: type[models.Model], name: str) -> Any:
    if "__" in name:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: let the ORM raise its own error
        return None


def _preparable(model: type[models.Model], related: tuple[str, ...], keys: tuple[str, ...]
                ) -> bool:
    """Plain columns compared by equality, one of them unique (so at most one row matches
    and the model's ordering cannot matter), forward relations joined: nothing else."""
    unique = False
    for key in keys:
        field = _field(model, key)
        if field is None or not field.concrete or field.is_relation:
            return False
        unique = unique or field.unique
    if not unique:
        return False
    for name in related:
        field = _field(model, name)
        if field is None or not field.concrete or not field.is_relation:
            return False
    return True


def get_first(model: type[M], related: tuple[str, ...] = (), **eq: Any) -> M | None:
    """``model.objects.select_related(*related).filter(**eq).first()``, prepared once."""
    keys = tuple(model._meta.pk.name if k == "pk" else k for k in eq)
    if any(v is None or isinstance(v, models.Model) for v in eq.values()):
        return model.objects.select_related(*related).filter(**eq).first()
    shape = (model, related, keys)
    if shape not in _prepared:
        _prepared[shape] = (JoinedGet(model, related, keys)
                            if _preparable(model, related, keys) else None)
    prepared = _prepared[shape]
    if prepared is None:
        return model.objects.select_related(*related).filter(**eq).first()
    connection = connections[prepared.using]
    values = [model._meta.get_field(k).get_db_prep_value(v, connection, prepared=False)
              for k, v in zip(keys, eq.values(), strict=True)]
    return prepared.get(values)


# Field types whose database value is the Python value itself when it already has the
# field's own type (their get_prep_value is ``to_python``, a no-op then): skip the call.
_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "CharField": (str,), "TextField": (str,), "SlugField": (str,), "EmailField": (str,),
    "BooleanField": (bool,), "IntegerField": (int,), "BigIntegerField": (int,),
    "PositiveIntegerField": (int,), "PositiveSmallIntegerField": (int,),
    "SmallIntegerField": (int,), "FloatField": (float,),
    "ForeignKey": (int,), "OneToOneField": (int,),
}


def _saver(field: models.Field, utc_sqlite: bool = False) -> Callable[[models.Model, Any], Any]:
    """``field.get_db_prep_save(field.pre_save(obj, True), connection)``, short-cut where
    the field's own methods would hand the value back unchanged."""
    attname = field.attname
    prep = field.get_db_prep_save
    stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if stamped or (type(field).pre_save is not models.Field.pre_save
                   and not isinstance(field, models.DateField)):  # auto_now and the like
        return lambda obj, connection: prep(field.pre_save(obj, True), connection)
    if utc_sqlite and field.get_internal_type() == "DateTimeField":
        # SQLite stores an aware datetime as its naive UTC text (``str()``); Django gets
        # there through settings and zone look-ups on every value: tens per new ticket.
        def save_datetime(obj: models.Model, connection: Any) -> Any:
            value = getattr(obj, attname)
            if type(value) is datetime and value.tzinfo is not None and not value.utcoffset():
                return str(value.replace(tzinfo=None))
            return prep(value, connection)

        return save_datetime
    plain = _PLAIN_TYPES.get(field.get_internal_type())
    if plain is None or (field.is_relation and not isinstance(
            field.target_field, models.AutoField | models.IntegerField)):
        return lambda obj, connection: prep(getattr(obj, attname), connection)

    def save_value(obj: models.Model, connection: Any) -> Any:
        value = getattr(obj, attname)
        if value is None or type(value) in plain:
            return value
        return prep(value, connection)

    return save_value


class PreparedInsert:
    """``obj.save(force_insert=True)`` for a model with an auto primary key, no signals."""

    def __init__(self, model: type[models.Model], using: str = "default") -> None:
        connection = connections[using]
        quote = connection.ops.quote_name
        opts = model._meta
        self.pk = opts.pk
        self.fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field]
        utc_sqlite = connection.vendor == "sqlite" and connection.timezone_name == "UTC"
        self.savers = [_saver(f, utc_sqlite) for f in self.fields]
        columns = ", ".join(quote(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"
        self.arrays = _arrays(self.fields, connection)
        self.returning = connection.features.can_return_columns_from_insert
        if self.returning:
            self.sql += f" RETURNING {quote(self.pk.column)}"
        self.using = using

    def run(self, obj: models.Model) -> None:
        # As save() does: refuse an unsaved related object, and pick up the id of one that
        # was saved after it was assigned.
        obj._prepare_related_fields_for_save(operation_name="save")
        connection = connections[self.using]
        values = [save(obj, connection) for save in self.savers]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, values)
            new_id = cursor.fetchone()[0] if self.returning else cursor.lastrowid
        setattr(obj, self.pk.attname, new_id)
        obj._state.adding = False
        obj._state.db = self.using


_inserts: dict[type[models.Model], PreparedInsert] = {}


def _arrays(fields: Sequence[models.Field], connection: Any) -> str | None:
    """``(%b)::type[], ...``: one array per column, bound on the server in binary, for a
    bulk write on PostgreSQL (Django's bulk_create uses the same UNNEST); None on SQLite
    or where a column's type cannot travel as an array (Django's conditions)."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        target = field.target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or \
                target.get_internal_type() not in connection.data_types:
            return None
        types.append(f"(%b)::{field.db_type(connection).split('(')[0]}[]")
    return ", ".join(types)


# Below this many rows a plain VALUES list is cheaper: a second cursor and the arrays'
# type inference cost more than a few placeholders (a ticket create writes 2-5 events).
BULK_ARRAYS_FROM = 50


def _server_bound_cursor(connection: Any) -> Any:
    """A cursor that sends its parameters apart from the statement (psycopg's own
    default; Django's binds on the client), wrapped as Django wraps its cursors, so
    statement logging and execute wrappers see it like any other."""
    import psycopg

    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def insert_many(objs: Sequence[models.Model]) -> None:
    """``bulk_create(objs)`` for new rows of one model (auto primary key, no signals):
    one multi-row ``INSERT`` built from the prepared insert; ids are set where the
    backend returns them."""
    if not objs:
        return
    if len(objs) > 500:
        for start in range(0, len(objs), 500):
            insert_many(objs[start:start + 500])
        return
    model = type(objs[0])
    prepared = _inserts.get(model)
    if prepared is None:
        prepared = _inserts[model] = PreparedInsert(model)
    connection = connections[prepared.using]
    head, _, row = prepared.sql.partition(" VALUES ")
    row = row.split(" RETURNING ")[0]
    rows = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        rows.append([save(obj, connection) for save in prepared.savers])
    unnest = prepared.arrays if len(objs) >= BULK_ARRAYS_FROM else None
    if unnest is not None:
        # One array per column, bound on the server in binary: psycopg parses a statement
        # with a few placeholders, not one with thousands (a 500-row batch of events spent
        # 30 ms in its query split), and writes no quoted array literal (escaping every
        # element with a regular expression cost more than the insert itself).
        sql = f"{head} SELECT * FROM UNNEST({unnest})"
        params: list[Any] = [list(column) for column in zip(*rows, strict=True)]
    else:
        sql = f"{head} VALUES {', '.join([row] * len(objs))}"
        params = [value for values in rows for value in values]
    if prepared.returning:
        sql += f" RETURNING {connection.ops.quote_name(prepared.pk.column)}"
    with (_server_bound_cursor(connection) if unnest else connection.cursor()) as cursor:
        cursor.execute(sql, params)
        ids = [r[0] for r in cursor.fetchall()] if prepared.returning else []
    for index, obj in enumerate(objs):
        if ids:
            setattr(obj, prepared.pk.attname, ids[index])
        obj._state.adding = False
        obj._state.db = prepared.using


def update_many(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """``obj.save(update_fields=fields)`` for each of ``objs`` (saved rows of one model, no
    signals) in one ``UPDATE ... FROM (VALUES ...)`` per 500 rows."""
    if len(objs) < 2:
        for obj in objs:
            update(obj, fields)
        return
    if len(objs) > 500:
        for start in range(0, len(objs), 500):
            update_many(objs[start:start + 500], fields)
        return
    model = type(objs[0])
    connection = connections["default"]
    quote = connection.ops.quote_name
    opts = model._meta
    targets = [opts.pk, *(opts.get_field(name) for name in fields)]
    savers = [_saver(f) for f in targets[1:]]
    arrays = _arrays(targets, connection) if len(objs) >= BULK_ARRAYS_FROM else None
    postgres = arrays is not None
    if postgres:
        names = ", ".join(f"c{i}" for i in range(len(targets)))
        source = f"UNNEST({arrays}) AS v({names})"
        col = "v.c{}".format
    elif connection.vendor == "postgresql":
        # VALUES rows have no column types of their own: say them.
        row = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in targets) + ")"
        names = ", ".join(f"c{i}" for i in range(len(targets)))
        source = f"(VALUES {', '.join([row] * len(objs))}) AS v({names})"
        col = "v.c{}".format
    else:  # SQLite names a VALUES subquery's columns column1, column2, ...
        row = "(" + ", ".join(["%s"] * len(targets)) + ")"
        source = f"(SELECT * FROM (VALUES {', '.join([row] * len(objs))})) AS v"
        col = lambda i: f"v.column{i + 1}"  # noqa: E731
    sets = ", ".join(f"{quote(f.column)} = {col(i)}" for i, f in enumerate(targets) if i)
    table = quote(opts.db_table)
    sql = (f"UPDATE {table} SET {sets} FROM {source}"
           f" WHERE {table}.{quote(opts.pk.column)} = {col(0)}")
    params: list[Any] = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="save")
        params.append(obj.pk)
        params += [save(obj, connection) for save in savers]
    if postgres:
        width = len(targets)
        params = [params[i::width] for i in range(width)]
    with (_server_bound_cursor(connection) if postgres else connection.cursor()) as cursor:
        cursor.execute(sql, params)


_updates: dict[tuple[type[models.Model], tuple[str, ...]], tuple[str, list]] = {}


def update(obj: models.Model, fields: Sequence[str]) -> None:
    """``obj.save(update_fields=fields)`` for a saved row (no signals), prepared once per
    set of fields."""
    model = type(obj)
    key = (model, tuple(fields))
    hit = _updates.get(key)
    connection = connections["default"]
    if hit is None:
        quote = connection.ops.quote_name
        opts = model._meta
        targets = [opts.get_field(name) for name in fields]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in targets)
        hit = _updates[key] = (
            f"UPDATE {quote(opts.db_table)} SET {sets} WHERE {quote(opts.pk.column)} = %s",
            [_saver(f) for f in targets],
        )
    sql, savers = hit
    obj._prepare_related_fields_for_save(operation_name="save")
    with connection.cursor() as cursor:
        cursor.execute(sql, [save(obj, connection) for save in savers] + [obj.pk])


def insert(obj: M) -> M:
    """Insert a new ``obj`` (auto primary key not set yet) and give it its id."""
    model = type(obj)
    prepared = _inserts.get(model)
    if prepared is None:
        if model._meta.auto_field is None or obj.pk is not None:
            obj.save(force_insert=True)
            return obj
        prepared = _inserts[model] = PreparedInsert(model)
    if obj.pk is not None:
        obj.save(force_insert=True)
        return obj
    prepared.run(obj)
    return obj


def create(model: type[M], **fields: Any) -> M:
    """``model.objects.create(**fields)`` through the prepared insert."""
    return insert(model(**fields))
